/* NCHW 3x3 stride 2, padding <= 1: values-only max and avg on small maps (rows of up to 32
 * columns), where a plane is a few vectors and per-row overhead decided the old time.
 *
 * Two stages per plane, in registers. H: rows go in groups (R rows, R*W <= 32 floats, two
 * vectors); three vpermt2ps of a group's vectors give its left, centre and right taps at the
 * output centres (column 2ow - pl + 1), combined at once. V: per window row k (0..2), one
 * vpermt2ps of two groups' H (or the group itself where a group is one row) puts row
 * 2oh - pt + k in output order, and the three are combined. So each input vector is loaded
 * once and the output is written as whole vectors.
 *
 * Loads, not shuffles, were tried for the taps (x-1, x, x+1 loaded unaligned, so only one
 * compaction permute): 1.3-1.8x slower here, as nearly every such load crosses a cache line.
 *
 * Max exactness: taps combine later into earlier with vmaxps(later, earlier), which keeps the
 * earlier on ties (-0/+0 included), within a row and then the rows in order: the reference's
 * row-major first maximum whenever no NaN is present. A tap outside the input is replaced by a
 * copy of its nearest neighbour inside the same window, or by -inf; neither changes that
 * result. vmaxps drops a NaN in its first operand, so unordered compares of every loaded vector
 * flag a plane with a NaN (or, from the plain loads' overhang, a NaN in the next plane), which
 * is redone from the same loads with NaN-exact steps (sp_maxnan: the last NaN in row-major
 * order wins; a copied tap sits next to its original, so it changes nothing). Before, the
 * redo was the whole nchw_3x3s2 kernel per plane: 26-28x the uniform time at 7^2 on data with
 * 1 in 64 NaN.
 *
 * Avg: sums in any order (within the suite's rounding bound), times the reciprocal of
 * sp_avg_divisor per output (count_include_pad, divisor_override, ceil mode all come from it),
 * as an fmadd with +0 so that a window of zeros gives +0 as the reference's sum from +0 does.
 * Taps outside the input are zero-masked. */
#include "avx512.h"
#include "simd.h"

enum { SM_MAX, SM_AVG };

SP_INLINE __m512 ninf(void) { return _mm512_set1_ps(-INFINITY); }

/* A group: R consecutive input rows, R*W <= 32 floats, loaded as two vectors a, b (plain
 * loads, which may read past the group, where they stay inside the tensor; else masked). Its
 * H at the centres goes to lane S*i + ow (row i of the group). */
typedef struct ggeo {
    __m512i ic, il, ir;         /* table positions of the centre, left and right taps (left and
                                   right clamped to the centre where outside the row) */
    __mmask16 klv, krv;         /* avg: lanes whose left / right tap is inside the row */
    __mmask16 ka[5][2];         /* positions of a, b in the group's first ri rows, ri = 0..R */
    __mmask16 krow[5];          /* lanes of the first ri rows */
} ggeo;

static void group_setup(const sp_problem *p, int R, int S, ggeo *g)
{
    const int64_t W = p->w, OW = p->ow, pl = p->pl;
    int32_t ic[16] = {0}, il[16] = {0}, ir[16] = {0};
    g->klv = g->krv = 0;
    for (int i = 0; i < R; i++)
        for (int64_t ow = 0; ow < OW; ow++) {
            const int lane = S * i + (int)ow;
            const int64_t x = 2 * ow - pl + 1, c = i * W + x;
            ic[lane] = (int32_t)c;
            il[lane] = (int32_t)(x >= 1 ? c - 1 : c);
            ir[lane] = (int32_t)(x + 1 < W ? c + 1 : c);
            if (x >= 1) g->klv |= (__mmask16)(1u << lane);
            if (x + 1 < W) g->krv |= (__mmask16)(1u << lane);
        }
    g->ic = _mm512_loadu_si512(ic);
    g->il = _mm512_loadu_si512(il);
    g->ir = _mm512_loadu_si512(ir);
    for (int ri = 0; ri <= R; ri++) {
        g->ka[ri][0] = sp_lanes(ri * W);
        g->ka[ri][1] = sp_lanes(ri * W - 16);
        __mmask16 k = 0;
        for (int i = 0; i < ri; i++) k |= (__mmask16)(sp_lanes(OW) << (S * i));
        g->krow[ri] = k;
    }
}

