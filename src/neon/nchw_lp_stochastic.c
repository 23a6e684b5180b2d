/* NCHW Lp pooling (p = 1 and p = 2, as on AVX2: other p need powf per tap and stay with
 * scalar) and NCHW stochastic pooling (both modes): four output columns per vector.
 *
 * Per output row, vectors of four outputs (the last may be partial) whose windows lie inside
 * the row run straight from the input: a tap of the four windows is one vld1q (stride 1) or
 * one de-interleaving vld2q/vld3q/vld4q (stride 2..4; with unit dilation one such load holds
 * `stride` consecutive taps), lane loads for larger strides. Vectors that touch padding or
 * the ceil-mode overhang load the same way and zero the taps outside the row by a lane mask
 * of their columns; only vectors whose loads would leave the tensor (its first and last
 * rows) run the body on a small zero-padded stack patch of just the columns they read. So
 * small maps, where edges are a large share, stay vectorised.
 *
 * Every lane visits its window's taps in the reference's row-major order with the same float
 * operations (add from +0, square then add, no fused multiply-add: c_std=c11 keeps
 * contraction off), finished with the reference's divide / multiply / square root. So Lp
 * and stochastic inference equal scalar's, and the training draw picks exactly scalar's tap:
 * the sum, the target u * sum and the running sum are the same floats. The draw itself is
 * the reference's splitmix chain (64-bit multiplies, scalar here); its (seed, n, c, oh) prefix
 * is shared by the row and computed once. */
#include <math.h>

#include "neon_more.h"

enum { M_L1, M_L2, M_INFER, M_TRAIN };

/* Running state of four outputs. */
typedef struct acc {
    float32x4_t s1, s2;                 /* sum of taps, sum of squares (inference) */
    float32x4_t target, run, last, pick; /* training's second pass */
    uint32x4_t done;
    int32x4_t x0;  /* MASK: each lane's window start column (ws + lane * sw) */
    uint32x4_t wl; /* MASK: the row width */
} acc;

/* MASK: tap j of lanes whose column x0 + j*dw is outside [0, W) reads as 0 (the same rule
 * as the patch below: no sum, running sum or pick changes). */
SP_AI void tap(acc *A, float32x4_t t, int64_t jd, const int MODE, const int PICK, const int MASK)
{
    if (MASK) {
        const int32x4_t x = vaddq_s32(A->x0, vdupq_n_s32((int32_t)jd));
        t = vbslq_f32(vcltq_u32(vreinterpretq_u32_s32(x), A->wl), t, vdupq_n_f32(0.0f));
    }
    if (PICK) {
        A->run = vaddq_f32(A->run, t);
        /* lanes already decided keep their pick; "last" then no longer matters */
        uint32x4_t hit = vbicq_u32(vcgtq_f32(A->run, A->target), A->done);
        A->pick = vbslq_f32(hit, t, A->pick);
        A->done = vorrq_u32(A->done, hit);
        A->last = vbslq_f32(vcgtq_f32(t, vdupq_n_f32(0.0f)), t, A->last);
    } else if (MODE == M_L2) {
        A->s1 = vaddq_f32(A->s1, vmulq_f32(t, t));
    } else {
        A->s1 = vaddq_f32(A->s1, t);
        if (MODE == M_INFER) A->s2 = vaddq_f32(A->s2, vmulq_f32(t, t));
    }
}

/* One tap row of four windows starting at q, taps left to right. */
SP_AI void row_taps(const sp_problem *p, acc *A, const float *q, const int SW, const int MODE, const int PICK,
                    const int MASK)
{
    const int64_t kw = p->kw, dw = p->dw;
    int64_t j = 0;
    if (SW >= 2 && SW <= 4 && dw == 1) {
        for (; j + SW <= kw; j += SW) {
            if (SW == 2) {
                float32x4x2_t v = vld2q_f32(q + j);
                tap(A, v.val[0], j, MODE, PICK, MASK), tap(A, v.val[1], j + 1, MODE, PICK, MASK);
            } else if (SW == 3) {
                float32x4x3_t v = vld3q_f32(q + j);
                tap(A, v.val[0], j, MODE, PICK, MASK), tap(A, v.val[1], j + 1, MODE, PICK, MASK);
                tap(A, v.val[2], j + 2, MODE, PICK, MASK);
            } else {
                float32x4x4_t v = vld4q_f32(q + j);
                tap(A, v.val[0], j, MODE, PICK, MASK), tap(A, v.val[1], j + 1, MODE, PICK, MASK);
                tap(A, v.val[2], j + 2, MODE, PICK, MASK), tap(A, v.val[3], j + 3, MODE, PICK, MASK);
            }
        }
    }
    for (; j < kw; j++) tap(A, sp_ld_cols(q + j * dw, SW, p->sw), j * dw, MODE, PICK, MASK);
}

/* Floats a vector reads from one tap row, counted from the first window's start. */
static int64_t reach(const sp_problem *p)
{
    const int64_t last = p->sw <= 4 ? 4 * p->sw : 3 * p->sw + 1;
    return (p->kw - 1) * p->dw + last;
}

