/* NCHW values-only max, stride 1, dilation 1, kh, kw <= 7, padding at most half the kernel
 * (3x3 s1 p1, the YOLO SPPF 5x5 s1 p2): separable, each input row once.
 *
 * Per input row: the kw-tap horizontal max of every output column into a ring of kh row
 * results (no copy into a padded row buffer: its misaligned reloads of just-stored vectors
 * miss store forwarding and cost more than the whole reduction). Each output row is the vertical max of its (clipped) rows in the
 * ring. Both reductions visit taps in order with vmaxps(later, acc), which keeps the earlier
 * value on ties: the horizontal step keeps each row's first maximum and the vertical step the
 * first row holding it, i.e. the first maximum in row-major order, -0/+0 included, exactly the
 * reference. Only NaN differs (vmaxps drops a NaN later operand), so the horizontal pass
 * records unordered compares and a plane that saw a NaN is redone with the reference's step
 * (sp_maxnan), which in the same separable order yields the last NaN in row-major order. */
#include "simd.h"

#define MAXK 7
#define MAXW 1024 /* ring and row buffer live on the stack */
#define RW (MAXW + 8)

/* A row's vectors: interior ones [xi0, xi1] (step 8) load straight from the row; the first
 * and last (at most 3), whose taps reach into the padding or past the row, use per-tap masks
 * computed once per call. */
typedef struct geo {
    int64_t xi0, xi1, ne;
    int64_t ex[4];
    __m256i mk[4][MAXK];
    __m256i tidx; /* the row tail's rotation and its lanes from the previous vector */
    __m256 tsel;
} geo;

static void geo_setup(const sp_problem *p, geo *g)
{
    const int64_t W = p->w, OW = p->ow, pl = p->pl, KW = p->kw;
    const int64_t xhi = W - KW - 7 + pl; /* last x whose taps all lie in the row */
    g->xi0 = pl > 0 ? 8 : 0;
    g->xi1 = xhi < OW - 1 ? xhi : OW - 1;
    g->ne = 0;
    for (int64_t x = 0; x < OW; x += 8) {
        if (x >= g->xi0 && x <= g->xi1) continue;
        g->ex[g->ne] = x;
        for (int64_t j = 0; j < KW; j++) {
            const int64_t off = x - pl + j;
            g->mk[g->ne][j] = _mm256_andnot_si256(sp_mask(-off), sp_mask(W - off));
        }
        g->ne++;
    }
    const int64_t t = OW % 8;
    g->tidx = _mm256_and_si256(_mm256_add_epi32(sp_iota(), _mm256_set1_epi32((int)t)), _mm256_set1_epi32(7));
    g->tsel = _mm256_castsi256_ps(sp_mask(8 - t));
}

/* Horizontal max of KW taps of input row r for all OW outputs (rounded up to whole vectors:
 * h has room). Taps 0 and KW-1 of the vectors together cover every column, so their
 * unordered compare sees every NaN. */
SP_INLINE void hrow(const float *r, float *h, int64_t pl, int64_t KW, const geo *g, int exact, __m256 *nan)
{
    __m256 nn = *nan;
    for (int64_t x = g->xi0; x <= g->xi1; x += 8) {
        const float *q = r + x - pl;
        __m256 first = _mm256_loadu_ps(q), m = first, v = first;
        for (int64_t j = 1; j < KW; j++) {
            v = _mm256_loadu_ps(q + j);
            m = exact ? sp_maxnan(m, v) : _mm256_max_ps(v, m);
        }
        if (!exact) nn = _mm256_or_ps(nn, _mm256_cmp_ps(first, v, _CMP_UNORD_Q));
        _mm256_storeu_ps(h + x, m);
    }
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    for (int64_t e = 0; e < g->ne; e++) {
        const float *q = r + g->ex[e] - pl;
        __m256 first = _mm256_blendv_ps(ninf, _mm256_maskload_ps(q, g->mk[e][0]), _mm256_castsi256_ps(g->mk[e][0]));
        __m256 m = first, v = first;
        for (int64_t j = 1; j < KW; j++) {
            v = _mm256_blendv_ps(ninf, _mm256_maskload_ps(q + j, g->mk[e][j]), _mm256_castsi256_ps(g->mk[e][j]));
            m = exact ? sp_maxnan(m, v) : _mm256_max_ps(v, m);
        }
        if (!exact) nn = _mm256_or_ps(nn, _mm256_cmp_ps(first, v, _CMP_UNORD_Q));
        _mm256_storeu_ps(h + g->ex[e], m);
    }
    *nan = nn;
}

