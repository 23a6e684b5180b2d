/* Reference adaptive avg/max (PyTorch's window rule), both layouts. */
#include <math.h>

#include "scalar.h"

static void adaptive_at(const sp_problem *p, const sp_args *a, int64_t n, int64_t c, int64_t oh,
                        int64_t ow)
{
    int64_t h0 = sp_adaptive_start(oh, p->h, p->oh), h1 = sp_adaptive_end(oh, p->h, p->oh);
    int64_t w0 = sp_adaptive_start(ow, p->w, p->ow), w1 = sp_adaptive_end(ow, p->w, p->ow);
    const float *base;
    int64_t rs, cs;
    int64_t o;
    if (p->layout == SIMDPOOL_NCHW) {
        base = a->in + (n * p->c + c) * p->h * p->w;
        rs = p->w;
        cs = 1;
        o = ((n * p->c + c) * p->oh + oh) * p->ow + ow;
    } else {
        base = a->in + n * p->h * p->w * p->c + c;
        rs = p->w * p->c;
        cs = p->c;
        o = ((n * p->oh + oh) * p->ow + ow) * p->c + c;
    }
    if (p->op == SIMDPOOL_ADAPTIVE_AVG) {
        float s = 0.0f;
        for (int64_t y = h0; y < h1; y++)
            for (int64_t x = w0; x < w1; x++) s += base[y * rs + x * cs];
        a->out[o] = s / (float)((h1 - h0) * (w1 - w0));
        return;
    }
    float m = -INFINITY;
    int64_t mi = h0 * p->w + w0;
    for (int64_t y = h0; y < h1; y++)
        for (int64_t x = w0; x < w1; x++) {
            float t = base[y * rs + x * cs];
            if (t > m || isnan(t)) {
                m = t;
                mi = y * p->w + x;
            }
        }
    a->out[o] = m;
    if (a->idx) a->idx[o] = mi;
}

void sp_scalar_adaptive_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    for (size_t u = begin; u < end; u++) {
        int64_t n = (int64_t)u / p->c, c = (int64_t)u % p->c;
        for (int64_t oh = 0; oh < p->oh; oh++)
            for (int64_t ow = 0; ow < p->ow; ow++) adaptive_at(p, a, n, c, oh, ow);
    }
}

void sp_scalar_adaptive_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    for (size_t u = begin; u < end; u++) {
        int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        for (int64_t ow = 0; ow < p->ow; ow++)
            for (int64_t c = 0; c < p->c; c++) adaptive_at(p, a, n, c, oh, ow);
    }
}
