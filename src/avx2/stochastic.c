/* Stochastic pooling (Zeiler & Fergus), both layouts and both modes.
 *
 * Inference: sum(t^2) / sum(t), 0 when the sum is not positive. Training: the first tap whose
 * running sum exceeds u * sum(t), else the last positive tap, with u drawn per output from
 * (seed, n, c, oh, ow) by sp_stochastic_uniform's chain of splitmix64 finalisers. That chain
 * is 64-bit multiplies, which AVX2 lacks, so it runs in scalar code; but its prefix over
 * (seed, n, c, oh) is shared by a whole NCHW output row (and over (seed, n) by an NHWC
 * pixel), so the rows and NHWC paths compute the shared part once and only the rest per
 * lane. The steps are the reference's own (sp_draw_* in src/core/kernel.h), so the draws
 * are identical by construction. The sums, the target and the running sum then use the same float
 * operations in the same tap order in every lane, so the chosen tap is the reference's
 * exactly. NHWC vectorises over channels; NCHW rows with stride 1 or 2 take eight outputs'
 * taps with strided loads (padded edges with masked gathers, padding reading as +0, which
 * changes no sum), other shapes gather eight output elements at a time (see simd_more.h)
 * and call sp_stochastic_uniform per lane. */
#include "simd_more.h"

SP_INLINE __m256 infer_result(__m256 s1, __m256 s2)
{
    return _mm256_and_ps(_mm256_div_ps(s2, s1), _mm256_cmp_ps(s1, _mm256_setzero_ps(), _CMP_GT_OQ));
}

/* NHWC: NV channel vectors from channel c0 of output pixel (n, oh, ow). */
SP_INLINE void nhwc_vecs(const sp_problem *p, const float *img, float *out, const sp_win *w, int train, int NV,
                         int64_t nl, uint64_t hn, int64_t c0, int64_t oh, int64_t ow)
{
    __m256 a0[4], a1[4];
    sp_nhwc_acc(img, p->w, p->c, w, train ? SP_ACC_SUM : SP_ACC_SUM_SQ, NV, nl, a0, a1);
    if (!train) {
        for (int v = 0; v < NV; v++) sp_store(out + 8 * v, infer_result(a0[v], a1[v]), v == NV - 1 ? nl : 8);
        return;
    }
    sp_pick k[4];
    for (int v = 0; v < NV; v++) {
        float u[8] = {0};
        const int64_t m = v == NV - 1 ? nl : 8;
        for (int64_t i = 0; i < m; i++)
            u[i] = sp_draw_float(sp_draw_step(sp_draw_step(sp_draw_step(hn, c0 + 8 * v + i), oh), ow));
        sp_pick_init(&k[v], _mm256_mul_ps(_mm256_loadu_ps(u), a0[v]));
    }
    const __m256 all = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    for (int64_t y = w->y0; y < w->y1; y += w->dy) {
        for (int64_t x = w->x0; x < w->x1; x += w->dx) {
            const float *s = img + (y * p->w + x) * p->c;
            for (int v = 0; v < NV; v++)
                sp_pick_step(&k[v], v == NV - 1 ? sp_load(s + 8 * v, nl) : _mm256_loadu_ps(s + 8 * v), all);
        }
    }
    for (int v = 0; v < NV; v++) sp_store(out + 8 * v, sp_pick_result(&k[v], a0[v]), v == NV - 1 ? nl : 8);
}

SP_INLINE void nhwc_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int train)
{
    const int64_t C = p->c;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *img = a->in + n * p->h * p->w * C;
        const uint64_t hn = train ? sp_draw_step(sp_draw_seed(p->seed), n) : 0;
        sp_win w;
        sp_win_rows(p, oh, &w);
        for (int64_t ow = 0; ow < p->ow; ow++) {
            sp_win_cols(p, ow, &w);
            float *out = a->out + ((int64_t)u * p->ow + ow) * C;
            int64_t c = 0;
            for (; c + 32 <= C; c += 32) nhwc_vecs(p, img + c, out + c, &w, train, 4, 8, hn, c, oh, ow);
            for (; c + 8 <= C; c += 8) nhwc_vecs(p, img + c, out + c, &w, train, 1, 8, hn, c, oh, ow);
            if (c < C) nhwc_vecs(p, img + c, out + c, &w, train, 1, C - c, hn, c, oh, ow);
        }
    }
}

void sp_avx2_nhwc_stochastic(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->stochastic_mode == SIMDPOOL_STOCHASTIC_TRAIN)
        nhwc_rows(p, a, begin, end, 1);
    else
        nhwc_rows(p, a, begin, end, 0);
}

