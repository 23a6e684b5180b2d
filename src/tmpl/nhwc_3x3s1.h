/* NHWC 3x3 stride-1 windows, padding 0 or 1 per side: values-only max, avg and sum, two
 * output rows and two output columns per step. One source for every vector width (AVX2,
 * AVX-512, NEON): an ISA file defines the spv_* vocabulary (vector, tail mask, NaN record; see
 * src/avx2/vec.h) and SPV_FN, then includes this file. No intrinsics here, so none leak out of
 * the ISA folders. SPV_NO_ACCEPTS: the ISA defines the accept function elsewhere (NEON).
 *
 * Neighbouring windows share taps: a 2x2 block of outputs reads a 4x4 block of input pixels
 * (16 loads for 36 taps) and shares partial results between its windows:
 *  - avg / sum, vertical first: per input column M = r1 + r2, V0 = r0 + M, V1 = M + r3 (a row
 *    computed alone, at a slice's edge, keeps the association it has in its pair), then
 *    per row S = V(x+1) + V(x+2), out(x) = V(x) + S, out(x+1) = S + V(x+3). The order differs
 *    from the reference's row-major sum (rounding-bounded); padding reads as zero and each
 *    output's reciprocal divisor is precomputed per column for each row factor.
 *  - max, horizontal first, which is what keeps it exact: the reference's step (take v where
 *    v > m or v is NaN) picks the first maximum, or the last NaN, of a sequence and is
 *    associative, so reducing each row's three taps in order and then the three row results in
 *    order gives the reference's answer for the row-major sequence, -0/+0 and NaN included.
 *    Per row Q = step(in[x+1], in[x+2]), H(x) = step(in[x], Q), H(x+1) = step(Q, in[x+3]);
 *    then M = step(H1, H2), out0 = step(H0, M), out1 = step(M, H3). Padding reads as -inf,
 *    which never changes a result's bits. The fast step is vmaxps(v, m), right except where v
 *    is NaN; NaN is detected with one unordered compare per two loads (SPV_NAN_CHAINS chains)
 *    and that vector of outputs is recomputed with the exact step.
 * The walk is pixel-major (all channels of a 2x2 output block, then the next block), so loads
 * go in address order whatever C is. An earlier version walked each block of channels along
 * the row with the column sums in registers: 1.3-2.5x slower on C192 28², C256 56², C512 14²,
 * and up to 2x where C is a power of two (C*4-byte strides fall into a few L1 sets). */

#include "accepts.h"
#include "nhwc_grid.h"
#include "nhwc_out.h"

typedef struct rows4 {
    const float *r[4]; /* input rows hs .. hs+3, clamped into the image */
    int in[4];         /* the row is inside the image (else it reads as padding) */
    const float *inv[2];
    float *o[2];
    int64_t C, w, pl, ow;
    int64_t d; /* the channel walk's grid starts d floats before each pixel (see grid_head()) */
    int full;  /* every row the step reads is inside the image */
    int odd;   /* R = 1: the row is odd, the second of its pair (see run()) */
    int first; /* the rows hold the tensor's first input or output pixel (see columns()) */
} rows4;

SP_INLINE spv step(spv m, spv v, int exact) { return exact ? spv_maxnan(m, v) : spv_max(v, m); }

/* Output columns ow .. ow+NC-1 (NC = 1, 2) of R (1, 2) rows, one vector of channels (the
 * lanes of km when tail) from q[j] (row j, input column ow - pl), into o. Max: returns
 * nonzero when a tap was NaN (the fast step is then wrong there). */
