/* Global max (with or without indices), avg and sum over H*W, both layouts. Units are (n, c)
 * pairs; the output is [N, C].
 *
 * NCHW: a plane is contiguous, so four accumulators take 16 floats per step and each lane
 * reduces its own subsequence in order. Lanes are merged by the reference's rule restated on
 * positions: a NaN wins with its largest index, otherwise the largest value with its smallest
 * index. Without indices the positions are unknown, so the two cases where the value depends
 * on them are settled by a short scan: NaN (the last NaN's payload) and a zero maximum (the
 * first zero's sign). Sums may reassociate (the checker bounds rounding, not order).
 *
 * NHWC: a slice is a channel range of one or more images (it may start and end mid-image).
 * Vectors run across channels and the pixels are visited in order, so every lane is the
 * reference's own sequence. Channel tails: an overlapping vector inside the slice, or lane
 * loads and stores when the slice holds fewer than 4 channels. */
#include <math.h>

#include "neon.h"

/* ---- NCHW ---------------------------------------------------------------------------- */

/* Any-order max of the 4 lanes in registers (the caller settles NaN and zero by position). */
static float lanes_max(float32x4_t v)
{
    v = sp_max(v, vextq_f32(v, v, 2));
    v = sp_max(v, vextq_f32(v, v, 1));
    return vgetq_lane_f32(v, 0);
}