/* NCHW output elements [e0, e1) through the gather lanes. */
SP_INLINE void gather_span(const sp_problem *p, const sp_args *a, const sp_cols *cols, int64_t e0, int64_t e1, int train)
{
    const __m256i dx = _mm256_set1_epi32((int)p->dw);
    for (int64_t e = e0; e < e1; e += 8) {
        const int nl = e1 - e < 8 ? (int)(e1 - e) : 8;
        sp_lanes l;
        sp_lanes_init(p, a->in, cols, e, nl, &l);
        const __m256i off0 = l.off;
        __m256 s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps();
        for (int64_t k = 0; k < l.maxtaps; k++) {
            const __m256 t = sp_lanes_gather(&l, sp_lanes_active(&l, k));
            s1 = _mm256_add_ps(s1, t); /* inactive lanes add +0 */
            if (!train) s2 = _mm256_add_ps(s2, _mm256_mul_ps(t, t));
            sp_lanes_next(&l, dx);
        }
        if (!train) {
            sp_store(a->out + e, infer_result(s1, s2), nl);
            continue;
        }
        float u[8] = {0};
        for (int i = 0; i < nl; i++)
            u[i] = sp_stochastic_uniform(p->seed, l.u[i] / p->c, l.u[i] % p->c, l.oh[i], l.ow[i]);
        sp_pick k;
        sp_pick_init(&k, _mm256_mul_ps(_mm256_loadu_ps(u), s1));
        sp_lanes_rewind(&l, off0);
        for (int64_t j = 0; j < l.maxtaps; j++) {
            const __m256 act = sp_lanes_active(&l, j);
            sp_pick_step(&k, sp_lanes_gather(&l, act), act);
            sp_lanes_next(&l, dx);
        }
        sp_store(a->out + e, sp_pick_result(&k, s1), nl);
    }
}

void sp_avx2_nchw_stochastic_gather(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t ohw = p->oh * p->ow;
    sp_cols cols;
    sp_cols_init(p, &cols);
    if (p->stochastic_mode == SIMDPOOL_STOCHASTIC_TRAIN)
        gather_span(p, a, &cols, (int64_t)begin * ohw, (int64_t)end * ohw, 1);
    else
        gather_span(p, a, &cols, (int64_t)begin * ohw, (int64_t)end * ohw, 0);
}

SP_INLINE void nchw_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int train)
{
    sp_rowgeo g;
    sp_rowgeo_init(p, &g);
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->c, c = (int64_t)u % p->c;
        const float *plane = a->in + (int64_t)u * p->h * p->w;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            const int64_t e = ((int64_t)u * p->oh + oh) * p->ow;
            const uint64_t hr = train ? sp_draw_step(sp_draw_step(sp_draw_step(sp_draw_seed(p->seed), n), c), oh) : 0;
            sp_win w;
            sp_win_rows(p, oh, &w);
            for (int64_t ow = 0; ow < p->ow; ow += 8) {
                const int64_t m = p->ow - ow < 8 ? p->ow - ow : 8;
                const int edge = ow < g.owL || ow + m > g.owR;
                __m256 s1, s2;
                if (edge)
                    sp_row_acc_edge(plane, p->w, &w, &g, ow, m, train ? SP_ACC_SUM : SP_ACC_SUM_SQ, &s1, &s2, NULL);
                else
                    sp_row_acc(plane, p->w, &w, &g, ow, m, train ? SP_ACC_SUM : SP_ACC_SUM_SQ, &s1, &s2, NULL);
                if (!train) {
                    sp_store(a->out + e + ow, infer_result(s1, s2), m);
                    continue;
                }
                float r[8] = {0};
                for (int64_t i = 0; i < m; i++) r[i] = sp_draw_float(sp_draw_step(hr, ow + i));
                sp_pick k;
                sp_pick_init(&k, _mm256_mul_ps(_mm256_loadu_ps(r), s1));
                if (edge)
                    sp_row_acc_edge(plane, p->w, &w, &g, ow, m, SP_ACC_PICK, &s2, &s2, &k);
                else
                    sp_row_acc(plane, p->w, &w, &g, ow, m, SP_ACC_PICK, &s2, &s2, &k);
                sp_store(a->out + e + ow, sp_pick_result(&k, s1), m);
            }
        }
    }
}

void sp_avx2_nchw_stochastic_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->stochastic_mode == SIMDPOOL_STOCHASTIC_TRAIN)
        nchw_rows(p, a, begin, end, 1);
    else
        nchw_rows(p, a, begin, end, 0);
}

int sp_avx2_accepts_nchw_stochastic_gather(const sp_problem *p) { return sp_lanes_fit(p); }
int sp_avx2_accepts_nchw_stochastic_rows(const sp_problem *p)
{
    sp_rowgeo g;
    return sp_lanes_fit(p) && sp_rowgeo_init(p, &g);
}
