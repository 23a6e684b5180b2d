/* Adaptive avg / max (PyTorch's window rule), both layouts.
 *
 * NHWC vectorises over channels (32, then 8, then a masked tail), one window per output
 * pixel. NCHW average mostly runs the separable kernel in adaptive_avg.c (faster, sums equal
 * within rounding); what it does not accept, and all of max, take one of three paths here:
 * output 1 x 1 transposes eight planes into the lanes; windows k x k with stride k (in a
 * multiple of out, k = 1 or 2 along rows, as 14x14 -> 7x7) take eight outputs' taps with
 * strided loads; any other shape makes eight consecutive output elements the lanes of a
 * gather walk (see simd_more.h). All of them visit each window's
 * taps in row-major order with the reference's steps, so avg sums, max values and argmax
 * indices equal scalar's bit for bit. */
#include "simd_more.h"

/* Output pixel: NV channel vectors at channel offset c0. */
SP_INLINE void nhwc_vecs(const sp_problem *p, const float *img, float *out, int64_t *idx, const sp_win *w,
                         int mode, int NV, int64_t nl, __m256 div)
{
    __m256 a0[4], a1[4];
    sp_nhwc_acc(img, p->w, p->c, w, mode, NV, nl, a0, a1);
    for (int v = 0; v < NV; v++) {
        const int64_t n = v == NV - 1 ? nl : 8;
        sp_store(out + 8 * v, mode == SP_ACC_SUM ? _mm256_div_ps(a0[v], div) : a0[v], n);
        if (idx) sp_store_idx(idx + 8 * v, _mm256_castps_si256(a1[v]), n);
    }
}

/* Large windows over many channels (7x7 -> 1x1 at C = 2048): walking one channel block
 * through every tap strides C*4 bytes per step, and with dozens of taps those lines collide
 * in the same L1 sets, which the add chain of avg feels (max hides it; measured 1.7x for
 * avg, no change for max). Here the output pixel is the accumulator instead and every tap
 * streams across all channels; each channel still sees its taps in row-major order with the
 * same step, starting from the same +0 / -inf. Below C = 1024 (pixels under 4 KiB apart) the
 * sets collide far less and the register accumulators win up to 64 taps (C512 28->7 22 us
 * against 32, C256 56->7 55 against 65; C2048 7->1 is 7.5 us here against 21). */
SP_INLINE void nhwc_wide(const sp_problem *p, const float *img, float *out, const sp_win *w, int mode, __m256 div)
{
    const int64_t C = p->c;
    const __m256 init = mode == SP_ACC_SUM ? _mm256_setzero_ps() : _mm256_set1_ps(-INFINITY);
    for (int64_t y = w->y0; y < w->y1; y++) {
        for (int64_t x = w->x0; x < w->x1; x++) {
            const float *s = img + (y * p->w + x) * C;
            const int first = y == w->y0 && x == w->x0;
            for (int64_t c = 0; c < C; c += 8) {
                const int64_t n = C - c;
                const __m256 o = first ? init : sp_load(out + c, n), t = sp_load(s + c, n);
                sp_store(out + c, mode == SP_ACC_SUM ? _mm256_add_ps(o, t) : sp_maxnan(o, t), n);
            }
        }
    }
    if (mode == SP_ACC_SUM)
        for (int64_t c = 0; c < C; c += 8) sp_store(out + c, _mm256_div_ps(sp_load(out + c, C - c), div), C - c);
}

SP_INLINE void nhwc_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int mode)
{
    const int64_t C = p->c;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *img = a->in + n * p->h * p->w * C;
        sp_win w;
        sp_win_rows(p, oh, &w);
        for (int64_t ow = 0; ow < p->ow; ow++) {
            sp_win_cols(p, ow, &w);
            const int64_t o = ((int64_t)u * p->ow + ow) * C;
            const __m256 div = _mm256_set1_ps((float)((w.y1 - w.y0) * (w.x1 - w.x0)));
            float *out = a->out + o;
            int64_t *idx = mode == SP_ACC_MAXI ? a->idx + o : NULL;
            if (mode == SP_ACC_SUM && C >= 256 && (w.y1 - w.y0) * (w.x1 - w.x0) > (C >= 1024 ? 8 : 64)) {
                nhwc_wide(p, img, out, &w, mode, div);
                continue;
            }
            int64_t c = 0;
            for (; c + 32 <= C; c += 32)
                nhwc_vecs(p, img + c, out + c, idx ? idx + c : NULL, &w, mode, 4, 8, div);
            for (; c + 8 <= C; c += 8) nhwc_vecs(p, img + c, out + c, idx ? idx + c : NULL, &w, mode, 1, 8, div);
            if (c < C) nhwc_vecs(p, img + c, out + c, idx ? idx + c : NULL, &w, mode, 1, C - c, div);
        }
    }
}

