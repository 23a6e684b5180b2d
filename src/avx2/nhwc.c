/* NHWC windowed max / avg / sum, vectorised over channels (after XNNPACK's f32-maxpool):
 * for each output pixel the window is clipped to the input once, then only in-bounds taps
 * are visited, so padding costs nothing and the input is never copied. Up to four channel
 * vectors are accumulated at once to hide the latency of the max/add chain; the channel
 * tail uses masked loads and stores. Taps are visited in row-major order with the
 * reference's max step, so max values, NaN, ties and indices match scalar exactly. */
#include "simd.h"

enum { OP_MAX, OP_SUM, OP_AVG };

typedef struct window {
    int64_t y0, y1, x0, x1; /* clipped tap positions: y = y0 + i*dh < y1, likewise x */
} window;

/* NV vectors of channels starting at in/out (the first tap's pixel is in + (y0*w + x0)*C);
 * the last vector has nl lanes. */
SP_INLINE int block(const sp_problem *p, const float *img, float *out, int64_t *idx,
                    const window *wn, int op, int NV, int64_t nl, float inv, int fast, int K)
{
    const int64_t C = p->c, w = p->w;
    __m256 m[4], nan = _mm256_setzero_ps(), prev = nan;
    __m256i mi[4];
    const float *f = img + (wn->y0 * w + wn->x0) * C;
    for (int v = 0; v < NV; v++) {
        m[v] = v == NV - 1 ? sp_load(f + 8 * v, nl) : _mm256_loadu_ps(f + 8 * v);
        mi[v] = _mm256_set1_epi32((int)(wn->y0 * w + wn->x0));
        if (fast) nan = _mm256_or_ps(nan, _mm256_cmp_ps(m[v], m[v], _CMP_UNORD_Q));
    }
    /* K > 0: a whole K x K window with dilation 1, so the tap loops unroll to fixed offsets. */
    const int64_t dh = K ? 1 : p->dh, dw = K ? 1 : p->dw;
    const int64_t nr = K ? K : (wn->y1 - wn->y0 + dh - 1) / dh, nc = K ? K : (wn->x1 - wn->x0 + dw - 1) / dw;
    for (int64_t i = 0; i < nr; i++) {
        for (int64_t j = i == 0; j < nc; j++) {
            const int64_t y = wn->y0 + i * dh, x = wn->x0 + j * dw;
            const float *s = img + (y * w + x) * C;
            __m256i at = _mm256_set1_epi32((int)(y * w + x));
            for (int v = 0; v < NV; v++) {
                __m256 t = v == NV - 1 ? sp_load(s + 8 * v, nl) : _mm256_loadu_ps(s + 8 * v);
                if (op != OP_MAX) {
                    m[v] = _mm256_add_ps(m[v], t);
                } else if (idx) {
                    __m256 tk = sp_takes(m[v], t);
                    m[v] = _mm256_blendv_ps(m[v], t, tk);
                    mi[v] = _mm256_castps_si256(
                        _mm256_blendv_ps(_mm256_castsi256_ps(mi[v]), _mm256_castsi256_ps(at), tk));
                } else if (fast) {
                    /* vmaxps(t, m) is the reference's step unless t is NaN; NaN is detected
                     * (pairwise, one compare per two vectors) and the block redone exactly. */
                    m[v] = _mm256_max_ps(t, m[v]);
                    if (v & 1)
                        nan = _mm256_or_ps(nan, _mm256_cmp_ps(t, prev, _CMP_UNORD_Q));
                    else if (v == NV - 1)
                        nan = _mm256_or_ps(nan, _mm256_cmp_ps(t, t, _CMP_UNORD_Q));
                    prev = t;
                } else {
                    m[v] = sp_maxnan(m[v], t);
                }
            }
        }
    }
    if (fast && !_mm256_testz_ps(nan, nan)) return 1;
    for (int v = 0; v < NV; v++) {
        int64_t n = v == NV - 1 ? nl : 8;
        __m256 r = m[v];
        /* Sums start from +0, as the reference's: an all -0 window sums to +0. */
        if (op != OP_MAX) r = _mm256_add_ps(r, _mm256_setzero_ps());
        if (op == OP_AVG) r = _mm256_mul_ps(r, _mm256_set1_ps(inv));
        sp_store(out + 8 * v, r, n);
        if (idx) sp_store_idx(idx + 8 * v, mi[v], n);
    }
    return 0;
}

