/* NCHW 3x3 stride 1, padding 1 on every side (Inception-style, output size = input size),
 * values-only max and avg, on rows of up to 64 columns: a row is at most 4 zmm vectors.
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

enum { OP_MAX, OP_AVG, NV_MAX = 4 };

SP_INLINE __m512 padv(int op) { return op == OP_MAX ? _mm512_set1_ps(-INFINITY) : _mm512_setzero_ps(); }

/* acc, the earlier taps' result, combined with v, the later one. */
SP_INLINE __m512 comb(__m512 acc, __m512 v, int op, int exact)
{
    if (op == OP_AVG) return _mm512_add_ps(acc, v);
    return exact ? sp_maxnan(acc, v) : _mm512_max_ps(v, acc);
}

SP_INLINE __m512 align(__m512 hi, __m512 lo, int n)
{
    return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(hi), _mm512_castps_si512(lo), n));
}

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
        const __m512 l = align(v[j], j > 0 ? v[j - 1] : pad, 15);
        const __m512 rt = align(j + 1 < NV ? v[j + 1] : pad, v[j], 1);
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

void sp_avx512_nchw_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int NV = (int)((p->w + 15) / 16);
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
 * rounding mode), rows of 9 to 64 columns; max values-only (the table says so), avg. Rows of
 * 8 or fewer (7x7 maps) stay with AVX2's small8 / small_sums: one row per vector leaves half
 * of a zmm idle, and C512 7x7 measured max 5.60 -> 6.06 us, avg 6.81 -> 6.33 us (one run). */
int sp_avx512_accepts_nchw_3x3s1(const sp_problem *p)
{
    return (p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG) && p->layout == SIMDPOOL_NCHW && p->kh == 3 &&
           p->kw == 3 && p->sh == 1 && p->sw == 1 && p->dh == 1 && p->dw == 1 && p->pt == 1 && p->pb == 1 &&
           p->pl == 1 && p->pr == 1 && p->oh == p->h && p->ow == p->w && p->h >= 1 && p->w >= 9 && p->w <= 64;
}
