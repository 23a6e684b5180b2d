/* NHWC windowed max / avg / sum for any kernel, stride, padding, dilation and ceil mode,
 * vectorised over channels (XNNPACK's layout). A unit is one output row (n, oh).
 *
 * Padding costs nothing: the window's in-bounds tap rows and columns are computed once per
 * output pixel and only those taps are visited, so no padded copy and no clamped pointers are
 * needed. Channels go 16 at a time (four independent accumulators), then 4 at a time; the
 * last C % 4 channels use one overlapping vector ending at channel C - 1 when C >= 4 (it
 * recomputes a few channels with identical results, inside the same pixel) and lane-by-lane
 * loads and stores when C < 4. Nothing outside the pixel's channels is read or written. Taps
 * are visited in row-major order, so max is exact and sums add in the reference's order. */
#include <math.h>

#include "neon.h"

enum { K_MAX, K_MAXI, K_AVG, K_SUM };

typedef struct win {
    const float *base; /* input of image n */
    int64_t hs, ws, i0, i1, j0, j1;
} win;

/* V vectors of channels from c (the last one holding nl lanes when nl < 4). */
SP_AI void block(const sp_problem *p, const win *W, int64_t c, const int V, int nl, const int KIND,
                 float32x4_t divv, float *o, int64_t *oi)
{
    float32x4_t m[4];
    int32x4_t mi[4];
    for (int v = 0; v < V; v++) m[v] = vdupq_n_f32(0.0f), mi[v] = vdupq_n_s32(0);
    int first = 1;
    for (int64_t i = W->i0; i < W->i1; i++) {
        int64_t y = W->hs + i * p->dh;
        for (int64_t j = W->j0; j < W->j1; j++) {
            int64_t x = W->ws + j * p->dw;
            const float *q = W->base + (y * p->w + x) * p->c + c;
            int32x4_t ti = vdupq_n_s32((int32_t)(y * p->w + x));
            for (int v = 0; v < V; v++) {
                float32x4_t t = nl < 4 ? sp_load_part(q, nl, 0.0f) : vld1q_f32(q + 4 * v);
                if (KIND == K_AVG || KIND == K_SUM)
                    m[v] = vaddq_f32(m[v], t);
                else if (first)
                    m[v] = t, mi[v] = ti;
                else if (KIND == K_MAXI)
                    m[v] = sp_maxi(m[v], t, &mi[v], ti);
                else
                    m[v] = sp_max(m[v], t);
            }
            first = 0;
        }
    }
    for (int v = 0; v < V; v++) {
        float32x4_t r = m[v];
        if (KIND == K_AVG) r = sp_div(r, divv);
        if ((KIND == K_MAX || KIND == K_MAXI) && first) r = vdupq_n_f32(-INFINITY), mi[v] = vdupq_n_s32(-1);
        sp_store_part(o + 4 * v, r, nl);
        if (KIND == K_MAXI) sp_store_idx(oi + 4 * v, mi[v], nl);
    }
}

SP_AI void range(int64_t start, int64_t k, int64_t d, int64_t size, int64_t *lo, int64_t *hi)
{
    int64_t a = 0, b = 0;
    while (a < k && start + a * d < 0) a++;
    for (b = a; b < k && start + b * d < size; b++) {}
    *lo = a;
    *hi = b;
}

SP_AI void row_nhwc(const sp_problem *p, const sp_args *a, size_t u, const int KIND)
{
    const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh, C = p->c;
    win W;
    W.base = a->in + n * p->h * p->w * C;
    W.hs = oh * p->sh - p->pt;
    range(W.hs, p->kh, p->dh, p->h, &W.i0, &W.i1);
    for (int64_t ow = 0; ow < p->ow; ow++) {
        W.ws = ow * p->sw - p->pl;
        range(W.ws, p->kw, p->dw, p->w, &W.j0, &W.j1);
        int64_t off = ((int64_t)u * p->ow + ow) * C;
        float *o = a->out + off;
        int64_t *oi = KIND == K_MAXI ? a->idx + off : NULL;
        float32x4_t divv = vdupq_n_f32(1.0f);
        if (KIND == K_AVG) {
            int64_t d = sp_avg_divisor(p, W.hs, W.ws);
            if (!d) { /* no tap inside and padding not counted: the reference gives 0 */
                for (int64_t c = 0; c < C; c++) o[c] = 0.0f;
                continue;
            }
            divv = vdupq_n_f32((float)d);
        }
        int64_t c = 0;
        for (; c + 16 <= C; c += 16) block(p, &W, c, 4, 4, KIND, divv, o + c, oi ? oi + c : NULL);
        for (; c + 4 <= C; c += 4) block(p, &W, c, 1, 4, KIND, divv, o + c, oi ? oi + c : NULL);
        if (c < C) {
            if (C >= 4)
                block(p, &W, C - 4, 1, 4, KIND, divv, o + C - 4, oi ? oi + C - 4 : NULL);
            else
                block(p, &W, c, 1, (int)(C - c), KIND, divv, o + c, oi ? oi + c : NULL);
        }
    }
}

void SP_NEON_NAME(nhwc_generic_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    for (size_t u = b; u < e; u++) row_nhwc(p, a, u, K_MAX);
}

void SP_NEON_NAME(nhwc_generic_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    if (!a->idx) {
        SP_NEON_NAME(nhwc_generic_max)(p, a, b, e);
        return;
    }
    for (size_t u = b; u < e; u++) row_nhwc(p, a, u, K_MAXI);
}

void SP_NEON_NAME(nhwc_generic_avg)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    if (p->op == SIMDPOOL_SUM)
        for (size_t u = b; u < e; u++) row_nhwc(p, a, u, K_SUM);
    else
        for (size_t u = b; u < e; u++) row_nhwc(p, a, u, K_AVG);
}
