/* The spv_* vocabulary the width-generic templates in src/tmpl are written in, for zmm:
 * 16 floats, tails and NaN records as opmasks (a NaN record holds the lanes still ordered, so
 * compares chain through the mask without a move to a general register each). */
#ifndef SP_AVX512_VEC_H
#define SP_AVX512_VEC_H

#include "simd.h"

#define SPV_W 16
#define SPV_NREGS 32
#define SPV_FN(name) sp_avx512_##name
typedef __m512 spv;
typedef __mmask16 spv_k;
typedef __mmask16 spv_nan;
#define SPV_NAN_CHAINS 2 /* two records, so the compares do not wait on each other */
#define SPV_GRID 64       /* bytes: channel walks may align their vectors to cache lines */
/* From here on, the grid paid in nhwc_3x3s1 at 16 bytes off (same-process A/B, time with /
 * without the grid): C64 28^2 0.82-0.86, C48 0.91-1.02, C32 1.22-1.32, C16 1.5-1.8; nhwc_3x3s2
 * takes the same (C64 112^2 0.94, 28^2 and 14^2 level). */
#define SPV_GRID_MIN_C 64

SP_INLINE spv spv_set1(float x) { return _mm512_set1_ps(x); }
SP_INLINE spv spv_loadu(const float *p) { return _mm512_loadu_ps(p); }
SP_INLINE spv spv_load_pad(spv pad, const float *p, spv_k k) { return _mm512_mask_loadu_ps(pad, k, p); }
SP_INLINE void spv_storeu(float *p, spv v) { _mm512_storeu_ps(p, v); }
/* One tap of a row that may lie in the padding (in_row = 0: pad); plain: the caller knows
 * the row is inside and the vector whole. Otherwise one merge-masked load, no branch. */
SP_INLINE spv spv_load_row(spv pad, const float *p, int in_row, int plain, int tail, spv_k k)
{
    (void)tail;
    return plain ? _mm512_loadu_ps(p) : _mm512_mask_loadu_ps(pad, in_row ? k : 0, p);
}
SP_INLINE void spv_store_k(float *p, spv_k k, spv v) { _mm512_mask_storeu_ps(p, k, v); }
SP_INLINE spv_k spv_k_tail(int64_t n) { return sp_lanes(n); }
/* Lanes d .. W-1, 0 < d < W. */
SP_INLINE spv_k spv_k_from(int64_t d) { return (__mmask16)(0xFFFFu << d); }
SP_INLINE spv spv_add(spv a, spv b) { return _mm512_add_ps(a, b); }
SP_INLINE spv spv_mul(spv a, spv b) { return _mm512_mul_ps(a, b); }
SP_INLINE spv spv_max(spv a, spv b) { return _mm512_max_ps(a, b); }
SP_INLINE spv spv_maxnan(spv m, spv v) { return sp_maxnan(m, v); }
SP_INLINE spv_nan spv_nan_none(void) { return (__mmask16)0xFFFF; }
SP_INLINE spv_nan spv_nan_acc(spv_nan ok, spv a, spv b) { return _mm512_mask_cmp_ps_mask(ok, a, b, _CMP_ORD_Q); }
SP_INLINE int spv_nan_any(spv_nan a, spv_nan b) { return (__mmask16)(a & b) != (__mmask16)0xFFFF; }

#endif
