/* NCHW 3x3 windows, stride 2 or 1, padding 0 or 1 (ceil mode allowed).
 *
 * Max and stride-2 sums go row by row (after ncnn's pooling_3x3): per input row the three
 * column taps are combined first (for stride 2: even, odd and next-even columns from two
 * in-lane shuffles), then the rows in order, which keeps the reference's tap order. Values-
 * only max runs plain vmaxps plus an unordered check and recomputes a row that saw a NaN
 * with the exact template. Edge vectors (padding, overhang) take the exact masked path.
 *
 * Stride-1 avg and sum are separable: a column strip of 8 outputs walks down the plane
 * keeping the last three row sums in registers, so each input row is summed once and each
 * output costs two more adds and a multiply by the precomputed reciprocal divisor. */
#include "nchw_row.h"

SP_INLINE __m256 unperm2(__m256 v) { return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8)); }

/* 8 floats from r + x: plain when inside the tensor (extra elements only feed discarded
 * lanes of an interior vector), else masked to the row. */
SP_INLINE __m256 ld(const float *r, int64_t x, int64_t w, const float *in_end)
{
    if (x + 8 <= w || r + x + 8 <= in_end) return _mm256_loadu_ps(r + x);
    return _mm256_maskload_ps(r + x, sp_mask(w - x));
}

/* Horizontal taps of one row for 8 outputs from column x (stride-2 lanes permuted). */
SP_INLINE void taps(const float *r, int64_t x, int64_t w, const float *in_end, int S, __m256 *t0, __m256 *t1,
                    __m256 *t2)
{
    if (S == 1) {
        *t0 = ld(r, x, w, in_end);
        *t1 = ld(r, x + 1, w, in_end);
        *t2 = ld(r, x + 2, w, in_end);
        return;
    }
    __m256 a0 = ld(r, x, w, in_end), a1 = ld(r, x + 8, w, in_end);
    __m256 b0 = ld(r, x + 2, w, in_end), b1 = ld(r, x + 10, w, in_end);
    *t0 = _mm256_shuffle_ps(a0, a1, 0x88);
    *t1 = _mm256_shuffle_ps(a0, a1, 0xDD);
    *t2 = _mm256_shuffle_ps(b0, b1, 0x88);
}


/* 8 floats from r + x with columns outside [0, w) read as -inf (masked loads, no access). */
SP_INLINE __m256 ldf(const float *r, int64_t x, int64_t w)
{
    __m256i c = _mm256_add_epi32(sp_iota(), _mm256_set1_epi32((int)x));
    __m256i k = _mm256_and_si256(_mm256_cmpgt_epi32(c, _mm256_set1_epi32(-1)), _mm256_cmpgt_epi32(_mm256_set1_epi32((int)w), c));
    return _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(r + x, k), _mm256_castsi256_ps(k));
}

/* Horizontal max of one row for 8 stride-2 outputs from column x, lanes in shuffle order
 * (0,1,4,5,2,3,6,7). kind 0: plain loads; 1: columns outside [0, w) read as -inf; 2: the
 * left-padded first vector (only column -1, lane 0 of a0, is outside). Padding read as -inf
 * gives exactly the reference's value (a -inf that is skipped and a -inf that is taken are
 * the same bits). vmaxps keeps its second operand on ties, so the earlier tap wins as in the
 * reference; NaN is only flagged (callers redo those rows). Column x+16 is the next vector's
 * column x, so a plain vector checks it only when it is the row's last (tail). */
