/* NHWC 3x3 stride-2 windows, padding 0 or 1 per side, floor or ceil mode: values-only max,
 * avg and sum, two output rows per step, 8 channels per ymm (the tail
 * one masked ymm); the AVX2 form of src/avx512/nhwc_3x3s2.c, which explains the scheme: a 2x2
 * block of outputs reads a 5x5 block of input pixels once (25 loads for 36 taps), sums
 * vertical first, max horizontal first with the reference's (associative) step, the fast
 * vmaxps step redone exactly where a tap was NaN; pixel-major walk; max keeps the shared
 * row's horizontal maxima for the next row pair in a stack buffer. Here one output column per
 * step (a 5x3 block, 15 loads for 18 taps, 12 and one buffer load for max after the first
 * pair), which fits AVX2's 16 registers. */
#include "simd.h"

enum { OP_MAX, OP_SUM, OP_AVG };

#define OWMAX 1024 /* avg: output widths with precomputed reciprocal divisors (see accepts) */
/* Max: floats of row maxima the stack buffer holds (see src/avx512/nhwc_3x3s2.c); OW * C up
 * to this uses it, wider rows compute row hs again. */
#define HB_MAX 8192

typedef struct rows5 {
    const float *r[5]; /* input rows hs .. hs+4, clamped into the image */
    int in[5];         /* the row is inside the image (else it reads as padding) */
    const float *inv[2];
    float *o[2];
    float *hb; /* max: row maxima of hs (read when b0) and then of hs+4 (written when R == 2) */
    int64_t C, w, pl, ow;
    int full; /* every row the step reads is inside the image */
} rows5;

SP_INLINE __m256 step(__m256 m, __m256 v, int exact) { return exact ? sp_maxnan(m, v) : _mm256_max_ps(v, m); }

/* Output columns ow .. ow+NC-1 (NC = 1, 2) of R (1, 2) rows, 8 channels (the first lanes of
 * km when tail) from q[j] (row j, input column 2*ow - pl), into o. Max: returns nonzero when
 * a tap was NaN (the fast step is then wrong there). */
