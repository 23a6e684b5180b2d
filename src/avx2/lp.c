/* Lp pooling for p = 1 and p = 2, both layouts: PyTorch's (avg_pool(x^p) * kh*kw)^(1/p), with
 * the average over the taps inside the input. Other p need powf per tap and stay with
 * scalar (the accept rule says so).
 *
 * NHWC vectorises over channels. NCHW rows with stride 1 or 2 take eight outputs' taps with
 * strided loads; other shapes and the padded edges gather eight output elements at a time
 * (see simd_more.h). Taps are summed in row-major order and finished with the reference's
 * divide, multiply and square root, so the results equal scalar's. */
#include "simd_more.h"

SP_INLINE __m256 finish(__m256 s, __m256 count, __m256 kk, int sq)
{
    __m256 r = _mm256_mul_ps(_mm256_div_ps(s, count), kk);
    return sq ? _mm256_sqrt_ps(r) : r;
}

SP_INLINE void nhwc_vecs(const sp_problem *p, const float *img, float *out, const sp_win *w, int sq, int NV,
                         int64_t nl, __m256 count, __m256 kk)
{
    __m256 a0[4], a1[4];
    sp_nhwc_acc(img, p->w, p->c, w, sq ? SP_ACC_SQ : SP_ACC_SUM, NV, nl, a0, a1);
    for (int v = 0; v < NV; v++) sp_store(out + 8 * v, finish(a0[v], count, kk, sq), v == NV - 1 ? nl : 8);
}

SP_INLINE void nhwc_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int sq)
{
    const int64_t C = p->c;
    const __m256 kk = _mm256_set1_ps((float)(p->kh * p->kw));
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *img = a->in + n * p->h * p->w * C;
        sp_win w;
        sp_win_rows(p, oh, &w);
        for (int64_t ow = 0; ow < p->ow; ow++) {
            sp_win_cols(p, ow, &w);
            const __m256 count = _mm256_set1_ps((float)sp_win_taps(&w));
            float *out = a->out + ((int64_t)u * p->ow + ow) * C;
            int64_t c = 0;
            for (; c + 32 <= C; c += 32) nhwc_vecs(p, img + c, out + c, &w, sq, 4, 8, count, kk);
            for (; c + 8 <= C; c += 8) nhwc_vecs(p, img + c, out + c, &w, sq, 1, 8, count, kk);
            if (c < C) nhwc_vecs(p, img + c, out + c, &w, sq, 1, C - c, count, kk);
        }
    }
}

void sp_avx2_nhwc_lp(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->p == 2.0f)
        nhwc_rows(p, a, begin, end, 1);
    else
        nhwc_rows(p, a, begin, end, 0);
}

/* NCHW output elements [e0, e1) through the gather lanes. */
SP_INLINE void gather_span(const sp_problem *p, const sp_args *a, const sp_cols *cols, int64_t e0, int64_t e1, int sq, __m256 kk)
{
    const __m256i dx = _mm256_set1_epi32((int)p->dw);
    for (int64_t e = e0; e < e1; e += 8) {
        const int nl = e1 - e < 8 ? (int)(e1 - e) : 8;
        sp_lanes l;
        sp_lanes_init(p, a->in, cols, e, nl, &l);
        __m256 s = _mm256_setzero_ps();
        for (int64_t k = 0; k < l.maxtaps; k++) {
            const __m256 t = sp_lanes_gather(&l, sp_lanes_active(&l, k));
            s = _mm256_add_ps(s, sq ? _mm256_mul_ps(t, t) : t); /* inactive lanes add +0 */
            sp_lanes_next(&l, dx);
        }
        sp_store(a->out + e, finish(s, _mm256_cvtepi32_ps(l.ntaps), kk, sq), nl);
    }
}

SP_INLINE void nchw_gather(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int sq)
{
    const int64_t ohw = p->oh * p->ow;
    sp_cols cols;
    sp_cols_init(p, &cols);
    gather_span(p, a, &cols, (int64_t)begin * ohw, (int64_t)end * ohw, sq, _mm256_set1_ps((float)(p->kh * p->kw)));
}

void sp_avx2_nchw_lp_gather(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->p == 2.0f)
        nchw_gather(p, a, begin, end, 1);
    else
        nchw_gather(p, a, begin, end, 0);
}

SP_INLINE void nchw_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int sq)
{
    sp_rowgeo g;
    sp_rowgeo_init(p, &g);
    const __m256 kk = _mm256_set1_ps((float)(p->kh * p->kw));
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * p->h * p->w;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            const int64_t e = ((int64_t)u * p->oh + oh) * p->ow;
            sp_win w;
            sp_win_rows(p, oh, &w);
            gather_span(p, a, NULL, e, e + g.owL, sq, kk);
            const __m256 count = _mm256_set1_ps((float)(((w.y1 - w.y0 + w.dy - 1) / w.dy) * g.kw));
            for (int64_t ow = g.owL; ow < g.owR; ow += 8) {
                const int64_t n = g.owR - ow < 8 ? g.owR - ow : 8;
                __m256 s, unused;
                sp_row_acc(plane, p->w, &w, &g, ow, n, sq ? SP_ACC_SQ : SP_ACC_SUM, &s, &unused, NULL);
                sp_store(a->out + e + ow, finish(s, count, kk, sq), n);
            }
            gather_span(p, a, NULL, e + g.owR, e + p->ow, sq, kk);
        }
    }
}

void sp_avx2_nchw_lp_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->p == 2.0f)
        nchw_rows(p, a, begin, end, 1);
    else
        nchw_rows(p, a, begin, end, 0);
}

static int p12(const sp_problem *p) { return p->p == 1.0f || p->p == 2.0f; }
int sp_avx2_accepts_nhwc_lp(const sp_problem *p) { return p12(p); }
int sp_avx2_accepts_nchw_lp_gather(const sp_problem *p) { return p12(p) && sp_lanes_fit(p); }
int sp_avx2_accepts_nchw_lp_rows(const sp_problem *p)
{
    sp_rowgeo g;
    return p12(p) && sp_lanes_fit(p) && sp_rowgeo_init(p, &g);
}
