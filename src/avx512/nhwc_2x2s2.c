/* NHWC 2x2 stride 2 without padding (every window whole): values-only max. Each output
 * pixel is four input pixel vectors from two input rows that are streamed once, so there is
 * no window clipping and no per-tap loop (the generic kernel's bookkeeping cost a fifth of
 * the memory rate on these memory-bound shapes). Channels go four vectors at a time with
 * plain loads and stores; only the channel tail is masked. Taps are taken in the reference's
 * row-major order with vmaxps(t, m), its step except where t is NaN; a pixel whose later taps
 * hold a NaN is redone with the exact step.
 * (Avg and sum are AVX2's nhwc_2x2s2.) */
#include "simd.h"

/* One vector of channels at taps a, a+C, b, b+C, the lanes of k. Fast: vmaxps(t, m), the
 * reference's step unless t is NaN (a later tap's NaN is flagged in *nan); exact: the step. */
SP_INLINE __m512 tap4(const float *a, const float *b, int64_t C, __mmask16 k, int exact, __mmask16 *nan)
{
    const __m512 t0 = _mm512_maskz_loadu_ps(k, a), t1 = _mm512_maskz_loadu_ps(k, a + C);
    const __m512 t2 = _mm512_maskz_loadu_ps(k, b), t3 = _mm512_maskz_loadu_ps(k, b + C);
    if (exact) return sp_maxnan(sp_maxnan(sp_maxnan(t0, t1), t2), t3);
    *nan |= _mm512_cmp_ps_mask(t1, t2, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(t3, t3, _CMP_UNORD_Q);
    return _mm512_max_ps(t3, _mm512_max_ps(t2, _mm512_max_ps(t1, t0)));
}

/* All C channels of one output pixel; returns nonzero when the fast step met a NaN. */
SP_INLINE int pixel(const float *a, const float *b, float *out, int64_t C, int exact)
{
    __mmask16 nan = 0;
    int64_t c = 0;
    for (; c + 64 <= C; c += 64) {
        const __m512 r0 = tap4(a + c, b + c, C, 0xFFFF, exact, &nan);
        const __m512 r1 = tap4(a + c + 16, b + c + 16, C, 0xFFFF, exact, &nan);
        const __m512 r2 = tap4(a + c + 32, b + c + 32, C, 0xFFFF, exact, &nan);
        const __m512 r3 = tap4(a + c + 48, b + c + 48, C, 0xFFFF, exact, &nan);
        _mm512_storeu_ps(out + c, r0);
        _mm512_storeu_ps(out + c + 16, r1);
        _mm512_storeu_ps(out + c + 32, r2);
        _mm512_storeu_ps(out + c + 48, r3);
    }
    for (; c + 16 <= C; c += 16) _mm512_storeu_ps(out + c, tap4(a + c, b + c, C, 0xFFFF, exact, &nan));
    if (c < C) {
        const __mmask16 k = sp_lanes(C - c);
        _mm512_mask_storeu_ps(out + c, k, tap4(a + c, b + c, C, k, exact, &nan));
    }
    return nan != 0;
}

void sp_avx512_nhwc_2x2s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t C = p->c, W = p->w, ow = p->ow;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *r0 = a->in + ((n * p->h + 2 * oh) * W) * C, *r1 = r0 + W * C;
        float *out = a->out + (int64_t)u * ow * C;
        for (int64_t x = 0; x < ow; x++)
            if (pixel(r0 + 2 * x * C, r1 + 2 * x * C, out + x * C, C, 0))
                pixel(r0 + 2 * x * C, r1 + 2 * x * C, out + x * C, C, 1);
    }
}

/* Whole windows only: no padding on the leading edges and no window hanging past the input. */
int sp_avx512_accepts_nhwc_2x2s2(const sp_problem *p)
{
    return p->kh == 2 && p->kw == 2 && p->sh == 2 && p->sw == 2 && p->dh == 1 && p->dw == 1 && p->pt == 0 &&
           p->pl == 0 && 2 * p->oh <= p->h && 2 * p->ow <= p->w;
}
