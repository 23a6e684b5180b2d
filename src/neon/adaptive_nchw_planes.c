/* NCHW adaptive avg / max for any window shape (the non-uniform windows of 13x13 -> 6x6,
 * uniform ones wider than the k x k kernel's vld4, output larger than input): four planes
 * are the four lanes. Adaptive windows are contiguous column ranges that overlap their
 * neighbours by at most one column, so for each window row four positions of each of the
 * four planes are loaded and transposed (the last load of a row is partial, so nothing past
 * the row is read) and the window's taps follow one vector each: plain loads, no gathers.
 * The input is walked row by row across a block of outputs (their running results in a
 * stack array), so the four planes stream in order instead of hopping window by window,
 * and the outputs' dependency chains interleave. Four outputs of a row are then transposed
 * back, so each plane stores four consecutive outputs with one vector store.
 *
 * Every lane walks its window in row-major order with the reference's step: avg adds from +0
 * and divides by the window's size; max starts from -inf at the window's first index and
 * takes a tap that is greater or NaN (sp_take), so values and indices are exactly scalar's.
 * Indices are int32 lanes (the accept rule bounds H*W). */
#include <math.h>

#include "neon_more.h"

enum { K_AVG, K_MAX, K_MAXI };

/* r[q] lane i <- r[i] lane q, as zips of lanes then of lane pairs: under SIMDe these are
 * exactly unpcklps / unpckhps / unpcklpd / unpckhpd (the vtrn + vcombine form is not). */
SP_AI void transpose4(float32x4_t r[4])
{
    const float32x4_t t0 = vzip1q_f32(r[0], r[1]), t1 = vzip2q_f32(r[0], r[1]);
    const float32x4_t t2 = vzip1q_f32(r[2], r[3]), t3 = vzip2q_f32(r[2], r[3]);
    const float64x2_t d0 = vreinterpretq_f64_f32(t0), d1 = vreinterpretq_f64_f32(t1);
    const float64x2_t d2 = vreinterpretq_f64_f32(t2), d3 = vreinterpretq_f64_f32(t3);
    r[0] = vreinterpretq_f32_f64(vzip1q_f64(d0, d2));
    r[1] = vreinterpretq_f32_f64(vzip2q_f64(d0, d2));
    r[2] = vreinterpretq_f32_f64(vzip1q_f64(d1, d3));
    r[3] = vreinterpretq_f32_f64(vzip2q_f64(d1, d3));
}

SP_AI void step(float32x4_t *m, int32x4_t *mi, float32x4_t t, int32_t ti, const int KIND)
{
    if (KIND == K_AVG)
        *m = vaddq_f32(*m, t);
    else if (KIND == K_MAXI)
        *m = sp_maxi(*m, t, mi, vdupq_n_s32(ti));
    else
        *m = sp_max(*m, t);
}

/* The taps [w0, w1) of input row y (row: that row of the first plane) of the np <= 4 planes
 * hw apart, into one output's running m / mi; FULL: np == 4. */
SP_AI void row_window(const float *row, int64_t hw, int64_t W, int64_t w0, int64_t w1, int32_t yw, int np,
                      const int FULL, const int KIND, float32x4_t *m, int32x4_t *mi)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    for (int64_t c = w0; c < w1; c += 4) {
        float32x4_t r[4];
        if (c + 4 <= W)
            for (int k = 0; k < 4; k++) r[k] = FULL || k < np ? vld1q_f32(row + k * hw + c) : zero;
        else
            for (int k = 0; k < 4; k++) r[k] = FULL || k < np ? sp_ld(row + k * hw + c, (int)(W - c)) : zero;
        transpose4(r);
        const int32_t i = yw + (int32_t)c;
        step(m, mi, r[0], i, KIND);
        if (c + 4 <= w1) {
            step(m, mi, r[1], i + 1, KIND);
            step(m, mi, r[2], i + 2, KIND);
            step(m, mi, r[3], i + 3, KIND);
        } else {
            if (c + 1 < w1) step(m, mi, r[1], i + 1, KIND);
            if (c + 2 < w1) step(m, mi, r[2], i + 2, KIND);
        }
    }
}

/* Four int32 vectors transposed through the float transpose (a bit-exact shuffle). */
SP_AI void transpose4_s32(int32x4_t r[4])
{
    float32x4_t f[4];
    for (int k = 0; k < 4; k++) f[k] = vreinterpretq_f32_s32(r[k]);
    transpose4(f);
    for (int k = 0; k < 4; k++) r[k] = vreinterpretq_s32_f32(f[k]);
}

/* Output columns per block: their running results stay in a small stack array while the
 * window rows stream through in input order, one row of the four planes at a time. */
#define BLK 64

SP_AI void planes4(const sp_problem *p, const sp_args *a, int64_t u, int np, const int FULL, const int KIND)
{
    const int64_t W = p->w, hw = p->h * W, OW = p->ow, ohw = p->oh * OW;
    const float *x = a->in + u * hw;
    float32x4_t m[BLK];
    int32x4_t mi[BLK];
    int64_t w0[BLK], w1[BLK];
    for (int64_t oh = 0; oh < p->oh; oh++) {
        const int64_t h0 = sp_adaptive_start(oh, p->h, p->oh), h1 = sp_adaptive_end(oh, p->h, p->oh);
        for (int64_t ob = 0; ob < OW; ob += BLK) {
            const int nb = OW - ob < BLK ? (int)(OW - ob) : BLK;
            for (int j = 0; j < nb; j++) {
                w0[j] = sp_adaptive_start(ob + j, W, OW);
                w1[j] = sp_adaptive_end(ob + j, W, OW);
                m[j] = vdupq_n_f32(KIND == K_AVG ? 0.0f : -INFINITY);
                mi[j] = vdupq_n_s32((int32_t)(h0 * W + w0[j]));
            }
            for (int j = nb; j < (nb + 3) / 4 * 4; j++) {
                m[j] = vdupq_n_f32(0.0f);
                mi[j] = vdupq_n_s32(0);
            }
            for (int64_t y = h0; y < h1; y++)
                for (int j = 0; j < nb; j++)
                    row_window(x + y * W, hw, W, w0[j], w1[j], (int32_t)(y * W), np, FULL, KIND, &m[j], &mi[j]);
            for (int j = 0; j < nb; j += 4) {
                const int nw = nb - j < 4 ? nb - j : 4;
                float32x4_t r[4];
                int32x4_t ri[4];
                for (int q = 0; q < 4; q++) {
                    /* the reference's single divide by the window's size */
                    r[q] = KIND == K_AVG && q < nw
                               ? sp_div(m[j + q], vdupq_n_f32((float)((h1 - h0) * (w1[j + q] - w0[j + q]))))
                               : m[j + q];
                    ri[q] = mi[j + q];
                }
                transpose4(r);
                if (KIND == K_MAXI) transpose4_s32(ri);
                const int64_t e = u * ohw + oh * OW + ob + j;
                for (int k = 0; k < np; k++) {
                    sp_store_part(a->out + e + k * ohw, r[k], nw);
                    if (KIND == K_MAXI) sp_store_idx(a->idx + e + k * ohw, ri[k], nw);
                }
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
