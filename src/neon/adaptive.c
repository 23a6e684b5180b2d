/* NHWC adaptive avg / max (PyTorch's window rule), vectorised over channels; a unit is one
 * output row (n, oh). Channels go 16 at a time (four independent accumulators), then 4, then
 * the last C % 4 lane by lane, so nothing outside the tensor is touched.
 *
 * Each window's taps are visited in row-major order with the reference's steps: avg adds
 * from 0 and divides by the window's size; max starts from -inf at index h0*W + w0 and
 * takes a tap that is greater or NaN (sp_take), so values and indices are exactly scalar's
 * (the last NaN wins, ties and -0/+0 keep the first). Indices are int32 lanes, hence the
 * H*W bound in the accept rule. */
#include <math.h>

#include "neon_more.h"

enum { K_AVG, K_MAX, K_MAXI };

SP_AI void block(const sp_problem *p, const float *img, const sp_nwin *w, const int V, int nl, const int KIND,
                 float32x4_t div, float *o, int64_t *oi)
{
    float32x4_t m[4];
    int32x4_t mi[4];
    for (int v = 0; v < V; v++) {
        m[v] = vdupq_n_f32(KIND == K_AVG ? 0.0f : -INFINITY);
        mi[v] = vdupq_n_s32((int32_t)(w->y0 * p->w + w->x0));
    }
    for (int64_t y = w->y0; y < w->y1; y++) {
        for (int64_t x = w->x0; x < w->x1; x++) {
            const float *q = img + (y * p->w + x) * p->c;
            const int32x4_t ti = vdupq_n_s32((int32_t)(y * p->w + x));
            for (int v = 0; v < V; v++) {
                float32x4_t t = sp_ld(q + 4 * v, nl);
                if (KIND == K_AVG)
                    m[v] = vaddq_f32(m[v], t);
                else if (KIND == K_MAXI)
                    m[v] = sp_maxi(m[v], t, &mi[v], ti);
                else
                    m[v] = sp_max(m[v], t);
            }
        }
    }
    for (int v = 0; v < V; v++) {
        sp_store_part(o + 4 * v, KIND == K_AVG ? sp_div(m[v], div) : m[v], nl);
        if (KIND == K_MAXI) sp_store_idx(oi + 4 * v, mi[v], nl);
    }
}

SP_AI void rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const int KIND)
{
    const int64_t C = p->c;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *img = a->in + n * p->h * p->w * C;
        sp_nwin w = {sp_adaptive_start(oh, p->h, p->oh), sp_adaptive_end(oh, p->h, p->oh), 1, 0, 0, 1};
        for (int64_t ow = 0; ow < p->ow; ow++) {
            w.x0 = sp_adaptive_start(ow, p->w, p->ow);
            w.x1 = sp_adaptive_end(ow, p->w, p->ow);
            const float32x4_t div = vdupq_n_f32((float)((w.y1 - w.y0) * (w.x1 - w.x0)));
            const int64_t off = ((int64_t)u * p->ow + ow) * C;
            float *o = a->out + off;
            int64_t *oi = KIND == K_MAXI ? a->idx + off : NULL;
            int64_t c = 0;
            for (; c + 16 <= C; c += 16) block(p, img + c, &w, 4, 4, KIND, div, o + c, oi ? oi + c : NULL);
            for (; c + 4 <= C; c += 4) block(p, img + c, &w, 1, 4, KIND, div, o + c, oi ? oi + c : NULL);
            if (c < C) block(p, img + c, &w, 1, (int)(C - c), KIND, div, o + c, oi ? oi + c : NULL);
        }
    }
}

void SP_NEON_NAME(nhwc_adaptive)(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_ADAPTIVE_AVG)
        rows(p, a, begin, end, K_AVG);
    else if (a->idx)
        rows(p, a, begin, end, K_MAXI);
    else
        rows(p, a, begin, end, K_MAX);
}
