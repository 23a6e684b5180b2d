/* NCHW 3x3 stride 1, padding 1 on every side (Inception-style, output size = input size),
 * values-only max and avg, on rows of 9 to 64 columns (a row is at most 4 zmm vectors) and on
 * planes of up to 9 rows of 7 (flat_planes, below).
 *
 * Each plane is walked row by row in address order (one read stream). Per input row the
 * horizontal 3-tap result H is computed once: the row's vectors are loaded (the last one
 * masked, padding value past the row), and the left and right taps are the same vectors
 * moved by one lane with valignd, the lane that crosses a vector boundary from the
 * neighbouring vector or from a padding vector (-inf for max, 0 for avg). The last two rows'
 * H stay in registers, so each output row is a combine of three H, and nothing goes through
 * memory but the input and the output.
 *
 * Max exactness: the taps of a row combine in order and then the rows in order with
 * vmaxps(later, earlier), which keeps the earlier value on ties (-0/+0 included): the
 * reference's first maximum in row-major order. vmaxps drops a NaN in its first operand, so
 * an unordered compare of every pair of loaded vectors flags a plane with a NaN, and that
 * plane is redone with the reference's step (sp_maxnan) in the same order, which is
 * associative and so gives the reference's result, NaN included. Padding reads -inf, which
 * never changes a result's bits.
 *
 * Avg: sums in the same order (rounding-bounded against the reference's row-major sum),
 * times a precomputed reciprocal divisor per column for the first, last and other output
 * rows; fmadd with +0 makes a -0 sum +0, as the reference's sums start from +0. */
#include "avx512.h"
#include "simd.h"

enum { OP_MAX, OP_AVG, NV_MAX = 4, FW = 7 /* flat_planes' row width */ };

SP_INLINE __m512 padv(int op) { return op == OP_MAX ? _mm512_set1_ps(-INFINITY) : _mm512_setzero_ps(); }

/* acc, the earlier taps' result, combined with v, the later one. */
SP_INLINE __m512 comb(__m512 acc, __m512 v, int op, int exact)
{
    if (op == OP_AVG) return _mm512_add_ps(acc, v);
    return exact ? sp_maxnan(acc, v) : _mm512_max_ps(v, acc);
}

/* Macros, not functions: clang wants the lane count as a constant at the intrinsic. */
#define ALIGN(hi, lo, n)                                                                                       \
    _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(hi), _mm512_castps_si512(lo), (n)))
#define MALIGN(pad, k, hi, lo, n)                                                                              \
    _mm512_castsi512_ps(                                                                                       \
        _mm512_mask_alignr_epi32(_mm512_castps_si512(pad), (k), _mm512_castps_si512(hi), _mm512_castps_si512(lo), (n)))

/* H of the row at r into h[0 .. NV-1]; the max fast pass records unordered pairs in *kn. */
SP_INLINE void row_h(const float *r, __m512 *h, int NV, __mmask16 klast, int op, int exact, __mmask16 *kn)
{
    const __m512 pad = padv(op);
    __m512 v[NV_MAX];
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++)
        v[j] = j < NV - 1 ? _mm512_loadu_ps(r + 16 * j) : _mm512_mask_loadu_ps(pad, klast, r + 16 * j);
    if (op == OP_MAX && !exact) {
#pragma GCC unroll 4
        for (int j = 0; j < NV; j += 2) *kn |= _mm512_cmp_ps_mask(v[j], v[j + 1 < NV ? j + 1 : j], _CMP_UNORD_Q);
    }
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) {
        const __m512 l = ALIGN(v[j], j > 0 ? v[j - 1] : pad, 15);
        const __m512 rt = ALIGN(j + 1 < NV ? v[j + 1] : pad, v[j], 1);
        h[j] = comb(comb(l, v[j], op, exact), rt, op, exact);
    }
}

SP_INLINE void store_row(float *o, const __m512 *m, const __m512 *inv, int NV, __mmask16 klast, int op)
{
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) {
        __m512 x = m[j];
        if (op == OP_AVG) x = _mm512_fmadd_ps(x, inv[j], _mm512_setzero_ps()); /* +0 for a -0 sum */
        if (j < NV - 1)
            _mm512_storeu_ps(o + 16 * j, x);
        else
            _mm512_mask_storeu_ps(o + 16 * j, klast, x);
    }
}

