/* A NaN watch for values-only max loops built on plain vmaxps (x86; included by the AVX2 and
 * AVX-512 simd.h, both x86 folders). vmaxps keeps its second operand when either is NaN (the
 * reference takes a NaN wherever it appears) but raises MXCSR's invalid flag on any NaN
 * operand, quiet ones too, and never on +-inf; masked-off lanes raise nothing. sp_nan_watch()
 * clears the flag (exceptions masked meanwhile) and returns the caller's MXCSR; sp_nan_seen()
 * says whether a vmaxps between them saw a NaN and restores it. The empty asm keeps the loop's
 * loads after the clearing and its stores before the reading. */
#ifndef SP_X86_NAN_WATCH_H
#define SP_X86_NAN_WATCH_H

#include <immintrin.h>

static inline __attribute__((always_inline)) unsigned sp_nan_watch(void)
{
    const unsigned csr = _mm_getcsr();
    _mm_setcsr((csr | _MM_MASK_INVALID) & ~(unsigned)_MM_EXCEPT_INVALID);
    __asm__ volatile("" ::: "memory");
    return csr;
}

static inline __attribute__((always_inline)) int sp_nan_seen(unsigned csr)
{
    __asm__ volatile("" ::: "memory");
    const int seen = (_mm_getcsr() & _MM_EXCEPT_INVALID) != 0;
    _mm_setcsr(csr);
    return seen;
}

#endif