/* A loaded vector stays in its register: gcc otherwise folds the load into each of the
 * three vpermt2ps that read it, three loads instead of one (most cross a cache line). */
SP_INLINE __m512 in_reg(__m512 v)
{
    __asm__("" : "+v"(v));
    return v;
}

/* H of a group from its vectors by three vpermt2ps: a tap outside the row points at the
 * centre (a copy, which leaves a max alone; avg zero-masks it). Lanes of rows past the group's
 * end hold anything: the callers never use them. */
SP_INLINE __m512 group_h(__m512 a, __m512 b, __m512i ic, __m512i il, __m512i ir, __mmask16 klv, __mmask16 krv,
                         int op, int EX)
{
    const __m512 c = _mm512_permutex2var_ps(a, ic, b);
    if (op == SM_AVG) {
        const __m512 l = _mm512_maskz_permutex2var_ps(klv, a, il, b);
        const __m512 r = _mm512_maskz_permutex2var_ps(krv, a, ir, b);
        return _mm512_add_ps(_mm512_add_ps(l, c), r);
    }
    const __m512 l = _mm512_permutex2var_ps(a, il, b), r = _mm512_permutex2var_ps(a, ir, b);
    if (EX) return sp_maxnan(sp_maxnan(l, c), r);
    return _mm512_max_ps(r, _mm512_max_ps(c, l));
}

/* Lanes where a or b is NaN (independent compares, or-ed: a chain through the compare's
 * mask operand measured slower). */
SP_INLINE __mmask16 nan2(__m512 a, __m512 b) { return _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q); }

/* ---- Tiny planes: W <= 8, H <= 8, the whole output in one vector ----
 * One or two groups of four rows (lane 4i + ow); window rows outside the input point at a
 * row inside the same window (max: a copy) or are zero-masked (avg). */
typedef struct tgeo {
    ggeo gg;
    int ng, r1;              /* groups, rows of the second */
    int64_t hw, ohw, gofs;   /* plane and output sizes, the second group's offset (4W) */
    __m512i iv[3];           /* V: positions of window row k's H in (group 0, group 1) */
    __mmask16 kv[3];         /* avg: lanes whose window row k is inside */
    __mmask16 kout;
    __m512 rcp;              /* avg: 1 / divisor per output */
} tgeo;

static int tiny_setup(const sp_problem *p, tgeo *g)
{
    const int64_t H = p->h, W = p->w, OH = p->oh, OW = p->ow, pt = p->pt, pl = p->pl;
    if (W > 8 || H > 8 || OH * OW > 16 || 2 * (OW - 1) - pl + 1 > W - 1) return 0;
    group_setup(p, 4, 4, &g->gg);
    g->ng = H > 4 ? 2 : 1;
    g->r1 = (int)(H - 4);
    g->hw = H * W;
    g->ohw = OH * OW;
    g->gofs = 4 * W;
    int32_t iv[3][16] = {{0}};
    float rcp[16];
    for (int k = 0; k < 3; k++) g->kv[k] = 0;
    for (int o = 0; o < 16; o++) {
        rcp[o] = 1.0f;
        if (o >= OH * OW) continue;
        const int64_t oh = o / OW, ow = o % OW, ys = 2 * oh - pt;
        for (int k = 0; k < 3; k++) {
            /* a row outside: the nearest inside, a copy next to its original, so that the
             * NaN-exact steps (the last NaN wins) and the first maximum both stay */
            const int in = ys + k >= 0 && ys + k < H;
            const int64_t y = ys + k < 0 ? 0 : ys + k >= H ? H - 1 : ys + k;
            iv[k][o] = (int32_t)((y / 4) * 16 + (y % 4) * 4 + ow);
            if (in) g->kv[k] |= (__mmask16)(1u << o);
        }
        rcp[o] = 1.0f / (float)sp_avg_divisor(p, ys, 2 * ow - pl);
    }
    for (int k = 0; k < 3; k++) g->iv[k] = _mm512_loadu_si512(iv[k]);
    g->kout = sp_lanes(g->ohw);
    g->rcp = _mm512_loadu_ps(rcp);
    return 1;
}