static void redo_max(const sp_problem *p, const sp_args *a, size_t u, int NV);

/* Planes [begin, end); a plane where the max fast pass saw a NaN is redone exactly. */
SP_INLINE void planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int NV, int op, int exact,
                      __m512 inv[3][NV_MAX])
{
    const int64_t H = p->h, W = p->w, hw = H * W;
    const __mmask16 klast = sp_lanes(W - 16 * (NV - 1));
    __m512 iv_mid[NV_MAX];
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) iv_mid[j] = op == OP_AVG ? inv[1][j] : _mm512_setzero_ps();
    for (size_t u = begin; u < end; u++) {
        const float *r = a->in + (int64_t)u * hw;
        float *o = a->out + (int64_t)u * hw;
        __mmask16 kn = 0;
        __m512 h0[NV_MAX], h1[NV_MAX], h2[NV_MAX], m[NV_MAX];
        row_h(r, h1, NV, klast, op, exact, &kn);
        if (H == 1) {
            store_row(o, h1, inv[0], NV, klast, op);
        } else {
            /* The first output row: its window's first row is padding. */
            row_h(r + W, h2, NV, klast, op, exact, &kn);
#pragma GCC unroll 4
            for (int j = 0; j < NV; j++) m[j] = comb(h1[j], h2[j], op, exact);
            store_row(o, m, inv[0], NV, klast, op);
#pragma GCC unroll 4
            for (int j = 0; j < NV; j++) h0[j] = h1[j], h1[j] = h2[j];
            r += 2 * W;
            o += W;
            for (int64_t y = 1; y + 1 < H; y++, r += W, o += W) {
                row_h(r, h2, NV, klast, op, exact, &kn);
#pragma GCC unroll 4
                for (int j = 0; j < NV; j++) {
                    m[j] = comb(comb(h0[j], h1[j], op, exact), h2[j], op, exact);
                    h0[j] = h1[j], h1[j] = h2[j];
                }
                store_row(o, m, iv_mid, NV, klast, op);
            }
            /* The last output row: its window's last row is padding. */
#pragma GCC unroll 4
            for (int j = 0; j < NV; j++) m[j] = comb(h0[j], h1[j], op, exact);
            store_row(o, m, inv[2], NV, klast, op);
        }
        if (op == OP_MAX && !exact && kn) redo_max(p, a, u, NV);
    }
}

/* The lanes of flat vector k (plane elements 16k .. 16k+15) whose left, right, upper and
 * lower neighbours are inside the plane, and the plane's last vector's lanes. */
typedef struct flat_masks {
    __mmask16 l[4], r[4], u[4], d[4], last;
} flat_masks;

static void flat_redo_max(const sp_problem *p, const sp_args *a, size_t u, int NF, const flat_masks *fm);

/* Planes of at most 64 elements on rows of W = 7 columns (7x7 maps), as one flat run of NF
 * vectors: one row per vector leaves half of each idle, and measured slower than AVX2's
 * small8 (max C512 7^2 5.60 -> 6.06 us); flat, 1.15x faster (max) and 1.43x (avg). Rows of 8
 * would work the same way with FW = 8 but are not measured, so not taken. Taps in a row are the
 * neighbouring lanes (valignd by 1), taps in the rows above and below the lanes W apart
 * (valignd by 16 - W and W); the masked forms put the padding value where a neighbour is
 * outside the plane. The same combine order as the rows above: exact for max. */
