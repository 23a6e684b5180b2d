/* Masked sequence mean / max over x[B, T, D] -> [B, D], vectorised over D.
 *
 * Units are (b, d) pairs, so a slice may start or end in the middle of a sequence. Channels
 * go 16 at a time (four independent accumulators), then 4, then the last few lane by lane, so
 * nothing outside the tensor is touched; each block walks the mask and reads only unmasked
 * tokens (padding may hold anything, NaN included). Tokens are taken in increasing t, one add
 * or max step per token and lane as in the reference, so mean and max are bit-exact: max
 * starts from -inf with the NaN-sticky step, which takes the first token whatever its value;
 * a fully masked sequence gives p->fill, and mean divides by max(count, 1e-9). */
#include <math.h>

#include "neon_more.h"

SP_AI void block(const float *x, const uint8_t *m, int64_t T, int64_t D, const int V, int nl, const int MAX,
                 float fill, float *o)
{
    float32x4_t acc[4];
    for (int v = 0; v < V; v++) acc[v] = vdupq_n_f32(MAX ? -INFINITY : 0.0f);
    int64_t count = 0;
    for (int64_t t = 0; t < T; t++) {
        if (!m[t]) continue;
        const float *q = x + t * D;
        for (int v = 0; v < V; v++) {
            float32x4_t s = sp_ld(q + 4 * v, nl);
            acc[v] = MAX ? sp_max(acc[v], s) : vaddq_f32(acc[v], s);
        }
        count++;
    }
    const float32x4_t div = vdupq_n_f32(fmaxf((float)count, 1e-9f));
    for (int v = 0; v < V; v++) {
        float32x4_t r = MAX ? (count ? acc[v] : vdupq_n_f32(fill)) : sp_div(acc[v], div);
        sp_store_part(o + 4 * v, r, nl);
    }
}

/* Channels [d0, d1) of one sequence. */
SP_AI void sequence(const sp_problem *p, const float *x, const uint8_t *m, float *o, int64_t d0, int64_t d1,
                    const int MAX)
{
    const int64_t T = p->h, D = p->c;
    int64_t d = d0;
    for (; d + 16 <= d1; d += 16) block(x + d, m, T, D, 4, 4, MAX, p->fill, o + d);
    for (; d + 4 <= d1; d += 4) block(x + d, m, T, D, 1, 4, MAX, p->fill, o + d);
    if (d < d1) block(x + d, m, T, D, 1, (int)(d1 - d), MAX, p->fill, o + d);
}

SP_AI void run(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const int MAX)
{
    const int64_t T = p->h, D = p->c;
    for (int64_t u = (int64_t)begin; u < (int64_t)end;) {
        const int64_t b = u / D, d0 = u % D;
        const int64_t d1 = (int64_t)end - b * D < D ? (int64_t)end - b * D : D;
        sequence(p, a->in + b * T * D, a->mask + b * T, a->out + b * D, d0, d1, MAX);
        u = b * D + d1;
    }
}

void SP_NEON_NAME(btd_masked)(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_MASKED_MAX)
        run(p, a, begin, end, 1);
    else
        run(p, a, begin, end, 0);
}
