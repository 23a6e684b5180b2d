/* NCHW adaptive avg / max for any window shape (the non-uniform windows of 13x13 -> 6x6,
 * uniform ones wider than the k x k kernel's vld4, output larger than input): four planes
 * are the four lanes. Adaptive windows are contiguous column ranges that overlap their
 * neighbours by at most one column, so for each window row four positions of each of the
 * four planes are loaded and transposed (the last load of a row is partial, so nothing past
 * the row is read) and the window's taps follow one vector each: plain loads, no gathers.
 * Four outputs of a row are then transposed back, so each plane stores four consecutive
 * outputs with one vector store.
 *
 * Every lane walks its window in row-major order with the reference's step: avg adds from +0
 * and divides by the window's size; max starts from -inf at the window's first index and
 * takes a tap that is greater or NaN (sp_take), so values and indices are exactly scalar's.
 * Indices are int32 lanes (the accept rule bounds H*W). */
#include <math.h>

#include "neon_more.h"

enum { K_AVG, K_MAX, K_MAXI };

/* r[q] lane i <- r[i] lane q. */
SP_AI void transpose4(float32x4_t r[4])
{
    float32x4x2_t a = vtrnq_f32(r[0], r[1]), b = vtrnq_f32(r[2], r[3]);
    r[0] = vcombine_f32(vget_low_f32(a.val[0]), vget_low_f32(b.val[0]));
    r[1] = vcombine_f32(vget_low_f32(a.val[1]), vget_low_f32(b.val[1]));
    r[2] = vcombine_f32(vget_high_f32(a.val[0]), vget_high_f32(b.val[0]));
    r[3] = vcombine_f32(vget_high_f32(a.val[1]), vget_high_f32(b.val[1]));
}

/* One output (oh, ow) of the np <= 4 planes at x (plane stride hw); FULL: np == 4. */
SP_AI void window(const sp_problem *p, const float *x, int np, int64_t h0, int64_t h1, int64_t w0, int64_t w1,
                  const int FULL, const int KIND, float32x4_t *res, int32x4_t *resi)
{
    const int64_t W = p->w, hw = p->h * W;
    const float32x4_t zero = vdupq_n_f32(0.0f);
    float32x4_t m = vdupq_n_f32(KIND == K_AVG ? 0.0f : -INFINITY);
    int32x4_t mi = vdupq_n_s32((int32_t)(h0 * W + w0));
    for (int64_t y = h0; y < h1; y++) {
        const float *row = x + y * W;
        for (int64_t c = w0; c < w1; c += 4) {
            float32x4_t r[4];
            if (c + 4 <= W)
                for (int k = 0; k < 4; k++) r[k] = FULL || k < np ? vld1q_f32(row + k * hw + c) : zero;
            else
                for (int k = 0; k < 4; k++) r[k] = FULL || k < np ? sp_ld(row + k * hw + c, (int)(W - c)) : zero;
            transpose4(r);
            const int nq = w1 - c < 4 ? (int)(w1 - c) : 4;
            for (int q = 0; q < nq; q++) {
                if (KIND == K_AVG)
                    m = vaddq_f32(m, r[q]);
                else if (KIND == K_MAXI)
                    m = sp_maxi(m, r[q], &mi, vdupq_n_s32((int32_t)(y * W + c + q)));
                else
                    m = sp_max(m, r[q]);
            }
        }
    }
    *res = KIND == K_AVG ? sp_div(m, vdupq_n_f32((float)((h1 - h0) * (w1 - w0)))) : m;
    *resi = mi;
}

/* Four int32 vectors transposed through the float transpose (a bit-exact shuffle). */
SP_AI void transpose4_s32(int32x4_t r[4])
{
    float32x4_t f[4];
    for (int k = 0; k < 4; k++) f[k] = vreinterpretq_f32_s32(r[k]);
    transpose4(f);
    for (int k = 0; k < 4; k++) r[k] = vreinterpretq_s32_f32(f[k]);
}

SP_AI void planes4(const sp_problem *p, const sp_args *a, int64_t u, int np, const int FULL, const int KIND)
{
    const int64_t hw = p->h * p->w, OW = p->ow, ohw = p->oh * OW;
    const float *x = a->in + u * hw;
    for (int64_t oh = 0; oh < p->oh; oh++) {
        const int64_t h0 = sp_adaptive_start(oh, p->h, p->oh), h1 = sp_adaptive_end(oh, p->h, p->oh);
        for (int64_t ow = 0; ow < OW; ow += 4) {
            const int nw = OW - ow < 4 ? (int)(OW - ow) : 4;
            float32x4_t res[4];
            int32x4_t resi[4];
            for (int q = 0; q < 4; q++) {
                res[q] = vdupq_n_f32(0.0f);
                resi[q] = vdupq_n_s32(0);
            }
            for (int q = 0; q < nw; q++)
                window(p, x, np, h0, h1, sp_adaptive_start(ow + q, p->w, OW), sp_adaptive_end(ow + q, p->w, OW),
                       FULL, KIND, &res[q], &resi[q]);
            transpose4(res);
            if (KIND == K_MAXI) transpose4_s32(resi);
            const int64_t e = u * ohw + oh * OW + ow;
            for (int k = 0; k < np; k++) {
                sp_store_part(a->out + e + k * ohw, res[k], nw);
                if (KIND == K_MAXI) sp_store_idx(a->idx + e + k * ohw, resi[k], nw);
            }
        }
    }
}

SP_AI void slice(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const int KIND)
{
    for (int64_t u = (int64_t)begin; u < (int64_t)end; u += 4) {
        const int np = (int64_t)end - u < 4 ? (int)((int64_t)end - u) : 4;
        if (np == 4)
            planes4(p, a, u, 4, 1, KIND);
        else
            planes4(p, a, u, np, 0, KIND);
    }
}

void SP_NEON_NAME(nchw_adaptive_planes)(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_ADAPTIVE_AVG)
        slice(p, a, begin, end, K_AVG);
    else if (a->idx)
        slice(p, a, begin, end, K_MAXI);
    else
        slice(p, a, begin, end, K_MAX);
}