/* One output by the reference rule (rows with no tap row inside, windows too large for the
 * patch). */
static float one(const sp_problem *p, const float *plane, int64_t n, int64_t c, int64_t oh, int64_t ow, int mode)
{
    sp_nwin w;
    sp_nwin_rows(p, oh, &w);
    sp_nwin_cols(p, ow, &w);
    float s1 = 0.0f, s2 = 0.0f;
    for (int64_t y = w.y0; y < w.y1; y += w.dy)
        for (int64_t x = w.x0; x < w.x1; x += w.dx) {
            const float t = plane[y * p->w + x];
            if (mode == M_L2) {
                s1 += t * t;
            } else {
                s1 += t;
                s2 += t * t;
            }
        }
    if (mode == M_L1 || mode == M_L2) {
        const float r = s1 / (float)sp_nwin_taps(&w) * (float)(p->kh * p->kw);
        return mode == M_L2 ? sqrtf(r) : r;
    }
    if (mode == M_INFER) return s1 > 0.0f ? s2 / s1 : 0.0f;
    if (!(s1 > 0.0f)) return 0.0f;
    const float target = sp_stochastic_uniform(p->seed, n, c, oh, ow) * s1;
    float run = 0.0f, last = 0.0f;
    for (int64_t y = w.y0; y < w.y1; y += w.dy)
        for (int64_t x = w.x0; x < w.x1; x += w.dx) {
            const float t = plane[y * p->w + x];
            run += t;
            if (run > target) return t;
            if (t > 0.0f) last = t;
        }
    return last;
}

/* Four outputs from ow of row oh: nr tap rows from r (rstep apart), windows from column ws. */
SP_AI float32x4_t vec4(const sp_problem *p, const float *r, int64_t rstep, int64_t nr, int64_t ws, int64_t ow,
                       uint64_t hr, float32x4_t count, float32x4_t kk, const int SW, const int MODE, const int MASK)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    acc A;
    A.s1 = A.s2 = zero;
    if (MASK) {
        const int32_t x[4] = {0, 1, 2, 3};
        A.x0 = vaddq_s32(vdupq_n_s32((int32_t)ws), vmulq_n_s32(vld1q_s32(x), (int32_t)p->sw));
        A.wl = vdupq_n_u32((uint32_t)p->w);
        if (MODE == M_L1 || MODE == M_L2) {
            float cnt[4];
            for (int k = 0; k < 4; k++)
                cnt[k] = (float)(nr * sp_taps_inside(ws + k * p->sw, p->kw, p->dw, 0, p->w));
            count = vld1q_f32(cnt);
        }
    }
    for (int64_t k = 0; k < nr; k++) row_taps(p, &A, r + k * rstep + ws, SW, MODE, 0, MASK);
    if (MODE == M_L1 || MODE == M_L2) {
        const float32x4_t q = vmulq_f32(sp_div(A.s1, count), kk);
        return MODE == M_L2 ? sp_sqrt(q) : q;
    }
    const uint32x4_t pos = vcgtq_f32(A.s1, zero);
    if (MODE == M_INFER) return vbslq_f32(pos, sp_div(A.s2, A.s1), zero);
    float u[4];
    for (int i = 0; i < 4; i++) u[i] = sp_draw_float(sp_draw_step(hr, ow + i));
    A.target = vmulq_f32(vld1q_f32(u), A.s1);
    A.run = A.last = A.pick = zero;
    A.done = vdupq_n_u32(0);
    for (int64_t k = 0; k < nr; k++) row_taps(p, &A, r + k * rstep + ws, SW, MODE, 1, MASK);
    return vbslq_f32(pos, vbslq_f32(A.done, A.pick, A.last), zero);
}

/* Taps the patch of one output row may hold: larger windows take the reference rule. */
#define PATCH_MAX 1024

/* n <= 4 outputs from ow of row oh through a patch: the columns [ws, ws + rch) of the nr
 * valid tap rows (r, rstep apart), those outside the row set to 0. A zero tap changes no
 * sum, no running sum and no pick (0 > target is false where the sum is positive, 0 is not
 * a positive "last"), so only Lp's per-lane tap count needs the real columns. */
