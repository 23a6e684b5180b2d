/* NCHW 3x3 windows, stride 2 or 1, padding 0 or 1 (ceil mode allowed).
 *
 * Stride 2 without indices takes one pass over the input rows (s2_*, below): max shares each
 * input row's horizontal result between the two output rows that use it, sums add a window's
 * rows first; rows wider than HB_MAX outputs fall back to the row template below.
 *
 * Indices and stride-1 max go row by row (after ncnn's pooling_3x3): per input row the three
 * column taps are combined first, then the rows in order, which keeps the reference's tap
 * order. Values-only max runs plain vmaxps plus an unordered check and recomputes a row that
 * saw a NaN with the exact template. Edge vectors (padding, overhang) take the exact masked path.
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
        if (op != OP_MAX) m = _mm256_add_ps(m, _mm256_setzero_ps()); /* sums start from +0 */
        if (op == OP_AVG) m = _mm256_div_ps(m, rdiv);
        if (n == 8 || out + ow0 + 8 <= out_end)
            _mm256_storeu_ps(out + ow0, m);
        else
            _mm256_maskstore_ps(out + ow0, sp_mask(n), m);
        if (idx) sp_store_idx(idx + ow0, S == 2 ? _mm256_permute4x64_epi64(mi, 0xD8) : mi, n);
    }
    return op == OP_MAX && !idx && !_mm256_testz_ps(nan, nan);
}

/* Stride 2 without indices, one pass over the input rows (after ncnn's pooling_3x3): each input
 * row's three column taps are combined once (H), kept in vshufps lane order, and the last row of
 * an output window stays in hb for the next output row, whose first row it is. The loads of
 * output vector j start at column b = 16j, so both are aligned when the row is: for left
 * padding 1 the even columns are the centre taps, the odd ones the right taps, and the left
 * taps are the right taps moved by one output, the moved-out lane carried from the previous
 * vector (padding for the first). For left padding 0 the right taps are the left ones moved
 * the other way, with column b+16 broadcast in. Padding and the row's end load as the op's
 * identity (-inf or 0), which for max gives the reference's bits: a skipped -inf and a taken
 * -inf are the same. Max combines later taps into earlier ones with vmaxps(later, earlier),
 * which keeps the earlier on ties (the reference's row-major first maximum, -0/+0 included)
 * and is its step whenever no NaN is present; unordered compares of the loads flag a NaN and a
 * plane that held one is redone with the exact template. Avg and sum add in any order (the
 * result is within the rounding bound) and divide by the divisor per output. */
enum { HB_MAX = 2048 };

typedef struct s2geo {
    int64_t w, nv, nlast; /* output vectors per row (all but the last load plain), lanes of the last */
    int pl;
    int last_plain; /* the last vector's 16 columns are inside the row */
    int last_clean; /* its real lanes' taps are: columns past the row only feed extra lanes */
    int pf;         /* prefetch the next output row's input rows */
    int hi_empty;   /* the last vector's second 8 columns are all past the row */
    int last_inc;   /* left padding 0: the last vector's column b+16 is inside the row */
    __m256i m0, m1; /* the last vector's load masks (columns < w) when not last_plain */
} s2geo;

SP_INLINE __m256 s2_fill(int op) { return op == OP_MAX ? _mm256_set1_ps(-INFINITY) : _mm256_setzero_ps(); }

/* Combines a later tap (or row) into an earlier one: vmaxps returns its second operand on ties. */
SP_INLINE __m256 s2_comb(int op, __m256 later, __m256 earlier)
{
    return op == OP_MAX ? _mm256_max_ps(later, earlier) : _mm256_add_ps(earlier, later);
}

/* 16 columns from b of row r, masked in the last vector unless they are inside the row. */
SP_INLINE void s2_ld(const float *r, int64_t b, int op, int kind, const s2geo *G, __m256 *lo, __m256 *hi)
{
    if (kind >= 2 && !G->last_plain) {
        *lo = _mm256_maskload_ps(r + b, G->m0);
        if (op == OP_MAX) *lo = _mm256_blendv_ps(s2_fill(op), *lo, _mm256_castsi256_ps(G->m0));
        if (op != OP_MAX && G->hi_empty) { /* rows of up to 8 columns (7x7 maps; level for max) */
            *hi = s2_fill(op);
        } else {
            *hi = _mm256_maskload_ps(r + b + 8, G->m1);
            if (op == OP_MAX) *hi = _mm256_blendv_ps(s2_fill(op), *hi, _mm256_castsi256_ps(G->m1));
        }
    } else {
        *lo = _mm256_loadu_ps(r + b);
        *hi = _mm256_loadu_ps(r + b + 8);
    }
}

/* H of row r for the 8 outputs of vector j, whose loads start at column b = 16j (lanes in
 * vshufps order 0 1 4 5 2 3 6 7). kind 0: a middle vector; 1: the row's first; 2: its last
 * (masked loads unless its 16 columns are inside the row); 3: both. Sums add V rows r, r+w, ..
 * first, then row x unless it is NULL (vertical first: any order is within the rounding bound);
 * max takes one row (V 1). */