SP_INLINE __m256 hmax_s2(const float *r, int64_t x, int64_t w, int kind, int tail, __m256 *nan)
{
    __m256 a0, a1, b0, b1;
    if (kind == 2) {
        __m256 l = _mm256_permutevar8x32_ps(_mm256_loadu_ps(r), _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6));
        a0 = _mm256_blend_ps(l, _mm256_set1_ps(-INFINITY), 1);
        a1 = _mm256_loadu_ps(r + 7), b0 = _mm256_loadu_ps(r + 1), b1 = _mm256_loadu_ps(r + 9);
    } else if (kind == 1) {
        a0 = ldf(r, x, w), a1 = ldf(r, x + 8, w), b0 = ldf(r, x + 2, w), b1 = ldf(r, x + 10, w);
    } else {
        /* The next-even columns are the even ones moved by one output, plus column x+16:
         * one lane permute and a broadcast instead of two more (often line-splitting) loads. */
        a0 = _mm256_loadu_ps(r + x), a1 = _mm256_loadu_ps(r + x + 8);
        __m256 e = _mm256_shuffle_ps(a0, a1, 0x88), o = _mm256_shuffle_ps(a0, a1, 0xDD);
        __m256 f = _mm256_blend_ps(_mm256_permutevar8x32_ps(e, _mm256_setr_epi32(1, 4, 3, 6, 5, 2, 7, 0)),
                                   _mm256_broadcast_ss(r + x + 16), 0x80);
        __m256 u = _mm256_cmp_ps(a0, a1, _CMP_UNORD_Q);
        if (tail) u = _mm256_or_ps(u, _mm256_cmp_ps(f, f, _CMP_UNORD_Q));
        *nan = _mm256_or_ps(*nan, u);
        return _mm256_max_ps(f, _mm256_max_ps(o, e));
    }
    __m256 e = _mm256_shuffle_ps(a0, a1, 0x88), o = _mm256_shuffle_ps(a0, a1, 0xDD);
    __m256 f = _mm256_shuffle_ps(b0, b1, 0x88);
    __m256 u = _mm256_cmp_ps(a0, a1, _CMP_UNORD_Q);
    if (kind || tail) u = _mm256_or_ps(u, _mm256_cmp_ps(f, f, _CMP_UNORD_Q));
    *nan = _mm256_or_ps(*nan, u);
    return _mm256_max_ps(f, _mm256_max_ps(o, e));
}

/* Values-only max, stride 2, NR rows inside, 8 outputs from column x (lane order restored). */
SP_INLINE __m256 vec_max_s2(const float *r0, const float *r1, const float *r2, int64_t x, int64_t w, int masked,
                            __m256 *nan, int NR)
{
    const float *r[3] = {r0, r1, r2};
    __m256 m = _mm256_setzero_ps();
    for (int k = 0; k < NR; k++) {
        __m256 h = hmax_s2(r[k], x, w, masked, 0, nan);
        m = k ? _mm256_max_ps(h, m) : h;
    }
    return unperm2(m);
}

/* A whole row of values-only stride-2 max with three rows inside; returns the NaN flag. */
SP_INLINE int row_max_s2(const float *r0, float *out, int64_t OW, int64_t owR, int64_t w, int64_t pl,
                         const float *in_end, float *out_end, int NR)
{
    const float *r1 = r0 + w, *r2 = NR == 3 ? r1 + w : r1, *rl = NR == 3 ? r2 : NR == 2 ? r1 : r0;
    __m256 nan = _mm256_setzero_ps();
    int64_t ow0 = 0;
    /* Left padding: the first vector reads column -1. */
    if (pl > 0 && OW > 0) {
        __m256 v = vec_max_s2(r0, r1, r2, -pl, w, w >= 17 ? 2 : 1, &nan, NR);
        if (OW >= 8 || out + 8 <= out_end)
            _mm256_storeu_ps(out, v);
        else
            _mm256_maskstore_ps(out, sp_mask(OW), v);
        ow0 = 8;
    }
    /* Plain loads while the 18 columns are in the row, or, for the last vector, while its real
     * lanes are interior and the extra columns stay inside the tensor. */
    for (int64_t x = ow0 * 2 - pl; ow0 < OW; ow0 += 8, x += 16) {
        const int64_t n = OW - ow0 < 8 ? OW - ow0 : 8;
        if (!((n == 8 && x + 18 <= w) || (ow0 + n <= owR && rl + x + 18 <= in_end && out + ow0 + 8 <= out_end)))
            break;
        _mm256_storeu_ps(out + ow0, vec_max_s2(r0, r1, r2, x, w, 0, &nan, NR));
        if (ow0 + 8 >= OW && x + 16 < w) { /* no next vector checks column x+16 */
            for (int k = 0; k < NR; k++)
                if (isnan((k == 0 ? r0 : k == 1 ? r1 : r2)[x + 16])) return 1;
        }
    }
    for (; ow0 < OW; ow0 += 8) {
        __m256 v = vec_max_s2(r0, r1, r2, ow0 * 2 - pl, w, 1, &nan, NR);
        if (ow0 + 8 <= OW || out + ow0 + 8 <= out_end)
            _mm256_storeu_ps(out + ow0, v);
        else
            _mm256_maskstore_ps(out + ow0, sp_mask(OW - ow0), v);
    }
    return !_mm256_testz_ps(nan, nan);
}

