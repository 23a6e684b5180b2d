/* Vector helpers shared by the AVX-512 kernels (included only by -mavx512* sources). */
#ifndef SP_AVX512_SIMD_H
#define SP_AVX512_SIMD_H

#include <immintrin.h>
#include <math.h>

#include "avx512.h"
#include "../avx2/nan_watch.h" /* x86: shared with AVX2 */

#define SP_INLINE static inline __attribute__((always_inline))

/* The first n lanes (clamped to 0..16): the mask of a tail of n elements. */
SP_INLINE __mmask16 sp_lanes(int64_t n)
{
    return n <= 0 ? 0 : n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}
/* Lanes [lo, hi) of a 32-element pair of vectors. */
SP_INLINE uint32_t sp_range32(int64_t lo, int64_t hi)
{
    uint32_t h = hi <= 0 ? 0 : hi >= 32 ? 0xFFFFFFFFu : (1u << hi) - 1;
    uint32_t l = lo <= 0 ? 0 : lo >= 32 ? 0xFFFFFFFFu : (1u << lo) - 1;
    return h & ~l;
}

SP_INLINE __m512i sp_iota(void)
{
    return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/* The scalar reference's max step: take v where v > m or v is NaN. vmaxps(v, m) returns m
 * on NaN in either operand and on equality, so it is right (NaN in m stays, ties and -0/+0
 * keep the earlier value) except where v itself is NaN; those lanes take v through the mask. */
SP_INLINE __m512 sp_maxnan(__m512 m, __m512 v)
{
    return _mm512_mask_max_ps(v, _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), v, m);
}

/* The lanes where the step above takes v (for argmax tracking). */
SP_INLINE __mmask16 sp_takes(__m512 m, __m512 v)
{
    return _mm512_cmp_ps_mask(v, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
}

/* Stores the lanes of k (int32) as int64. */
SP_INLINE void sp_store_idx(int64_t *dst, __m512i v, __mmask16 k)
{
    __m512i lo = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(v));
    __m512i hi = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1));
    _mm512_mask_storeu_epi64(dst, (__mmask8)k, lo);
    _mm512_mask_storeu_epi64(dst + 8, (__mmask8)(k >> 8), hi);
}

#endif
