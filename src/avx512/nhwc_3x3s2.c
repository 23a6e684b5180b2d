/* NHWC 3x3 stride-2 windows, padding 0 or 1 per side, floor or ceil mode: values-only max,
 * two output rows and two output columns per step, 16 channels per zmm (the tail one masked
 * zmm).
 *
 * A 2x2 block of outputs needs a 5x5 block of input pixels (rows hs .. hs+4).
 * Max, horizontal first: the reference's step (take v where v > m or v is NaN) is
 *    associative, so each row's three taps in order and then the three row results in order
 *    give the reference's answer for the row-major sequence, -0/+0 and NaN included (see
 *    nhwc_3x3s1.c). Padding reads as -inf, which never changes a result's bits. The fast step
 *    is vmaxps(v, m), right except where v is NaN; NaN is detected with one unordered compare
 *    per two loads and that vector of outputs is recomputed with the exact step.
 * Row hs is the previous row pair's row hs+4: its horizontal maxima are kept in a stack
 *    buffer (one output row) instead of being loaded and computed again, so each input row is
 *    read once and four of the five rows are new (4.5 loads and 6 maxima per output vector
 *    instead of 6.25 and 7; max 3x3 s2 p1 C64 112x112 65 -> 59.5 us). The buffer's maxima are exact (a NaN found in row hs+4
 *    redid them), and as the first operand of the fast step a NaN there survives, so they
 *    need no check.
 * The walk is pixel-major (all channels of a block, then the next), so loads go in address
 * order whatever C is. (An avg / sum path on the same scheme measured level with AVX2's
 * nhwc_3x3s2 in the default sweep, 0.77-1.04, and was removed.) */
#include "simd.h"

/* Floats of row maxima the stack buffer holds: OW * C up to this (every net shape of the
 * default sweep is 7168) uses it; wider rows compute row hs again, as the first pair does. */
#define HB_MAX 8192

typedef struct rows5 {
    const float *r[5]; /* input rows hs .. hs+4, clamped into the image */
    __mmask16 k[5];    /* all lanes where the row is inside the image, none in the padding */
    float *o[2];
    float *hb; /* row maxima of hs (read when b0) and then of hs+4 (written when R == 2) */
    int64_t C, w, pl, ow;
    int full; /* every row the step reads is inside the image */
} rows5;

SP_INLINE __m512 step(__m512 m, __m512 v, int exact)
{
    return exact ? sp_maxnan(m, v) : _mm512_max_ps(v, m);
}

/* Output columns ow .. ow+NC-1 (NC = 1, 2) of R (1, 2) rows, 16 channels (lanes kl) from
 * q[j] (row j, input column 2*ow - pl) and, when b0, row 0's maxima from hq, into o; o[2]
 * gets row 4's maxima. Returns the lanes where a loaded tap was NaN (the fast step is then
 * wrong there). */
SP_INLINE __mmask16 compute(const rows5 *s, const float *const *q, const float *hq, int64_t x, int NC, int R,
                            int b0, int edge, int plain, __mmask16 kl, int exact, __m512 o[3][2])
{
    const int64_t C = s->C;
    const int NR = 2 * R + 1, NX = 2 * NC + 1, j0 = b0 ? 1 : 0;
    const __m512 pad = _mm512_set1_ps(-INFINITY);
    __m512 v[5][5];
    for (int i = 0; i < NX; i++) {
        const int in = !edge || (x + i >= 0 && x + i < s->w);
        for (int j = j0; j < NR; j++)
            v[j][i] = !in    ? pad
                      : plain ? _mm512_loadu_ps(q[j] + i * C)
                              : _mm512_mask_loadu_ps(pad, s->k[j] & kl, q[j] + i * C);
    }
    /* The loads, compared in pairs (along each row, then the rows' odd last taps) into two
     * chains of masked compares, which and into "all ordered" without a mask-to-GPR move each. */
    __mmask16 ok[2] = {0xFFFF, 0xFFFF};
    int n = 0;
    if (!exact) {
        for (int j = j0; j < NR; j++)
            for (int i = 0; i + 1 < NX; i += 2, n++)
                ok[n & 1] = _mm512_mask_cmp_ps_mask(ok[n & 1], v[j][i], v[j][i + 1], _CMP_ORD_Q);
        for (int j = j0; j < NR; j += 2, n++)
            ok[n & 1] = _mm512_mask_cmp_ps_mask(ok[n & 1], v[j][NX - 1], v[j + 1 < NR ? j + 1 : j][NX - 1], _CMP_ORD_Q);
    }
    const __mmask16 nan = (__mmask16)~(ok[0] & ok[1]);
    __m512 h[5][2];
    for (int i = 0; i < NC; i++)
        if (b0) h[0][i] = plain ? _mm512_loadu_ps(hq + i * C) : _mm512_maskz_loadu_ps(kl, hq + i * C);
    for (int j = j0; j < NR; j++)
        for (int i = 0; i < NC; i++)
            h[j][i] = step(step(v[j][2 * i], v[j][2 * i + 1], exact), v[j][2 * i + 2], exact);
    for (int r = 0; r < R; r++)
        for (int i = 0; i < NC; i++)
            o[r][i] = step(step(h[2 * r][i], h[2 * r + 1][i], exact), h[2 * r + 2][i], exact);
    if (R == 2)
        for (int i = 0; i < NC; i++) o[2][i] = h[4][i];
    return nan;
}