SP_INLINE void flat_planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int NF, int op, int exact,
                           const flat_masks *fm, const __m512 *inv)
{
    const int64_t hw = p->h * FW;
    const __m512 pad = padv(op);
    for (size_t u = begin; u < end; u++) {
        const float *r = a->in + (int64_t)u * hw;
        float *o = a->out + (int64_t)u * hw;
        __m512 v[4], h[4];
        __mmask16 kn = 0;
#pragma GCC unroll 4
        for (int k = 0; k < NF; k++)
            v[k] = k < NF - 1 ? _mm512_loadu_ps(r + 16 * k) : _mm512_mask_loadu_ps(pad, fm->last, r + 16 * k);
        if (op == OP_MAX && !exact) {
#pragma GCC unroll 4
            for (int k = 0; k < NF; k += 2) kn |= _mm512_cmp_ps_mask(v[k], v[k + 1 < NF ? k + 1 : k], _CMP_UNORD_Q);
        }
#pragma GCC unroll 4
        for (int k = 0; k < NF; k++) {
            const __m512 l = MALIGN(pad, fm->l[k], v[k], k > 0 ? v[k - 1] : pad, 15);
            const __m512 rt = MALIGN(pad, fm->r[k], k + 1 < NF ? v[k + 1] : pad, v[k], 1);
            h[k] = comb(comb(l, v[k], op, exact), rt, op, exact);
        }
#pragma GCC unroll 4
        for (int k = 0; k < NF; k++) {
            const __m512 up = MALIGN(pad, fm->u[k], h[k], k > 0 ? h[k - 1] : pad, 16 - FW);
            const __m512 dn = MALIGN(pad, fm->d[k], k + 1 < NF ? h[k + 1] : pad, h[k], FW);
            __m512 x = comb(comb(up, h[k], op, exact), dn, op, exact);
            if (op == OP_AVG) x = _mm512_fmadd_ps(x, inv[k], _mm512_setzero_ps()); /* +0 for a -0 sum */
            if (k < NF - 1)
                _mm512_storeu_ps(o + 16 * k, x);
            else
                _mm512_mask_storeu_ps(o + 16 * k, fm->last, x);
        }
        if (op == OP_MAX && !exact && kn) flat_redo_max(p, a, u, NF, fm);
    }
}

/* Reciprocal divisors per column for the first output row (inv[0]), the rows between
 * (inv[1]) and the last (inv[2]), 1 / divisor_override everywhere when one is set; a single
 * row (H = 1) is first and last, and sp_div_rows gives it the same factor both ways. */
static void recips(const sp_problem *p, __m512 inv[3][NV_MAX])
{
    float t[3][16 * NV_MAX];
    const int64_t rf[3] = {sp_div_rows(p, -1), 3, sp_div_rows(p, p->h - 2)};
    for (int k = 0; k < 3; k++) {
        for (int64_t x = 0; x < 16 * NV_MAX; x++) {
            const int64_t d = p->divisor_override ? p->divisor_override : rf[k] * sp_div_cols(p, x - 1);
            t[k][x] = x < p->w && d ? 1.0f / (float)d : 0.0f;
        }
        for (int j = 0; j < NV_MAX; j++) inv[k][j] = _mm512_loadu_ps(&t[k][16 * j]);
    }
}

/* The reference's step in the fast pass's order, for a plane with a NaN (rare). */
static __attribute__((noinline)) void redo_max(const sp_problem *p, const sp_args *a, size_t u, int NV)
{
    __m512 inv[3][NV_MAX];
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < NV_MAX; j++) inv[k][j] = _mm512_setzero_ps();
    switch (NV) {
    case 1: planes(p, a, u, u + 1, 1, OP_MAX, 1, inv); break;
    case 2: planes(p, a, u, u + 1, 2, OP_MAX, 1, inv); break;
    case 3: planes(p, a, u, u + 1, 3, OP_MAX, 1, inv); break;
    default: planes(p, a, u, u + 1, 4, OP_MAX, 1, inv); break;
    }
}

/* The reference's step in the fast pass's order, for a plane with a NaN (rare). */
static __attribute__((noinline)) void flat_redo_max(const sp_problem *p, const sp_args *a, size_t u, int NF,
                                                    const flat_masks *fm)
{
    switch (NF) {
    case 1: flat_planes(p, a, u, u + 1, 1, OP_MAX, 1, fm, NULL); break;
    case 2: flat_planes(p, a, u, u + 1, 2, OP_MAX, 1, fm, NULL); break;
    case 3: flat_planes(p, a, u, u + 1, 3, OP_MAX, 1, fm, NULL); break;
    default: flat_planes(p, a, u, u + 1, 4, OP_MAX, 1, fm, NULL); break;
    }
}

