/* NHWC stochastic pooling (Zeiler & Fergus), both modes, vectorised over channels; a unit is
 * one output row (n, oh). Channels go 16 at a time, then 4, then the last C % 4 lane by lane,
 * so nothing outside the tensor is touched.
 *
 * Inference: sum(t^2) / sum(t), 0 when the sum is not positive. Training: the first tap
 * whose running sum exceeds u * sum(t), else the last positive tap, 0 when the sum is not
 * positive. Each lane's u comes from sp_stochastic_uniform itself (its 64-bit multiplies
 * have no NEON form worth having, and calling it keeps the draw the reference's by
 * construction). The sums, the target and the running sum use the same float operations in
 * the same tap order in every lane as the reference, so the chosen tap is exactly scalar's. */
#include "neon_more.h"

SP_AI void block(const sp_problem *p, const float *img, const sp_nwin *w, const int V, int nl, const int TRAIN,
                 int64_t n, int64_t c0, int64_t oh, int64_t ow, float *o)
{
    float32x4_t s1[4], s2[4];
    const float32x4_t zero = vdupq_n_f32(0.0f);
    for (int v = 0; v < V; v++) s1[v] = s2[v] = zero;
    for (int64_t y = w->y0; y < w->y1; y += w->dy) {
        for (int64_t x = w->x0; x < w->x1; x += w->dx) {
            const float *q = img + (y * p->w + x) * p->c;
            for (int v = 0; v < V; v++) {
                float32x4_t t = sp_ld(q + 4 * v, nl);
                s1[v] = vaddq_f32(s1[v], t);
                if (!TRAIN) s2[v] = vaddq_f32(s2[v], vmulq_f32(t, t));
            }
        }
    }
    if (!TRAIN) {
        for (int v = 0; v < V; v++) {
            uint32x4_t pos = vcgtq_f32(s1[v], zero);
            sp_store_part(o + 4 * v, vbslq_f32(pos, sp_div(s2[v], s1[v]), zero), nl);
        }
        return;
    }
    float32x4_t target[4], run[4], last[4], pick[4];
    uint32x4_t done[4];
    for (int v = 0; v < V; v++) {
        float u[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        const int m = v == V - 1 ? nl : 4;
        for (int i = 0; i < m; i++) u[i] = sp_stochastic_uniform(p->seed, n, c0 + 4 * v + i, oh, ow);
        target[v] = vmulq_f32(vld1q_f32(u), s1[v]);
        run[v] = last[v] = pick[v] = zero;
        done[v] = vdupq_n_u32(0);
    }
    for (int64_t y = w->y0; y < w->y1; y += w->dy) {
        for (int64_t x = w->x0; x < w->x1; x += w->dx) {
            const float *q = img + (y * p->w + x) * p->c;
            for (int v = 0; v < V; v++) {
                float32x4_t t = sp_ld(q + 4 * v, nl);
                run[v] = vaddq_f32(run[v], t);
                /* Lanes already decided keep their pick; "last" then no longer matters. */
                uint32x4_t hit = vbicq_u32(vcgtq_f32(run[v], target[v]), done[v]);
                pick[v] = vbslq_f32(hit, t, pick[v]);
                done[v] = vorrq_u32(done[v], hit);
                last[v] = vbslq_f32(vcgtq_f32(t, zero), t, last[v]);
            }
        }
    }
    for (int v = 0; v < V; v++) {
        float32x4_t r = vbslq_f32(done[v], pick[v], last[v]);
        sp_store_part(o + 4 * v, vbslq_f32(vcgtq_f32(s1[v], zero), r, zero), nl);
    }
}

SP_AI void rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const int TRAIN)
{
    const int64_t C = p->c;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *img = a->in + n * p->h * p->w * C;
        sp_nwin w;
        sp_nwin_rows(p, oh, &w);
        for (int64_t ow = 0; ow < p->ow; ow++) {
            sp_nwin_cols(p, ow, &w);
            float *o = a->out + ((int64_t)u * p->ow + ow) * C;
            int64_t c = 0;
            for (; c + 16 <= C; c += 16) block(p, img + c, &w, 4, 4, TRAIN, n, c, oh, ow, o + c);
            for (; c + 4 <= C; c += 4) block(p, img + c, &w, 1, 4, TRAIN, n, c, oh, ow, o + c);
            if (c < C) block(p, img + c, &w, 1, (int)(C - c), TRAIN, n, c, oh, ow, o + c);
        }
    }
}

void SP_NEON_NAME(nhwc_stochastic)(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->stochastic_mode == SIMDPOOL_STOCHASTIC_TRAIN)
        rows(p, a, begin, end, 1);
    else
        rows(p, a, begin, end, 0);
}