void SP_NEON_NAME(global_nchw_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    const int64_t hw = p->h * p->w;
    for (size_t u = b; u < e; u++) {
        const float *x = a->in + (int64_t)u * hw;
        float32x4_t m0 = vdupq_n_f32(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
        int64_t i = 0;
        for (; i + 16 <= hw; i += 16) {
            m0 = sp_max(m0, vld1q_f32(x + i));
            m1 = sp_max(m1, vld1q_f32(x + i + 4));
            m2 = sp_max(m2, vld1q_f32(x + i + 8));
            m3 = sp_max(m3, vld1q_f32(x + i + 12));
        }
        for (; i + 4 <= hw; i += 4) m0 = sp_max(m0, vld1q_f32(x + i));
        float r = lanes_max(sp_max(sp_max(m0, m1), sp_max(m2, m3)));
        for (; i < hw; i++)
            if (x[i] > r || isnan(x[i])) r = x[i];
        if (isnan(r)) {
            for (i = hw - 1; !isnan(x[i]); i--) {}
            r = x[i];
        } else if (r == 0.0f) {
            for (i = 0; x[i] != 0.0f; i++) {}
            r = x[i];
        }
        a->out[u] = r;
    }
}

/* Merge candidate (v, i) into (*r, *ri) by position: see the file comment. */
static void merge(float *r, int64_t *ri, float v, int64_t i)
{
    int take = isnan(v) ? !isnan(*r) || i > *ri : !isnan(*r) && (v > *r || (v == *r && i < *ri));
    if (take) *r = v, *ri = i;
}

/* merge() on lanes: candidates (v, vi) into (*r, *ri). Indices break ties, so the order of
 * merging does not matter. */
SP_AI void vmerge(float32x4_t *r, int32x4_t *ri, float32x4_t v, int32x4_t vi)
{
    uint32x4_t vok = vceqq_f32(v, v), rok = vceqq_f32(*r, *r);
    /* v is NaN, and r is not or comes earlier */
    uint32x4_t nan_wins = vbicq_u32(vorrq_u32(vcgtq_s32(vi, *ri), rok), vok);
    uint32x4_t tie = vandq_u32(vceqq_f32(v, *r), vcltq_s32(vi, *ri));
    uint32x4_t num_wins = vandq_u32(vandq_u32(vok, rok), vorrq_u32(vcgtq_f32(v, *r), tie));
    uint32x4_t take = vorrq_u32(nan_wins, num_wins);
    *r = vbslq_f32(take, v, *r);
    *ri = vbslq_s32(take, vi, *ri);
}

void SP_NEON_NAME(global_nchw_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    static const int32_t lane[4] = {0, 1, 2, 3};
    const int64_t hw = p->h * p->w;
    if (!a->idx) {
        SP_NEON_NAME(global_nchw_max)(p, a, b, e);
        return;
    }
    for (size_t u = b; u < e; u++) {
        const float *x = a->in + (int64_t)u * hw;
        float32x4_t m0 = vdupq_n_f32(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
        int32x4_t i0 = vdupq_n_s32(0), i1 = i0, i2 = i0, i3 = i0;
        int32x4_t c0 = vld1q_s32(lane), four = vdupq_n_s32(4), sixteen = vdupq_n_s32(16);
        int32x4_t c1 = vaddq_s32(c0, four), c2 = vaddq_s32(c1, four), c3 = vaddq_s32(c2, four);
        int64_t i = 0;
        for (; i + 16 <= hw; i += 16) {
            m0 = sp_maxi(m0, vld1q_f32(x + i), &i0, c0);
            m1 = sp_maxi(m1, vld1q_f32(x + i + 4), &i1, c1);
            m2 = sp_maxi(m2, vld1q_f32(x + i + 8), &i2, c2);
            m3 = sp_maxi(m3, vld1q_f32(x + i + 12), &i3, c3);
            c0 = vaddq_s32(c0, sixteen), c1 = vaddq_s32(c1, sixteen);
            c2 = vaddq_s32(c2, sixteen), c3 = vaddq_s32(c3, sixteen);
        }
        for (; i + 4 <= hw; i += 4) {
            m0 = sp_maxi(m0, vld1q_f32(x + i), &i0, c0);
            c0 = vaddq_s32(c0, four);
        }
        vmerge(&m0, &i0, m1, i1);
        vmerge(&m2, &i2, m3, i3);
        vmerge(&m0, &i0, m2, i2);
        vmerge(&m0, &i0, vextq_f32(m0, m0, 2), vextq_s32(i0, i0, 2));
        vmerge(&m0, &i0, vextq_f32(m0, m0, 1), vextq_s32(i0, i0, 1));
        float r = vgetq_lane_f32(m0, 0);
        int64_t ri = vgetq_lane_s32(i0, 0);
        for (; i < hw; i++) merge(&r, &ri, x[i], i);
        a->out[u] = r;
        a->idx[u] = ri;
    }
}

void SP_NEON_NAME(global_nchw_sum)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    const int64_t hw = p->h * p->w;
    for (size_t u = b; u < e; u++) {
        const float *x = a->in + (int64_t)u * hw;
        float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
        int64_t i = 0;
        for (; i + 16 <= hw; i += 16) {
            s0 = vaddq_f32(s0, vld1q_f32(x + i));
            s1 = vaddq_f32(s1, vld1q_f32(x + i + 4));
            s2 = vaddq_f32(s2, vld1q_f32(x + i + 8));
            s3 = vaddq_f32(s3, vld1q_f32(x + i + 12));
        }
        for (; i + 4 <= hw; i += 4) s0 = vaddq_f32(s0, vld1q_f32(x + i));
        float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
        for (; i < hw; i++) s += x[i];
        a->out[u] = p->op == SIMDPOOL_GLOBAL_AVG ? s / (float)hw : s;
    }
}

/* ---- NHWC ---------------------------------------------------------------------------- */

enum { K_MAX, K_MAXI, K_AVG, K_SUM };

/* V vectors of channels at x[c..] over all pixels (nl lanes when nl < 4, then V == 1). */
SP_AI void gblock(const sp_problem *p, const float *x, int64_t c, const int V, int nl, const int KIND,
                  float *o, int64_t *oi)
{
    const int64_t hw = p->h * p->w, C = p->c;
    float32x4_t m[4];
    int32x4_t mi[4];
    for (int v = 0; v < V; v++)
        m[v] = vdupq_n_f32(KIND == K_MAX || KIND == K_MAXI ? -INFINITY : 0.0f), mi[v] = vdupq_n_s32(0);
    for (int64_t i = 0; i < hw; i++) {
        const float *q = x + i * C + c;
        int32x4_t ti = vdupq_n_s32((int32_t)i);
        for (int v = 0; v < V; v++) {
            float32x4_t t = nl < 4 ? sp_load_part(q, nl, 0.0f) : vld1q_f32(q + 4 * v);
            if (KIND == K_MAXI)
                m[v] = sp_maxi(m[v], t, &mi[v], ti);
            else if (KIND == K_MAX)
                m[v] = sp_max(m[v], t);
            else
                m[v] = vaddq_f32(m[v], t);
        }
    }
    for (int v = 0; v < V; v++) {
        float32x4_t r = m[v];
        if (KIND == K_AVG) r = sp_div(r, vdupq_n_f32((float)hw));
        sp_store_part(o + 4 * v, r, nl);
        if (KIND == K_MAXI) sp_store_idx(oi + 4 * v, mi[v], nl);
    }
}

SP_AI void global_nhwc(const sp_problem *p, const sp_args *a, size_t b, size_t e, const int KIND)
{
    const int64_t C = p->c, hw = p->h * p->w;
    for (size_t u = b; u < e;) {
        int64_t n = (int64_t)u / C, c0 = (int64_t)u % C;
        int64_t c1 = C - c0 < (int64_t)(e - u) ? C : c0 + (int64_t)(e - u);
        const float *x = a->in + n * hw * C;
        float *o = a->out + n * C;
        int64_t *oi = KIND == K_MAXI ? a->idx + n * C : NULL;
        int64_t c = c0;
        for (; c + 16 <= c1; c += 16) gblock(p, x, c, 4, 4, KIND, o + c, oi ? oi + c : NULL);
        for (; c + 4 <= c1; c += 4) gblock(p, x, c, 1, 4, KIND, o + c, oi ? oi + c : NULL);
        if (c < c1) {
            if (c1 - c0 >= 4)
                gblock(p, x, c1 - 4, 1, 4, KIND, o + c1 - 4, oi ? oi + c1 - 4 : NULL);
            else
                gblock(p, x, c, 1, (int)(c1 - c), KIND, o + c, oi ? oi + c : NULL);
        }
        u += (size_t)(c1 - c0);
    }
}

void SP_NEON_NAME(global_nhwc_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    global_nhwc(p, a, b, e, K_MAX);
}

void SP_NEON_NAME(global_nhwc_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    if (a->idx)
        global_nhwc(p, a, b, e, K_MAXI);
    else
        global_nhwc(p, a, b, e, K_MAX);
}

void SP_NEON_NAME(global_nhwc_sum)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    if (p->op == SIMDPOOL_GLOBAL_AVG)
        global_nhwc(p, a, b, e, K_AVG);
    else
        global_nhwc(p, a, b, e, K_SUM);
}