void sp_avx2_nhwc_adaptive(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_ADAPTIVE_AVG)
        nhwc_rows(p, a, begin, end, SP_ACC_SUM);
    else if (a->idx)
        nhwc_rows(p, a, begin, end, SP_ACC_MAXI);
    else
        nhwc_rows(p, a, begin, end, SP_ACC_MAX);
}

/* NCHW output elements [e0, e1) through the gather lanes. */
SP_INLINE void gather_span(const sp_problem *p, const sp_args *a, const sp_cols *cols, int64_t e0, int64_t e1, int mode)
{
    const __m256i one = _mm256_set1_epi32(1);
    for (int64_t e = e0; e < e1; e += 8) {
        const int nl = e1 - e < 8 ? (int)(e1 - e) : 8;
        sp_lanes l;
        sp_lanes_init(p, a->in, cols, e, nl, &l);
        __m256 acc = mode == SP_ACC_SUM ? _mm256_setzero_ps() : _mm256_set1_ps(-INFINITY);
        __m256i mi = _mm256_sub_epi32(l.off, l.plane);
        for (int64_t k = 0; k < l.maxtaps; k++) {
            const __m256 act = sp_lanes_active(&l, k);
            const __m256 t = sp_lanes_gather(&l, act);
            if (mode == SP_ACC_SUM) {
                acc = _mm256_add_ps(acc, t); /* inactive lanes add +0 to a sum that is never -0 */
            } else if (mode == SP_ACC_MAX) {
                acc = _mm256_blendv_ps(acc, sp_maxnan(acc, t), act);
            } else {
                const __m256 tk = _mm256_and_ps(sp_takes(acc, t), act);
                acc = _mm256_blendv_ps(acc, t, tk);
                mi = _mm256_castps_si256(_mm256_blendv_ps(
                    _mm256_castsi256_ps(mi), _mm256_castsi256_ps(_mm256_sub_epi32(l.off, l.plane)), tk));
            }
            sp_lanes_next(&l, one);
        }
        if (mode == SP_ACC_SUM) acc = _mm256_div_ps(acc, _mm256_cvtepi32_ps(l.ntaps));
        sp_store(a->out + e, acc, nl);
        if (mode == SP_ACC_MAXI) sp_store_idx(a->idx + e, mi, nl);
    }
}

static int mode_of(const sp_problem *p, const sp_args *a)
{
    return p->op == SIMDPOOL_ADAPTIVE_AVG ? SP_ACC_SUM : a->idx ? SP_ACC_MAXI : SP_ACC_MAX;
}

void sp_avx2_nchw_adaptive_gather(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t ohw = p->oh * p->ow, e0 = (int64_t)begin * ohw, e1 = (int64_t)end * ohw;
    sp_cols cols;
    sp_cols_init(p, &cols);
    switch (mode_of(p, a)) {
    case SP_ACC_SUM: gather_span(p, a, &cols, e0, e1, SP_ACC_SUM); break;
    case SP_ACC_MAX: gather_span(p, a, &cols, e0, e1, SP_ACC_MAX); break;
    default: gather_span(p, a, &cols, e0, e1, SP_ACC_MAXI); break;
    }
}

/* Windows kh x kw with stride kh x kw, kw = 1 or 2: no edges, every output is interior. The
 * window rows are oh*kh .. +kh without the adaptive rule's divisions; K (2 or 0 = any) lets
 * the compiler unroll the common 2-wide rows. */
SP_INLINE void nchw_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int mode, int K)
{
    sp_rowgeo g;
    sp_rowgeo_init(p, &g);
    if (K) g.kw = g.sw = K;
    const int64_t kh = p->h / p->oh;
    const __m256 div = _mm256_set1_ps((float)(kh * g.kw));
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * p->h * p->w;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            const int64_t e = ((int64_t)u * p->oh + oh) * p->ow;
            const sp_win w = {oh * kh, oh * kh + kh, 1, 0, 0, 1};
            for (int64_t ow = 0; ow < p->ow; ow += 8) {
                const int64_t n = p->ow - ow < 8 ? p->ow - ow : 8;
                __m256 a0, a1;
                sp_row_acc(plane, p->w, &w, &g, ow, n, mode, &a0, &a1, NULL);
                sp_store(a->out + e + ow, mode == SP_ACC_SUM ? _mm256_div_ps(a0, div) : a0, n);
                if (mode == SP_ACC_MAXI) sp_store_idx(a->idx + e + ow, _mm256_castps_si256(a1), n);
            }
        }
    }
}

