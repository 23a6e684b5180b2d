/* NCHW adaptive avg / max for the two shapes that dominate real networks:
 *   - output 1 x 1 (a whole plane per output, as in classifier heads): four planes become the
 *     four lanes; four positions of each are loaded and transposed, so every lane then runs
 *     through its plane position by position with the reference's step;
 *   - windows kh x kw with stride kh x kw (H a multiple of OH, W = kw * OW with kw <= 4, as
 *     14x14 -> 7x7): vld{1,2,3,4} de-interleave a row's taps so that four consecutive outputs
 *     are the lanes and tap j of each is one vector; the last OW % 4 outputs of a row go
 *     through the same steps one at a time in scalar code, so nothing past the row is read.
 * Every window is walked in row-major order with avg's add from 0 (then the divide) and max's
 * greater-or-NaN step from -inf at the window's first index, so results and indices are
 * exactly scalar's. Indices are int32 lanes (the accept rules bound H*W). */
#include <math.h>

#include "neon_more.h"

enum { K_AVG, K_MAX, K_MAXI };

static int kind_of(const sp_problem *p, const sp_args *a)
{
    return p->op == SIMDPOOL_ADAPTIVE_AVG ? K_AVG : a->idx ? K_MAXI : K_MAX;
}

SP_AI void step(float32x4_t *m, int32x4_t *mi, float32x4_t t, int32x4_t ti, const int KIND)
{
    if (KIND == K_AVG)
        *m = vaddq_f32(*m, t);
    else if (KIND == K_MAXI)
        *m = sp_maxi(*m, t, mi, ti);
    else
        *m = sp_max(*m, t);
}

/* r[q] lane i <- r[i] lane q. */
SP_AI void transpose4(float32x4_t r[4])
{
    float32x4x2_t a = vtrnq_f32(r[0], r[1]), b = vtrnq_f32(r[2], r[3]);
    r[0] = vcombine_f32(vget_low_f32(a.val[0]), vget_low_f32(b.val[0]));
    r[1] = vcombine_f32(vget_low_f32(a.val[1]), vget_low_f32(b.val[1]));
    r[2] = vcombine_f32(vget_high_f32(a.val[0]), vget_high_f32(b.val[0]));
    r[3] = vcombine_f32(vget_high_f32(a.val[1]), vget_high_f32(b.val[1]));
}

/* Four planes from x (np < 4 of them: the missing lanes read nothing and stay 0). FULL makes
 * the common case branch-free. */
SP_AI void planes4(const sp_problem *p, const float *x, int np, const int FULL, const int KIND, float *o,
                   int64_t *oi)
{
    const int64_t hw = p->h * p->w;
    const float32x4_t zero = vdupq_n_f32(0.0f);
    float32x4_t m = vdupq_n_f32(KIND == K_AVG ? 0.0f : -INFINITY);
    int32x4_t mi = vdupq_n_s32(0);
    int64_t i0 = 0;
    for (; i0 + 4 <= hw; i0 += 4) {
        float32x4_t r[4];
        for (int k = 0; k < 4; k++) r[k] = FULL || k < np ? vld1q_f32(x + k * hw + i0) : zero;
        transpose4(r);
        for (int q = 0; q < 4; q++) step(&m, &mi, r[q], vdupq_n_s32((int32_t)(i0 + q)), KIND);
    }
    if (i0 < hw) {
        const int nq = (int)(hw - i0);
        float32x4_t r[4];
        for (int k = 0; k < 4; k++) r[k] = FULL || k < np ? sp_ld(x + k * hw + i0, nq) : zero;
        transpose4(r);
        for (int q = 0; q < nq; q++) step(&m, &mi, r[q], vdupq_n_s32((int32_t)(i0 + q)), KIND);
    }
    sp_store_part(o, KIND == K_AVG ? sp_div(m, vdupq_n_f32((float)hw)) : m, np);
    if (KIND == K_MAXI) sp_store_idx(oi, mi, np);
}

SP_AI void nchw_1x1(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const int KIND)
{
    const int64_t hw = p->h * p->w;
    for (int64_t u = (int64_t)begin; u < (int64_t)end; u += 4) {
        const int np = (int64_t)end - u < 4 ? (int)((int64_t)end - u) : 4;
        int64_t *oi = KIND == K_MAXI ? a->idx + u : NULL;
        if (np == 4)
            planes4(p, a->in + u * hw, 4, 1, KIND, a->out + u, oi);
        else
            planes4(p, a->in + u * hw, np, 0, KIND, a->out + u, oi);
    }
}

