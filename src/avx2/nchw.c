/* NCHW windowed max / avg / sum, vectorised over 8 output columns of one output row.
 *
 * One row template serves every shape (after oneDNN's jit_uni_pool_kernel): the vertical
 * taps are clipped to the input once per output row, the columns split into vectors whose
 * every tap is inside the input (no bounds checks, plain loads) and edge vectors (left
 * padding, right padding, ceil-mode overhang) that gather with a lane mask. Specialised
 * entry points call the same template with constant kernel, stride and dilation so the
 * compiler unrolls the taps and picks the cheapest loads; the hottest shapes have their
 * own loops in nchw_fast.c. Max walks the taps in row-major order with the reference's
 * step (sp_maxnan), so values, NaN and tie behaviour, and indices match scalar exactly. */
#include "simd.h"

enum { OP_MAX, OP_SUM, OP_AVG };

/* Interior load of tap column x for 8 outputs with column stride sw. For sw == 2 the lanes
 * come out in the order 0 1 4 5 2 3 6 7 (one in-lane shuffle); the caller undoes it once
 * per output vector with sp_unperm. */
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
    const int64_t h = p->h, w = p->w, OW = p->ow, pl = p->pl;
    const int64_t hs = oh * p->sh - p->pt;
    int64_t ky0 = hs < 0 ? (-hs + DH - 1) / DH : 0;
    int64_t ky1 = h > hs ? (h - hs + DH - 1) / DH : 0;
    if (ky1 > KH) ky1 = KH;
    if (ky0 >= ky1) { /* every tap is padding (possible with dilation) */
        for (int64_t ow = 0; ow < OW; ow++) {
            out[ow] = op == OP_MAX ? -INFINITY : 0.0f;
            if (idx) idx[ow] = -1;
        }
        return;
    }
    /* Interior columns [owL, owR): every tap of the window is inside the row. */
    const int64_t owL = (pl + SW - 1) / SW;
    const int64_t span = w - 1 + pl - (KW - 1) * DW;
    int64_t owR = span >= 0 ? span / SW + 1 : 0;
    if (owR > OW) owR = OW;
    const __m256i iota = sp_iota();
    const __m256i sidx = _mm256_mullo_epi32(iota, _mm256_set1_epi32((int)SW));
    float rdiv = 1.0f;
    int64_t rows_div = 0;
    if (op == OP_AVG) {
        rows_div = p->divisor_override ? 0 : sp_div_rows(p, hs);
        rdiv = p->divisor_override ? (float)p->divisor_override : (float)(rows_div * KW);
    }

    int64_t ow0 = 0;
    while (ow0 < OW) {
        const int64_t x0 = ow0 * SW - pl; /* window start of lane 0 */
        if (ow0 >= owL && ow0 + 8 <= owR) {
            const float *r = plane + (hs + ky0 * DH) * w;
            __m256 m = tap_load(r, x0, w, SW, sidx);
            __m256i mi = _mm256_set1_epi32((int)((hs + ky0 * DH) * w));
            int first = 1;
            for (int64_t ky = ky0; ky < ky1; ky++) {
                const int64_t y = hs + ky * DH;
                r = plane + y * w;
                for (int64_t kx = 0; kx < KW; kx++) {
                    if (first) {
                        first = 0;
                        continue;
                    }
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
            if (op == OP_AVG) m = _mm256_div_ps(m, _mm256_set1_ps(rdiv));
            _mm256_storeu_ps(out + ow0, m);
            if (idx) {
                __m256i base = _mm256_add_epi32(sidx, _mm256_set1_epi32((int)x0));
                sp_store_idx(idx + ow0, _mm256_add_epi32(unperm_i(mi, SW), base), 8);
            }
            ow0 += 8;
            continue;
        }
        /* Edge vector: up to 8 outputs, taps outside the row masked off. */
        const int64_t n = OW - ow0 < 8 ? OW - ow0 : 8;
        const __m256i lanes = sp_mask(n);
        const __m256i wv = _mm256_set1_epi32((int)w), neg1 = _mm256_set1_epi32(-1);
        const __m256 fill = op == OP_MAX ? _mm256_set1_ps(-INFINITY) : _mm256_setzero_ps();
        __m256 m = fill, have = _mm256_setzero_ps();
        __m256i mi = neg1;
        for (int64_t ky = ky0; ky < ky1; ky++) {
            const int64_t y = hs + ky * DH;
            const float *r = plane + y * w;
            for (int64_t kx = 0; kx < KW; kx++) {
                __m256i xs = _mm256_add_epi32(sidx, _mm256_set1_epi32((int)(x0 + kx * DW)));
                __m256i ok = _mm256_and_si256(_mm256_and_si256(_mm256_cmpgt_epi32(xs, neg1), _mm256_cmpgt_epi32(wv, xs)),
                                              lanes);
                __m256 okf = _mm256_castsi256_ps(ok);
                __m256 v = _mm256_mask_i32gather_ps(fill, r, xs, okf, 4);
                if (op != OP_MAX) {
                    m = _mm256_add_ps(m, v);
                } else {
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
        }
        if (op == OP_AVG) {
            float d[8];
            for (int64_t i = 0; i < 8; i++) {
                int64_t dv = p->divisor_override ? p->divisor_override
                             : i < n             ? rows_div * sp_div_cols(p, x0 + i * SW)
                                                 : 1;
                d[i] = (float)dv;
            }
            __m256 dv = _mm256_loadu_ps(d);
            __m256 zero = _mm256_setzero_ps();
            m = _mm256_blendv_ps(_mm256_div_ps(m, dv), zero, _mm256_cmp_ps(dv, zero, _CMP_EQ_OQ));
        }
        sp_store(out + ow0, m, n);
        if (idx) sp_store_idx(idx + ow0, mi, n);
        ow0 += n;
    }
}

SP_INLINE void planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int64_t KH,
                      int64_t KW, int64_t SW, int64_t DH, int64_t DW)
{
    const int op = p->op == SIMDPOOL_MAX ? OP_MAX : p->op == SIMDPOOL_AVG ? OP_AVG : OP_SUM;
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            float *out = a->out + (int64_t)u * ohw + oh * p->ow;
            int64_t *idx = a->idx ? a->idx + (int64_t)u * ohw + oh * p->ow : NULL;
            /* Separate instances per op so the tap loop carries no op test. */
            if (op == OP_MAX && idx)
                row_kernel(p, plane, out, idx, oh, OP_MAX, KH, KW, SW, DH, DW);
            else if (op == OP_MAX)
                row_kernel(p, plane, out, NULL, oh, OP_MAX, KH, KW, SW, DH, DW);
            else if (op == OP_AVG)
                row_kernel(p, plane, out, NULL, oh, OP_AVG, KH, KW, SW, DH, DW);
            else
                row_kernel(p, plane, out, NULL, oh, OP_SUM, KH, KW, SW, DH, DW);
        }
    }
}

