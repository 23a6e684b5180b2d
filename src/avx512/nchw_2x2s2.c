/* NCHW 2x2 stride 2 without padding (whole windows only), values-only max and avg, on rows
 * of 49 to 112 outputs (the 112^2 and 224^2 maps; shorter rows stay with AVX2's flat loop over
 * the slice, which this kernel measured at 0.50-1.01x of at 56^2 and below).
 *
 * Per output row, the two input rows are read in address order (the upper row whole, then
 * the lower one: one stream, as AVX2's lin2), but the upper row's horizontal pairs stay in
 * zmm registers instead of a row buffer. Per 16 outputs and input row: two loads, vpermt2ps
 * into even and odd columns, one vmaxps (or vaddps) and one compare into a k register; so
 * 4 loads, 4 shuffles, 3 vmaxps, 2 compares and a store per 4 cache lines, about half of
 * AVX2's ops per line, which keeps more lines in flight on the stream.
 *
 * Max: pairs first, then rows, each step vmaxps(later, earlier), which keeps the earlier on
 * ties (-0/+0 included): the reference's row-major first maximum whenever no NaN is present.
 * Ordered compares of each row's loads chain through an opmask; a plane that saw a NaN is
 * redone by the exact generic kernel (nchw.c). Avg: pair sums, then rows, times 0.25 with
 * fmadd(x, 0.25, +0), so a window of -0 gives +0 as the reference's sum from +0.
 * Row tails are masked loads (zero past the row: ordered, never stored) and masked stores. */
#include "simd.h"
#include "../tmpl/accepts.h"

enum { NZ_MIN = 4, NZ_MAX = 7 }; /* output vectors per row, held in registers */

/* How far ahead the stream is prefetched, and from which input size (see kernels.c). */
#define AHEAD 4096
#define PF_BYTES (8.0 * 1024 * 1024)

SP_INLINE void ahead(const float *p, int pf)
{
    if (pf) _mm_prefetch((const char *)((uintptr_t)p + AHEAD), _MM_HINT_T0);
}

/* 32 columns of output vector v of row r: the last one masked to the row's used columns. */
SP_INLINE void ld32(const float *r, int v, int NZ, __mmask16 kl, __mmask16 kh, int pf, __m512 *a, __m512 *b)
{
    ahead(r + 32 * v, pf), ahead(r + 32 * v + 16, pf);
    if (v < NZ - 1) {
        *a = _mm512_loadu_ps(r + 32 * v);
        *b = _mm512_loadu_ps(r + 32 * v + 16);
    } else {
        *a = _mm512_maskz_loadu_ps(kl, r + 32 * v);
        *b = _mm512_maskz_loadu_ps(kh, r + 32 * v + 16);
    }
}

/* The horizontal pair of row r's 32 columns a, b: odd into even (max) or their sum. */
SP_INLINE __m512 pair(__m512 a, __m512 b, int op)
{
    const __m512i ei = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i oi = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512 e = _mm512_permutex2var_ps(a, ei, b), o = _mm512_permutex2var_ps(a, oi, b);
    return op == SIMDPOOL_MAX ? _mm512_max_ps(o, e) : _mm512_add_ps(e, o);
}

SP_INLINE void planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int NZ, int pf)
{
    const int64_t w = p->w, OW = p->ow, hw = p->h * w, ohw = p->oh * OW;
    const int64_t n = OW - 16 * (NZ - 1); /* outputs of the last vector, 1..16 */
    const __mmask16 kl = sp_lanes(2 * n), kh = sp_lanes(2 * n - 16), ko = sp_lanes(n);
    const __m512 quarter = _mm512_set1_ps(0.25f), zero = _mm512_setzero_ps();
    for (size_t u = begin; u < end; u++) {
        const float *r = a->in + (int64_t)u * hw;
        float *o = a->out + (int64_t)u * ohw;
        __mmask16 ok0 = 0xFFFF, ok1 = 0xFFFF;
        for (int64_t k = 0; k < p->oh; k++, r += 2 * w, o += OW) {
            __m512 h0[NZ_MAX];
#pragma GCC unroll 16
            for (int v = 0; v < NZ; v++) {
                __m512 x, y;
                ld32(r, v, NZ, kl, kh, pf, &x, &y);
                if (op == SIMDPOOL_MAX) ok0 = _mm512_mask_cmp_ps_mask(ok0, x, y, _CMP_ORD_Q);
                h0[v] = pair(x, y, op);
            }
#pragma GCC unroll 16
            for (int v = 0; v < NZ; v++) {
                __m512 x, y, m;
                ld32(r + w, v, NZ, kl, kh, pf, &x, &y);
                if (op == SIMDPOOL_MAX) {
                    ok1 = _mm512_mask_cmp_ps_mask(ok1, x, y, _CMP_ORD_Q);
                    m = _mm512_max_ps(pair(x, y, op), h0[v]);
                } else {
                    m = _mm512_fmadd_ps(_mm512_add_ps(h0[v], pair(x, y, op)), quarter, zero);
                }
                if (v < NZ - 1)
                    _mm512_storeu_ps(o + 16 * v, m);
                else
                    _mm512_mask_storeu_ps(o + 16 * v, ko, m);
            }
        }
        if (op == SIMDPOOL_MAX && (__mmask16)(ok0 & ok1) != (__mmask16)0xFFFF) {
            sp_args one = *a;
            one.idx = NULL;
            sp_avx512_nchw_generic(p, &one, u, u + 1);
        }
    }
}

SP_INLINE void by_width(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int pf)
{
    switch ((int)((p->ow + 15) / 16)) {
#define NZ_CASE(nz)                                                                                           \
    case nz: planes(p, a, begin, end, op, nz, pf); break;
        NZ_CASE(4) NZ_CASE(5) NZ_CASE(6) NZ_CASE(7)
#undef NZ_CASE
    default: break; /* not accepted */
    }
}

void sp_avx512_nchw_2x2s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int pf = (double)p->n * (double)p->c * (double)p->h * (double)p->w * sizeof(float) >= PF_BYTES;
    if (p->op == SIMDPOOL_MAX && pf)
        by_width(p, a, begin, end, SIMDPOOL_MAX, 1);
    else if (p->op == SIMDPOOL_MAX)
        by_width(p, a, begin, end, SIMDPOOL_MAX, 0);
    else if (pf)
        by_width(p, a, begin, end, SIMDPOOL_AVG, 1);
    else
        by_width(p, a, begin, end, SIMDPOOL_AVG, 0);
}

/* Whole windows (no padding on the leading sides, none past the input), no divisor override,
 * rows of 49 to 112 outputs (wider ones not measured), and planes the exact redo (nchw.c) takes. */
int sp_avx512_accepts_nchw_2x2s2(const sp_problem *p)
{
    return (p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG) && sp_tmpl_whole_2x2s2(p) &&
           p->ow > 16 * (NZ_MIN - 1) && p->ow <= 16 * NZ_MAX && sp_avx512_accepts_nchw_generic(p);
}
