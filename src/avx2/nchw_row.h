/* Pieces shared by the NCHW kernels: the geometry of one output row and the exact edge path.
 *
 * An output row is split into interior vectors, whose real lanes (< n) only touch taps
 * inside the row, and edge vectors (left padding, right padding, ceil-mode overhang). Edge
 * vectors run here with masked loads and the reference's step, including its rule that the
 * first in-bounds tap is taken whatever its value; they are at most a couple per row. */
#ifndef SP_AVX2_NCHW_ROW_H
#define SP_AVX2_NCHW_ROW_H

#include "simd.h"

enum { OP_MAX, OP_SUM, OP_AVG };

typedef struct row_geo {
    int64_t hs, ky0, ky1;  /* window start row, in-bounds taps ky0 <= ky < ky1 */
    int64_t owL, owR;      /* interior outputs [owL, owR) */
    int64_t rows_div;      /* avg: the row factor of the divisor (0 with an override) */
} row_geo;

SP_INLINE void row_setup(const sp_problem *p, int64_t oh, int64_t KH, int64_t KW, int64_t SW, int64_t DH,
                         int64_t DW, row_geo *g)
{
    g->hs = oh * p->sh - p->pt;
    g->ky0 = g->hs < 0 ? (-g->hs + DH - 1) / DH : 0;
    g->ky1 = p->h > g->hs ? (p->h - g->hs + DH - 1) / DH : 0;
    if (g->ky1 > KH) g->ky1 = KH;
    g->owL = (p->pl + SW - 1) / SW;
    const int64_t span = p->w - 1 + p->pl - (KW - 1) * DW;
    g->owR = span >= 0 ? span / SW + 1 : 0;
    if (g->owR > p->ow) g->owR = p->ow;
    g->rows_div = p->op == SIMDPOOL_AVG && !p->divisor_override ? sp_div_rows(p, g->hs) : 0;
}

/* A row whose window has no in-bounds row: -inf / index -1 for max, 0 for avg and sum. */
static inline void empty_row(const sp_problem *p, float *out, int64_t *idx, int op)
{
    for (int64_t ow = 0; ow < p->ow; ow++) {
        out[ow] = op == OP_MAX ? -INFINITY : 0.0f;
        if (idx) idx[ow] = -1;
    }
}

/* Taps r[x + i*SW] for lanes i with ok set; other lanes 0. No access outside ok lanes. */
SP_INLINE __m256 edge_load(const float *r, int64_t x, int64_t w, int64_t SW, __m256i ok)
{
    if (SW == 1) return _mm256_maskload_ps(r + x, ok);
    if (SW == 2) {
        /* Elements x .. x+15 that lie in the row: both parities, so the loads stay in bounds. */
        __m256i e0 = _mm256_add_epi32(sp_iota(), _mm256_set1_epi32((int)x));
        __m256i e1 = _mm256_add_epi32(e0, _mm256_set1_epi32(8));
        __m256i wv = _mm256_set1_epi32((int)w), neg1 = _mm256_set1_epi32(-1);
        __m256i m0 = _mm256_and_si256(_mm256_cmpgt_epi32(e0, neg1), _mm256_cmpgt_epi32(wv, e0));
        __m256i m1 = _mm256_and_si256(_mm256_cmpgt_epi32(e1, neg1), _mm256_cmpgt_epi32(wv, e1));
        __m256 v = _mm256_shuffle_ps(_mm256_maskload_ps(r + x, m0), _mm256_maskload_ps(r + x + 8, m1), 0x88);
        v = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8));
        return _mm256_and_ps(v, _mm256_castsi256_ps(ok));
    }
    int32_t okv[8];
    float t[8];
    _mm256_storeu_si256((__m256i *)okv, ok);
    for (int i = 0; i < 8; i++) t[i] = okv[i] ? r[x + i * SW] : 0.0f;
    return _mm256_loadu_ps(t);
}