SP_INLINE void columns(const rows5 *s0, int64_t ow, int NC, int R, int b0, int edge)
{
    const rows5 s = *s0; /* a local copy the compiler can keep in registers */
    const int64_t C = s.C, x = 2 * ow - s.pl;
    /* Row pointers stepped along the channels: the 25 taps are these plus i*C. */
    const float *q[5];
    float *o0 = s.o[0] + ow * C, *o1 = s.o[1] + ow * C, *hq = s.hb ? s.hb + ow * C : NULL;
    for (int j = 0; j < 5; j++) q[j] = s.r[j] + x * C;
    int64_t c = 0;
#define STEP(plain, kl)                                                                                       \
    do {                                                                                                      \
        __m512 o[3][2];                                                                                       \
        if (compute(&s, q, hq, x, NC, R, b0, edge, plain, kl, 0, o))                                          \
            compute(&s, q, hq, x, NC, R, b0, edge, plain, kl, 1, o);                                          \
        for (int r = 0; r < R; r++)                                                                           \
            for (int i = 0; i < NC; i++) _mm512_mask_storeu_ps((r ? o1 : o0) + i * C, kl, o[r][i]);          \
        if (R == 2 && hq)                                                                                     \
            for (int i = 0; i < NC; i++) _mm512_mask_storeu_ps(hq + i * C, kl, o[2][i]);                      \
        for (int j = 0; j < 5; j++) q[j] += 16;                                                               \
        o0 += 16;                                                                                             \
        o1 += 16;                                                                                             \
        if (hq) hq += 16;                                                                                     \
    } while (0)
    /* Merge-masked loads cost an extra operation each: full vectors of rows inside the image
     * (all but the first and last output rows) use plain loads. */
    if (s.full)
        for (; c + 16 <= C; c += 16) STEP(1, 0xFFFF);
    else
        for (; c + 16 <= C; c += 16) STEP(0, 0xFFFF);
    if (c < C) STEP(0, sp_lanes(C - c));
#undef STEP
}

SP_INLINE void row_pair(const rows5 *s, int R, int b0)
{
    const int64_t OW = s->ow, x0 = -s->pl;
    int64_t ow = 0;
    if (x0 < 0 && OW >= 2) columns(s, ow, 2, R, b0, 1), ow += 2;
    for (; ow + 1 < OW && 2 * ow + x0 + 4 < s->w; ow += 2) columns(s, ow, 2, R, b0, 0);
    for (; ow + 1 < OW; ow += 2) columns(s, ow, 2, R, b0, 1);
    if (ow < OW) columns(s, ow, 1, R, b0, 1);
}

void sp_avx512_nhwc_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t C = p->c, h = p->h, OH = p->oh, OW = p->ow;
    _Alignas(64) float hbuf[HB_MAX];
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
        s.hb = OW * C <= HB_MAX ? hbuf : NULL;
        int have = 0; /* the buffer holds this pair's row hs */
        for (int64_t oh = oh0; oh < oh1;) {
            const int R = oh + 1 < oh1 ? 2 : 1;
            const int64_t hs = 2 * oh - p->pt;
            for (int j = 0; j < 5; j++) {
                const int64_t y = hs + j, yc = y < 0 ? 0 : y >= h ? h - 1 : y;
                s.r[j] = img + yc * p->w * C;
                s.k[j] = y >= 0 && y < h ? 0xFFFF : 0;
            }
            s.full = hs >= 0 && hs + 2 * R < h;
            for (int r = 0; r < 2; r++) {
                const int rr = r < R ? r : 0;
                s.o[r] = out + (oh + rr) * OW * C;
            }
            if (R == 2)
                have ? row_pair(&s, 2, 1) : row_pair(&s, 2, 0);
            else
                have ? row_pair(&s, 1, 1) : row_pair(&s, 1, 0);
            have = s.hb && R == 2;
            oh += R;
        }
        u += (size_t)(oh1 - oh0);
    }
}

/* Not where C is a multiple of 512: pixels 2 KiB apart or a multiple of that put a block's 25
 * loads into one or two L1 sets (8 ways), and C512 14x14 / C2048 7x7 ran 1.2-1.6x slower than
 * the generic kernel, which loads only 9 taps at a time. */
int sp_avx512_accepts_nhwc_3x3s2(const sp_problem *p)
{
    return p->c % 512 != 0 && p->kh == 3 && p->kw == 3 && p->sh == 2 && p->sw == 2 && p->dh == 1 && p->dw == 1 && p->pt <= 1 &&
           p->pb <= 1 && p->pl <= 1 && p->pr <= 1 && p->op == SIMDPOOL_MAX;
}
