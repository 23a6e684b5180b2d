/* NHWC windowed max (values and indices), vectorised over channels, 16 per zmm (after XNNPACK's
 * f32-maxpool): each output pixel's window is clipped to the input once and only in-bounds
 * taps are visited, so padding costs nothing and the input is never copied. Up to NV channel
 * vectors are accumulated at once to hide the latency of the max/add chain; the channel tail
 * is one masked load/store, never a scalar loop. Taps are visited in row-major order with the
 * reference's max step, so max values, NaN, ties and indices match scalar exactly. Avg and
 * sum add the taps in the same order as AVX2's generic kernel (so the same bits), 16 lanes an
 * add, for the windows no specialised kernel takes (see kernels.c). */
#include "simd.h"

/* OP_MAXF: values-only max by plain vmaxps(t, m), the reference's step unless t is NaN; a row
 * that raised the NaN watch is redone with OP_MAX's exact step (compare + masked max). */
enum { OP_MAX, OP_SUM, OP_AVG, OP_MAXF };

SP_INLINE __mmask16 lanes(int v, int NV, __mmask16 kf, __mmask16 kl)
{
    return (__mmask16)((v == 0 ? kf : 0xFFFF) & (v == NV - 1 ? kl : 0xFFFF));
}

typedef struct window {
    int64_t y0, y1, x0, x1; /* clipped tap positions: y = y0 + i*dy < y1, likewise x */
    int64_t dy, dx;
} window;

/* NV vectors of channels, vector v at channel 16v - sh of each pixel (img: the image, out/idx:
 * the output pixel); the first vector has the lanes of kf, the last those of kl. Addresses are
 * formed as base + (offset - sh), never base - sh: see pixel(). */