SP_INLINE int compute(const rows4 *s, const float *const *q, int64_t x, int NC, int R, int op, int edge, int plain,
                      int tail, spv_k km, int exact, spv o[2][2])
{
    const int64_t C = s->C;
    const spv pad = op == OP_MAX ? spv_set1(-INFINITY) : spv_set1(0.0f);
    spv v[4][4];
    for (int i = 0; i < NC + 2; i++) {
        const int in = !edge || (x + i >= 0 && x + i < s->w);
        for (int j = 0; j < R + 2; j++) {
            const float *a = q[j] + i * C;
            if (!in || (!plain && !s->in[j]))
                v[j][i] = pad;
            else
                v[j][i] = tail ? spv_load_pad(pad, a, km) : spv_loadu(a);
        }
    }
    if (op != OP_MAX) {
        spv V[2][4];
        for (int i = 0; i < NC + 2; i++) {
            const spv m = spv_add(v[1][i], v[2][i]);
            V[0][i] = R == 1 && s->odd ? spv_add(spv_add(v[0][i], v[1][i]), v[2][i]) : spv_add(v[0][i], m);
            if (R == 2) V[1][i] = spv_add(m, v[3][i]);
        }
        for (int r = 0; r < R; r++) {
            const spv t = spv_add(V[r][1], V[r][2]);
            o[r][0] = spv_add(V[r][0], t);
            if (NC == 2) o[r][1] = spv_add(t, V[r][3]);
        }
        return 0;
    }
    spv_nan nan[2] = {spv_nan_none(), spv_nan_none()};
    if (!exact) {
        int n = 0;
#define ACC(a, b) (nan[n % SPV_NAN_CHAINS] = spv_nan_acc(nan[n % SPV_NAN_CHAINS], a, b), n++)
        for (int j = 0; j < R + 2; j++)
            for (int i = 0; i + 1 < NC + 2; i += 2) ACC(v[j][i], v[j][i + 1]);
        if (NC == 1)
            for (int j = 0; j < R + 2; j += 2) ACC(v[j][2], v[j + 1 < R + 2 ? j + 1 : j][2]);
#undef ACC
    }
    spv h[4][2];
    for (int j = 0; j < R + 2; j++) {
        const spv t = step(v[j][1], v[j][2], exact);
        h[j][0] = step(v[j][0], t, exact);
        if (NC == 2) h[j][1] = step(t, v[j][3], exact);
    }
    for (int i = 0; i < NC; i++) {
        const spv m = step(h[1][i], h[2][i], exact);
        o[0][i] = step(h[0][i], m, exact);
        if (R == 2) o[1][i] = step(m, h[3][i], exact);
    }
    return spv_nan_any(nan[0], nan[1]);
}

SP_INLINE void columns(const rows4 *s0, int64_t ow, int NC, int R, int op, int edge, int grid)
{
    const rows4 s = *s0; /* a local copy the compiler can keep in registers */
    const int64_t C = s.C, x = ow - s.pl;
    (void)grid;
    /* Row pointers stepped along the channels: the 16 taps are these plus i*C. */
    const float *q[4];
    float *o0 = s.o[0] + ow * C, *o1 = s.o[1] + ow * C;
    for (int j = 0; j < 4; j++) q[j] = s.r[j] + x * C;
    float inv[2][2] = {{1.0f, 1.0f}, {1.0f, 1.0f}};
    if (op == OP_AVG)
        for (int r = 0; r < 2; r++) inv[r][0] = s.inv[r][ow], inv[r][1] = s.inv[r][ow + (NC - 1)];
    int64_t c = 0;
#define STEP(plain, tail, store_k, km)                                                                        \
    do {                                                                                                      \
        spv o[2][2];                                                                                          \
        /* The exact redo loads the taps again rather than keeping them live across the check. */           \
        if (compute(&s, q, x, NC, R, op, edge, plain, tail, km, 0, o))                                        \
            compute(&s, q, x, NC, R, op, edge, plain, tail, km, 1, o);                                        \
        store_outs(o, R, NC, op, inv, o0, o1, C, store_k, km);                                               \
        for (int j = 0; j < 4; j++) q[j] += SPV_W;                                                            \
        o0 += SPV_W;                                                                                          \
        o1 += SPV_W;                                                                                          \
    } while (0)
    const spv_k all = spv_k_tail(SPV_W);
#ifdef SPV_GRID
    if (grid) {
        /* Channels [0, W - d) as one vector of the grid (src/tmpl/nhwc_grid.h). */
        const int first = s.first && ow == 0;
        const int64_t e = grid_back(first, s.d);
        const spv_k km = grid_keep(first, s.d);
        for (int j = 0; j < 4; j++) q[j] -= e;
        o0 -= e;
        o1 -= e;
        STEP(0, 0, 1, km);
        /* STEP moved on by W from the vector's start: on to channel W - d. */
        for (int j = 0; j < 4; j++) q[j] -= s.d - e;
        o0 -= s.d - e;
        o1 -= s.d - e;
        c = SPV_W - s.d;
    }
#endif
    /* Rows inside the image (all but the first and last output rows) skip the padding test. */
    if (s.full)
        for (; c + SPV_W <= C; c += SPV_W) STEP(1, 0, 0, all);
    else
        for (; c + SPV_W <= C; c += SPV_W) STEP(0, 0, 0, all);
    if (c < C) {
        const spv_k km = spv_k_tail(C - c);
        STEP(0, 1, 1, km);
    }
#undef STEP
}

