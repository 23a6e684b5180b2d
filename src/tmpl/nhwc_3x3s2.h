/* NHWC 3x3 stride-2 windows, padding 0 or 1 per side, floor or ceil mode: values-only max,
 * avg and sum, two output rows per step, at any vector width (the spv_* vocabulary, see
 * src/tmpl/nhwc_3x3s1.h). The ISA file defines its entry point from walk_*() and its accept
 * rule from takes_3x3s2() (NEON: from src/tmpl/accepts.h, in plain C).
 *
 * A 2x2 block of outputs needs a 5x5 block of input pixels (rows hs .. hs+4). With 16
 * registers (SPV_NREGS) a step does one output column, a 5x3 block (15 loads for 18 taps):
 * the 5x5 block spilled there (0.9-1.1x the generic kernel, against 1.15-1.4x).
 *  - avg / sum, vertical first, then each output's three column sums; padding reads as zero
 *    and each output's reciprocal divisor is precomputed per column for each row factor.
 *  - max, horizontal first: the reference's step (take v where v > m or v is NaN) is
 *    associative, so each row's three taps in order and then the three row results in order
 *    give the reference's answer for the row-major sequence, -0/+0 and NaN included (see
 *    nhwc_3x3s1.h). Padding reads as -inf, which never changes a result's bits. The fast step
 *    is vmaxps(v, m), right except where v is NaN; NaN is detected with one unordered compare
 *    per two loads and that vector of outputs is recomputed with the exact step.
 * Max: row hs is the previous row pair's row hs+4: its horizontal maxima are kept in a stack
 *    buffer (one output row) instead of being loaded and computed again, so each input row is
 *    read once and four of the five rows are new (AVX-512: 4.5 loads and 6 maxima per output
 *    vector instead of 6.25 and 7; max 3x3 s2 p1 C64 112x112 65 -> 59.5 us). The buffer's
 *    maxima are exact (a NaN found in row hs+4 redid them), and as the first operand of the
 *    fast step a NaN there survives, so they need no check.
 * The walk is pixel-major (all channels of a block, then the next), so loads go in address
 * order whatever C is; where the input is off the vector grid it starts each pixel on the grid
 * (src/tmpl/nhwc_grid.h). */

#include "accepts.h"
#include "nhwc_grid.h"
#include "nhwc_out.h"

/* Max: floats of row maxima the stack buffer holds; OW * C up to this (every net shape of the
 * default sweep is 7168; on the grid OW * C + d) uses it, wider rows compute row hs again, as
 * the first pair does. */
#define HB_MAX 8192

typedef struct rows5 {
    const float *r[5]; /* input rows hs .. hs+4, clamped into the image */
    int in[5];         /* the row is inside the image (else it reads as padding) */
    const float *inv[2];
    float *o[2];
    float *hb; /* max: row maxima of hs (read when b0) and then of hs+4 (written when R == 2) */
    int64_t C, w, pl, ow;
    int64_t d; /* the channel walk's grid starts d floats before each pixel (grid_head()) */
    int full;  /* every row the step reads is inside the image */
    int first; /* the rows hold the tensor's first input or output pixel */
} rows5;

SP_INLINE spv step(spv m, spv v, int exact) { return exact ? spv_maxnan(m, v) : spv_max(v, m); }

/* Output columns ow .. ow+NC-1 (NC = 1, 2) of R (1, 2) rows, one vector of channels (the lanes of
 * km when tail) from q[j] (row j, input column 2*ow - pl), into o. Max: returns nonzero when
 * a tap was NaN (the fast step is then wrong there). */