SP_INLINE void nchw_rows_k(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int mode)
{
    if (p->w == 2 * p->ow)
        nchw_rows(p, a, begin, end, mode, 2);
    else
        nchw_rows(p, a, begin, end, mode, 0);
}

void sp_avx2_nchw_adaptive_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (mode_of(p, a)) {
    case SP_ACC_SUM: nchw_rows_k(p, a, begin, end, SP_ACC_SUM); break;
    case SP_ACC_MAX: nchw_rows_k(p, a, begin, end, SP_ACC_MAX); break;
    default: nchw_rows_k(p, a, begin, end, SP_ACC_MAXI); break;
    }
}

/* Output 1 x 1: each window is a whole plane. Eight planes become the eight lanes: eight
 * positions of each are loaded and transposed, so every lane then runs through its plane
 * position by position with the reference's step, exactly. */
SP_INLINE void nchw_1x1(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int mode)
{
    const int64_t hw = p->h * p->w;
    const __m256 div = _mm256_set1_ps((float)hw);
    for (int64_t u = (int64_t)begin; u < (int64_t)end; u += 8) {
        const int np = (int64_t)end - u < 8 ? (int)((int64_t)end - u) : 8;
        const float *x = a->in + u * hw;
        __m256 acc = mode == SP_ACC_SUM ? _mm256_setzero_ps() : _mm256_set1_ps(-INFINITY);
        __m256i mi = _mm256_setzero_si256();
        for (int64_t i0 = 0; i0 < hw; i0 += 8) {
            const int64_t m = hw - i0 < 8 ? hw - i0 : 8;
            __m256 r[8];
            for (int i = 0; i < 8; i++) r[i] = i < np ? sp_load(x + i * hw + i0, m) : _mm256_setzero_ps();
            sp_transpose8(r);
            for (int q = 0; q < m; q++) {
                if (mode == SP_ACC_SUM) {
                    acc = _mm256_add_ps(acc, r[q]);
                } else if (mode == SP_ACC_MAX) {
                    acc = sp_maxnan(acc, r[q]);
                } else {
                    const __m256 tk = sp_takes(acc, r[q]);
                    acc = _mm256_blendv_ps(acc, r[q], tk);
                    mi = _mm256_castps_si256(_mm256_blendv_ps(
                        _mm256_castsi256_ps(mi), _mm256_castsi256_ps(_mm256_set1_epi32((int)(i0 + q))), tk));
                }
            }
        }
        sp_store(a->out + u, mode == SP_ACC_SUM ? _mm256_div_ps(acc, div) : acc, np);
        if (mode == SP_ACC_MAXI) sp_store_idx(a->idx + u, mi, np);
    }
}

void sp_avx2_nchw_adaptive_1x1(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (mode_of(p, a)) {
    case SP_ACC_SUM: nchw_1x1(p, a, begin, end, SP_ACC_SUM); break;
    case SP_ACC_MAX: nchw_1x1(p, a, begin, end, SP_ACC_MAX); break;
    default: nchw_1x1(p, a, begin, end, SP_ACC_MAXI); break;
    }
}

/* Tap positions y*W + x are int32 lanes (and, in NCHW, gather offsets over eight planes). */
int sp_avx2_accepts_nhwc_adaptive(const sp_problem *p) { return p->h < (INT64_C(1) << 30) / p->w; }
int sp_avx2_accepts_nchw_adaptive_gather(const sp_problem *p) { return sp_lanes_fit(p); }
int sp_avx2_accepts_nchw_adaptive_rows(const sp_problem *p)
{
    sp_rowgeo g;
    return sp_lanes_fit(p) && sp_rowgeo_init(p, &g);
}
int sp_avx2_accepts_nchw_adaptive_1x1(const sp_problem *p)
{
    return p->oh == 1 && p->ow == 1 && p->h < (INT64_C(1) << 30) / p->w;
}
