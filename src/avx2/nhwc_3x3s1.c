/* NHWC 3x3 stride-1 windows, padding 0 or 1 per side: values-only max, avg and sum, two
 * output rows and two output columns per step, 8 channels per ymm (the tail one masked ymm);
 * the AVX2 form of src/avx512/nhwc_3x3s1.c, which explains the scheme.
 *
 * A 2x2 block of outputs reads a 4x4 block of input pixels (16 loads for 36 taps):
 *  - avg / sum, vertical first: M = r1 + r2, V0 = r0 + M, V1 = M + r3 per column, then
 *    S = V(x+1) + V(x+2), out(x) = V(x) + S, out(x+1) = S + V(x+3) (rounding-bounded order);
 *  - max, horizontal first with the reference's step, which is associative, so the result is
 *    exactly the reference's (first maximum, last NaN) for the row-major order. The fast step
 *    is vmaxps(v, m); a NaN in any tap (unordered compares of pairs) redoes the vector with
 *    the exact step (sp_maxnan).
 * The walk is pixel-major (all channels of a block, then the next block), so loads go in
 * address order whatever C is. An earlier version walked each block of channels along the
 * row with the column sums in registers: 1.3-2.5x slower on C192 28², C256 56², C512 14². */
#include "simd.h"

enum { OP_MAX, OP_SUM, OP_AVG };

#define OWMAX 1024 /* avg: output widths with precomputed reciprocal divisors (see accepts) */

typedef struct rows4 {
    const float *r[4]; /* input rows hs .. hs+3, clamped into the image */
    int in[4];         /* the row is inside the image (else it reads as padding) */
    const float *inv[2];
    float *o[2];
    int64_t C, w, pl, ow;
    int full; /* every row the step reads is inside the image */
} rows4;

SP_INLINE __m256 step(__m256 m, __m256 v, int exact) { return exact ? sp_maxnan(m, v) : _mm256_max_ps(v, m); }

/* Output columns ow .. ow+NC-1 (NC = 1, 2) of R (1, 2) rows, 8 channels (the first nl lanes,
 * tail != 0) from q[j] (row j, input column ow - pl), into o. Max: returns nonzero when a tap
 * was NaN (the fast step is then wrong there). */
SP_INLINE int compute(const rows4 *s, const float *const *q, int64_t x, int NC, int R, int op, int edge, int plain,
                      int tail, __m256i km, int exact, __m256 o[2][2])
{
    const int64_t C = s->C;
    const __m256 pad = op == OP_MAX ? _mm256_set1_ps(-INFINITY) : _mm256_setzero_ps();
    __m256 v[4][4];
    for (int i = 0; i < NC + 2; i++) {
        const int in = !edge || (x + i >= 0 && x + i < s->w);
        for (int j = 0; j < R + 2; j++) {
            const float *a = q[j] + i * C;
            if (!in || (!plain && !s->in[j]))
                v[j][i] = pad;
            else if (!tail)
                v[j][i] = _mm256_loadu_ps(a);
            else
                v[j][i] = _mm256_blendv_ps(pad, _mm256_maskload_ps(a, km), _mm256_castsi256_ps(km));
        }
    }
    if (op != OP_MAX) {
        __m256 V[2][4];
        for (int i = 0; i < NC + 2; i++) {
            const __m256 m = _mm256_add_ps(v[1][i], v[2][i]);
            V[0][i] = _mm256_add_ps(v[0][i], m);
            if (R == 2) V[1][i] = _mm256_add_ps(m, v[3][i]);
        }
        for (int r = 0; r < R; r++) {
            const __m256 t = _mm256_add_ps(V[r][1], V[r][2]);
            o[r][0] = _mm256_add_ps(V[r][0], t);
            if (NC == 2) o[r][1] = _mm256_add_ps(t, V[r][3]);
        }
        return 0;
    }
    __m256 nan = _mm256_setzero_ps();
    if (!exact) {
        for (int j = 0; j < R + 2; j++)
            for (int i = 0; i + 1 < NC + 2; i += 2)
                nan = _mm256_or_ps(nan, _mm256_cmp_ps(v[j][i], v[j][i + 1], _CMP_UNORD_Q));
        if (NC == 1)
            for (int j = 0; j < R + 2; j += 2)
                nan = _mm256_or_ps(nan, _mm256_cmp_ps(v[j][2], v[j + 1 < R + 2 ? j + 1 : j][2], _CMP_UNORD_Q));
    }
    __m256 h[4][2];
    for (int j = 0; j < R + 2; j++) {
        const __m256 t = step(v[j][1], v[j][2], exact);
        h[j][0] = step(v[j][0], t, exact);
        if (NC == 2) h[j][1] = step(t, v[j][3], exact);
    }
    for (int i = 0; i < NC; i++) {
        const __m256 m = step(h[1][i], h[2][i], exact);
        o[0][i] = step(h[0][i], m, exact);
        if (R == 2) o[1][i] = step(m, h[3][i], exact);
    }
    return !_mm256_testz_ps(nan, nan);
}