/* One output row, row-wise; returns nonzero if values-only max saw a NaN in interior vectors. */
SP_INLINE int row3(const sp_problem *p, const float *plane, float *out, int64_t *idx, int64_t oh, int op, int S,
                   const float *in_end, float *out_end)
{
    const int64_t w = p->w, OW = p->ow;
    row_geo g;
    row_setup(p, oh, 3, 3, S, 1, 1, &g);
    if (g.ky0 >= g.ky1) {
        empty_row(p, out, idx, op);
        return 0;
    }
    const __m256 rdiv = _mm256_set1_ps(op == OP_AVG ? interior_div(p, &g, 3) : 1.0f);
    const __m256i col = S == 2 ? _mm256_setr_epi32(0, 2, 8, 10, 4, 6, 12, 14) : sp_iota();
    __m256 nan = _mm256_setzero_ps();
    if (op == OP_MAX && !idx && S == 2 && p->pl <= 1) {
        const float *r0 = plane + (g.hs + g.ky0) * w;
        switch (g.ky1 - g.ky0) {
        case 3: return row_max_s2(r0, out, OW, g.owR, w, p->pl, in_end, out_end, 3);
        case 2: return row_max_s2(r0, out, OW, g.owR, w, p->pl, in_end, out_end, 2);
        default: return row_max_s2(r0, out, OW, g.owR, w, p->pl, in_end, out_end, 1);
        }
    }
    for (int64_t ow0 = 0; ow0 < OW; ow0 += 8) {
        const int64_t n = OW - ow0 < 8 ? OW - ow0 : 8;
        if (!(ow0 >= g.owL && ow0 + n <= g.owR)) {
            edge_vec(p, plane, out, idx, &g, ow0, n, op, 3, S, 1, 1);
            continue;
        }
        const int64_t x = ow0 * S - p->pl;
        __m256 m = _mm256_setzero_ps();
        __m256i mi = _mm256_setzero_si256();
        for (int64_t ky = g.ky0; ky < g.ky1; ky++) {
            const int64_t y = g.hs + ky;
            __m256 t0, t1, t2;
            taps(plane + y * w, x, w, in_end, S, &t0, &t1, &t2);
            if (op != OP_MAX) {
                __m256 h = _mm256_add_ps(_mm256_add_ps(t0, t1), t2);
                m = ky == g.ky0 ? h : _mm256_add_ps(m, h);
            } else if (!idx) {
                nan = _mm256_or_ps(nan, _mm256_or_ps(_mm256_cmp_ps(t0, t1, _CMP_UNORD_Q),
                                                     _mm256_cmp_ps(t2, t2, _CMP_UNORD_Q)));
                __m256 h = _mm256_max_ps(t2, _mm256_max_ps(t1, t0));
                m = ky == g.ky0 ? h : _mm256_max_ps(h, m);
            } else {
                __m256i c = _mm256_add_epi32(col, _mm256_set1_epi32((int)(y * w + x)));
                __m256 k1 = sp_takes(t0, t1);
                __m256 h = _mm256_blendv_ps(t0, t1, k1);
                __m256i hi = _mm256_sub_epi32(c, _mm256_castps_si256(k1)); /* +1 where taken */
                __m256 k2 = sp_takes(h, t2);
                h = _mm256_blendv_ps(h, t2, k2);
                hi = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(hi),
                                                          _mm256_castsi256_ps(_mm256_add_epi32(c, _mm256_set1_epi32(2))), k2));
                if (ky == g.ky0) {
                    m = h;
                    mi = hi;
                } else {
                    __m256 k3 = sp_takes(m, h);
                    m = _mm256_blendv_ps(m, h, k3);
                    mi = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(mi), _mm256_castsi256_ps(hi), k3));
                }
            }
        }
        if (S == 2) m = unperm2(m);
        if (op == OP_AVG) m = _mm256_div_ps(m, rdiv);
        if (n == 8 || out + ow0 + 8 <= out_end)
            _mm256_storeu_ps(out + ow0, m);
        else
            _mm256_maskstore_ps(out + ow0, sp_mask(n), m);
        if (idx) sp_store_idx(idx + ow0, S == 2 ? _mm256_permute4x64_epi64(mi, 0xD8) : mi, n);
    }
    return op == OP_MAX && !idx && !_mm256_testz_ps(nan, nan);
}

