/* The spv_* vocabulary the width-generic templates in src/tmpl are written in, for ymm:
 * 8 floats, tails as a lane mask in a vector register. */
#ifndef SP_AVX2_VEC_H
#define SP_AVX2_VEC_H

#include "simd.h"

#define SPV_W 8
#define SPV_NREGS 16
#define SPV_FN(name) sp_avx2_##name
typedef __m256 spv;
typedef __m256i spv_k; /* tail lanes */
typedef __m256 spv_nan; /* lanes where an unordered pair was seen */
/* One NaN record: the 16 taps fill the 16 ymm registers; two records measured 3-5% slower. */
#define SPV_NAN_CHAINS 1
#define SPV_GRID 32 /* bytes: a ymm load on this grid never splits a cache line */
/* From here on, the grid paid in nhwc_3x3s1 at 16 bytes off (same-process A/B, time with /
 * without the grid): C96 28^2 0.65 avg, 0.88 max; C64 0.85 avg but 1.03-1.06 max; C32 1.02 / 1.36.
 * nhwc_3x3s2 takes the same (C96 level; from C64 it ran C64 28^2 / 14^2 1.03-1.12). */
#define SPV_GRID_MIN_C 96

SP_INLINE spv spv_set1(float x) { return _mm256_set1_ps(x); }
SP_INLINE spv spv_loadu(const float *p) { return _mm256_loadu_ps(p); }
/* The lanes of k from p, pad elsewhere; p + 8 may lie past the buffer. */
SP_INLINE spv spv_load_pad(spv pad, const float *p, spv_k k)
{
    return _mm256_blendv_ps(pad, _mm256_maskload_ps(p, k), _mm256_castsi256_ps(k));
}
SP_INLINE void spv_storeu(float *p, spv v) { _mm256_storeu_ps(p, v); }
/* One tap of a row that may lie in the padding (in_row = 0: pad); plain: the caller knows
 * the row is inside and the vector whole. */
SP_INLINE spv spv_load_row(spv pad, const float *p, int in_row, int plain, int tail, spv_k k)
{
    if (!plain && !in_row) return pad;
    return tail ? spv_load_pad(pad, p, k) : spv_loadu(p);
}
SP_INLINE void spv_store_k(float *p, spv_k k, spv v) { _mm256_maskstore_ps(p, k, v); }
SP_INLINE spv_k spv_k_tail(int64_t n) { return sp_mask(n); }
/* Lanes d .. W-1, 0 < d < W. */
SP_INLINE spv_k spv_k_from(int64_t d) { return _mm256_xor_si256(sp_mask(d), _mm256_set1_epi32(-1)); }
SP_INLINE spv spv_add(spv a, spv b) { return _mm256_add_ps(a, b); }
SP_INLINE spv spv_mul(spv a, spv b) { return _mm256_mul_ps(a, b); }
/* vmaxps(a, b): b where either is NaN or on equality. */
SP_INLINE spv spv_max(spv a, spv b) { return _mm256_max_ps(a, b); }
SP_INLINE spv spv_maxnan(spv m, spv v) { return sp_maxnan(m, v); }
SP_INLINE spv_nan spv_nan_none(void) { return _mm256_setzero_ps(); }
SP_INLINE spv_nan spv_nan_acc(spv_nan acc, spv a, spv b) { return _mm256_or_ps(acc, _mm256_cmp_ps(a, b, _CMP_UNORD_Q)); }
SP_INLINE int spv_nan_any(spv_nan a, spv_nan b)
{
    const spv_nan t = _mm256_or_ps(a, b);
    return !_mm256_testz_ps(t, t);
}

#endif