SP_INLINE __m256 s2_hx(const float *r, int64_t w, int V, const float *x, int64_t b, int op, int pl, int kind,
                       const s2geo *G, __m256 *carry, __m256 *nan)
{
    const __m256 fill = s2_fill(op);
    __m256 lo, hi;
    s2_ld(r, b, op, kind, G, &lo, &hi);
    for (int v = 1; v < V; v++) {
        __m256 l2, h2;
        s2_ld(r + v * w, b, op, kind, G, &l2, &h2);
        lo = _mm256_add_ps(lo, l2);
        hi = _mm256_add_ps(hi, h2);
    }
    if (x) {
        __m256 l2, h2;
        s2_ld(x, b, op, kind, G, &l2, &h2);
        lo = _mm256_add_ps(lo, l2);
        hi = _mm256_add_ps(hi, h2);
    }
    if (op == OP_MAX) *nan = _mm256_or_ps(*nan, _mm256_cmp_ps(lo, hi, _CMP_UNORD_Q));
    const __m256 e = _mm256_shuffle_ps(lo, hi, 0x88), o = _mm256_shuffle_ps(lo, hi, 0xDD);
    if (pl) {
        /* Left taps: lane k takes the right tap of the output before it, lane 0 column b-1:
         * padding for the first vector, else the previous vector's right tap of output 7,
         * which the same permute put in its lane 0 (carried). */
        const __m256 po = _mm256_permutevar8x32_ps(o, _mm256_setr_epi32(7, 0, 5, 2, 1, 4, 3, 6));
        const __m256 l = _mm256_blend_ps(po, kind & 1 ? fill : *carry, 0x01);
        *carry = po;
        return s2_comb(op, o, s2_comb(op, e, l));
    }
    const int edge = kind >= 2;
    __m256 inc = fill;
    if (!(edge && !G->last_inc))
        for (int v = 0; v < V; v++)
            inc = v ? _mm256_add_ps(inc, _mm256_broadcast_ss(r + v * w + b + 16)) : _mm256_broadcast_ss(r + b + 16);
    if (x && !(edge && !G->last_inc)) inc = _mm256_add_ps(inc, _mm256_broadcast_ss(x + b + 16));
    if (op == OP_MAX && edge && G->last_inc) /* the one tap no vector's loads cover */
        *nan = _mm256_or_ps(*nan, _mm256_cmp_ps(inc, inc, _CMP_UNORD_Q));
    const __m256 f = _mm256_blend_ps(_mm256_permutevar8x32_ps(e, _mm256_setr_epi32(1, 4, 3, 6, 5, 2, 7, 0)), inc, 0x80);
    return s2_comb(op, f, s2_comb(op, o, e));
}

/* s2_hx without the extra row x. */
SP_INLINE __m256 s2_h(const float *r, int64_t w, int V, int64_t b, int op, int pl, int kind, const s2geo *G,
                      __m256 *carry, __m256 *nan)
{
    return s2_hx(r, w, V, NULL, b, op, pl, kind, G, carry, nan);
}

/* Output vector j of a row from input rows ra .. ra+(NR-1)w; with C, row ra's H is in hb. */
SP_INLINE __m256 s2_vec(const float *ra, int64_t w, int64_t j, int op, int pl, int kind, const s2geo *G, float *hb,
                        __m256 *cr, __m256 *nan, int NR, int C)
{
    if (kind == 0 && G->pf) {
        _mm_prefetch((const char *)(ra + 3 * w + 16 * j), _MM_HINT_T0);
        _mm_prefetch((const char *)(ra + 4 * w + 16 * j), _MM_HINT_T0);
    }
    if (op != OP_MAX) return unperm2(s2_h(ra, w, NR, 16 * j, op, pl, kind, G, &cr[0], nan));
    __m256 m = _mm256_setzero_ps(), h = m;
    for (int k = 0; k < NR; k++) {
        h = k == 0 && C ? _mm256_loadu_ps(hb + 8 * j) : s2_h(ra + k * w, w, 1, 16 * j, op, pl, kind, G, &cr[k], nan);
        m = k ? s2_comb(op, h, m) : h;
    }
    if (!(NR == 1 && C)) _mm256_storeu_ps(hb + 8 * j, h);
    return unperm2(m);
}

SP_INLINE void s2_store(float *out, int64_t j, int op, __m256 v, __m256 dv, const float *colf, int full, int64_t n)
{
    if (op != OP_MAX) v = _mm256_add_ps(v, _mm256_setzero_ps()); /* sums start from +0: -0 windows give +0 */
    if (op == OP_AVG) v = _mm256_div_ps(v, _mm256_mul_ps(dv, _mm256_loadu_ps(colf + 8 * j)));
    if (full)
        _mm256_storeu_ps(out + 8 * j, v);
    else
        _mm256_maskstore_ps(out + 8 * j, sp_mask(n), v);
}

/* One output row. dv: avg, the row's divisor factor; colf the column factors (natural order). */
SP_INLINE void s2_row(const float *ra, const s2geo *G, float *hb, float *out, int store_full, int op, int pl,
                      __m256 dv, const float *colf, __m256 *nan, int NR, int C)
{
    const int64_t w = G->w, nv = G->nv;
    __m256 cr[3];
    if (nv == 1) {
        s2_store(out, 0, op, s2_vec(ra, w, 0, op, pl, 3, G, hb, cr, nan, NR, C), dv, colf, store_full, G->nlast);
        return;
    }
    s2_store(out, 0, op, s2_vec(ra, w, 0, op, pl, 1, G, hb, cr, nan, NR, C), dv, colf, 1, 8);
    int64_t j = 1;
    for (; j < nv - 1; j++) s2_store(out, j, op, s2_vec(ra, w, j, op, pl, 0, G, hb, cr, nan, NR, C), dv, colf, 1, 8);
    s2_store(out, j, op, s2_vec(ra, w, j, op, pl, 2, G, hb, cr, nan, NR, C), dv, colf, store_full, G->nlast);
}

/* The geometry every row shares; 0 where the row shape is not the one s2_row assumes (every
 * vector but the last inside the row), which PyTorch's output size rule gives for padding <= 1. */
static int s2_setup(const sp_problem *p, s2geo *G)
{
    const int64_t w = p->w, OW = p->ow;
    if (p->pl > 1 || OW > HB_MAX) return 0;
    G->w = w;
    G->pl = (int)p->pl;
    G->nv = (OW + 7) / 8;
    G->nlast = OW - 8 * (G->nv - 1);
    if (G->nv >= 2 && 16 * (G->nv - 1) + (p->pl ? 0 : 1) > w) return 0;
    const int64_t bL = 16 * (G->nv - 1);
    G->last_plain = bL + 16 <= w;
    G->last_inc = bL + 16 < w;
    G->last_clean = 2 * (OW - 1) - p->pl + 2 < w;
    /* Long rows (the 224^2 stem) stream from memory and gain from fetching the next output
     * row's input rows ahead; at 112^2 it measured level, below that the rows are in cache. */
    G->pf = w >= 128;
    G->m0 = sp_mask(w - bL);
    G->m1 = sp_mask(w - bL - 8);
    G->hi_empty = w - bL <= 8;
    /* A window with no tap inside has divisor 0 and gives 0 (the exact path's rule). */
    if (p->op == SIMDPOOL_AVG && !p->divisor_override)
        for (int64_t ow = 0; ow < OW; ow++)
            if (!sp_div_cols(p, 2 * ow - p->pl)) return 0;
    return 1;
}