SP_INLINE void block(const sp_problem *p, const float *img, float *out, int64_t *idx,
                     const window *wn, int NV, __mmask16 kf, __mmask16 kl, int64_t sh, int op, float inv)
{
    const int64_t C = p->c, w = p->w;
    __m512 m[8];
    __m512i mi[8];
    const float *f = img + ((wn->y0 * w + wn->x0) * C - sh);
    for (int v = 0; v < NV; v++) {
        m[v] = _mm512_maskz_loadu_ps(lanes(v, NV, kf, kl), f + 16 * v);
        mi[v] = _mm512_set1_epi32((int)(wn->y0 * w + wn->x0));
    }
    for (int64_t y = wn->y0; y < wn->y1; y += wn->dy) {
        for (int64_t x = y == wn->y0 ? wn->x0 + wn->dx : wn->x0; x < wn->x1; x += wn->dx) {
            const float *s = img + ((y * w + x) * C - sh);
            const __m512i at = _mm512_set1_epi32((int)(y * w + x));
            for (int v = 0; v < NV; v++) {
                __m512 t = _mm512_maskz_loadu_ps(lanes(v, NV, kf, kl), s + 16 * v);
                if (op == OP_MAXF) {
                    m[v] = _mm512_max_ps(t, m[v]);
                } else if (op != OP_MAX) {
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
        __mmask16 k = lanes(v, NV, kf, kl);
        /* Sums start from +0, as the reference's: an all -0 window sums to +0. */
        if (op == OP_SUM || op == OP_AVG) m[v] = _mm512_add_ps(m[v], _mm512_setzero_ps());
        if (op == OP_AVG) m[v] = _mm512_mul_ps(m[v], _mm512_set1_ps(inv));
        _mm512_mask_storeu_ps(out + (16 * v - sh), k, m[v]);
        if (idx) sp_store_idx(idx + (16 * v - sh), mi[v], k);
    }
}

/* d: channels are walked from d floats before the pixel (kf: the lanes of the first vector), so
 * that with C a multiple of 16 every vector lies on a 64-byte boundary (see head() below). */
SP_INLINE void pixel(const sp_problem *p, const float *img, float *out, int64_t *idx, const window *wn, int64_t d,
                     __mmask16 kf, int op, float inv)
{
    const int64_t C = p->c + d;
    int64_t c = 0;
    /* Sums and the plain max: 8 vectors a block, or the chains wait on the adds' (maxes')
     * latency; the exact step's compares keep 4 as busy. */
    if (op != OP_MAX)
        for (; c + 128 <= C; c += 128, kf = 0xFFFF)
            block(p, img, out, idx, wn, 8, kf, 0xFFFF, d - c, op, inv);
    for (; c + 64 <= C; c += 64, kf = 0xFFFF)
        block(p, img, out, idx, wn, 4, kf, 0xFFFF, d - c, op, inv);
    const int64_t r = C - c; /* 0..63 channels left: one block of ceil(r/16) vectors */
    if (r > 48)
        block(p, img, out, idx, wn, 4, kf, sp_lanes(r - 48), d - c, op, inv);
    else if (r > 32)
        block(p, img, out, idx, wn, 3, kf, sp_lanes(r - 32), d - c, op, inv);
    else if (r > 16)
        block(p, img, out, idx, wn, 2, kf, sp_lanes(r - 16), d - c, op, inv);
    else if (r > 0)
        block(p, img, out, idx, wn, 1, kf, sp_lanes(r), d - c, op, inv);
}

/* The same for the pixel whose first tap or output is the tensor's first element, where lanes
 * before the pixel would lie before the array: its first 16 - d channels are one vector from
 * the pixel itself (within the boundary's line; as the only start, this ran 0.87-0.94x as fast at
 * bench --offset 16, since the masked-off lanes past the line still cost the split), then the
 * walk goes on from the boundary. */
static void pixel_first(const sp_problem *p, const float *img, float *out, int64_t *idx, const window *wn,
                        int64_t d, int op, float inv)
{
    block(p, img, out, idx, wn, 1, 0xFFFF, sp_lanes(16 - d), 0, op, inv);
    pixel(p, img, out, idx, wn, d - 16, 0xFFFF, op, inv);
}

/* Floats past the 64-byte boundary before the input where every pixel is that far past one (C
 * a multiple of 16), else 0. Unaligned, every load of such a tensor splits two cache lines:
 * 16 bytes off, 3x3 s2 C512 14^2 / C2048 7^2 ran 1.5-1.6x the aligned time (see kernels.c). */
static int64_t head(const sp_problem *p, const float *in)
{
    const uintptr_t m = (uintptr_t)in & 63;
    return p->c % 16 == 0 && m % 4 == 0 ? (int64_t)(m / 4) : 0;
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

SP_INLINE void row(const sp_problem *p, const sp_args *a, size_t u, int want_idx, int op, int64_t d)
{
    const int64_t C = p->c;
    const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
    const float *img = a->in + n * p->h * p->w * C;
    const int64_t hs = oh * p->sh - p->pt;
    window wn;
    wn.dy = p->dh;
    wn.dx = p->dw;
    clip(hs, p->kh, p->dh, p->h, &wn.y0, &wn.y1);
    const int64_t rdiv = op == OP_AVG && !p->divisor_override ? sp_div_rows(p, hs) : 0;
    for (int64_t ow = 0; ow < p->ow; ow++) {
        const int64_t ws = ow * p->sw - p->pl, o = ((int64_t)u * p->ow + ow) * C;
        clip(ws, p->kw, p->dw, p->w, &wn.x0, &wn.x1);
        float *out = a->out + o;
        int64_t *idx = want_idx ? a->idx + o : NULL;
        if (wn.y0 >= wn.y1 || wn.x0 >= wn.x1) { /* no tap inside the input */
            const __m512 fill = _mm512_set1_ps(op == OP_SUM || op == OP_AVG ? 0.0f : -INFINITY);
            for (int64_t c = 0; c < C; c += 16) {
                _mm512_mask_storeu_ps(out + c, sp_lanes(C - c), fill);
                if (idx) sp_store_idx(idx + c, _mm512_set1_epi32(-1), sp_lanes(C - c));
            }
            continue;
        }
        /* avg: the reciprocal of the divisor, once per pixel; divisor 0 (no tap inside, the
         * reference gives 0) multiplies by 0. */
        float inv = 1.0f;
        if (op == OP_AVG) {
            const int64_t dv = p->divisor_override ? p->divisor_override : rdiv * sp_div_cols(p, ws);
            inv = dv ? 1.0f / (float)dv : 0.0f;
        }
        /* Tap and output offsets are multiples of C >= 16 > d: only 0 is too close. */
        if (!d)
            pixel(p, img, out, idx, &wn, 0, 0xFFFF, op, inv);
        else if (o && (n || wn.y0 || wn.x0))
            pixel(p, img, out, idx, &wn, d, (__mmask16)(0xFFFF << d), op, inv);
        else
            pixel_first(p, img, out, idx, &wn, d, op, inv);
    }
}

SP_INLINE void rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int want_idx, int op)
{
    const int64_t d = head(p, a->in);
    /* After a row that saw NaN the slice goes on with the exact step: NaN-dense data then costs
     * one redone row, not every row twice. */
    int exact = op != OP_MAXF;
    for (size_t u = begin; u < end; u++) {
        if (exact) {
            row(p, a, u, want_idx, op == OP_MAXF ? OP_MAX : op, d);
            continue;
        }
        const unsigned csr = sp_nan_watch();
        row(p, a, u, 0, OP_MAXF, d);
        if (sp_nan_seen(csr)) row(p, a, u, 0, OP_MAX, d), exact = 1;
    }
}

void sp_avx512_nhwc_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (p->op) {
    case SIMDPOOL_MAX:
        if (a->idx)
            rows(p, a, begin, end, 1, OP_MAX);
        else
            rows(p, a, begin, end, 0, OP_MAXF);
        break;
    case SIMDPOOL_AVG: rows(p, a, begin, end, 0, OP_AVG); break;
    default: rows(p, a, begin, end, 0, OP_SUM); break;
    }
}

/* Adaptive max: PyTorch's windows [floor(i*in/out), ceil((i+1)*in/out)) are never empty, and
 * its rule (start from -inf at the first position, take t > m or NaN) picks the same value and
 * index as taking the first tap unconditionally, which is what block() does. */
SP_INLINE void adaptive_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int want_idx)
{
    const int64_t C = p->c;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *img = a->in + n * p->h * p->w * C;
        window wn;
        wn.dy = wn.dx = 1;
        wn.y0 = sp_adaptive_start(oh, p->h, p->oh);
        wn.y1 = sp_adaptive_end(oh, p->h, p->oh);
        for (int64_t ow = 0; ow < p->ow; ow++) {
            const int64_t o = ((int64_t)u * p->ow + ow) * C;
            wn.x0 = sp_adaptive_start(ow, p->w, p->ow);
            wn.x1 = sp_adaptive_end(ow, p->w, p->ow);
            pixel(p, img, a->out + o, want_idx ? a->idx + o : NULL, &wn, 0, 0xFFFF, OP_MAX, 1.0f);
        }
    }
}

void sp_avx512_nhwc_adaptive_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (a->idx)
        adaptive_rows(p, a, begin, end, 1);
    else
        adaptive_rows(p, a, begin, end, 0);
}

/* Argmax positions y*W + x are int32 lanes. */
int sp_avx512_accepts_nhwc_generic(const sp_problem *p) { return p->h < (INT64_C(1) << 30) / p->w; }