SP_AI void patch_vec(const sp_problem *p, const float *plane, const float *r, int64_t rstep, int64_t nr,
                     int64_t rch, int64_t n, int64_t c, int64_t oh, int64_t ow, int nl, uint64_t hr,
                     float32x4_t kk, float *o, const int SW, const int MODE)
{
    float patch[PATCH_MAX];
    const int64_t ws = ow * p->sw - p->pl;
    if (rch > PATCH_MAX || nr > PATCH_MAX / rch) { /* no product: nr and rch reach 2^33 */
        for (int k = 0; k < nl; k++) o[k] = one(p, plane, n, c, oh, ow + k, MODE);
        return;
    }
    /* columns [ws, ws + rch) = pad [0, k0), row [k0, k1), pad [k1, rch) */
    int64_t k0 = ws < 0 ? -ws : 0, k1 = p->w - ws < rch ? p->w - ws : rch;
    if (k0 > rch) k0 = rch;
    if (k1 < k0) k1 = k0;
    for (int64_t y = 0; y < nr; y++) {
        const float *row = r + y * rstep;
        float *d = patch + y * rch;
        for (int64_t k = 0; k < k0; k++) d[k] = 0.0f;
        for (int64_t k = k0; k < k1; k++) d[k] = row[ws + k];
        for (int64_t k = k1; k < rch; k++) d[k] = 0.0f;
    }
    float cnt[4];
    for (int k = 0; k < 4; k++)
        cnt[k] = (float)(nr * sp_taps_inside((ow + k) * p->sw - p->pl, p->kw, p->dw, 0, p->w));
    sp_store_part(o, vec4(p, patch, rch, nr, 0, ow, hr, vld1q_f32(cnt), kk, SW, MODE, 0), nl);
}

SP_AI void plane_rows(const sp_problem *p, const sp_args *a, size_t u, const int SW, const int MODE)
{
    const int64_t W = p->w, OW = p->ow, hw = p->h * W;
    const int64_t n = (int64_t)u / p->c, c = (int64_t)u % p->c;
    const int64_t total = p->n * p->c * hw, rch = reach(p);
    const float *plane = a->in + (int64_t)u * hw;
    /* middle columns [lo, hi): every tap inside [0, W) */
    int64_t lo = (p->pl + p->sw - 1) / p->sw, num = W - 1 + p->pl - (p->kw - 1) * p->dw;
    int64_t hi = num < 0 ? 0 : num / p->sw + 1;
    if (hi > OW) hi = OW;
    if (lo > hi) lo = hi;
    const float32x4_t kk = vdupq_n_f32((float)(p->kh * p->kw));
    /* the masked path keeps columns in int32 lanes */
    const int fit32 = W + p->pl + rch < INT32_MAX;
    const uint64_t hc = MODE == M_TRAIN ? sp_draw_step(sp_draw_step(sp_draw_seed(p->seed), n), c) : 0;
    for (int64_t oh = 0; oh < p->oh; oh++) {
        float *o = a->out + ((int64_t)u * p->oh + oh) * OW;
        sp_nwin w;
        sp_nwin_rows(p, oh, &w);
        const int64_t nr = (w.y1 - w.y0) / w.dy;
        if (!nr) { /* no tap row inside (dilation): the reference's 0 or 0/0 */
            for (int64_t ow = 0; ow < OW; ow++) o[ow] = one(p, plane, n, c, oh, ow, MODE);
            continue;
        }
        const float *r = plane + w.y0 * W;
        const int64_t rstep = w.dy * W, first_row = (int64_t)u * hw + w.y0 * W;
        const int64_t last_row = first_row + (nr - 1) * rstep;
        const uint64_t hr = MODE == M_TRAIN ? sp_draw_step(hc, oh) : 0;
        const float32x4_t count = vdupq_n_f32((float)(nr * p->kw));
        /* Vectors of four outputs; the last may be partial. Straight from the input when no
         * lane's loads leave the tensor (lanes past the row read the neighbouring rows'
         * floats and are not stored); masked where a window leaves the row. */
        for (int64_t ow = 0; ow < OW; ow += 4) {
            const int nl = OW - ow < 4 ? (int)(OW - ow) : 4;
            const int64_t ws = ow * p->sw - p->pl;
            const int inside = first_row + ws >= 0 && last_row + ws + rch <= total;
            if (inside && ow >= lo && ow + nl <= hi)
                sp_store_part(o + ow, vec4(p, r, rstep, nr, ws, ow, hr, count, kk, SW, MODE, 0), nl);
            else if (inside && fit32)
                sp_store_part(o + ow, vec4(p, r, rstep, nr, ws, ow, hr, count, kk, SW, MODE, 1), nl);
            else
                patch_vec(p, plane, r, rstep, nr, rch, n, c, oh, ow, nl, hr, kk, o + ow, SW, MODE);
        }
    }
}

SP_AI void slice(const sp_problem *p, const sp_args *a, size_t b, size_t e, const int MODE)
{
    for (size_t u = b; u < e; u++) {
        switch (p->sw) {
        case 1: plane_rows(p, a, u, 1, MODE); break;
        case 2: plane_rows(p, a, u, 2, MODE); break;
        case 3: plane_rows(p, a, u, 3, MODE); break;
        case 4: plane_rows(p, a, u, 4, MODE); break;
        default: plane_rows(p, a, u, 0, MODE); break;
        }
    }
}

void SP_NEON_NAME(nchw_lp)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    if (p->p == 2.0f)
        slice(p, a, b, e, M_L2);
    else
        slice(p, a, b, e, M_L1);
}

void SP_NEON_NAME(nchw_stochastic)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    if (p->stochastic_mode == SIMDPOOL_STOCHASTIC_TRAIN)
        slice(p, a, b, e, M_TRAIN);
    else
        slice(p, a, b, e, M_INFER);
}