/* Output rows [oh0, oh1) of NV (1..4) vectors each, every window's rows inside: the shared
 * rows' H stay in registers instead of hb. */
SP_INLINE void s2_middle_nv(const float *r1, float *out, int64_t n, int64_t OW, const s2geo *G, float *hb,
                            float *out_end, int op, int pl, __m256 dv, const float *colf, __m256 *nan, int NV,
                            int fresh)
{
    const int64_t w = G->w;
    __m256 hc[4];
    for (int j = 0; j < NV; j++)
        hc[j] = op != OP_MAX ? _mm256_setzero_ps() : fresh ? s2_fill(op) : _mm256_loadu_ps(hb + 8 * j);
    for (int64_t i = 0; i < n; i++, r1 += 2 * w, out += OW) {
        __m256 ca = s2_fill(op), cb = ca;
        for (int j = 0; j < NV; j++) {
            const int kind = (j == 0) | (j == NV - 1 ? 2 : 0);
            __m256 m;
            if (op == OP_MAX) {
                const __m256 ha = s2_h(r1, w, 1, 16 * j, op, pl, kind, G, &ca, nan);
                const __m256 hn = s2_h(r1 + w, w, 1, 16 * j, op, pl, kind, G, &cb, nan);
                m = _mm256_max_ps(hn, _mm256_max_ps(ha, hc[j]));
                hc[j] = hn;
            } else {
                m = s2_h(r1 - w, w, 3, 16 * j, op, pl, kind, G, &ca, nan);
            }
            const int full = j < NV - 1 || G->nlast == 8 || out + 8 * NV <= out_end;
            s2_store(out, j, op, unperm2(m), dv, colf, full, G->nlast);
        }
    }
    if (op == OP_MAX)
        for (int j = 0; j < NV; j++) _mm256_storeu_ps(hb + 8 * j, hc[j]);
}

/* M(j, kind) over a row's nv vectors: kind 1 the first, 2 the last, 0 those between, whose
 * loop unrolls whole when NV (the vector count) is a constant. */
#define S2_EACH(M)                                                                                             \
    do {                                                                                                       \
        M(0, 1);                                                                                               \
        if (NV) {                                                                                              \
            _Pragma("GCC unroll 16") for (int64_t j = 1; j < nv - 1; j++) M(j, 0);                            \
        } else {                                                                                               \
            for (int64_t j = 1; j < nv - 1; j++) M(j, 0);                                                      \
        }                                                                                                      \
        M(nv - 1, 2);                                                                                          \
    } while (0)

/* Max over rows of 5+ vectors (the 112^2 and 224^2 stems), one output row at a time: the
 * window's middle input row is read whole first, its H kept in eb, then the last row, so the
 * input is read in address order, one stream. Reading the two rows side by side (s2_row) is
 * two streams of a row's few lines each, which the hardware prefetchers follow poorly: on max
 * C64 112^2 a loop doing nothing but those loads took ~52 us against ~44 us in address order
 * (the roofline ~43 us), and software prefetches did not close it. Same vmaxps operands in
 * the same order as s2_vec: the same bits. Bench medians, old/new interleaved: max C64 112^2
 * 66.6 -> 53.9 us (71 -> 81% of the roofline), C64 224^2 432 -> 335 us (65 -> 85%). What is
 * left is the vector pipes: per output vector 6 vmaxps and 2 vcmpps share two pipes with
 * 7 shuffles (unaligned loads for the left taps instead of the permute, or integer NaN
 * checks instead of vcmpps, measured level or slower). Vertical first was slower too: pass 1
 * storing max(r0, r1) per column, pass 2 one H of max(r2, that) per output vector (5
 * shuffles instead of 9), plus a zero check and a per-row fix, since columns first differs
 * from the row-major first maximum where -0 and +0 tie: C64 112^2 took 1.11x the time of
 * this (in-process A/B, 30 rounds), 1.06x with the plane in L2 (C4); the buffer's round trip
 * (11 loads and 3 stores per 8 outputs) costs more than the shuffles it saves. Where AVX-512
 * is present, src/avx512/nchw_3x3s2.c runs these rows with H in registers. */
SP_INLINE void s2_max_lin(const float *ra, float *out, int64_t n, int64_t OW, const s2geo *G, float *hb,
                          float *out_end, int pl, __m256 *nan, int NV)
{
    const int64_t w = G->w, nv = NV ? NV : G->nv;
    float eb[HB_MAX];
    for (int64_t i = 0; i < n; i++, ra += 2 * w, out += OW) {
        const float *r1 = ra + w, *r2 = ra + 2 * w;
        __m256 c1 = s2_fill(OP_MAX), c2 = c1;
        const int sf = G->nlast == 8 || out + 8 * nv <= out_end;
#define S2_MID_ROW(j, kind) _mm256_storeu_ps(eb + 8 * (j), s2_h(r1, w, 1, 16 * (j), OP_MAX, pl, kind, G, &c1, nan))
#define S2_LAST_ROW(j, kind)                                                                                   \
    do {                                                                                                       \
        const __m256 h = s2_h(r2, w, 1, 16 * (j), OP_MAX, pl, kind, G, &c2, nan);                            \
        const __m256 m = _mm256_max_ps(h, _mm256_max_ps(_mm256_loadu_ps(eb + 8 * (j)), _mm256_loadu_ps(hb + 8 * (j)))); \
        _mm256_storeu_ps(hb + 8 * (j), h);                                                                     \
        s2_store(out, j, OP_MAX, unperm2(m), _mm256_setzero_ps(), NULL, kind < 2 || sf, G->nlast);            \
    } while (0)
        /* With NV known the vector loops unroll whole: their counter, the carry's register
         * copy and the pointer updates were a quarter of each loop's instructions. */
        S2_EACH(S2_MID_ROW);
        /* eb through memory: held in registers across the unrolled loops, gcc spilled the NaN
         * flag and other H values instead (a load and a store in every vector) */
        __asm__ volatile("" : : "r"(eb) : "memory");
        S2_EACH(S2_LAST_ROW);
#undef S2_MID_ROW
#undef S2_LAST_ROW
    }
}