/* Max of a tiny plane from its loaded vectors; EX: NaN-exact steps. */
SP_INLINE __m512 tiny_max(__m512 a0, __m512 b0, __m512 a1, __m512 b1, __m512i ic, __m512i il, __m512i ir, __m512i iv0,
                          __m512i iv1, __m512i iv2, int NG, int EX)
{
    const __m512 h0 = group_h(a0, b0, ic, il, ir, 0, 0, SM_MAX, EX);
    const __m512 h1 = NG == 2 ? group_h(a1, b1, ic, il, ir, 0, 0, SM_MAX, EX) : h0;
    const __m512 x0 = _mm512_permutex2var_ps(h0, iv0, h1);
    const __m512 x1 = _mm512_permutex2var_ps(h0, iv1, h1);
    const __m512 x2 = _mm512_permutex2var_ps(h0, iv2, h1);
    return EX ? sp_maxnan(sp_maxnan(x0, x1), x2) : _mm512_max_ps(x2, _mm512_max_ps(x1, x0));
}

/* A plane whose loads saw a NaN, again with NaN-exact steps (out of line: the fast loop's
 * registers stay as they were). The loads are the fast loop's, so they stay in the tensor. */
__attribute__((noinline)) static void tiny_exact(const tgeo *g, const float *q, float *o, int ng, int plain, int r0)
{
    __m512 a0, b0, a1 = _mm512_setzero_ps(), b1 = a1;
    if (plain) {
        a0 = _mm512_loadu_ps(q), b0 = _mm512_loadu_ps(q + 16);
        if (ng == 2) a1 = _mm512_loadu_ps(q + g->gofs), b1 = _mm512_loadu_ps(q + g->gofs + 16);
    } else {
        a0 = _mm512_maskz_loadu_ps(g->gg.ka[r0][0], q);
        b0 = _mm512_maskz_loadu_ps(g->gg.ka[r0][1], q + 16);
        if (ng == 2) {
            a1 = _mm512_maskz_loadu_ps(g->gg.ka[g->r1][0], q + g->gofs);
            b1 = _mm512_maskz_loadu_ps(g->gg.ka[g->r1][1], q + g->gofs + 16);
        }
    }
    const __m512 v = ng == 2 ? tiny_max(a0, b0, a1, b1, g->gg.ic, g->gg.il, g->gg.ir, g->iv[0], g->iv[1], g->iv[2], 2, 1)
                             : tiny_max(a0, b0, a1, b1, g->gg.ic, g->gg.il, g->gg.ir, g->iv[0], g->iv[1], g->iv[2], 1, 1);
    _mm512_mask_storeu_ps(o, g->kout, v);
}

/* The geometry is copied to locals: the output stores may alias anything read through a
 * pointer, and gcc reloaded every index vector and mask per plane (masks through general
 * registers, kmovw on the shuffle port). */
SP_INLINE void tiny_planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const tgeo *g, int op,
                           int NG, int PLAIN)
{
    const int64_t hw = g->hw, ohw = g->ohw, gofs = g->gofs;
    const int r0 = NG == 2 ? 4 : (int)p->h, r1 = g->r1;
    const __m512i ic = g->gg.ic, il = g->gg.il, ir = g->gg.ir, iv0 = g->iv[0], iv1 = g->iv[1], iv2 = g->iv[2];
    const __mmask16 klv = g->gg.klv, krv = g->gg.krv, kv0 = g->kv[0], kv1 = g->kv[1], kv2 = g->kv[2];
    const __mmask16 kout = g->kout;
    const __m512 rcp = g->rcp;
    const float *q = a->in + (int64_t)begin * hw;
    float *o = a->out + (int64_t)begin * ohw;
    for (size_t u = begin; u < end; u++, q += hw, o += ohw) {
        __m512 a0, b0, a1 = _mm512_setzero_ps(), b1 = a1;
        if (PLAIN) {
            a0 = in_reg(_mm512_loadu_ps(q));
            b0 = in_reg(_mm512_loadu_ps(q + 16));
            if (NG == 2) a1 = in_reg(_mm512_loadu_ps(q + gofs)), b1 = in_reg(_mm512_loadu_ps(q + gofs + 16));
        } else {
            a0 = _mm512_maskz_loadu_ps(g->gg.ka[r0][0], q);
            b0 = _mm512_maskz_loadu_ps(g->gg.ka[r0][1], q + 16);
            if (NG == 2) {
                a1 = _mm512_maskz_loadu_ps(g->gg.ka[r1][0], q + gofs);
                b1 = _mm512_maskz_loadu_ps(g->gg.ka[r1][1], q + gofs + 16);
            }
        }
        __m512 v;
        if (op == SM_AVG) {
            const __m512 h0 = group_h(a0, b0, ic, il, ir, klv, krv, op, 0);
            const __m512 h1 = NG == 2 ? group_h(a1, b1, ic, il, ir, klv, krv, op, 0) : h0;
            const __m512 x0 = _mm512_maskz_permutex2var_ps(kv0, h0, iv0, h1);
            const __m512 x1 = _mm512_maskz_permutex2var_ps(kv1, h0, iv1, h1);
            const __m512 x2 = _mm512_maskz_permutex2var_ps(kv2, h0, iv2, h1);
            v = _mm512_fmadd_ps(_mm512_add_ps(_mm512_add_ps(x0, x1), x2), rcp, _mm512_setzero_ps());
        } else {
            v = tiny_max(a0, b0, a1, b1, ic, il, ir, iv0, iv1, iv2, NG, 0);
        }
        _mm512_mask_storeu_ps(o, kout, v);
        /* plain loads read past the plane: a NaN there only costs a redo */
        if (op == SM_MAX && (nan2(a0, b0) | (NG == 2 ? nan2(a1, b1) : 0))) tiny_exact(g, q, o, NG, PLAIN, r0);
    }
}

