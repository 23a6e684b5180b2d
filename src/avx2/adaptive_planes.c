/* NCHW adaptive max (values and indices), and average where the separable kernel does not
 * apply: eight planes are the eight lanes. For each input row a block of outputs needs, eight
 * columns of each of the eight planes are loaded and transposed, once, into a row of vectors
 * T[x] (column x of the eight planes); every window of the block then takes its taps from T
 * with plain loads. The input streams in order, the transpose is paid once per input element
 * (not once per window that overlaps it), and the block's outputs interleave their dependency
 * chains. At the end eight outputs are transposed back, so each plane stores consecutive
 * outputs. (The idea is the NEON kernel's, src/neon/adaptive_nchw_planes.c, with the row
 * transposed once instead of per window: an 8x8 transpose costs too much to repeat.)
 *
 * Every lane walks its window in row-major order with the reference's step: avg adds from +0
 * and divides once by the window's size; max starts at -inf with the window's first index and
 * takes a tap that is greater or NaN. Values and indices are scalar's bit for bit. */
#include "simd_more.h"

#define SPAN 256 /* input columns transposed at a time (8 KiB of vectors) */
#define BLK 64   /* outputs per block */

enum { P_AVG, P_MAX, P_MAXI };

/* T[x - xs] = column x of the row at `row` in the np planes hw apart, for x in [xs, xe). Loads
 * never pass the row's end W; lanes of planes past np are zero. */
SP_INLINE void transpose_row(const float *row, int64_t hw, int64_t W, int64_t xs, int64_t xe, int np, __m256 *T)
{
    for (int64_t c = xs; c < xe; c += 8) {
        const int64_t n = W - c;
        __m256 r[8];
        for (int k = 0; k < 8; k++) r[k] = k < np ? sp_load(row + k * hw + c, n) : _mm256_setzero_ps();
        sp_transpose8(r);
        for (int q = 0; q < 8; q++) T[c - xs + q] = r[q];
    }
}

/* The first n lanes of v to dst. Scalar stores past a full vector: masked stores are slow on
 * AMD, and with a 7-wide output row every store is a tail. */
SP_INLINE void store_n(float *dst, __m256 v, int n)
{
    if (n == 8) {
        _mm256_storeu_ps(dst, v);
        return;
    }
    float t[8];
    _mm256_storeu_ps(t, v);
    for (int i = 0; i < n; i++) dst[i] = t[i];
}

SP_INLINE void planes8(const sp_problem *p, const sp_args *a, const sp_ageo *g, int64_t u, int np, const int KIND)
{
    const int64_t W = p->w, hw = p->h * W, OW = p->ow, ohw = p->oh * OW;
    const float *x = a->in + u * hw;
    __m256 T[SPAN + 8], m[BLK];
    __m256i mi[BLK];
    for (int64_t oh = 0; oh < p->oh; oh++) {
        const int64_t h0 = g->y0[oh], h1 = g->y1[oh];
        for (int64_t ob = 0, oe; ob < OW; ob = oe) {
            oe = g->next[ob];
            const int nb = (int)(oe - ob);
            const int64_t xs = g->x0[ob], xe = g->x1[oe - 1];
            for (int j = 0; j < nb; j++) {
                m[j] = _mm256_set1_ps(KIND == P_AVG ? 0.0f : -INFINITY);
                mi[j] = _mm256_set1_epi32((int32_t)(h0 * W + g->x0[ob + j]));
            }
            for (int64_t y = h0; y < h1; y++) {
                transpose_row(x + y * W, hw, W, xs, xe, np, T);
                for (int j = 0; j < nb; j++) {
                    const int64_t j0 = g->x0[ob + j], j1 = g->x1[ob + j];
                    for (int64_t c = j0; c < j1; c++) {
                        const __m256 t = T[c - xs];
                        if (KIND == P_AVG) {
                            m[j] = _mm256_add_ps(m[j], t);
                        } else if (KIND == P_MAX) {
                            m[j] = sp_maxnan(m[j], t);
                        } else {
                            const __m256 tk = sp_takes(m[j], t);
                            m[j] = _mm256_blendv_ps(m[j], t, tk);
                            mi[j] = _mm256_castps_si256(_mm256_blendv_ps(
                                _mm256_castsi256_ps(mi[j]), _mm256_castsi256_ps(_mm256_set1_epi32((int32_t)(y * W + c))), tk));
                        }
                    }
                }
            }
            for (int j = 0; j < nb; j += 8) {
                const int nw = nb - j < 8 ? nb - j : 8;
                __m256 r[8], ri[8];
                for (int q = 0; q < 8; q++) {
                    r[q] = q < nw ? m[j + q] : _mm256_setzero_ps();
                    if (KIND == P_AVG && q < nw) /* the reference's one divide by the window's size */
                        r[q] = _mm256_div_ps(r[q], _mm256_set1_ps((float)((h1 - h0) * (g->x1[ob + j + q] - g->x0[ob + j + q]))));
                    if (KIND == P_MAXI) ri[q] = q < nw ? _mm256_castsi256_ps(mi[j + q]) : _mm256_setzero_ps();
                }
                sp_transpose8(r);
                if (KIND == P_MAXI) sp_transpose8(ri);
                const int64_t e = u * ohw + oh * OW + ob + j;
                for (int k = 0; k < np; k++) {
                    store_n(a->out + e + k * ohw, r[k], nw);
                    if (KIND == P_MAXI) sp_store_idx(a->idx + e + k * ohw, _mm256_castps_si256(ri[k]), nw);
                }
            }
        }
    }
}

SP_INLINE void slice(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const int KIND)
{
    sp_ageo g;
    sp_ageo_init(p, &g, SPAN, BLK);
    for (int64_t u = (int64_t)begin; u < (int64_t)end; u += 8) {
        const int np = (int64_t)end - u < 8 ? (int)((int64_t)end - u) : 8;
        planes8(p, a, &g, u, np, KIND);
    }
}

void sp_avx2_nchw_adaptive_planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_ADAPTIVE_AVG)
        slice(p, a, begin, end, P_AVG);
    else if (a->idx)
        slice(p, a, begin, end, P_MAXI);
    else
        slice(p, a, begin, end, P_MAX);
}

/* Window tables on the stack, the widest window within a span, int32 indices. */
int sp_avx2_accepts_nchw_adaptive_planes(const sp_problem *p)
{
    return p->oh <= SP_AGEO && p->ow <= SP_AGEO && p->w / p->ow + 2 <= SPAN && p->h < (INT64_C(1) << 30) / p->w;
}

/* Average: the separable kernel (adaptive_avg.c) is faster from 14x14 up (C512 28->7 84 us
 * against 110 here, 224->7 273 against 494), this one on small maps, where the separable
 * kernel's per-row work dominates (C512 7x7 -> 6x6 24 us against 45). 1 x 1 windows stay a
 * copy there. */
int sp_avx2_accepts_nchw_adaptive_avg_planes(const sp_problem *p)
{
    return p->h * p->w <= 12 * 12 && !(p->h == p->oh && p->w == p->ow) && sp_avx2_accepts_nchw_adaptive_planes(p);
}