/* Avg and sum over rows of 5+ vectors, s2_max_lin's order: per output row the window's middle
 * input row is read whole first, added to its first row (the last row of the window before,
 * still in L1) into vb, then the last row, whose vertical sums with vb give H. So the rows
 * that come from memory are read in address order, one stream. The adds are s2_vec's, in its
 * order ((r0 + r1) + r2, then the taps). Avg multiplies by the reciprocal divisors rcp
 * (natural order) where s2_store divides: vdivps was the bound at 112^2 (one per 8 outputs,
 * avg ~75 us against sum ~50 us on C64); the product is within the rounding bound, as in the
 * stride-1 paths, and fmadd with +0 keeps -0 windows at +0. Bench, old/new interleaved on the
 * shared host (per-round ratio medians, 10+ rounds): C64 224^2 avg and sum ~0.4-0.65 of the
 * side-by-side path's time (~40% -> ~75-85% of the roofline); at 112^2 avg ~0.93, sum level
 * or a few % slower, so sum keeps s2_row there. */
SP_INLINE void s2_sum_lin(const float *ra, float *out, int64_t n, int64_t OW, const s2geo *G, float *out_end,
                          int op, int pl, const float *rcp, int NV)
{
    const int64_t w = G->w, nv = NV ? NV : G->nv;
    float vb[2 * HB_MAX + 8];
    __m256 nan = _mm256_setzero_ps(); /* unused by sums */
    for (int64_t i = 0; i < n; i++, ra += 2 * w, out += OW) {
        const float *r1 = ra + w, *r2 = ra + 2 * w;
        __m256 c = s2_fill(op);
        const int sf = G->nlast == 8 || out + 8 * nv <= out_end;
#define S2_MID_ROW(j, kind)                                                                                    \
    do {                                                                                                       \
        __m256 lo, hi, l1, h1;                                                                                 \
        s2_ld(ra, 16 * (j), op, kind, G, &lo, &hi);                                                            \
        s2_ld(r1, 16 * (j), op, kind, G, &l1, &h1);                                                            \
        _mm256_storeu_ps(vb + 16 * (j), _mm256_add_ps(lo, l1));                                                \
        _mm256_storeu_ps(vb + 16 * (j) + 8, _mm256_add_ps(hi, h1));                                            \
    } while (0)
#define S2_LAST_ROW(j, kind)                                                                                   \
    do {                                                                                                       \
        const __m256 h = unperm2(s2_hx(vb, w, 1, r2, 16 * (j), op, pl, kind, G, &c, &nan));                    \
        const __m256 v = op == OP_AVG ? _mm256_fmadd_ps(h, _mm256_loadu_ps(rcp + 8 * (j)), _mm256_setzero_ps()) \
                                      : _mm256_add_ps(h, _mm256_setzero_ps());                                 \
        if ((kind) < 2 || sf)                                                                                  \
            _mm256_storeu_ps(out + 8 * (j), v);                                                                \
        else                                                                                                   \
            _mm256_maskstore_ps(out + 8 * (j), sp_mask(G->nlast), v);                                          \
    } while (0)
        S2_EACH(S2_MID_ROW);
        /* left padding 0: the last vector's column b+16, inside the row */
        if (!pl && G->last_inc) vb[16 * nv] = ra[16 * nv] + r1[16 * nv];
        __asm__ volatile("" : : "r"(vb) : "memory");
        S2_EACH(S2_LAST_ROW);
#undef S2_MID_ROW
#undef S2_LAST_ROW
    }
}

/* Output rows [oh0, oh1) whose windows' rows are all inside; returns the last input row whose
 * H (max) is in hb. */
SP_INLINE int64_t s2_middle(const float *plane, float *po, int64_t oh0, int64_t oh1, const s2geo *G, float *hb,
                            float *out_end, int op, int pl, __m256 dv, const float *colf, const float *rcp, __m256 *nan,
                            int64_t pt)
{
    const int64_t w = G->w, OW = (G->nv - 1) * 8 + G->nlast;
    const float *r1 = plane + (2 * oh0 - pt + 1) * w;
    const int fresh = 2 * oh0 - pt < 0;
    float *out = po + oh0 * OW;
    switch (G->nv) {
    case 1: s2_middle_nv(r1, out, oh1 - oh0, OW, G, hb, out_end, op, pl, dv, colf, nan, 1, fresh); break;
    case 2: s2_middle_nv(r1, out, oh1 - oh0, OW, G, hb, out_end, op, pl, dv, colf, nan, 2, fresh); break;
    case 3: s2_middle_nv(r1, out, oh1 - oh0, OW, G, hb, out_end, op, pl, dv, colf, nan, 3, fresh); break;
    case 4: s2_middle_nv(r1, out, oh1 - oh0, OW, G, hb, out_end, op, pl, dv, colf, nan, 4, fresh); break;
    default: {
        const float *ra = r1 - w;
        const int64_t n = oh1 - oh0;
        if (op == OP_MAX) {
            switch (G->nv) { /* the stems: 112^2 and 224^2 inputs */
            case 7: s2_max_lin(ra, out, n, OW, G, hb, out_end, pl, nan, 7); break;
            case 14: s2_max_lin(ra, out, n, OW, G, hb, out_end, pl, nan, 14); break;
            default: s2_max_lin(ra, out, n, OW, G, hb, out_end, pl, nan, 0); break;
            }
        } else if (op == OP_AVG || G->w >= 128) {
            switch (G->nv) {
            case 7: s2_sum_lin(ra, out, n, OW, G, out_end, op, pl, rcp, 7); break;
            case 14: s2_sum_lin(ra, out, n, OW, G, out_end, op, pl, rcp, 14); break;
            default: s2_sum_lin(ra, out, n, OW, G, out_end, op, pl, rcp, 0); break;
            }
        } else {
            /* Sum on rows that stay in cache (112^2): s2_sum_lin's extra row pass measured
             * ~6% slower there (C64 112^2, 7 interleaved rounds); avg gains from its reciprocals. */
            for (int64_t i = 0; i < n; i++, ra += 2 * w, out += OW) {
                const int sf = G->nlast == 8 || out + 8 * G->nv <= out_end;
                s2_row(ra, G, hb, out, sf, op, pl, dv, colf, nan, 3, 0);
            }
        }
    }
    }
    return 2 * oh1 - pt; /* the last row of the last window */
}