SP_INLINE int compute(const rows5 *s, const float *const *q, const float *hq, int64_t x, int NC, int R, int op,
                      int b0, int edge, int plain, int tail, __m256i km, int exact, __m256 o[3][2])
{
    const int64_t C = s->C;
    const int NR = 2 * R + 1, NX = 2 * NC + 1, j0 = b0 ? 1 : 0;
    const __m256 pad = op == OP_MAX ? _mm256_set1_ps(-INFINITY) : _mm256_setzero_ps();
    __m256 v[5][5];
    for (int i = 0; i < NX; i++) {
        const int in = !edge || (x + i >= 0 && x + i < s->w);
        for (int j = j0; j < NR; j++) {
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
        __m256 V[2][5];
        for (int i = 0; i < NX; i++) {
            V[0][i] = _mm256_add_ps(_mm256_add_ps(v[0][i], v[1][i]), v[2][i]);
            if (R == 2) V[1][i] = _mm256_add_ps(v[2][i], _mm256_add_ps(v[3][i], v[4][i]));
        }
        for (int r = 0; r < R; r++)
            for (int i = 0; i < NC; i++)
                o[r][i] = _mm256_add_ps(_mm256_add_ps(V[r][2 * i], V[r][2 * i + 1]), V[r][2 * i + 2]);
        return 0;
    }
    __m256 nan = _mm256_setzero_ps();
    if (!exact) {
        for (int j = j0; j < NR; j++)
            for (int i = 0; i + 1 < NX; i += 2)
                nan = _mm256_or_ps(nan, _mm256_cmp_ps(v[j][i], v[j][i + 1], _CMP_UNORD_Q));
        for (int j = j0; j < NR; j += 2)
            nan = _mm256_or_ps(nan, _mm256_cmp_ps(v[j][NX - 1], v[j + 1 < NR ? j + 1 : j][NX - 1], _CMP_UNORD_Q));
    }
    __m256 h[5][2];
    for (int i = 0; i < NC; i++)
        if (b0) h[0][i] = tail ? _mm256_maskload_ps(hq + i * C, km) : _mm256_loadu_ps(hq + i * C);
    for (int j = j0; j < NR; j++)
        for (int i = 0; i < NC; i++)
            h[j][i] = step(step(v[j][2 * i], v[j][2 * i + 1], exact), v[j][2 * i + 2], exact);
    for (int r = 0; r < R; r++)
        for (int i = 0; i < NC; i++)
            o[r][i] = step(step(h[2 * r][i], h[2 * r + 1][i], exact), h[2 * r + 2][i], exact);
    if (R == 2)
        for (int i = 0; i < NC; i++) o[2][i] = h[4][i];
    return !_mm256_testz_ps(nan, nan);
}

SP_INLINE void columns(const rows5 *s0, int64_t ow, int NC, int R, int op, int b0, int edge)
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
#define STEP(plain, tail, km)                                                                                 \
    do {                                                                                                      \
        __m256 o[3][2];                                                                                       \
        /* The exact redo loads the taps again rather than keeping them live across the check. */           \
        if (compute(&s, q, hq, x, NC, R, op, b0, edge, plain, tail, km, 0, o))                                \
            compute(&s, q, hq, x, NC, R, op, b0, edge, plain, tail, km, 1, o);                                \
        if (R == 2 && hq) {                                                                                   \
            for (int i = 0; i < NC; i++) {                                                                    \
                if (tail)                                                                                     \
                    _mm256_maskstore_ps(hq + i * C, km, o[2][i]);                                             \
                else                                                                                          \
                    _mm256_storeu_ps(hq + i * C, o[2][i]);                                                    \
            }                                                                                                 \
        }                                                                                                     \
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
        for (int j = 0; j < 5; j++) q[j] += 8;                                                                \
        o0 += 8;                                                                                              \
        o1 += 8;                                                                                              \
        if (hq) hq += 8;                                                                                      \
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

SP_INLINE void row_pair(const rows5 *s, int R, int op, int b0)
{
    /* One output column per step: with 16 ymm registers the 5x5 block of two columns spills,
     * and it measured 0.9-1.1x the generic kernel against 1.15-1.4x for this 5x3 one. */
    const int64_t OW = s->ow, x0 = -s->pl;
    for (int64_t ow = 0; ow < OW; ow++) columns(s, ow, 1, R, op, b0, 2 * ow + x0 < 0 || 2 * ow + x0 + 2 >= s->w);
}

SP_INLINE void run(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op)
{
    const int64_t C = p->c, h = p->h, OH = p->oh, OW = p->ow;
    /* Reciprocal divisors per output column for each row factor (1..3 taps, or the override). */
    float inv[3][OWMAX];
    _Alignas(32) float hbuf[HB_MAX];
    if (op == OP_AVG) {
        for (int64_t rows = 1; rows <= 3; rows++) {
            for (int64_t ow = 0; ow < OW; ow++) {
                const int64_t d =
                    p->divisor_override ? p->divisor_override : rows * sp_div_cols(p, 2 * ow - p->pl);
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
        rows5 s;
        s.C = C;
        s.w = p->w;
        s.pl = p->pl;
        s.ow = OW;
        s.hb = op == OP_MAX && OW * C <= HB_MAX ? hbuf : NULL;
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
            for (int r = 0; r < 2; r++) {
                const int rr = r < R ? r : 0;
                s.o[r] = out + (oh + rr) * OW * C;
                s.inv[r] = inv[p->divisor_override ? 0 : sp_div_rows(p, hs + 2 * rr) - 1];
            }
            if (R == 2)
                op == OP_MAX && have ? row_pair(&s, 2, op, 1) : row_pair(&s, 2, op, 0);
            else
                op == OP_MAX && have ? row_pair(&s, 1, op, 1) : row_pair(&s, 1, op, 0);
            have = s.hb && R == 2;
            oh += R;
        }
        u += (size_t)(oh1 - oh0);
    }
}

void sp_avx2_nhwc_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (p->op) {
    case SIMDPOOL_MAX: run(p, a, begin, end, OP_MAX); break;
    case SIMDPOOL_AVG: run(p, a, begin, end, OP_AVG); break;
    default: run(p, a, begin, end, OP_SUM); break;
    }
}

int sp_avx2_accepts_nhwc_3x3s2(const sp_problem *p)
{
    return p->c % 512 != 0 && p->kh == 3 && p->kw == 3 && p->sh == 2 && p->sw == 2 && p->dh == 1 && p->dw == 1 && p->pt <= 1 &&
           p->pb <= 1 && p->pl <= 1 && p->pr <= 1 && p->ow <= OWMAX &&
           (p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG || p->op == SIMDPOOL_SUM);
}