/* Outputs [ow0, ow0+n) of one row, any lane may have taps outside the row. */
SP_INLINE void edge_vec(const sp_problem *p, const float *plane, float *out, int64_t *idx, const row_geo *g,
                        int64_t ow0, int64_t n, int op, int64_t KW, int64_t SW, int64_t DH, int64_t DW)
{
    const int64_t w = p->w, x0 = ow0 * SW - p->pl;
    const __m256i sidx = _mm256_mullo_epi32(sp_iota(), _mm256_set1_epi32((int)SW));
    const __m256i lanes = sp_mask(n);
    const __m256i wv = _mm256_set1_epi32((int)w), neg1 = _mm256_set1_epi32(-1);
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    __m256 m = op == OP_MAX ? ninf : _mm256_setzero_ps(), have = _mm256_setzero_ps();
    __m256i mi = neg1;
    for (int64_t ky = g->ky0; ky < g->ky1; ky++) {
        const int64_t y = g->hs + ky * DH;
        const float *r = plane + y * w;
        for (int64_t kx = 0; kx < KW; kx++) {
            const int64_t x = x0 + kx * DW;
            __m256i xs = _mm256_add_epi32(sidx, _mm256_set1_epi32((int)x));
            __m256i ok = _mm256_and_si256(
                _mm256_and_si256(_mm256_cmpgt_epi32(xs, neg1), _mm256_cmpgt_epi32(wv, xs)), lanes);
            __m256 okf = _mm256_castsi256_ps(ok);
            __m256 v = edge_load(r, x, w, SW, ok);
            if (op != OP_MAX) {
                m = _mm256_add_ps(m, v);
                continue;
            }
            v = _mm256_blendv_ps(ninf, v, okf);
            /* The first valid tap is taken whatever its value (the reference's mi < 0). */
            __m256 t = _mm256_or_ps(sp_takes(m, v), _mm256_andnot_ps(have, okf));
            have = _mm256_or_ps(have, okf);
            m = _mm256_blendv_ps(m, v, t);
            if (idx) {
                __m256i at = _mm256_add_epi32(xs, _mm256_set1_epi32((int)(y * w)));
                mi = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(mi), _mm256_castsi256_ps(at), t));
            }
        }
    }
    if (op == OP_AVG) {
        __m256 dv;
        if (p->divisor_override) {
            dv = _mm256_set1_ps((float)p->divisor_override);
        } else if (DW == 1) {
            /* Column taps inside [lo, hi) of the window starting at s: clamp(hi-s) - clamp(lo-s). */
            const int64_t lo = p->count_include_pad ? -p->pl : 0, hi = p->count_include_pad ? w + p->pr : w;
            const __m256i s = _mm256_add_epi32(sidx, _mm256_set1_epi32((int)x0));
            const __m256i zero = _mm256_setzero_si256(), kw = _mm256_set1_epi32((int)KW);
            __m256i a = _mm256_min_epi32(_mm256_max_epi32(_mm256_sub_epi32(_mm256_set1_epi32((int)hi), s), zero), kw);
            __m256i b = _mm256_min_epi32(_mm256_max_epi32(_mm256_sub_epi32(_mm256_set1_epi32((int)lo), s), zero), kw);
            __m256i c = _mm256_mullo_epi32(_mm256_sub_epi32(a, b), _mm256_set1_epi32((int)g->rows_div));
            dv = _mm256_cvtepi32_ps(c);
        } else {
            float d[8];
            for (int64_t i = 0; i < 8; i++) d[i] = (float)(g->rows_div * sp_div_cols(p, x0 + i * SW));
            dv = _mm256_loadu_ps(d);
        }
        const __m256 zero = _mm256_setzero_ps();
        /* A window with no tap inside and count_include_pad off has divisor 0 and gives 0. */
        m = _mm256_blendv_ps(_mm256_div_ps(m, dv), zero, _mm256_cmp_ps(dv, zero, _CMP_EQ_OQ));
    }
    sp_store(out + ow0, m, n);
    if (idx) sp_store_idx(idx + ow0, mi, n);
}

/* The divisor of interior windows of a row: every column tap is inside, so cols = KW. */
SP_INLINE float interior_div(const sp_problem *p, const row_geo *g, int64_t KW)
{
    return p->divisor_override ? (float)p->divisor_override : (float)(g->rows_div * KW);
}

/* Interior load of tap column x for 8 outputs with column stride sw. For sw == 2 the lanes
 * come out in the order 0 1 4 5 2 3 6 7 (one in-lane shuffle); the caller undoes it once
 * per output vector with unperm. */