SP_INLINE void planes_s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int pl,
                         const s2geo *G)
{
    const int64_t h = p->h, w = p->w, OW = p->ow, OH = p->oh, hw = h * w, ohw = OH * OW, pt = p->pt;
    float *out_end = a->out + (int64_t)end * ohw;
    float hb[HB_MAX + 8];
    /* Avg: column factors of the divisor, and its value with an override (rows then give 1). */
    float colf[HB_MAX + 8];
    if (op == OP_AVG) {
        for (int64_t ow = 0; ow < G->nv * 8; ow++)
            colf[ow] = ow >= OW ? 1.0f : p->divisor_override ? (float)p->divisor_override
                                                               : (float)sp_div_cols(p, 2 * ow - p->pl);
    }
    /* Avg, rows with all three input rows inside: reciprocals of the divisors (s2_sum_lin). */
    float rcp[HB_MAX + 8];
    if (op == OP_AVG)
        for (int64_t ow = 0; ow < G->nv * 8; ow++) rcp[ow] = 1.0f / ((p->divisor_override ? 1.0f : 3.0f) * colf[ow]);
    const float *in_end = a->in + p->n * p->c * hw;
    /* Output rows [mA, mB) have their three input rows inside and (max) the first shared with
     * the row before: they run without per-row case analysis. */
    int64_t mA = (pt + 1) / 2, mB = (h - 3 + pt) / 2 + 1;
    if (op == OP_MAX && mA < 1) mA = 1;
    /* Max with top padding 1 and short rows: the first window's padded row reads as -inf. */
    if (op == OP_MAX && pt == 1 && G->nv <= 4 && h >= 2) mA = 0;
    if (mB > OH) mB = OH;
    if (h < 3) mB = 0;
    const __m256 dv3 = _mm256_set1_ps(op == OP_AVG && !p->divisor_override ? 3.0f : 1.0f);
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        float *po = a->out + (int64_t)u * ohw;
        __m256 nan = _mm256_setzero_ps();
        int64_t cy = -1;
        /* Plain loads for the last vector too where they stay in the tensor and only its extra
         * lanes read past the row (small maps: masking every row is a large share). */
        s2geo Gp = *G;
        if (G->last_clean && plane + (h - 1) * w + 16 * G->nv <= in_end) Gp.last_plain = 1;
        for (int64_t oh = 0; oh < OH; oh++) {
            if (oh == mA && mA < mB) {
                cy = s2_middle(plane, po, mA, mB, &Gp, hb, out_end, op, pl, dv3, colf, rcp, &nan, pt);
                oh = mB - 1;
                continue;
            }
            float *out = po + oh * OW;
            const int64_t ys = 2 * oh - pt, y0 = ys < 0 ? 0 : ys, y1 = ys + 3 < h ? ys + 3 : h;
            if (y1 <= y0) {
                empty_row(p, out, NULL, op);
                cy = -1;
                continue;
            }
            const int NR = (int)(y1 - y0), C = op == OP_MAX && y0 == cy; /* sums share no rows */
            const float *ra = plane + y0 * w;
            const int sf = Gp.nlast == 8 || out + 8 * Gp.nv <= out_end;
            /* sp_div_rows for dilation 1, without its divisions: rows of [ys, ys+3) inside
             * [lo, hi), the padded input with count_include_pad, else the input. */
            const int64_t lo = p->count_include_pad ? -pt : 0, hi = p->count_include_pad ? h + p->pb : h;
            const int64_t rf = (ys + 3 < hi ? ys + 3 : hi) - (ys > lo ? ys : lo);
            const __m256 dv = _mm256_set1_ps(op == OP_AVG && !p->divisor_override ? (float)rf : 1.0f);
            switch (NR * 2 + C) {
            case 7: s2_row(ra, &Gp, hb, out, sf, op, pl, dv, colf, &nan, 3, 1); break;
            case 6: s2_row(ra, &Gp, hb, out, sf, op, pl, dv, colf, &nan, 3, 0); break;
            case 5: s2_row(ra, &Gp, hb, out, sf, op, pl, dv, colf, &nan, 2, 1); break;
            case 4: s2_row(ra, &Gp, hb, out, sf, op, pl, dv, colf, &nan, 2, 0); break;
            case 3: s2_row(ra, &Gp, hb, out, sf, op, pl, dv, colf, &nan, 1, 1); break;
            default: s2_row(ra, &Gp, hb, out, sf, op, pl, dv, colf, &nan, 1, 0); break;
            }
            cy = y1 - 1;
        }
        if (op == OP_MAX && !_mm256_testz_ps(nan, nan))
            for (int64_t oh = 0; oh < OH; oh++) row_kernel(p, plane, po + oh * OW, NULL, oh, OP_MAX, 3, 3, 2, 1, 1);
    }
}

