/* Vector helpers shared by the AVX2 kernels (this header is only included by -mavx2 sources). */
#ifndef SP_AVX2_SIMD_H
#define SP_AVX2_SIMD_H

#include <immintrin.h>
#include <math.h>

#include "avx2.h"
#include "nan_watch.h"

#define SP_INLINE static inline __attribute__((always_inline))

/* The first n (0..8) lanes set: a sliding window over a constant, no branches. */
SP_INLINE __m256i sp_mask(int64_t n)
{
    static const int32_t m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    if (n < 0) n = 0;
    if (n > 8) n = 8;
    return _mm256_loadu_si256((const __m256i *)(m + 8 - n));
}

SP_INLINE __m256i sp_iota(void) { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }

/* The scalar reference's max step: take v where v > m or v is NaN. NaN stays sticky (the
 * last NaN wins) and on ties, -0 against +0 included, the earlier value stays. vmaxps
 * returns its second operand when either is NaN or on equality, so max(v, m) is right
 * everywhere except where v itself is NaN; the blend fixes those lanes. */
SP_INLINE __m256 sp_maxnan(__m256 m, __m256 v)
{
    return _mm256_blendv_ps(_mm256_max_ps(v, m), v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

/* The lanes where the step above takes v (for argmax tracking). */
SP_INLINE __m256 sp_takes(__m256 m, __m256 v)
{
    return _mm256_or_ps(_mm256_cmp_ps(v, m, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

/* Stores the first n int32 lanes as int64. */
SP_INLINE void sp_store_idx(int64_t *dst, __m256i v, int64_t n)
{
    __m256i lo = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(v));
    __m256i hi = _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1));
    if (n >= 8) {
        _mm256_storeu_si256((__m256i *)dst, lo);
        _mm256_storeu_si256((__m256i *)(dst + 4), hi);
        return;
    }
    /* An int64 lane is stored when its mask's sign bit is set: widen the 32-bit lane mask. */
    __m256i m = sp_mask(n);
    _mm256_maskstore_epi64((long long *)dst, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(m)), lo);
    _mm256_maskstore_epi64((long long *)(dst + 4), _mm256_cvtepi32_epi64(_mm256_extracti128_si256(m, 1)),
                           hi);
}

SP_INLINE void sp_store(float *dst, __m256 v, int64_t n)
{
    if (n >= 8)
        _mm256_storeu_ps(dst, v);
    else
        _mm256_maskstore_ps(dst, sp_mask(n), v);
}

SP_INLINE __m256 sp_load(const float *src, int64_t n)
{
    return n >= 8 ? _mm256_loadu_ps(src) : _mm256_maskload_ps(src, sp_mask(n));
}

/* Horizontal sum of one vector. */
SP_INLINE float sp_hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#endif