/* ---- Rows of up to 32 columns, any height ----
 * Rows of up to 16 columns: groups of two rows (lane 8i + ow), output vector q holds output
 * rows 2q and 2q+1, and window row k of both comes from two consecutive groups by one
 * vpermt2ps. Longer rows: a group is one row, its H already in output order, and an output
 * row is the max or sum of three groups. Groups outside the input are -inf (max) or 0 (avg),
 * and so are the rows past the input in the last group. */
enum { RG_QMAX = 64 };  /* avg: output vectors per plane with a reciprocal vector each */
enum { RG_GMAX = 160 }; /* groups per plane */

typedef struct rgeo {
    ggeo gg;
    int64_t h, w, pt, oh, ow, nq, ng; /* nq: output vectors per plane; ng: groups */
    __m512i ix[3];        /* R = 2: window row k's lanes in its two groups */
    __mmask16 kst, klast; /* store lanes of a whole output vector and of the last */
    __m512 rcp[RG_QMAX];
} rgeo;

static int rows_setup(const sp_problem *p, rgeo *g)
{
    const int64_t H = p->h, W = p->w, OH = p->oh, OW = p->ow, pt = p->pt, pl = p->pl;
    if (W > 32 || 2 * (OW - 1) - pl + 1 > W - 1) return 0;
    const int R = W <= 16 ? 2 : 1, G = R;
    group_setup(p, R, 8, &g->gg);
    g->h = H, g->w = W, g->pt = pt, g->oh = OH, g->ow = OW;
    g->nq = (OH + G - 1) / G;
    g->ng = (H + R - 1) / R;
    if ((p->op == SIMDPOOL_AVG && g->nq > RG_QMAX) || g->ng > RG_GMAX) return 0;
    for (int k = 0; k < 3; k++) {
        /* window row k of output rows 2q, 2q+1: input rows 4q - pt + k (+2), row i of groups
         * 2q + (k - pt - i) / 2 and the one after (rows_planes keeps them in order) */
        const int64_t i = (k - pt) & 1;
        int32_t ix[16] = {0};
        for (int o = 0; o < 16; o++) {
            const int64_t r = o / OW, ow = o % OW;
            if (r < 2) ix[o] = (int32_t)(16 * r + 8 * i + ow);
        }
        g->ix[k] = _mm512_loadu_si512(ix);
    }
    g->kst = sp_lanes(G * OW);
    g->klast = sp_lanes((OH - G * (g->nq - 1)) * OW);
    if (p->op == SIMDPOOL_AVG)
        for (int64_t q = 0; q < g->nq; q++) {
            float r[16];
            for (int o = 0; o < 16; o++) {
                const int64_t oh = G * q + o / OW, ow = o % OW;
                r[o] = o < G * OW && oh < OH ? 1.0f / (float)sp_avg_divisor(p, 2 * oh - pt, 2 * ow - pl) : 1.0f;
            }
            g->rcp[q] = _mm512_loadu_ps(r);
        }
    return 1;
}