SP_INLINE void columns(const rows4 *s0, int64_t ow, int NC, int R, int op, int edge)
{
    const rows4 s = *s0; /* a local copy the compiler can keep in registers */
    const int64_t C = s.C, x = ow - s.pl;
    /* Row pointers stepped along the channels: the 16 taps are these plus i*C. */
    const float *q[4];
    float *o0 = s.o[0] + ow * C, *o1 = s.o[1] + ow * C;
    for (int j = 0; j < 4; j++) q[j] = s.r[j] + x * C;
    float inv[2][2] = {{1.0f, 1.0f}, {1.0f, 1.0f}};
    if (op == OP_AVG)
        for (int r = 0; r < 2; r++) inv[r][0] = s.inv[r][ow], inv[r][1] = s.inv[r][ow + (NC - 1)];
    int64_t c = 0;
#define STEP(plain, tail, km)                                                                                 \
    do {                                                                                                      \
        __m256 o[2][2];                                                                                       \
        /* The exact redo loads the taps again rather than keeping them live across the check. */           \
        if (compute(&s, q, x, NC, R, op, edge, plain, tail, km, 0, o))                                        \
            compute(&s, q, x, NC, R, op, edge, plain, tail, km, 1, o);                                        \
        for (int r = 0; r < R; r++) {                                                                         \
            for (int i = 0; i < NC; i++) {                                                                    \
                __m256 t = o[r][i];                                                                           \
                if (op != OP_MAX) t = _mm256_add_ps(t, _mm256_setzero_ps()); /* +0 start, as scalar */      \
                if (op == OP_AVG) t = _mm256_mul_ps(t, _mm256_set1_ps(inv[r][i]));                           \
                if (tail)                                                                                     \
                    _mm256_maskstore_ps((r ? o1 : o0) + i * C, km, t);                                        \
                else                                                                                          \
                    _mm256_storeu_ps((r ? o1 : o0) + i * C, t);                                               \
            }                                                                                                 \
        }                                                                                                     \
        for (int j = 0; j < 4; j++) q[j] += 8;                                                                \
        o0 += 8;                                                                                              \
        o1 += 8;                                                                                              \
    } while (0)
    const __m256i all = _mm256_set1_epi32(-1);
    if (s.full)
        for (; c + 8 <= C; c += 8) STEP(1, 0, all);
    else
        for (; c + 8 <= C; c += 8) STEP(0, 0, all);
    if (c < C) {
        const __m256i km = sp_mask(C - c);
        STEP(0, 1, km);
    }
#undef STEP
}

SP_INLINE void row_pair(const rows4 *s, int R, int op)
{
    const int64_t OW = s->ow, x0 = -s->pl;
    int64_t ow = 0;
    if (x0 < 0 && OW >= 2) columns(s, ow, 2, R, op, 1), ow += 2;
    for (; ow + 1 < OW && ow + x0 + 3 < s->w; ow += 2) columns(s, ow, 2, R, op, 0);
    for (; ow + 1 < OW; ow += 2) columns(s, ow, 2, R, op, 1);
    if (ow < OW) columns(s, ow, 1, R, op, 1);
}

SP_INLINE void run(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op)
{
    const int64_t C = p->c, h = p->h, OH = p->oh, OW = p->ow;
    /* Reciprocal divisors per output column for each row factor (1..3 taps, or the override). */
    float inv[3][OWMAX];
    if (op == OP_AVG) {
        for (int64_t rows = 1; rows <= 3; rows++) {
            for (int64_t ow = 0; ow < OW; ow++) {
                const int64_t d = p->divisor_override ? p->divisor_override : rows * sp_div_cols(p, ow - p->pl);
                inv[rows - 1][ow] = d ? 1.0f / (float)d : 0.0f;
            }
        }
    }
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
        for (int64_t oh = oh0; oh < oh1;) {
            const int R = oh + 1 < oh1 ? 2 : 1;
            const int64_t hs = oh - p->pt;
            for (int j = 0; j < 4; j++) {
                const int64_t y = hs + j, yc = y < 0 ? 0 : y >= h ? h - 1 : y;
                s.r[j] = img + yc * p->w * C;
                s.in[j] = y >= 0 && y < h;
            }
            s.full = hs >= 0 && hs + R + 1 < h;
            for (int r = 0; r < 2; r++) {
                const int rr = r < R ? r : 0;
                s.o[r] = out + (oh + rr) * OW * C;
                s.inv[r] = inv[p->divisor_override ? 0 : sp_div_rows(p, hs + rr) - 1];
            }
            if (R == 2)
                row_pair(&s, 2, op);
            else
                row_pair(&s, 1, op);
            oh += R;
        }
        u += (size_t)(oh1 - oh0);
    }
}

void sp_avx2_nhwc_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (p->op) {
    case SIMDPOOL_MAX: run(p, a, begin, end, OP_MAX); break;
    case SIMDPOOL_AVG: run(p, a, begin, end, OP_AVG); break;
    default: run(p, a, begin, end, OP_SUM); break;
    }
}

int sp_avx2_accepts_nhwc_3x3s1(const sp_problem *p)
{
    return p->kh == 3 && p->kw == 3 && p->sh == 1 && p->sw == 1 && p->dh == 1 && p->dw == 1 && p->pt <= 1 &&
           p->pb <= 1 && p->pl <= 1 && p->pr <= 1 && p->ow <= OWMAX &&
           (p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG || p->op == SIMDPOOL_SUM);
}