/* Values-only stride-2 max, one input row at a time: each row's horizontal max is computed
 * once, kept in permuted lane order, and the last row of an output window stays in hb for
 * the next output row, whose first row it is. Rows combine in order with the earlier kept
 * on ties, which is the reference's row-major first-maximum rule; a NaN in any row of a
 * window sends that output row to the exact path. */
enum { HB_MAX = 2048 };

/* One output vector from input rows ra .. ra+(NR-1)w; with C, row ra's result is in hb. */
SP_INLINE __m256 ovec_s2(const float *ra, int64_t w, int64_t x, float *hb, int kind, int tail, int NR, int C,
                         __m256 *nall, __m256 *nlast)
{
    __m256 m = _mm256_setzero_ps(), h = m, nk = m;
    for (int k = 0; k < NR; k++) {
        nk = _mm256_setzero_ps();
        h = k == 0 && C ? _mm256_loadu_ps(hb) : hmax_s2(ra + k * w, x, w, kind, tail, &nk);
        m = k ? _mm256_max_ps(h, m) : h;
        *nall = _mm256_or_ps(*nall, nk);
    }
    if (!(NR == 1 && C)) _mm256_storeu_ps(hb, h);
    *nlast = _mm256_or_ps(*nlast, nk);
    return unperm2(m);
}

/* Outputs [0, OW) of one row: a left-padded vector (vL), plain vectors up to plainEnd, then
 * masked ones. Returns bit 0: some row of the window saw a NaN; bit 1: its last row did. */
SP_INLINE int orow_s2(const float *ra, int64_t w, int64_t OW, int64_t pl, int vL, int64_t plainEnd, float *hb,
                      float *out, float *out_end, int NR, int C)
{
    __m256 nall = _mm256_setzero_ps(), nlast = nall;
    int64_t ow0 = 0;
    if (vL) {
        __m256 v = ovec_s2(ra, w, -pl, hb, w >= 17 ? 2 : 1, 0, NR, C, &nall, &nlast);
        if (OW >= 8 || out + 8 <= out_end)
            _mm256_storeu_ps(out, v);
        else
            _mm256_maskstore_ps(out, sp_mask(OW), v);
        ow0 = 8;
    }
    const int64_t pe = plainEnd >= OW ? plainEnd - 8 : plainEnd;
    for (; ow0 < pe; ow0 += 8)
        _mm256_storeu_ps(out + ow0, ovec_s2(ra, w, ow0 * 2 - pl, hb + ow0, 0, 0, NR, C, &nall, &nlast));
    if (ow0 < plainEnd) {
        _mm256_storeu_ps(out + ow0, ovec_s2(ra, w, ow0 * 2 - pl, hb + ow0, 0, 1, NR, C, &nall, &nlast));
        ow0 += 8;
    }
    for (; ow0 < OW; ow0 += 8) {
        __m256 v = ovec_s2(ra, w, ow0 * 2 - pl, hb + ow0, 1, 0, NR, C, &nall, &nlast);
        if (ow0 + 8 <= OW || out + ow0 + 8 <= out_end)
            _mm256_storeu_ps(out + ow0, v);
        else
            _mm256_maskstore_ps(out + ow0, sp_mask(OW - ow0), v);
    }
    return (_mm256_testz_ps(nall, nall) ? 0 : 1) | (_mm256_testz_ps(nlast, nlast) ? 0 : 2);
}

