/* NHWC windowed max / avg / sum, vectorised over channels, 16 per zmm (after XNNPACK's
 * f32-maxpool): each output pixel's window is clipped to the input once and only in-bounds
 * taps are visited, so padding costs nothing and the input is never copied. Up to NV channel
 * vectors are accumulated at once to hide the latency of the max/add chain; the channel tail
 * is one masked load/store, never a scalar loop. Taps are visited in row-major order with the
 * reference's max step, so max values, NaN, ties and indices match scalar exactly. */
#include "simd.h"

enum { OP_MAX, OP_SUM, OP_AVG };

typedef struct window {
    int64_t y0, y1, x0, x1; /* clipped tap positions: y = y0 + i*dh < y1, likewise x */
} window;

/* NV vectors of channels starting at img/out; the last vector has the lanes of kl. */
SP_INLINE void block(const sp_problem *p, const float *img, float *out, int64_t *idx,
                     const window *wn, int op, int NV, __mmask16 kl, float div)
{
    const int64_t C = p->c, w = p->w;
    __m512 m[8];
    __m512i mi[8];
    const float *f = img + (wn->y0 * w + wn->x0) * C;
    for (int v = 0; v < NV; v++) {
        m[v] = _mm512_maskz_loadu_ps(v == NV - 1 ? kl : 0xFFFF, f + 16 * v);
        mi[v] = _mm512_set1_epi32((int)(wn->y0 * w + wn->x0));
    }
    for (int64_t y = wn->y0; y < wn->y1; y += p->dh) {
        for (int64_t x = y == wn->y0 ? wn->x0 + p->dw : wn->x0; x < wn->x1; x += p->dw) {
            const float *s = img + (y * w + x) * C;
            const __m512i at = _mm512_set1_epi32((int)(y * w + x));
            for (int v = 0; v < NV; v++) {
                __m512 t = _mm512_maskz_loadu_ps(v == NV - 1 ? kl : 0xFFFF, s + 16 * v);
                if (op != OP_MAX) {
                    m[v] = _mm512_add_ps(m[v], t);
                } else if (idx) {
                    __mmask16 tk = sp_takes(m[v], t);
                    m[v] = _mm512_mask_mov_ps(m[v], tk, t);
                    mi[v] = _mm512_mask_mov_epi32(mi[v], tk, at);
                } else {
                    m[v] = sp_maxnan(m[v], t);
                }
            }
        }
    }
    for (int v = 0; v < NV; v++) {
        __mmask16 k = v == NV - 1 ? kl : 0xFFFF;
        __m512 r = m[v];
        if (op == OP_AVG) r = div != 0.0f ? _mm512_div_ps(r, _mm512_set1_ps(div)) : _mm512_setzero_ps();
        _mm512_mask_storeu_ps(out + 16 * v, k, r);
        if (idx) sp_store_idx(idx + 16 * v, mi[v], k);
    }
}

SP_INLINE void pixel(const sp_problem *p, const float *img, float *out, int64_t *idx, const window *wn,
                     int op, float div)
{
    int64_t c = 0, C = p->c;
    for (; c + 64 <= C; c += 64)
        block(p, img + c, out + c, idx ? idx + c : NULL, wn, op, 4, 0xFFFF, div);
    const int64_t r = C - c; /* 0..63 channels left: one block of ceil(r/16) vectors */
    if (r > 48)
        block(p, img + c, out + c, idx ? idx + c : NULL, wn, op, 4, sp_lanes(r - 48), div);
    else if (r > 32)
        block(p, img + c, out + c, idx ? idx + c : NULL, wn, op, 3, sp_lanes(r - 32), div);
    else if (r > 16)
        block(p, img + c, out + c, idx ? idx + c : NULL, wn, op, 2, sp_lanes(r - 16), div);
    else if (r > 0)
        block(p, img + c, out + c, idx ? idx + c : NULL, wn, op, 1, sp_lanes(r), div);
}

/* First tap position >= 0 and the end (exclusive) < lim, for taps s + i*d, i < k. */
static void clip(int64_t s, int64_t k, int64_t d, int64_t lim, int64_t *lo, int64_t *hi)
{
    int64_t i0 = s < 0 ? (-s + d - 1) / d : 0;
    int64_t i1 = lim > s ? (lim - s + d - 1) / d : 0;
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
            const int64_t ws = ow * p->sw - p->pl, o = ((int64_t)u * p->ow + ow) * C;
            clip(ws, p->kw, p->dw, p->w, &wn.x0, &wn.x1);
            float *out = a->out + o;
            int64_t *idx = want_idx ? a->idx + o : NULL;
            if (wn.y0 >= wn.y1 || wn.x0 >= wn.x1) { /* no tap inside the input */
                const __m512 fill = _mm512_set1_ps(op == OP_MAX ? -INFINITY : 0.0f);
                for (int64_t c = 0; c < C; c += 16) {
                    _mm512_mask_storeu_ps(out + c, sp_lanes(C - c), fill);
                    if (idx) sp_store_idx(idx + c, _mm512_set1_epi32(-1), sp_lanes(C - c));
                }
                continue;
            }
            float div = 1.0f;
            if (op == OP_AVG)
                div = (float)(p->divisor_override ? p->divisor_override : rdiv * sp_div_cols(p, ws));
            pixel(p, img, out, idx, &wn, op, div);
        }
    }
}

void sp_avx512_nhwc_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
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
int sp_avx512_accepts_nhwc_generic(const sp_problem *p) { return p->h < (INT64_C(1) << 30) / p->w; }