#define FLAT_CASES(op)                                                                                               \
    switch (nf) {                                                                                              \
    case 1: flat_planes(p, a, begin, end, 1, op, 0, &fm, finv); break;                                      \
    case 2: flat_planes(p, a, begin, end, 2, op, 0, &fm, finv); break;                                      \
    case 3: flat_planes(p, a, begin, end, 3, op, 0, &fm, finv); break;                                      \
    default: flat_planes(p, a, begin, end, 4, op, 0, &fm, finv); break;                                     \
    }

static __attribute__((noinline)) void flat(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t H = p->h, W = p->w, hw = H * W;
    const int nf = (int)((hw + 15) / 16);
    flat_masks fm = {{0}, {0}, {0}, {0}, sp_lanes(hw - 16 * (nf - 1))};
    float t[64];
    for (int64_t i = 0; i < 64; i++) {
        const int64_t y = i / W, x = i % W;
        const int k = (int)(i / 16), b = (int)(i % 16);
        if (i >= hw) continue;
        if (x > 0) fm.l[k] |= (__mmask16)(1u << b);
        if (x < W - 1) fm.r[k] |= (__mmask16)(1u << b);
        if (y > 0) fm.u[k] |= (__mmask16)(1u << b);
        if (y < H - 1) fm.d[k] |= (__mmask16)(1u << b);
    }
    __m512 finv[4];
    for (int64_t i = 0; i < 64; i++) {
        const int64_t y = i / W, x = i % W;
        const int64_t d = p->divisor_override ? p->divisor_override : sp_div_rows(p, y - 1) * sp_div_cols(p, x - 1);
        t[i] = i < hw && d ? 1.0f / (float)d : 0.0f;
    }
    for (int k = 0; k < 4; k++) finv[k] = _mm512_loadu_ps(&t[16 * k]);
    if (p->op == SIMDPOOL_AVG) {
        FLAT_CASES(OP_AVG)
    } else {
        FLAT_CASES(OP_MAX)
    }
}
#undef FLAT_CASES

void sp_avx512_nchw_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int NV = (int)((p->w + 15) / 16);
    if (p->w == 7) {
        flat(p, a, begin, end);
        return;
    }
    __m512 inv[3][NV_MAX];
    if (p->op == SIMDPOOL_AVG) {
        recips(p, inv);
        switch (NV) {
        case 1: planes(p, a, begin, end, 1, OP_AVG, 0, inv); break;
        case 2: planes(p, a, begin, end, 2, OP_AVG, 0, inv); break;
        case 3: planes(p, a, begin, end, 3, OP_AVG, 0, inv); break;
        default: planes(p, a, begin, end, 4, OP_AVG, 0, inv); break;
        }
        return;
    }
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < NV_MAX; j++) inv[k][j] = _mm512_setzero_ps();
    switch (NV) {
    case 1: planes(p, a, begin, end, 1, OP_MAX, 0, inv); break;
    case 2: planes(p, a, begin, end, 2, OP_MAX, 0, inv); break;
    case 3: planes(p, a, begin, end, 3, OP_MAX, 0, inv); break;
    default: planes(p, a, begin, end, 4, OP_MAX, 0, inv); break;
    }
}

/* 3x3, stride 1, dilation 1, padding 1 on every side (output size = input size, either
 * rounding mode), rows of 9 to 64 columns, and planes of up to 9 rows of 7 (flat). Max is
 * values-only (the table says so). */
int sp_avx512_accepts_nchw_3x3s1(const sp_problem *p)
{
    return (p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG) && p->layout == SIMDPOOL_NCHW && p->kh == 3 &&
           p->kw == 3 && p->sh == 1 && p->sw == 1 && p->dh == 1 && p->dw == 1 && p->pt == 1 && p->pb == 1 &&
           p->pl == 1 && p->pr == 1 && p->oh == p->h && p->ow == p->w && p->h >= 1 &&
           ((p->w >= 9 && p->w <= 64) || (p->w == 7 && p->h <= 9));
}