void SP_NEON_NAME(nchw_adaptive_1x1)(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (kind_of(p, a)) {
    case K_AVG: nchw_1x1(p, a, begin, end, K_AVG); break;
    case K_MAX: nchw_1x1(p, a, begin, end, K_MAX); break;
    default: nchw_1x1(p, a, begin, end, K_MAXI); break;
    }
}

/* One output of the stride-k shape, as the reference computes it. */
static void one(const sp_problem *p, const float *plane, int64_t y0, int64_t kh, int64_t x0, int64_t kw, int kind,
                float *o, int64_t *oi)
{
    float m = kind == K_AVG ? 0.0f : -INFINITY;
    int64_t mi = y0 * p->w + x0;
    for (int64_t y = y0; y < y0 + kh; y++)
        for (int64_t x = x0; x < x0 + kw; x++) {
            float t = plane[y * p->w + x];
            if (kind == K_AVG) {
                m += t;
            } else if (t > m || isnan(t)) {
                m = t;
                mi = y * p->w + x;
            }
        }
    *o = kind == K_AVG ? m / (float)(kh * kw) : m;
    if (kind == K_MAXI) *oi = mi;
}

SP_AI void nchw_k(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const int KIND, const int KW)
{
    const int64_t W = p->w, OW = p->ow, kh = p->h / p->oh;
    const float32x4_t div = vdupq_n_f32((float)(kh * KW));
    const int32_t lk[4] = {0, KW, 2 * KW, 3 * KW};
    const int32x4_t lanek = vld1q_s32(lk);
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * p->h * W;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            const int64_t y0 = oh * kh, e = ((int64_t)u * p->oh + oh) * OW;
            int64_t ow = 0;
            for (; ow + 4 <= OW; ow += 4) {
                float32x4_t m = vdupq_n_f32(KIND == K_AVG ? 0.0f : -INFINITY);
                int32x4_t mi = vaddq_s32(vdupq_n_s32((int32_t)(y0 * W + ow * KW)), lanek);
                for (int64_t y = y0; y < y0 + kh; y++) {
                    const float *r = plane + y * W + ow * KW;
                    const int32x4_t ti = vaddq_s32(vdupq_n_s32((int32_t)(y * W + ow * KW)), lanek);
                    float32x4_t t[4];
                    if (KW == 1) {
                        t[0] = vld1q_f32(r);
                    } else if (KW == 2) {
                        float32x4x2_t v = vld2q_f32(r);
                        t[0] = v.val[0], t[1] = v.val[1];
                    } else if (KW == 3) {
                        float32x4x3_t v = vld3q_f32(r);
                        t[0] = v.val[0], t[1] = v.val[1], t[2] = v.val[2];
                    } else {
                        float32x4x4_t v = vld4q_f32(r);
                        t[0] = v.val[0], t[1] = v.val[1], t[2] = v.val[2], t[3] = v.val[3];
                    }
                    for (int j = 0; j < KW; j++) step(&m, &mi, t[j], vaddq_s32(ti, vdupq_n_s32(j)), KIND);
                }
                vst1q_f32(a->out + e + ow, KIND == K_AVG ? sp_div(m, div) : m);
                if (KIND == K_MAXI) sp_store_idx(a->idx + e + ow, mi, 4);
            }
            for (; ow < OW; ow++)
                one(p, plane, y0, kh, ow * KW, KW, KIND, a->out + e + ow, KIND == K_MAXI ? a->idx + e + ow : NULL);
        }
    }
}

SP_AI void nchw_k_kind(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const int KIND)
{
    switch (p->w / p->ow) {
    case 1: nchw_k(p, a, begin, end, KIND, 1); break;
    case 2: nchw_k(p, a, begin, end, KIND, 2); break;
    case 3: nchw_k(p, a, begin, end, KIND, 3); break;
    default: nchw_k(p, a, begin, end, KIND, 4); break;
    }
}

void SP_NEON_NAME(nchw_adaptive_k)(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (kind_of(p, a)) {
    case K_AVG: nchw_k_kind(p, a, begin, end, K_AVG); break;
    case K_MAX: nchw_k_kind(p, a, begin, end, K_MAX); break;
    default: nchw_k_kind(p, a, begin, end, K_MAXI); break;
    }
}