SP_INLINE void pixel(const sp_problem *p, const float *img, float *out, int64_t *idx, const window *wn,
                     int op, float inv, int K)
{
    int64_t c = 0, C = p->c;
    const int fast = op == OP_MAX && !idx;
    for (; c + 32 <= C; c += 32)
        if (block(p, img + c, out + c, idx ? idx + c : NULL, wn, op, 4, 8, inv, fast, K))
            block(p, img + c, out + c, NULL, wn, op, 4, 8, inv, 0, K);
    for (; c + 8 <= C; c += 8)
        if (block(p, img + c, out + c, idx ? idx + c : NULL, wn, op, 1, 8, inv, fast, K))
            block(p, img + c, out + c, NULL, wn, op, 1, 8, inv, 0, K);
    if (c < C && block(p, img + c, out + c, idx ? idx + c : NULL, wn, op, 1, C - c, inv, fast, K))
        block(p, img + c, out + c, NULL, wn, op, 1, C - c, inv, 0, K);
}

/* First tap position >= 0 and the end (exclusive) < lim, for taps s + i*d, i < k. */
SP_INLINE void clip(int64_t s, int64_t k, int64_t d, int64_t lim, int64_t *lo, int64_t *hi)
{
    /* Called per output pixel: avoid the 64-bit divisions for the usual dilation 1. */
    int64_t i0 = s < 0 ? (d == 1 ? -s : (-s + d - 1) / d) : 0;
    int64_t i1 = lim > s ? (d == 1 ? lim - s : (lim - s + d - 1) / d) : 0;
    if (i1 > k) i1 = k;
    if (i1 < i0) i1 = i0;
    *lo = s + i0 * d;
    *hi = s + i1 * d;
}

SP_INLINE void rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int want_idx)
{
    const int64_t C = p->c;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *img = a->in + n * p->h * p->w * C;
        const int64_t hs = oh * p->sh - p->pt;
        window wn;
        clip(hs, p->kh, p->dh, p->h, &wn.y0, &wn.y1);
        const int64_t rdiv = op == OP_AVG && !p->divisor_override ? sp_div_rows(p, hs) : 0;
        for (int64_t ow = 0; ow < p->ow; ow++) {
            const int64_t ws = ow * p->sw - p->pl, o = (u * p->ow + ow) * C;
            clip(ws, p->kw, p->dw, p->w, &wn.x0, &wn.x1);
            float *out = a->out + o;
            int64_t *idx = want_idx ? a->idx + o : NULL;
            if (wn.y0 >= wn.y1 || wn.x0 >= wn.x1) { /* no tap inside the input */
                for (int64_t c = 0; c < C; c++) {
                    out[c] = op == OP_MAX ? -INFINITY : 0.0f;
                    if (idx) idx[c] = -1;
                }
                continue;
            }
            /* avg: the reciprocal of the divisor, once per pixel (a vector divide per output
             * vector cost more than the loads on memory-bound 2x2 windows); divisor 0 (no tap
             * inside, the reference gives 0) multiplies by 0. */
            float inv = 1.0f;
            if (op == OP_AVG) {
                const int64_t d = p->divisor_override ? p->divisor_override : rdiv * sp_div_cols(p, ws);
                inv = d ? 1.0f / (float)d : 0.0f;
            }
            /* Whole 2x2 / 3x3 windows (the common case) get unrolled taps. */
            const int64_t full = wn.y1 - wn.y0 == p->kh && wn.x1 - wn.x0 == p->kw && p->dh == 1 && p->dw == 1;
            if (full && p->kh == 2 && p->kw == 2)
                pixel(p, img, out, idx, &wn, op, inv, 2);
            else if (full && p->kh == 3 && p->kw == 3)
                pixel(p, img, out, idx, &wn, op, inv, 3);
            else
                pixel(p, img, out, idx, &wn, op, inv, 0);
        }
    }
}

void sp_avx2_nhwc_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (p->op) {
    case SIMDPOOL_MAX:
        if (a->idx)
            rows(p, a, begin, end, OP_MAX, 1);
        else
            rows(p, a, begin, end, OP_MAX, 0);
        break;
    case SIMDPOOL_AVG: rows(p, a, begin, end, OP_AVG, 0); break;
    default: rows(p, a, begin, end, OP_SUM, 0); break;
    }
}

/* Argmax positions y*W + x are int32 lanes. */
int sp_avx2_accepts_nhwc_generic(const sp_problem *p) { return p->h < (INT64_C(1) << 30) / p->w; }