static void planes_max_s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t w = p->w, OW = p->ow, pl = p->pl, hw = p->h * w, ohw = p->oh * OW;
    const float *in_end = a->in + p->n * p->c * hw;
    float *out_end = a->out + (int64_t)end * ohw;
    const int vL = pl > 0;
    row_geo g0;
    row_setup(p, 0, 3, 3, 2, 1, 1, &g0);
    float hb[HB_MAX + 8];
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        float *po = a->out + (int64_t)u * ohw;
        /* Plain vectors: the 18 columns are in the row, or the vector's real lanes are interior
         * and its extra columns and stores stay in the tensor and the slice even for the
         * plane's last rows (so one bound serves every row). */
        const float *rl = plane + (p->h - 1) * w;
        float *ol = po + (p->oh - 1) * OW;
        int64_t plainEnd = vL * 8;
        for (int64_t x = plainEnd * 2 - pl; plainEnd < OW; plainEnd += 8, x += 16) {
            const int64_t n = OW - plainEnd < 8 ? OW - plainEnd : 8;
            if (!((n == 8 && x + 18 <= w) ||
                  (plainEnd + n <= g0.owR && rl + x + 18 <= in_end && ol + plainEnd + 8 <= out_end)))
                break;
        }
        int64_t cy = -1;
        int cnan = 0;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            float *out = po + oh * OW;
            row_geo g;
            row_setup(p, oh, 3, 3, 2, 1, 1, &g);
            if (g.ky0 >= g.ky1) {
                empty_row(p, out, NULL, OP_MAX);
                cy = -1;
                continue;
            }
            const int64_t ya = g.hs + g.ky0;
            const int NR = (int)(g.ky1 - g.ky0), C = ya == cy;
            const float *ra = plane + ya * w;
            int f;
            switch (NR * 2 + C) {
            case 7: f = orow_s2(ra, w, OW, pl, vL, plainEnd, hb, out, out_end, 3, 1); break;
            case 6: f = orow_s2(ra, w, OW, pl, vL, plainEnd, hb, out, out_end, 3, 0); break;
            case 5: f = orow_s2(ra, w, OW, pl, vL, plainEnd, hb, out, out_end, 2, 1); break;
            case 4: f = orow_s2(ra, w, OW, pl, vL, plainEnd, hb, out, out_end, 2, 0); break;
            case 3: f = orow_s2(ra, w, OW, pl, vL, plainEnd, hb, out, out_end, 1, 1); break;
            default: f = orow_s2(ra, w, OW, pl, vL, plainEnd, hb, out, out_end, 1, 0); break;
            }
            if ((f & 1) || (C && cnan)) row_kernel(p, plane, out, NULL, oh, OP_MAX, 3, 3, 2, 1, 1);
            if (!(NR == 1 && C)) cnan = f >> 1;
            cy = ya + NR - 1;
        }
    }
}

SP_INLINE void planes3(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int S, int wi)
{
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    const float *in_end = a->in + p->n * p->c * hw;
    float *out_end = a->out + (int64_t)end * ohw;
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            float *out = a->out + (int64_t)u * ohw + oh * p->ow;
            int64_t *idx = wi ? a->idx + (int64_t)u * ohw + oh * p->ow : NULL;
            if (row3(p, plane, out, idx, oh, op, S, in_end, out_end))
                row_kernel(p, plane, out, NULL, oh, OP_MAX, 3, 3, S, 1, 1);
        }
    }
}