SP_INLINE __m256 tap_load(const float *row, int64_t x, int64_t w, int64_t sw, __m256i sidx)
{
    if (sw == 1) return _mm256_loadu_ps(row + x);
    if (sw == 2) {
        __m256 lo = _mm256_loadu_ps(row + x);
        /* The last lane needs x + 14; x + 15 may be past the end of the tensor. */
        __m256 hi = x + 16 <= w ? _mm256_loadu_ps(row + x + 8) : _mm256_maskload_ps(row + x + 8, sp_mask(7));
        return _mm256_shuffle_ps(lo, hi, 0x88);
    }
    return _mm256_i32gather_ps(row + x, sidx, 4);
}

SP_INLINE __m256 unperm(__m256 v, int64_t sw)
{
    return sw == 2 ? _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8)) : v;
}
SP_INLINE __m256i unperm_i(__m256i v, int64_t sw)
{
    return sw == 2 ? _mm256_permute4x64_epi64(v, 0xD8) : v;
}

/* One output row. KH, KW, SW, DW, DH are compile-time constants in the specialised
 * instances and runtime values in the generic one. */
SP_INLINE void row_kernel(const sp_problem *p, const float *plane, float *out, int64_t *idx,
                          int64_t oh, int op, int64_t KH, int64_t KW, int64_t SW, int64_t DH,
                          int64_t DW)
{
    const int64_t w = p->w, OW = p->ow, pl = p->pl;
    row_geo g;
    row_setup(p, oh, KH, KW, SW, DH, DW, &g);
    if (g.ky0 >= g.ky1) { /* every tap is padding (possible with dilation) */
        empty_row(p, out, idx, op);
        return;
    }
    const __m256i sidx = _mm256_mullo_epi32(sp_iota(), _mm256_set1_epi32((int)SW));
    const __m256 rdiv = _mm256_set1_ps(op == OP_AVG ? interior_div(p, &g, KW) : 1.0f);
    const int64_t hs = g.hs, ky0 = g.ky0, ky1 = g.ky1;
    int64_t ow0 = 0;
    while (ow0 < OW) {
        const int64_t x0 = ow0 * SW - pl; /* window start of lane 0 */
        if (!(ow0 >= g.owL && ow0 + 8 <= g.owR)) {
            const int64_t n = OW - ow0 < 8 ? OW - ow0 : 8;
            edge_vec(p, plane, out, idx, &g, ow0, n, op, KW, SW, DH, DW);
            ow0 += n;
            continue;
        }
        const float *r = plane + (hs + ky0 * DH) * w;
        __m256 m = tap_load(r, x0, w, SW, sidx);
        __m256i mi = _mm256_set1_epi32((int)((hs + ky0 * DH) * w));
        for (int64_t ky = ky0; ky < ky1; ky++) {
            const int64_t y = hs + ky * DH;
            r = plane + y * w;
            for (int64_t kx = ky == ky0; kx < KW; kx++) {
                __m256 v = tap_load(r, x0 + kx * DW, w, SW, sidx);
                if (op != OP_MAX) {
                    m = _mm256_add_ps(m, v);
                } else if (idx) {
                    __m256 t = sp_takes(m, v);
                    m = _mm256_blendv_ps(m, v, t);
                    mi = _mm256_castps_si256(_mm256_blendv_ps(
                        _mm256_castsi256_ps(mi), _mm256_castsi256_ps(_mm256_set1_epi32((int)(y * w + kx * DW))), t));
                } else {
                    m = sp_maxnan(m, v);
                }
            }
        }
        m = unperm(m, SW);
        /* Sums start from +0, as the reference's: a window of -0 gives +0. */
        if (op != OP_MAX) m = _mm256_add_ps(m, _mm256_setzero_ps());
        if (op == OP_AVG) m = _mm256_div_ps(m, rdiv);
        _mm256_storeu_ps(out + ow0, m);
        if (idx) {
            __m256i base = _mm256_add_epi32(sidx, _mm256_set1_epi32((int)x0));
            sp_store_idx(idx + ow0, _mm256_add_epi32(unperm_i(mi, SW), base), 8);
        }
        ow0 += 8;
    }
}

#endif