SP_INLINE __m512 rows_out(__m512 a0, __m512 a1, __m512 a2, int op, __m512 rcp, int EX)
{
    if (EX) return sp_maxnan(sp_maxnan(a0, a1), a2);
    if (op == SM_MAX) return _mm512_max_ps(a2, _mm512_max_ps(a1, a0));
    return _mm512_fmadd_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), a2), rcp, _mm512_setzero_ps());
}

/* One plane in two straight loops: the H of every group into hb (one slot of fill before and
 * two after, for the windows that reach past the input), then the output vectors from hb.
 * Keeping the groups in registers instead needed bounds tests per group and per output
 * vector, which measured slower than hb's store-forwarded round trip. PLAIN: the plane and
 * 32 floats after it are inside the tensor, so every group loads whole vectors. EX: max with
 * NaN-exact steps. Returns the lanes of the loads that held a NaN (max). */
SP_INLINE __mmask16 rows_plane(const float *plane, float *po, const rgeo *g, __m512 *hb, int op, int R, int PLAIN,
                               int EX)
{
    const int64_t nq = g->nq, ng = g->ng, pt = g->pt;
    const int64_t gs = R * g->w, step = R * g->ow;
    const __m512i ic = g->gg.ic, il = g->gg.il, ir = g->gg.ir, ix0 = g->ix[0], ix1 = g->ix[1], ix2 = g->ix[2];
    const __mmask16 klv = g->gg.klv, krv = g->gg.krv, kst = g->kst;
    const int rl = (int)(g->h - R * (ng - 1)); /* rows of the last group */
    const __m512 fill = op == SM_MAX ? ninf() : _mm512_setzero_ps();
    __mmask16 bad = 0;
    const float *q = plane;
    for (int64_t j = 0; j < ng; j++, q += gs) {
        __m512 va, vb;
        if (PLAIN) {
            va = in_reg(_mm512_loadu_ps(q));
            vb = in_reg(_mm512_loadu_ps(q + 16));
        } else {
            const int ri = j + 1 < ng ? R : rl;
            va = _mm512_maskz_loadu_ps(g->gg.ka[ri][0], q);
            vb = _mm512_maskz_loadu_ps(g->gg.ka[ri][1], q + 16);
        }
        if (op == SM_MAX && !EX) bad |= nan2(va, vb);
        hb[j + 1] = group_h(va, vb, ic, il, ir, klv, krv, op, EX);
    }
    if (rl < R) hb[ng] = _mm512_mask_mov_ps(fill, g->gg.krow[rl], hb[ng]);
    if (R == 2) {
        /* window row k of output vector q: groups 2q + gk and 2q + gk + 1, gk = -1 for
         * pt 1 and k 0, 1 for pt 0 and k 2, else 0 (hb is offset by one) */
        const __m512 *h = hb + 1 - pt;
        for (int64_t qq = 0; qq < nq; qq++, h += 2) {
            const __m512 a0 = _mm512_permutex2var_ps(h[0], ix0, h[1]);
            const __m512 a1 = _mm512_permutex2var_ps(h[pt], ix1, h[pt + 1]);
            const __m512 a2 = _mm512_permutex2var_ps(h[1], ix2, h[2]);
            const __m512 v = rows_out(a0, a1, a2, op, op == SM_AVG ? g->rcp[qq] : fill, EX);
            _mm512_mask_storeu_ps(po + qq * step, qq + 1 < nq ? kst : g->klast, v);
        }
    } else {
        const __m512 *h = hb + 1 - pt;
        for (int64_t qq = 0; qq < nq; qq++, h += 2) {
            const __m512 v = rows_out(h[0], h[1], h[2], op, op == SM_AVG ? g->rcp[qq] : fill, EX);
            _mm512_mask_storeu_ps(po + qq * step, qq + 1 < nq ? kst : g->klast, v);
        }
    }
    return bad;
}

/* A plane whose loads saw a NaN, again with NaN-exact steps (out of line: the fast loop's
 * registers stay as they were). */