/* GRID: s->d > 0, the channel walk starts with the grid's head vector. */
SP_INLINE void row_pair(const rows4 *s, int R, int op, int grid)
{
    const int64_t OW = s->ow, x0 = -s->pl;
    int64_t ow = 0;
    if (x0 < 0 && OW >= 2) columns(s, ow, 2, R, op, 1, grid), ow += 2;
    for (; ow + 1 < OW && ow + x0 + 3 < s->w; ow += 2) columns(s, ow, 2, R, op, 0, grid);
    for (; ow + 1 < OW; ow += 2) columns(s, ow, 2, R, op, 1, grid);
    if (ow < OW) columns(s, ow, 1, R, op, 1, grid);
}

SP_INLINE void run(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int grid)
{
    const int64_t C = p->c, h = p->h, OH = p->oh, OW = p->ow;
    float inv[3][SP_TMPL_OWMAX];
    if (op == OP_AVG) sp_tmpl_col_recips(p, 1, inv);
    for (size_t u = begin; u < end;) {
        /* The slice's rows of one image, two at a time. */
        const int64_t n = (int64_t)u / OH, oh0 = (int64_t)u % OH;
        const int64_t oh1 = (int64_t)(end - u) < OH - oh0 ? oh0 + (int64_t)(end - u) : OH;
        const float *img = a->in + n * h * p->w * C;
        float *out = a->out + n * OH * OW * C;
        rows4 s;
        s.C = C;
        s.w = p->w;
        s.pl = p->pl;
        s.ow = OW;
#ifdef SPV_GRID
        s.d = grid ? grid_head(p, a->in) : 0;
#else
        s.d = 0;
#endif
        for (int64_t oh = oh0; oh < oh1;) {
            /* Pairs start on even rows whatever the slice: a pair's first row sums a + (b + c),
             * its second (b + c) + d, and a row alone sums as it would in its pair, so the
             * bits do not depend on the thread split. */
            const int R = oh + 1 < oh1 && !(oh & 1) ? 2 : 1;
            const int64_t hs = oh - p->pt;
            s.odd = (int)(oh & 1);
            for (int j = 0; j < 4; j++) {
                const int64_t y = hs + j, yc = y < 0 ? 0 : y >= h ? h - 1 : y;
                s.r[j] = img + yc * p->w * C;
                s.in[j] = y >= 0 && y < h;
            }
            s.full = hs >= 0 && hs + R + 1 < h;
            s.first = n == 0 && hs <= 0;
            for (int r = 0; r < 2; r++) {
                const int rr = r < R ? r : 0;
                s.o[r] = out + (oh + rr) * OW * C;
                s.inv[r] = inv[p->divisor_override ? 0 : sp_div_rows(p, hs + rr) - 1];
            }
            if (R == 2)
                row_pair(&s, 2, op, grid);
            else
                row_pair(&s, 1, op, grid);
            oh += R;
        }
        u += (size_t)(oh1 - oh0);
    }
}

SP_INLINE void walk(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int grid)
{
    switch (p->op) {
    case SIMDPOOL_MAX: run(p, a, begin, end, OP_MAX, grid); break;
    case SIMDPOOL_AVG: run(p, a, begin, end, OP_AVG, grid); break;
    default: run(p, a, begin, end, OP_SUM, grid); break;
    }
}

SPV_GRID_ENTRY(SPV_FN(nhwc_3x3s1), walk)

#ifndef SPV_NO_ACCEPTS
int SPV_FN(accepts_nhwc_3x3s1)(const sp_problem *p) { return sp_tmpl_accepts_nhwc_3x3s1(p); }
#endif