/* Instances per op and left padding, so neither is tested inside the loops. */
static int s2_run(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    s2geo G;
    if (!s2_setup(p, &G)) return 0;
    const int op = p->op == SIMDPOOL_MAX ? OP_MAX : p->op == SIMDPOOL_AVG ? OP_AVG : OP_SUM;
    if (op == OP_MAX)
        G.pl ? planes_s2(p, a, begin, end, OP_MAX, 1, &G) : planes_s2(p, a, begin, end, OP_MAX, 0, &G);
    else if (op == OP_AVG)
        G.pl ? planes_s2(p, a, begin, end, OP_AVG, 1, &G) : planes_s2(p, a, begin, end, OP_AVG, 0, &G);
    else
        G.pl ? planes_s2(p, a, begin, end, OP_SUM, 1, &G) : planes_s2(p, a, begin, end, OP_SUM, 0, &G);
    return 1;
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
                sm = op == OP_AVG ? _mm256_fmadd_ps(sm, inv3, _mm256_setzero_ps()) /* +0 for -0 sums */
                                  : _mm256_add_ps(sm, _mm256_setzero_ps());
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
            s = _mm256_fmadd_ps(s, inv[rf], _mm256_setzero_ps()); /* +0 for -0 sums */
        } else {
            s = _mm256_add_ps(s, _mm256_setzero_ps());
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

/* Reciprocal divisors of the stride-1, padding-1 3x3 windows of output columns ow0 .. ow0+7,
 * per row factor r = 0..3 (taps inside the rows): 0 where no tap is inside, as the reference
 * gives 0 there. Shared by the whole-row paths below. */
SP_INLINE void s1_recips(const sp_problem *p, int64_t ow0, __m256 inv[4])
{
    const int64_t W = p->w, lo = p->count_include_pad ? -1 : 0, hi = p->count_include_pad ? W + 1 : W;
    const __m256 zero = _mm256_setzero_ps();
    const __m256i s = _mm256_add_epi32(sp_iota(), _mm256_set1_epi32((int)(ow0 - 1)));
    const __m256i z = _mm256_setzero_si256(), k3 = _mm256_set1_epi32(3);
    const __m256i ca = _mm256_min_epi32(_mm256_max_epi32(_mm256_sub_epi32(_mm256_set1_epi32((int)hi), s), z), k3);
    const __m256i cb = _mm256_min_epi32(_mm256_max_epi32(_mm256_sub_epi32(_mm256_set1_epi32((int)lo), s), z), k3);
    const __m256 cols = _mm256_cvtepi32_ps(_mm256_sub_epi32(ca, cb));
    for (int r = 0; r < 4; r++) {
        const __m256 d = p->divisor_override ? _mm256_set1_ps((float)p->divisor_override)
                                             : _mm256_mul_ps(cols, _mm256_set1_ps((float)r));
        inv[r] = _mm256_blendv_ps(_mm256_div_ps(_mm256_set1_ps(1.0f), d), zero, _mm256_cmp_ps(d, zero, _CMP_EQ_OQ));
    }
}

/* 3x3 with left and right padding 1 on rows of at most 8 columns (7x7, 8x8 maps): one load
 * per input row gives all three taps by lane permutes (padding lanes read 0), and output rows
 * are stored whole. A store of fewer than 8 outputs spills into the next output row or plane,
 * which is written after it; only a store that would leave the slice is masked. */
SP_INLINE void small_sums(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op)
{
    const int64_t H = p->h, W = p->w, OW = p->ow, OH = p->oh, hw = H * W, ohw = OH * OW, pt = p->pt;
    const float *in_end = a->in + p->n * p->c * hw;
    float *out_end = a->out + (int64_t)end * ohw;
    const __m256 zero = _mm256_setzero_ps();
    const __m256i inrow = sp_mask(W);
    const __m256i prev = _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6), next = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7);
    /* Reciprocal divisors per row factor (0..3), per lane, and each output row's factor. */
    __m256 inv[4];
    uint8_t rowf[16];
    if (op == OP_AVG) {
        s1_recips(p, 0, inv);
        for (int64_t oh = 0; oh < OH && oh < 16; oh++) rowf[oh] = (uint8_t)sp_div_rows(p, oh - pt);
    }
    for (size_t u = begin; u < end; u++) {
        const float *r = a->in + (int64_t)u * hw;
        float *o = a->out + (int64_t)u * ohw;
        int64_t oh = 0;
        __m256 h0 = zero, h1 = zero;
#define EMIT(sum)                                                                                                   \
    do {                                                                                                           \
        __m256 s_ = (sum);                                                                                         \
        if (op == OP_AVG) { /* +0 for -0 sums, as the reference's sums start from +0 */                          \
            const int64_t rf = oh < 16 ? rowf[oh] : oh + 1 < OH ? 3 : sp_div_rows(p, oh - pt);                     \
            s_ = _mm256_fmadd_ps(s_, inv[rf], zero);                                                               \
        } else {                                                                                                   \
            s_ = _mm256_add_ps(s_, zero);                                                                          \
        }                                                                                                          \
        if (o + 8 <= out_end)                                                                                      \
            _mm256_storeu_ps(o, s_);                                                                               \
        else                                                                                                       \
            _mm256_maskstore_ps(o, sp_mask(OW), s_);                                                               \
        o += OW;                                                                                                   \
        oh++;                                                                                                      \
    } while (0)
        for (int64_t ih = 0; ih < H; ih++, r += W) {
            __m256 v = r + 8 <= in_end ? _mm256_and_ps(_mm256_loadu_ps(r), _mm256_castsi256_ps(inrow))
                                       : _mm256_maskload_ps(r, inrow);
            const __m256 t0 = _mm256_blend_ps(_mm256_permutevar8x32_ps(v, prev), zero, 0x01);
            const __m256 t2 = _mm256_blend_ps(_mm256_permutevar8x32_ps(v, next), zero, 0x80);
            const __m256 h = _mm256_add_ps(_mm256_add_ps(t0, v), t2);
            if (ih + pt >= 2) EMIT(_mm256_add_ps(_mm256_add_ps(h0, h1), h));
            h0 = h1;
            h1 = h;
        }
        if (p->pb) EMIT(_mm256_add_ps(h0, h1)); /* the last window's third row is padding */
#undef EMIT
    }
}

/* small_sums for rows of 9 to 16 columns (14x14 maps): two loads per row, the taps that cross
 * between them by lane rotations. */