void sp_avx2_nchw_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    planes(p, a, begin, end, p->kh, p->kw, p->sw, p->dh, p->dw);
}

void sp_avx2_nchw_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    planes(p, a, begin, end, 3, 3, 2, 1, 1);
}

void sp_avx2_nchw_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    planes(p, a, begin, end, 3, 3, 1, 1, 1);
}

void sp_avx2_nchw_2x2s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    planes(p, a, begin, end, 2, 2, 2, 1, 1);
}

/* Lane positions and flat indices are int32: the padded plane must fit with room to spare. */
int sp_avx2_accepts_nchw_generic(const sp_problem *p)
{
    int64_t hh = p->h + p->pt + p->pb + p->kh * p->dh + p->sh * 8;
    int64_t ww = p->w + p->pl + p->pr + p->kw * p->dw + p->sw * 16;
    return hh < (INT64_C(1) << 30) / ww;
}

static int square(const sp_problem *p, int64_t k, int64_t s)
{
    return p->kh == k && p->kw == k && p->sh == s && p->sw == s && p->dh == 1 && p->dw == 1 &&
           sp_avx2_accepts_nchw_generic(p);
}

int sp_avx2_accepts_nchw_2x2s2(const sp_problem *p)
{
    return square(p, 2, 2) && !p->pt && !p->pb && !p->pl && !p->pr;
}
int sp_avx2_accepts_nchw_3x3s2(const sp_problem *p) { return square(p, 3, 2); }
int sp_avx2_accepts_nchw_3x3s1(const sp_problem *p) { return square(p, 3, 1); }