/* Stride-1 avg/sum of one column strip [ow0, ow0+n) over the whole plane. */
SP_INLINE void strip(const sp_problem *p, const float *plane, float *out, int64_t ow0, int64_t n, int op,
                     int interior, float *out_end, const uint8_t *rowf)
{
    const int64_t w = p->w, OW = p->ow, x = ow0 - p->pl;
    __m256i mk[3];
    for (int k = 0; k < 3; k++) {
        __m256i c = _mm256_add_epi32(sp_iota(), _mm256_set1_epi32((int)(x + k)));
        mk[k] = _mm256_and_si256(_mm256_cmpgt_epi32(c, _mm256_set1_epi32(-1)),
                                 _mm256_cmpgt_epi32(_mm256_set1_epi32((int)w), c));
    }
    /* Reciprocal divisors for each possible row factor (1..3), per lane. */
    __m256 inv[4];
    if (op == OP_AVG) {
        const int64_t lo = p->count_include_pad ? -p->pl : 0, hi = p->count_include_pad ? w + p->pr : w;
        const __m256i s = _mm256_add_epi32(sp_iota(), _mm256_set1_epi32((int)x));
        const __m256i z = _mm256_setzero_si256(), k3 = _mm256_set1_epi32(3);
        __m256i ca = _mm256_min_epi32(_mm256_max_epi32(_mm256_sub_epi32(_mm256_set1_epi32((int)hi), s), z), k3);
        __m256i cb = _mm256_min_epi32(_mm256_max_epi32(_mm256_sub_epi32(_mm256_set1_epi32((int)lo), s), z), k3);
        __m256 cols = _mm256_cvtepi32_ps(_mm256_sub_epi32(ca, cb));
        for (int r = 0; r < 4; r++) {
            __m256 d = p->divisor_override ? _mm256_set1_ps((float)p->divisor_override)
                                           : _mm256_mul_ps(cols, _mm256_set1_ps((float)r));
            __m256 q = _mm256_div_ps(_mm256_set1_ps(1.0f), d);
            /* divisor 0 (no tap inside): the reference gives 0 */
            inv[r] = _mm256_blendv_ps(q, _mm256_setzero_ps(), _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_EQ_OQ));
        }
    }
    /* Row sums of input rows y = oh - pt + k, k = 0..2, rolling down the plane. */
    const __m256 zero = _mm256_setzero_ps();
    __m256 h0 = zero, h1 = zero;
    int64_t y = -p->pt;
#define ROWSUM(yy)                                                                                          \
    ((yy) < 0 || (yy) >= p->h                                                                               \
         ? zero                                                                                             \
         : interior ? _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(plane + (yy) * w + x),                   \
                                                  _mm256_loadu_ps(plane + (yy) * w + x + 1)),               \
                                    _mm256_loadu_ps(plane + (yy) * w + x + 2))                              \
                    : _mm256_add_ps(_mm256_add_ps(_mm256_maskload_ps(plane + (yy) * w + x, mk[0]),          \
                                                  _mm256_maskload_ps(plane + (yy) * w + x + 1, mk[1])),     \
                                    _mm256_maskload_ps(plane + (yy) * w + x + 2, mk[2])))
    h0 = ROWSUM(y);
    h1 = ROWSUM(y + 1);
    /* Rows whose three input rows are all inside, whose stores stay in the slice and whose
     * divisor row factor is 3: no checks at all. */
    int64_t mid0 = p->pt, mid1 = p->h - 2 + p->pt;
    if (mid1 > p->oh) mid1 = p->oh;
    if (n < 8) { /* whole-vector stores must stay inside the slice */
        const int64_t room = out_end - (out + ow0 + 8);
        const int64_t lim = room >= 0 ? room / OW + 1 : 0;
        if (mid1 > lim) mid1 = lim;
    }
    const __m256 inv3 = op == OP_AVG ? inv[p->divisor_override ? 1 : 3] : _mm256_setzero_ps();
    for (int64_t oh = 0; oh < p->oh; oh++, y++) {
        if (oh == mid0 && oh < mid1) {
            const float *r = plane + (y + 2) * w + x;
            float *dst = out + oh * OW + ow0;
            for (; oh < mid1; oh++, y++, r += w, dst += OW) {
                __m256 h2 = interior ? _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(r), _mm256_loadu_ps(r + 1)),
                                                     _mm256_loadu_ps(r + 2))
                                     : _mm256_add_ps(_mm256_add_ps(_mm256_maskload_ps(r, mk[0]),
                                                                   _mm256_maskload_ps(r + 1, mk[1])),
                                                     _mm256_maskload_ps(r + 2, mk[2]));
                __m256 sm = _mm256_add_ps(_mm256_add_ps(h0, h1), h2);
                if (op == OP_AVG) sm = _mm256_mul_ps(sm, inv3);
                _mm256_storeu_ps(dst, sm);
                h0 = h1;
                h1 = h2;
            }
            if (oh >= p->oh) break;
        }
        __m256 h2 = ROWSUM(y + 2);
        __m256 s = _mm256_add_ps(_mm256_add_ps(h0, h1), h2);
        if (op == OP_AVG) {
            int64_t rf = p->divisor_override ? 1 : rowf ? rowf[oh] : sp_div_rows(p, y);
            s = _mm256_mul_ps(s, inv[rf]);
        }
        float *dst = out + oh * OW + ow0;
        if (n == 8 || dst + 8 <= out_end)
            _mm256_storeu_ps(dst, s);
        else
            _mm256_maskstore_ps(dst, sp_mask(n), s);
        h0 = h1;
        h1 = h2;
    }
