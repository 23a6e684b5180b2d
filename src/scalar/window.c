/* Reference kernels for the windowed ops (max, avg, sum, lp, stochastic), both layouts.
 * Plain loops, one output element at a time: this file is the definition of the semantics. */
#include <math.h>

#include "scalar.h"

/* A plane of the input seen through strides: element (y, x) is at base[y*rs + x*cs]. */
typedef struct plane {
    const float *base;
    int64_t rs, cs;
} plane;

static plane input_plane(const sp_problem *p, const float *in, int64_t n, int64_t c)
{
    plane v;
    if (p->layout == SIMDPOOL_NCHW) {
        v.base = in + (n * p->c + c) * p->h * p->w;
        v.rs = p->w;
        v.cs = 1;
    } else {
        v.base = in + n * p->h * p->w * p->c + c;
        v.rs = p->w * p->c;
        v.cs = p->c;
    }
    return v;
}

/* Max: NaN wins (the last NaN in row-major order), otherwise the first maximum; padding is
 * never a candidate; no valid tap gives -inf and index -1. */
static float max_at(const sp_problem *p, plane v, int64_t hs, int64_t ws, int64_t *index)
{
    float m = -INFINITY;
    int64_t mi = -1;
    for (int64_t i = 0; i < p->kh; i++) {
        int64_t y = hs + i * p->dh;
        if (y < 0 || y >= p->h) continue;
        for (int64_t j = 0; j < p->kw; j++) {
            int64_t x = ws + j * p->dw;
            if (x < 0 || x >= p->w) continue;
            float t = v.base[y * v.rs + x * v.cs];
            if (mi < 0 || t > m || isnan(t)) {
                m = t;
                mi = y * p->w + x;
            }
        }
    }
    *index = mi;
    return m;
}

/* The power applied to each tap before summing (1 for avg and sum). */
static float pow_p(float t, float e)
{
    if (e == 1.0f) return t;
    if (e == 2.0f) return t * t;
    return powf(t, e);
}

static float root_p(float t, float e)
{
    if (e == 1.0f) return t;
    if (e == 2.0f) return sqrtf(t);
    return powf(t, 1.0f / e);
}

/* Sum of tap^e over the in-bounds taps, in row-major order; *count gets their number. */
static float sum_taps(const sp_problem *p, plane v, int64_t hs, int64_t ws, float e, int64_t *count)
{
    float s = 0.0f;
    int64_t k = 0;
    for (int64_t i = 0; i < p->kh; i++) {
        int64_t y = hs + i * p->dh;
        if (y < 0 || y >= p->h) continue;
        for (int64_t j = 0; j < p->kw; j++) {
            int64_t x = ws + j * p->dw;
            if (x < 0 || x >= p->w) continue;
            s += pow_p(v.base[y * v.rs + x * v.cs], e);
            k++;
        }
    }
    *count = k;
    return s;
}

/* Avg: the divisor rule lives in sp_avg_divisor; a window with no tap in the input (possible
 * only with dilation) and count_include_pad off has divisor 0 and gives 0. */
static float avg_at(const sp_problem *p, plane v, int64_t hs, int64_t ws)
{
    int64_t count;
    float s = sum_taps(p, v, hs, ws, 1.0f, &count);
    int64_t div = sp_avg_divisor(p, hs, ws);
    return div ? s / (float)div : 0.0f;
}

/* PyTorch: avg_pool2d(x^p) (divisor = taps inside the input) * (kh*kw), then ^(1/p). */
static float lp_at(const sp_problem *p, plane v, int64_t hs, int64_t ws)
{
    int64_t count;
    float s = sum_taps(p, v, hs, ws, p->p, &count);
    float a = s / (float)count;
    return root_p(a * (float)(p->kh * p->kw), p->p);
}

/* Training: walk the taps accumulating, take the first whose running sum exceeds u*sum;
 * if rounding leaves none, the last positive tap. Inference: sum(a^2) / sum(a). */
static float stochastic_at(const sp_problem *p, plane v, int64_t hs, int64_t ws, int64_t n,
                           int64_t c, int64_t oh, int64_t ow)
{
    if (p->stochastic_mode == SIMDPOOL_STOCHASTIC_INFER) {
        int64_t count;
        float s1 = sum_taps(p, v, hs, ws, 1.0f, &count);
        float s2 = sum_taps(p, v, hs, ws, 2.0f, &count);
        return s1 > 0.0f ? s2 / s1 : 0.0f;
    }
    int64_t count;
    float s = sum_taps(p, v, hs, ws, 1.0f, &count);
    if (!(s > 0.0f)) return 0.0f;
    float target = sp_stochastic_uniform(p->seed, n, c, oh, ow) * s;
    float run = 0.0f, last = 0.0f;
    for (int64_t i = 0; i < p->kh; i++) {
        int64_t y = hs + i * p->dh;
        if (y < 0 || y >= p->h) continue;
        for (int64_t j = 0; j < p->kw; j++) {
            int64_t x = ws + j * p->dw;
            if (x < 0 || x >= p->w) continue;
            float t = v.base[y * v.rs + x * v.cs];
            run += t;
            if (run > target) return t;
            if (t > 0.0f) last = t;
        }
    }
    return last;
}

static void window_at(const sp_problem *p, const sp_args *a, int64_t n, int64_t c, int64_t oh,
                      int64_t ow)
{
    plane v = input_plane(p, a->in, n, c);
    int64_t hs = oh * p->sh - p->pt, ws = ow * p->sw - p->pl;
    int64_t o = p->layout == SIMDPOOL_NCHW ? ((n * p->c + c) * p->oh + oh) * p->ow + ow
                                           : ((n * p->oh + oh) * p->ow + ow) * p->c + c;
    float r;
    switch (p->op) {
    case SIMDPOOL_MAX: {
        int64_t mi;
        r = max_at(p, v, hs, ws, &mi);
        if (a->idx) a->idx[o] = mi;
        break;
    }
    case SIMDPOOL_AVG: r = avg_at(p, v, hs, ws); break;
    case SIMDPOOL_SUM: {
        int64_t count;
        r = sum_taps(p, v, hs, ws, 1.0f, &count);
        break;
    }
    case SIMDPOOL_LP: r = lp_at(p, v, hs, ws); break;
    default: r = stochastic_at(p, v, hs, ws, n, c, oh, ow); break;
    }
    a->out[o] = r;
}

void sp_scalar_window_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    for (size_t u = begin; u < end; u++) {
        int64_t n = (int64_t)u / p->c, c = (int64_t)u % p->c;
        for (int64_t oh = 0; oh < p->oh; oh++)
            for (int64_t ow = 0; ow < p->ow; ow++) window_at(p, a, n, c, oh, ow);
    }
}

void sp_scalar_window_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    for (size_t u = begin; u < end; u++) {
        int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        for (int64_t ow = 0; ow < p->ow; ow++)
            for (int64_t c = 0; c < p->c; c++) window_at(p, a, n, c, oh, ow);
    }
}