static void small_sums16(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op)
{
    const int64_t H = p->h, W = p->w, OW = p->ow, OH = p->oh, hw = H * W, ohw = OH * OW, pt = p->pt;
    const float *in_end = a->in + p->n * p->c * hw;
    float *out_end = a->out + (int64_t)end * ohw;
    const __m256 zero = _mm256_setzero_ps();
    const __m256i in1 = sp_mask(W - 8);
    const __m256i rotr = _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6), rotl = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
    /* Reciprocal divisors per row factor (0..3) and half row, per lane; each output row's factor. */
    __m256 inv[4][2];
    uint8_t rowf[18];
    if (op == OP_AVG) {
        for (int j = 0; j < 2; j++) {
            __m256 t[4];
            s1_recips(p, 8 * j, t);
            for (int r = 0; r < 4; r++) inv[r][j] = t[r];
        }
        for (int64_t oh = 0; oh < OH && oh < 18; oh++) rowf[oh] = (uint8_t)sp_div_rows(p, oh - pt);
    }
    for (size_t u = begin; u < end; u++) {
        const float *r = a->in + (int64_t)u * hw;
        float *o = a->out + (int64_t)u * ohw;
        int64_t oh = 0;
        __m256 a0 = zero, a1 = zero, b0 = zero, b1 = zero; /* row sums of the two rows before, per half */
#define EMIT(s0, s1)                                                                                                \
    do {                                                                                                           \
        __m256 x0_ = (s0), x1_ = (s1);                                                                             \
        if (op == OP_AVG) { /* +0 for -0 sums, as the reference's sums start from +0 */                          \
            const int64_t rf = oh < 18 ? rowf[oh] : oh + 1 < OH ? 3 : sp_div_rows(p, oh - pt);                     \
            x0_ = _mm256_fmadd_ps(x0_, inv[rf][0], zero);                                                          \
            x1_ = _mm256_fmadd_ps(x1_, inv[rf][1], zero);                                                          \
        } else {                                                                                                   \
            x0_ = _mm256_add_ps(x0_, zero);                                                                        \
            x1_ = _mm256_add_ps(x1_, zero);                                                                        \
        }                                                                                                          \
        _mm256_storeu_ps(o, x0_);                                                                                  \
        if (o + 16 <= out_end)                                                                                     \
            _mm256_storeu_ps(o + 8, x1_);                                                                          \
        else                                                                                                       \
            _mm256_maskstore_ps(o + 8, sp_mask(OW - 8), x1_);                                                      \
        o += OW;                                                                                                   \
        oh++;                                                                                                      \
    } while (0)
        for (int64_t ih = 0; ih < H; ih++, r += W) {
            const __m256 lo = _mm256_loadu_ps(r);
            const __m256 hi = r + 16 <= in_end ? _mm256_and_ps(_mm256_loadu_ps(r + 8), _mm256_castsi256_ps(in1))
                                               : _mm256_maskload_ps(r + 8, in1);
            const __m256 lr = _mm256_permutevar8x32_ps(lo, rotr), ll = _mm256_permutevar8x32_ps(lo, rotl);
            const __m256 hr = _mm256_permutevar8x32_ps(hi, rotr), hl = _mm256_permutevar8x32_ps(hi, rotl);
            const __m256 h0 = _mm256_add_ps(_mm256_add_ps(_mm256_blend_ps(lr, zero, 0x01), lo), _mm256_blend_ps(ll, hl, 0x80));
            const __m256 h1 = _mm256_add_ps(_mm256_add_ps(_mm256_blend_ps(hr, lr, 0x01), hi), _mm256_blend_ps(hl, zero, 0x80));
            if (ih + pt >= 2) EMIT(_mm256_add_ps(_mm256_add_ps(a0, a1), h0), _mm256_add_ps(_mm256_add_ps(b0, b1), h1));
            a0 = a1;
            a1 = h0;
            b0 = b1;
            b1 = h1;
        }
        if (p->pb) EMIT(_mm256_add_ps(a0, a1), _mm256_add_ps(b0, b1)); /* the last window's third row is padding */
#undef EMIT
    }
}

/* Horizontal sums of input row r for output vector j of a row of NV vectors (wide_sums): the
 * first vector's left tap by a lane rotation (padding lane 0), the others by unaligned loads;
 * lanes past the row read 0 in t1 and t2, t0 may read anything there (spilled lanes). */
SP_INLINE __m256 wide_h(const float *r, int j, int NV, const float *in_end, __m256i inl, __m256i inr)
{
    if (j == 0) {
        const __m256 t1 = _mm256_loadu_ps(r);
        const __m256 t0 = _mm256_blend_ps(_mm256_permutevar8x32_ps(t1, _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6)),
                                          _mm256_setzero_ps(), 0x01);
        return _mm256_add_ps(_mm256_add_ps(t0, t1), _mm256_loadu_ps(r + 1));
    }
    const float *c = r + 8 * j;
    if (j < NV - 1)
        return _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(c - 1), _mm256_loadu_ps(c)), _mm256_loadu_ps(c + 1));
    if (__builtin_expect(c + 9 <= in_end, 1))
        return _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(c - 1), _mm256_and_ps(_mm256_loadu_ps(c), _mm256_castsi256_ps(inl))),
                             _mm256_and_ps(_mm256_loadu_ps(c + 1), _mm256_castsi256_ps(inr)));
    return _mm256_add_ps(_mm256_add_ps(_mm256_maskload_ps(c - 1, inl), _mm256_maskload_ps(c, inl)),
                         _mm256_maskload_ps(c + 1, inr));
}

/* Output vector j of a row: the sum scaled by the reciprocal divisor (avg) and stored whole
 * unless that would leave the slice; the last vector's extra lanes land on the next row's
 * first outputs, which are stored after it. */
SP_INLINE void wide_st(float *o, int j, int NV, __m256 x, __m256 iv, int op, const float *out_end, __m256i inl)
{
    /* +0 for -0 sums, as the reference's sums start from +0 */
    x = op == OP_AVG ? _mm256_fmadd_ps(x, iv, _mm256_setzero_ps()) : _mm256_add_ps(x, _mm256_setzero_ps());
    if (j < NV - 1 || __builtin_expect(o + 8 * NV <= out_end, 1))
        _mm256_storeu_ps(o + 8 * j, x);
    else
        _mm256_maskstore_ps(o + 8 * j, inl, x);
}