#undef ROWSUM
}

/* Strips go right to left: a narrow last strip may write whole vectors whose extra lanes land
 * on the next row's first outputs, which the leftmost strip rewrites afterwards. */
SP_INLINE void sums_s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op)
{
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow, OW = p->ow;
    const int64_t owL = p->pl, span = p->w - 3 + p->pl;
    const int64_t owR = span >= 0 ? (span + 1 < OW ? span + 1 : OW) : 0;
    float *out_end = a->out + (int64_t)end * ohw;
    const int64_t last = (OW - 1) / 8 * 8;
    /* Row factors of the divisor (0..3) are the same for every plane and strip. */
    uint8_t rowf_buf[1024];
    const uint8_t *rowf = NULL;
    if (op == OP_AVG && p->oh <= 1024) {
        for (int64_t oh = 0; oh < p->oh; oh++) rowf_buf[oh] = (uint8_t)sp_div_rows(p, oh - p->pt);
        rowf = rowf_buf;
    }
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        float *out = a->out + (int64_t)u * ohw;
        for (int64_t ow0 = last; ow0 >= 0; ow0 -= 8) {
            const int64_t n = OW - ow0 < 8 ? OW - ow0 : 8;
            /* Loads of an interior strip stay in the row for its real lanes; others read past the
             * row only inside the tensor, except near its end, where the masked form is used. */
            int interior = ow0 >= owL && ow0 + n <= owR && plane + (p->h - 1) * p->w + ow0 - p->pl + 10 <= a->in + p->n * p->c * hw;
            if (interior)
                strip(p, plane, out, ow0, n, op, 1, out_end, rowf);
            else
                strip(p, plane, out, ow0, n, op, 0, out_end, rowf);
        }
    }
}

void sp_avx2_nchw_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_MAX) {
        if (a->idx)
            planes3(p, a, begin, end, OP_MAX, 2, 1);
        else if (p->pl <= 1 && p->ow <= HB_MAX)
            planes_max_s2(p, a, begin, end);
        else
            planes3(p, a, begin, end, OP_MAX, 2, 0);
    } else if (p->op == SIMDPOOL_AVG) {
        planes3(p, a, begin, end, OP_AVG, 2, 0);
    } else {
        planes3(p, a, begin, end, OP_SUM, 2, 0);
    }
}

void sp_avx2_nchw_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_MAX) {
        if (a->idx)
            planes3(p, a, begin, end, OP_MAX, 1, 1);
        else
            planes3(p, a, begin, end, OP_MAX, 1, 0);
    } else if (p->op == SIMDPOOL_AVG) {
        sums_s1(p, a, begin, end, OP_AVG);
    } else {
        sums_s1(p, a, begin, end, OP_SUM);
    }
}
