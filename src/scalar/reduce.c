/* Reference global pooling (over all H*W) and masked sequence pooling ([B,T,D] -> [B,D]).
 * Units are (n, c) pairs in both layouts; the output is [N, C]. */
#include <math.h>

#include "scalar.h"

void sp_scalar_global(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    int64_t hw = p->h * p->w;
    for (size_t u = begin; u < end; u++) {
        int64_t n = (int64_t)u / p->c, c = (int64_t)u % p->c;
        const float *base;
        int64_t step;
        if (p->layout == SIMDPOOL_NCHW) {
            base = a->in + (int64_t)u * hw;
            step = 1;
        } else {
            base = a->in + n * hw * p->c + c;
            step = p->c;
        }
        if (p->op == SIMDPOOL_GLOBAL_MAX) {
            float m = -INFINITY;
            int64_t mi = 0;
            for (int64_t i = 0; i < hw; i++) {
                float t = base[i * step];
                if (t > m || isnan(t)) {
                    m = t;
                    mi = i;
                }
            }
            a->out[u] = m;
            if (a->idx) a->idx[u] = mi;
        } else {
            float s = 0.0f;
            for (int64_t i = 0; i < hw; i++) s += base[i * step];
            a->out[u] = p->op == SIMDPOOL_GLOBAL_AVG ? s / (float)hw : s;
        }
    }
}

/* Masked tokens are never read, so garbage (even NaN) in padding tokens cannot leak.
 * Mean divides by max(count, 1e-9) as sentence-transformers does: a fully masked row is 0.
 * Max follows max pooling's NaN rule; a fully masked row gives p->fill. */
void sp_scalar_masked(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    int64_t t_len = p->h, d_len = p->c;
    for (size_t u = begin; u < end; u++) {
        int64_t b = (int64_t)u / d_len, d = (int64_t)u % d_len;
        const float *x = a->in + b * t_len * d_len + d;
        const uint8_t *m = a->mask + b * t_len;
        if (p->op == SIMDPOOL_MASKED_MEAN) {
            float s = 0.0f;
            int64_t count = 0;
            for (int64_t t = 0; t < t_len; t++)
                if (m[t]) {
                    s += x[t * d_len];
                    count++;
                }
            a->out[u] = s / fmaxf((float)count, 1e-9f);
        } else {
            float r = -INFINITY;
            int any = 0;
            for (int64_t t = 0; t < t_len; t++)
                if (m[t]) {
                    float v = x[t * d_len];
                    if (!any || v > r || isnan(v)) r = v;
                    any = 1;
                }
            a->out[u] = any ? r : p->fill;
        }
    }
}