/* small_sums16 for rows of 17 to 32 columns (28x28 maps), NV = 3 or 4 vectors per row. Taps
 * other than the row's first vector's left one are unaligned loads, not lane rotations: with
 * this many vectors the shuffles cost more than the loads (sum C192 28^2 27.3 -> 21.8 us).
 * The first and last output rows (padding rows, their own divisors) are peeled, so the rows
 * between take the interior divisors: 1/9 everywhere but in the first and last vectors. Those
 * go two at a time sharing the sum of their two common input rows (3 vertical adds for two
 * outputs instead of 4). The vector loops are unrolled by pragma: gcc left some rolled, which
 * kept the row sums in memory (~5%). */
SP_INLINE void wide_sums(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int NV)
{
    const int64_t H = p->h, W = p->w, OW = p->ow, OH = p->oh, hw = H * W, ohw = OH * OW, pt = p->pt;
    const float *in_end = a->in + p->n * p->c * hw;
    float *out_end = a->out + (int64_t)end * ohw;
    const __m256 zero = _mm256_setzero_ps();
    const __m256i inl = sp_mask(W - 8 * (NV - 1)), inr = sp_mask(W - 8 * (NV - 1) - 1);
    /* Reciprocal divisors per vector of the first and last output rows, and of the rows
     * between: e0, e1 for the first and last vectors, im for the others, whose windows are
     * all inside (one value in every lane). */
    __m256 first[4], last[4], e0 = zero, e1 = zero, im = zero;
    if (op == OP_AVG) {
        const int64_t rf0 = sp_div_rows(p, -pt), rfl = sp_div_rows(p, OH - 1 - pt);
        #pragma GCC unroll 4
        for (int j = 0; j < NV; j++) {
            __m256 t[4];
            s1_recips(p, 8 * j, t);
            first[j] = t[rf0];
            last[j] = t[rfl];
            if (j == 0) e0 = t[3];
            if (j == 1) im = t[3];
            if (j == NV - 1) e1 = t[3];
        }
    }
#define IV(j) ((j) == 0 ? e0 : (j) == NV - 1 ? e1 : im)
    for (size_t u = begin; u < end; u++) {
        const float *r = a->in + (int64_t)u * hw;
        float *o = a->out + (int64_t)u * ohw;
        __m256 s0[4], s1[4], q[4]; /* row sums of the two input rows before the next one */
        int64_t ih = 0;
        #pragma GCC unroll 4
        for (int j = 0; j < NV; j++) s1[j] = zero;
        for (; ih < 2 - pt; ih++, r += W) { /* rows before the first output's last row; H >= 2 - pt */
            #pragma GCC unroll 4
            for (int j = 0; j < NV; j++) {
                s0[j] = s1[j];
                s1[j] = wide_h(r, j, NV, in_end, inl, inr);
            }
        }
        if (pt && ih < H) { /* the first output row: its first input row is padding */
            #pragma GCC unroll 4
            for (int j = 0; j < NV; j++) {
                const __m256 h = wide_h(r, j, NV, in_end, inl, inr);
                wide_st(o, j, NV, _mm256_add_ps(s1[j], h), first[j], op, out_end, inl);
                s0[j] = s1[j];
                s1[j] = h;
            }
            ih++, r += W, o += OW;
        }
        for (; ih + 1 < H; ih += 2, r += 2 * W) {
            #pragma GCC unroll 4
            for (int j = 0; j < NV; j++) {
                const __m256 h = wide_h(r, j, NV, in_end, inl, inr);
                q[j] = _mm256_add_ps(s1[j], h);
                wide_st(o, j, NV, _mm256_add_ps(s0[j], q[j]), IV(j), op, out_end, inl);
                s0[j] = h;
            }
            o += OW;
            #pragma GCC unroll 4
            for (int j = 0; j < NV; j++) {
                const __m256 h = wide_h(r + W, j, NV, in_end, inl, inr);
                wide_st(o, j, NV, _mm256_add_ps(q[j], h), IV(j), op, out_end, inl);
                s1[j] = h;
            }
            o += OW;
        }
        if (ih < H) {
            #pragma GCC unroll 4
            for (int j = 0; j < NV; j++) {
                const __m256 h = wide_h(r, j, NV, in_end, inl, inr);
                wide_st(o, j, NV, _mm256_add_ps(_mm256_add_ps(s0[j], s1[j]), h), IV(j), op, out_end, inl);
                s0[j] = s1[j];
                s1[j] = h;
            }
            o += OW;
        }
        if (p->pb) { /* the last window's third row is padding */
            #pragma GCC unroll 4
            for (int j = 0; j < NV; j++) wide_st(o, j, NV, _mm256_add_ps(s0[j], s1[j]), last[j], op, out_end, inl);
        }
    }
#undef IV
}

/* Strips go right to left: a narrow last strip may write whole vectors whose extra lanes land
 * on the next row's first outputs, which the leftmost strip rewrites afterwards. */
SP_INLINE void sums_s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op)
{
    if (p->pl == 1 && p->pr == 1 && p->w <= 8 && p->ow == p->w && p->pt <= 1 && p->pb <= 1 &&
        p->oh == p->h + p->pt + p->pb - 2) {
        small_sums(p, a, begin, end, op);
        return;
    }
    if (p->pl == 1 && p->pr == 1 && p->w > 8 && p->w <= 16 && p->ow == p->w && p->pt <= 1 && p->pb <= 1 &&
        p->oh == p->h + p->pt + p->pb - 2) {
        small_sums16(p, a, begin, end, op);
        return;
    }
    if (p->pl == 1 && p->pr == 1 && p->w > 16 && p->w <= 32 && p->ow == p->w && p->pt <= 1 && p->pb <= 1 &&
        p->oh == p->h + p->pt + p->pb - 2) {
        if (p->w <= 24)
            wide_sums(p, a, begin, end, op, 3);
        else
            wide_sums(p, a, begin, end, op, 4);
        return;
    }
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
    if (!a->idx && s2_run(p, a, begin, end)) return;
    if (p->op == SIMDPOOL_MAX) {
        if (a->idx)
            planes3(p, a, begin, end, OP_MAX, 2, 1);
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