SP_INLINE int compute(const rows5 *s, const float *const *q, const float *hq, int64_t x, int NC, int R, int op,
                      int b0, int edge, int plain, int tail, spv_k km, int exact, spv o[3][2])
{
    const int64_t C = s->C;
    const int NR = 2 * R + 1, NX = 2 * NC + 1, j0 = b0 ? 1 : 0;
    const spv pad = op == OP_MAX ? spv_set1(-INFINITY) : spv_set1(0.0f);
    spv v[5][5];
    for (int i = 0; i < NX; i++) {
        const int in = !edge || (x + i >= 0 && x + i < s->w);
        for (int j = j0; j < NR; j++) {
            v[j][i] = in ? spv_load_row(pad, q[j] + i * C, s->in[j], plain, tail, km) : pad;
        }
    }
    if (op != OP_MAX) {
        spv V[2][5];
        for (int i = 0; i < NX; i++) {
            V[0][i] = spv_add(spv_add(v[0][i], v[1][i]), v[2][i]);
            /* Both rows (a + b) + c: a row's bits must not depend on where its pair starts,
             * which the thread split decides. */
            if (R == 2) V[1][i] = spv_add(spv_add(v[2][i], v[3][i]), v[4][i]);
        }
        for (int r = 0; r < R; r++)
            for (int i = 0; i < NC; i++)
                o[r][i] = spv_add(spv_add(V[r][2 * i], V[r][2 * i + 1]), V[r][2 * i + 2]);
        return 0;
    }
    spv_nan nan[2] = {spv_nan_none(), spv_nan_none()};
    if (!exact) {
        int n = 0;
#define ACC(a, b) (nan[n % SPV_NAN_CHAINS] = spv_nan_acc(nan[n % SPV_NAN_CHAINS], a, b), n++)
        for (int j = j0; j < NR; j++)
            for (int i = 0; i + 1 < NX; i += 2) ACC(v[j][i], v[j][i + 1]);
        for (int j = j0; j < NR; j += 2) ACC(v[j][NX - 1], v[j + 1 < NR ? j + 1 : j][NX - 1]);
#undef ACC
    }
    spv h[5][2];
    for (int i = 0; i < NC; i++)
        if (b0) h[0][i] = tail ? spv_load_pad(pad, hq + i * C, km) : spv_loadu(hq + i * C);
    for (int j = j0; j < NR; j++)
        for (int i = 0; i < NC; i++)
            h[j][i] = step(step(v[j][2 * i], v[j][2 * i + 1], exact), v[j][2 * i + 2], exact);
    for (int r = 0; r < R; r++)
        for (int i = 0; i < NC; i++)
            o[r][i] = step(step(h[2 * r][i], h[2 * r + 1][i], exact), h[2 * r + 2][i], exact);
    if (R == 2)
        for (int i = 0; i < NC; i++) o[2][i] = h[4][i];
    return spv_nan_any(nan[0], nan[1]);
}