/* The vertical max over the n row results rows[0..n) (in row order) for outputs x .. x+7. */
SP_INLINE __m256 vcol(const float *const *rows, int64_t n, int64_t x, int exact)
{
    __m256 m = _mm256_loadu_ps(rows[0] + x);
    for (int64_t r = 1; r < n; r++) {
        __m256 v = _mm256_loadu_ps(rows[r] + x);
        m = exact ? sp_maxnan(m, v) : _mm256_max_ps(v, m);
    }
    return m;
}

/* The last partial vector of a row (t = OW % 8 outputs) is stored as the full vector ending
 * at OW: lanes t.. of the previous vector and 0..t-1 of the partial one, rotated into place.
 * Reloading the ring at OW - 8 instead would straddle two just-made stores and miss store
 * forwarding. */
SP_INLINE void vrow(const float *const *rows, int64_t n, float *o, int64_t OW, const geo *g, int exact)
{
    int64_t x = 0;
    __m256 prev = _mm256_setzero_ps();
    for (; x + 8 <= OW; x += 8) _mm256_storeu_ps(o + x, prev = vcol(rows, n, x, exact));
    if (x < OW) {
        __m256 last = vcol(rows, n, x, exact);
        if (OW >= 8)
            _mm256_storeu_ps(o + OW - 8, _mm256_blendv_ps(_mm256_permutevar8x32_ps(last, g->tidx),
                                                          _mm256_permutevar8x32_ps(prev, g->tidx), g->tsel));
        else
            _mm256_maskstore_ps(o + x, sp_mask(OW - x), last);
    }
}

/* One plane; returns nonzero if the fast pass saw a NaN (its outputs are then to be redone).
 * Input row i lives in ring slot i % KH, tracked by counters rather than divisions. */
SP_INLINE int plane_max(const sp_problem *p, const float *in, float *out, float (*ring)[RW], const geo *g,
                        int64_t KH, int64_t KW, int exact)
{
    const int64_t H = p->h, W = p->w, OH = p->oh, OW = p->ow, pt = p->pt, pl = p->pl;
    __m256 nan = _mm256_setzero_ps();
    int64_t next = 0, snext = 0, slo = 0;
    for (int64_t oh = 0; oh < OH; oh++) {
        const int64_t lo = oh - pt < 0 ? 0 : oh - pt;
        const int64_t hi = oh - pt + KH - 1 > H - 1 ? H - 1 : oh - pt + KH - 1;
        for (; next <= hi; next++) {
            hrow(in + next * W, ring[snext], pl, KW, g, exact, &nan);
            snext = snext + 1 == KH ? 0 : snext + 1;
        }
        const float *rows[MAXK] = {0};
        const int64_t n = hi - lo + 1;
        for (int64_t r = 0, s = slo; r < n; r++, s = s + 1 == KH ? 0 : s + 1) rows[r] = ring[s];
        if (n == KH)
            vrow(rows, KH, out + oh * OW, OW, g, exact);
        else
            vrow(rows, n, out + oh * OW, OW, g, exact);
        if (oh - pt >= 0) slo = slo + 1 == KH ? 0 : slo + 1;
    }
    return !exact && !_mm256_testz_ps(nan, nan);
}

SP_INLINE void planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int64_t KH, int64_t KW)
{
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    float ring[MAXK][RW];
    geo g;
    geo_setup(p, &g);
    for (size_t u = begin; u < end; u++) {
        const float *in = a->in + (int64_t)u * hw;
        float *out = a->out + (int64_t)u * ohw;
        if (plane_max(p, in, out, ring, &g, KH, KW, 0)) plane_max(p, in, out, ring, &g, KH, KW, 1);
    }
}

int sp_avx2_accepts_nchw_s1_max(const sp_problem *p)
{
    return p->op == SIMDPOOL_MAX && p->layout == SIMDPOOL_NCHW && p->sh == 1 && p->sw == 1 && p->dh == 1 &&
           p->dw == 1 && p->kh >= 1 && p->kh <= MAXK && p->kw >= 1 && p->kw <= MAXK && p->pt <= p->kh / 2 &&
           p->pb <= p->kh / 2 && p->pl <= p->kw / 2 && p->pr <= p->kw / 2 && p->w <= MAXW && p->ow <= MAXW &&
           p->oh == p->h + p->pt + p->pb - p->kh + 1 && p->ow == p->w + p->pl + p->pr - p->kw + 1 && p->oh > 0 &&
           p->ow > 0;
}

/* Square kernels get constant sizes so the tap loops unroll. */
void sp_avx2_nchw_s1_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t k = p->kh == p->kw ? p->kh : 0;
    switch (k) {
    case 2: planes(p, a, begin, end, 2, 2); break;
    case 3: planes(p, a, begin, end, 3, 3); break;
    case 5: planes(p, a, begin, end, 5, 5); break;
    case 7: planes(p, a, begin, end, 7, 7); break;
    default: planes(p, a, begin, end, p->kh, p->kw); break;
    }
}