__attribute__((noinline)) static void rows_exact(const float *plane, float *po, const rgeo *g, int r, int plain)
{
    __m512 hb[RG_GMAX + 3];
    hb[0] = hb[g->ng + 1] = hb[g->ng + 2] = ninf();
    if (r == 2 && plain) rows_plane(plane, po, g, hb, SM_MAX, 2, 1, 1);
    else if (r == 2) rows_plane(plane, po, g, hb, SM_MAX, 2, 0, 1);
    else if (plain) rows_plane(plane, po, g, hb, SM_MAX, 1, 1, 1);
    else rows_plane(plane, po, g, hb, SM_MAX, 1, 0, 1);
}

SP_INLINE void rows_planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const rgeo *g, int op,
                           int R, int PLAIN)
{
    (void)p;
    const int64_t hw = g->h * g->w, ohw = g->oh * g->ow, ng = g->ng;
    const __m512 fill = op == SM_MAX ? ninf() : _mm512_setzero_ps();
    __m512 hb[RG_GMAX + 3];
    hb[0] = hb[ng + 1] = hb[ng + 2] = fill;
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        float *po = a->out + (int64_t)u * ohw;
        if (rows_plane(plane, po, g, hb, op, R, PLAIN, 0)) rows_exact(plane, po, g, R, PLAIN);
    }
}

/* Planes [begin, end) split at the first whose loads (up to 32 floats past the plane's last
 * group) could leave the tensor: those and the rest load masked. */
static size_t plain_end(const sp_problem *p, size_t begin, size_t end)
{
    const int64_t hw = p->h * p->w;
    int64_t mid = p->n * p->c - (32 + hw - 1) / hw;
    if (mid < (int64_t)begin) mid = (int64_t)begin;
    if (mid > (int64_t)end) mid = (int64_t)end;
    return (size_t)mid;
}

void sp_avx512_nchw_3x3s2_small(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int op = p->op == SIMDPOOL_MAX ? SM_MAX : SM_AVG;
    const size_t mid = plain_end(p, begin, end);
    tgeo t;
    if (tiny_setup(p, &t)) {
#define TINY(NG)                                                                                               \
    do {                                                                                                       \
        if (op == SM_MAX) {                                                                                    \
            tiny_planes(p, a, begin, mid, &t, SM_MAX, NG, 1);                                                  \
            tiny_planes(p, a, mid, end, &t, SM_MAX, NG, 0);                                                    \
        } else {                                                                                               \
            tiny_planes(p, a, begin, mid, &t, SM_AVG, NG, 1);                                                  \
            tiny_planes(p, a, mid, end, &t, SM_AVG, NG, 0);                                                    \
        }                                                                                                      \
    } while (0)
        if (t.ng == 2)
            TINY(2);
        else
            TINY(1);
#undef TINY
        return;
    }
    rgeo g;
    if (!rows_setup(p, &g)) return; /* not accepted */
#define ROWS(R)                                                                                                \
    do {                                                                                                       \
        if (op == SM_MAX) {                                                                                    \
            rows_planes(p, a, begin, mid, &g, SM_MAX, R, 1);                                                   \
            rows_planes(p, a, mid, end, &g, SM_MAX, R, 0);                                                     \
        } else {                                                                                               \
            rows_planes(p, a, begin, mid, &g, SM_AVG, R, 1);                                                   \
            rows_planes(p, a, mid, end, &g, SM_AVG, R, 0);                                                     \
        }                                                                                                      \
    } while (0)
    if (p->w <= 16)
        ROWS(2);
    else
        ROWS(1);
#undef ROWS
}

/* Values-only max and avg, 3x3 stride 2 (padding <= 1 follows), rows of up to 32 columns
 * whose last window is centred inside the row (no ceil-mode column past the input); avg needs
 * at most RG_QMAX output vectors per plane. */
int sp_avx512_accepts_nchw_3x3s2_small(const sp_problem *p)
{
    if (!(p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG) || !sp_avx512_accepts_nchw_3x3s2(p)) return 0;
    if (p->w > 32 || 2 * (p->ow - 1) - p->pl + 1 > p->w - 1) return 0;
    /* Avg on rows of 21 columns or more measured level with AVX2 or slower (W 24, 28, 31, 32:
     * 0.82-1.00; max 1.13-1.20 there), so AVX2 keeps those. */
    if (p->op == SIMDPOOL_AVG && p->w > 20) return 0;
    const int64_t G = p->w <= 16 ? 2 : 1;
    return p->op != SIMDPOOL_AVG || (p->oh + G - 1) / G <= RG_QMAX;
}