SP_INLINE void columns(const rows5 *s0, int64_t ow, int NC, int R, int op, int b0, int edge, int grid)
{
    const rows5 s = *s0; /* a local copy the compiler can keep in registers */
    const int64_t C = s.C, x = 2 * ow - s.pl;
    /* Row pointers stepped along the channels: the 25 taps are these plus i*C. */
    const float *q[5];
    float *o0 = s.o[0] + ow * C, *o1 = s.o[1] + ow * C, *hq = s.hb ? s.hb + ow * C : NULL;
    for (int j = 0; j < 5; j++) q[j] = s.r[j] + x * C;
    float inv[2][2] = {{1.0f, 1.0f}, {1.0f, 1.0f}};
    if (op == OP_AVG)
        for (int r = 0; r < 2; r++) inv[r][0] = s.inv[r][ow], inv[r][1] = s.inv[r][ow + (NC - 1)];
    int64_t c = 0;
#define STEP(plain, tail, store_k, km)                                                                        \
    do {                                                                                                      \
        spv o[3][2];                                                                                       \
        /* The exact redo loads the taps again rather than keeping them live across the check. */           \
        if (compute(&s, q, hq, x, NC, R, op, b0, edge, plain, tail, km, 0, o))                                \
            compute(&s, q, hq, x, NC, R, op, b0, edge, plain, tail, km, 1, o);                                \
        if (R == 2 && hq) {                                                                                   \
            for (int i = 0; i < NC; i++) {                                                                    \
                if (store_k)                                                                                  \
                    spv_store_k(hq + i * C, km, o[2][i]);                                                     \
                else                                                                                          \
                    spv_storeu(hq + i * C, o[2][i]);                                                    \
            }                                                                                                 \
        }                                                                                                     \
        store_outs(o, R, NC, op, inv, o0, o1, C, store_k, km);                                               \
        for (int j = 0; j < 5; j++) q[j] += SPV_W;                                                            \
        o0 += SPV_W;                                                                                          \
        o1 += SPV_W;                                                                                          \
        if (hq) hq += SPV_W;                                                                                  \
    } while (0)
    const spv_k all = spv_k_tail(SPV_W);
    (void)grid;
#ifdef SPV_GRID
    if (grid) {
        /* Channels [0, W - d) as one vector of the grid (src/tmpl/nhwc_grid.h); the row
         * maxima buffer is laid out on the same grid (see run()). */
        const int first = s.first && ow == 0;
        const int64_t e = grid_back(first, s.d);
        const spv_k km = grid_keep(first, s.d);
        for (int j = 0; j < 5; j++) q[j] -= e;
        o0 -= e;
        o1 -= e;
        if (hq) hq -= e;
        /* Rows inside the image load the head unmasked (AVX-512: masked loads cost a blend
         * each; 2-8% on the grid's shapes). */
        if (s.full)
            STEP(1, 0, 1, km);
        else
            STEP(0, 0, 1, km);
        /* STEP moved on by W from the vector's start: on to channel W - d. */
        for (int j = 0; j < 5; j++) q[j] -= s.d - e;
        o0 -= s.d - e;
        o1 -= s.d - e;
        if (hq) hq -= s.d - e;
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
SP_INLINE void row_pair(const rows5 *s, int R, int op, int b0, int grid)
{
    const int64_t OW = s->ow, x0 = -s->pl;
    if (SPV_NREGS < 32) {
        for (int64_t ow = 0; ow < OW; ow++) columns(s, ow, 1, R, op, b0, 2 * ow + x0 < 0 || 2 * ow + x0 + 2 >= s->w, grid);
        return;
    }
    /* Pairs with a tap outside the row (the first with left padding, the last ones) take the
     * edge code, from one call site: a separate call for the first pair was a second copy of
     * it (83 s of the 3x3 s2 file's clang ASan build, 51 s without). */
    int64_t ow = 0;
    for (; ow + 1 < OW; ow += 2) {
        if ((ow == 0 && x0 < 0) || 2 * ow + x0 + 4 >= s->w)
            columns(s, ow, 2, R, op, b0, 1, grid);
        else
            columns(s, ow, 2, R, op, b0, 0, grid);
    }
    if (ow < OW) columns(s, ow, 1, R, op, b0, 1, grid);
}

SP_INLINE void run(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int grid)
{
    const int64_t C = p->c, h = p->h, OH = p->oh, OW = p->ow;
    float inv[3][SP_TMPL_OWMAX];
    /* Max: on the grid, the buffer's row starts d floats past its boundary, as the input's
     * pixels do, and the head vector of its first pixel is loaded from the boundary before it
     * (lanes computed and not stored: zeroed so that they are defined). */
    _Alignas(64) float hbuf[HB_MAX];
#ifdef SPV_GRID
    const int64_t d = grid ? grid_head(p, a->in) : 0;
#else
    const int64_t d = 0;
#endif
    if (d)
        for (int i = 0; i < SPV_W; i++) hbuf[i] = 0.0f;
    if (op == OP_AVG) sp_tmpl_col_recips(p, 2, inv);
    for (size_t u = begin; u < end;) {
        /* The slice's rows of one image, two at a time. */
        const int64_t n = (int64_t)u / OH, oh0 = (int64_t)u % OH;
        const int64_t oh1 = (int64_t)(end - u) < OH - oh0 ? oh0 + (int64_t)(end - u) : OH;
        const float *img = a->in + n * h * p->w * C;
        float *out = a->out + n * OH * OW * C;
        rows5 s;
        s.C = C;
        s.w = p->w;
        s.pl = p->pl;
        s.ow = OW;
        s.d = d;
        s.hb = op == OP_MAX && OW * C + d <= HB_MAX ? hbuf + d : NULL;
        int have = 0; /* the buffer holds this pair's row hs */
        for (int64_t oh = oh0; oh < oh1;) {
            const int R = oh + 1 < oh1 ? 2 : 1;
            const int64_t hs = 2 * oh - p->pt;
            for (int j = 0; j < 5; j++) {
                const int64_t y = hs + j, yc = y < 0 ? 0 : y >= h ? h - 1 : y;
                s.r[j] = img + yc * p->w * C;
                s.in[j] = y >= 0 && y < h;
            }
            s.full = hs >= 0 && hs + 2 * R < h;
            s.first = n == 0 && hs <= 0;
            for (int r = 0; r < 2; r++) {
                const int rr = r < R ? r : 0;
                s.o[r] = out + (oh + rr) * OW * C;
                s.inv[r] = inv[p->divisor_override ? 0 : sp_div_rows(p, hs + 2 * rr) - 1];
            }
            if (R == 2)
                op == OP_MAX && have ? row_pair(&s, 2, op, 1, grid) : row_pair(&s, 2, op, 0, grid);
            else
                op == OP_MAX && have ? row_pair(&s, 1, op, 1, grid) : row_pair(&s, 1, op, 0, grid);
            have = s.hb && R == 2;
            oh += R;
        }
        u += (size_t)(oh1 - oh0);
    }
}

/* The walks the ISA's entry point is made of (SPV_GRID_ENTRY): one op, or any by p->op. */
SP_INLINE void walk_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int grid)
{
    run(p, a, begin, end, OP_MAX, grid);
}
SP_INLINE void walk_ops(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int grid)
{
    switch (p->op) {
    case SIMDPOOL_MAX: run(p, a, begin, end, OP_MAX, grid); break;
    case SIMDPOOL_AVG: run(p, a, begin, end, OP_AVG, grid); break;
    default: run(p, a, begin, end, OP_SUM, grid); break;
    }
}

/* The shapes the kernel takes, whatever ops the ISA registers it for (src/tmpl/accepts.h). */
SP_INLINE int takes_3x3s2(const sp_problem *p) { return sp_tmpl_takes_nhwc_3x3s2(p); }
