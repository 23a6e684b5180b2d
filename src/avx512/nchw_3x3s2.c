/* NCHW 3x3 stride 2, padding <= 1, values-only max on rows of 65 to 224 columns (the 112^2
 * and 224^2 stems), with a row's horizontal maxima held in zmm registers.
 *
 * Per input row and 16 outputs, vpermt2ps splits 32 columns into even and odd ones, valignd
 * moves the odd ones by one lane for the left taps (padding 1) or the even ones back by one
 * for the right taps (padding 0), and two vmaxps give the row's H. Per output row, pass 1
 * takes H of the window's middle row r1, pass 2 H of its last row r2, combined at once with
 * H of r1 and of r0 (the window before's r2, kept in registers, as r2's is for the next
 * row). So every input row is read once, the rows that come from memory in address order
 * (one stream; reading rows side by side is two, which the prefetchers follow poorly, see
 * AVX2's s2_max_lin), no row buffer goes through memory, and per 16 outputs the work
 * is 4 loads, 6 vmaxps, 2 compares into k registers and 6 shuffles.
 *
 * Exactness: within a row the taps combine later into earlier and the rows in order, with
 * vmaxps(later, earlier), which keeps the earlier on ties (-0/+0 included): the reference's
 * row-major first maximum whenever no NaN is present. vmaxps drops a NaN in its first
 * operand, so unordered compares of every row's loads flag a plane with a NaN, which is
 * redone by the exact row template (nchw.c). Columns first (max of the three rows per column,
 * then one H per output row) is fewer shuffles but differs where the maximum is zero and both
 * -0 and +0 are among the maxima: with a fix of the 16-output vectors holding a zero (from
 * their first two rows' own H) it measured 1.14x AVX2's speed on uniform C64 112^2 planes but
 * 0.65x on 90%-zero and all-zero ones, where this file's order is 1.28-1.37x on all. */
#include "avx512.h"
#include "simd.h"

enum { NZ_MIN = 5, NZ_MAX = 14 }; /* zmm vectors per input row: 65 to 224 columns */

SP_INLINE __m512 ninf(void) { return _mm512_set1_ps(-INFINITY); }

/* Vector c of row r; the row's last vector (c == NZ-1) is masked to the row, -inf past it. */
SP_INLINE __m512 ldv(const float *r, int c, int NZ, __mmask16 klast)
{
    return c == NZ - 1 ? _mm512_mask_loadu_ps(ninf(), klast, r + 16 * c) : _mm512_loadu_ps(r + 16 * c);
}

/* 16 outputs from the 32 columns a, b (their window's first column is the first of a for
 * padding 0, the one before it for padding 1). Padding 1: left taps are the odd columns moved
 * one lane on, lane 0 from *prev (the odd columns of the vectors before, -inf at the row's
 * start). Padding 0: right taps are the even columns moved one lane back, lane 15 from lane 0
 * of next (the vector after b). Taps combine later into earlier, vmaxps(later,
 * earlier) keeping the earlier on ties: the reference's step for one row without NaN. */
SP_INLINE __m512 hmax(__m512 a, __m512 b, __m512 *prev, __m512 next, int PL)
{
    const __m512i ei = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i oi = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512 e = _mm512_permutex2var_ps(a, ei, b), o = _mm512_permutex2var_ps(a, oi, b);
    if (PL) {
        const __m512 l = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(o), _mm512_castps_si512(*prev), 15));
        *prev = o;
        return _mm512_max_ps(o, _mm512_max_ps(e, l));
    }
    const __m512 r = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(next), _mm512_castps_si512(e), 1));
    return _mm512_max_ps(r, _mm512_max_ps(o, e));
}

/* Vector c of row r, -inf when c is past the row's vectors. */
SP_INLINE __m512 ldv_or_inf(const float *r, int c, int NZ, __mmask16 klast)
{
    return c < NZ ? ldv(r, c, NZ, klast) : ninf();
}

/* H of row r for output vectors 0 .. K-1 (K = ceil(OW / 16) <= NZ/2 + 1) into hr; each of
 * the row's vectors is checked for NaN once, in pairs. With LAST, r is a window's last row:
 * hr gets its H combined with h0 and h1 (the window's first and middle rows), and h0 gets its
 * H (the next window's first row). */
SP_INLINE void row_h(const float *r, __m512 *hr, __m512 *h0, const __m512 *h1, int LAST, int64_t OW,
                     __mmask16 klast, __mmask16 *nan, int NZ, int PL)
{
    __m512 a = ldv(r, 0, NZ, klast), prev = ninf();
    __mmask16 kn = 0;
#pragma GCC unroll 16
    for (int k = 0; k < NZ / 2 + 1; k++) {
        if (16 * k >= OW) break;
        const __m512 b = ldv_or_inf(r, 2 * k + 1, NZ, klast), an = ldv_or_inf(r, 2 * k + 2, NZ, klast);
        kn |= _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q);
        const __m512 hh = hmax(a, b, &prev, an, PL);
        if (LAST) {
            hr[k] = _mm512_max_ps(hh, _mm512_max_ps(h1[k], h0[k]));
            h0[k] = hh;
        } else {
            hr[k] = hh;
        }
        a = an;
    }
    if (!PL) kn |= _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); /* lane 0 is the last right tap */
    *nan |= kn;
}

SP_INLINE void store_row(float *out, const __m512 *m, int64_t OW, int NZ)
{
#pragma GCC unroll 16
    for (int k = 0; k < NZ / 2 + 1; k++) {
        if (16 * k >= OW) break;
        _mm512_mask_storeu_ps(out + 16 * k, 16 * k + 16 <= OW ? (__mmask16)0xFFFF : sp_lanes(OW - 16 * k), m[k]);
    }
}

/* An output row with a padding row in its window: H of each present row, combined in order.
 * Specialised like the rows between: a generic out-of-line version (one or two rows per
 * plane) measured the whole kernel 8-15% slower at C64 112^2, as gcc then reloaded the
 * shuffle constants from memory inside the hot loop. */
SP_INLINE void edge_row(const float *plane, int64_t y, float *out, const sp_problem *p, __mmask16 klast,
                        __mmask16 *nan, int NZ, int PL)
{
    __m512 m[NZ_MAX / 2 + 1], hh[NZ_MAX / 2 + 1];
    for (int k = 0; k < NZ_MAX / 2 + 1; k++) m[k] = hh[k] = ninf(); /* row_h fills the first ceil(OW / 16) */
    int first = 1;
    for (int64_t i = 0; i < 3; i++) {
        if (y + i < 0 || y + i >= p->h) continue;
        row_h(plane + (y + i) * p->w, hh, NULL, NULL, 0, p->ow, klast, nan, NZ, PL);
#pragma GCC unroll 16
        for (int k = 0; k < NZ / 2 + 1; k++) m[k] = first ? hh[k] : _mm512_max_ps(hh[k], m[k]);
        first = 0;
    }
    store_row(out, m, p->ow, NZ);
}

SP_INLINE void planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int NZ, int PL)
{
    const int64_t h = p->h, w = p->w, OW = p->ow, OH = p->oh, hw = h * w, ohw = OH * OW, pt = p->pt;
    const __mmask16 klast = sp_lanes(w - 16 * (NZ - 1));
    /* Output rows [mA, mB) have their three window rows inside. */
    const int64_t mA = pt, mB0 = (h - 3 + pt) / 2 + 1, mB = h < 3 ? mA : mB0 < OH ? mB0 : OH;
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        float *po = a->out + (int64_t)u * ohw;
        __mmask16 nan = 0;
        int64_t oh = 0;
        for (; oh < mA && oh < OH; oh++) edge_row(plane, 2 * oh - pt, po + oh * OW, p, klast, &nan, NZ, PL);
        if (oh < mB) {
            __m512 h0[NZ_MAX / 2 + 1], h1[NZ_MAX / 2 + 1], m[NZ_MAX / 2 + 1];
            for (int k = 0; k < NZ_MAX / 2 + 1; k++) h0[k] = h1[k] = m[k] = ninf(); /* as in edge_row */
            const float *r = plane + (2 * oh - pt) * w;
            row_h(r, h0, NULL, NULL, 0, OW, klast, &nan, NZ, PL);
            for (; oh < mB; oh++, r += 2 * w) {
                row_h(r + w, h1, NULL, NULL, 0, OW, klast, &nan, NZ, PL);
                row_h(r + 2 * w, m, h0, h1, 1, OW, klast, &nan, NZ, PL);
                store_row(po + oh * OW, m, OW, NZ);
            }
        }
        for (; oh < OH; oh++) edge_row(plane, 2 * oh - pt, po + oh * OW, p, klast, &nan, NZ, PL);
        if (nan) {
            sp_args one = *a;
            one.idx = NULL;
            sp_avx512_nchw_3x3s2(p, &one, u, u + 1);
        }
    }
}

void sp_avx512_nchw_3x3s2_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int nz = (int)((p->w + 15) / 16);
#define NZ_CASE(n)                                                                                             \
    case n:                                                                                                    \
        if (p->pl)                                                                                             \
            planes(p, a, begin, end, n, 1);                                                                    \
        else                                                                                                   \
            planes(p, a, begin, end, n, 0);                                                                    \
        break;
    switch (nz) {
        NZ_CASE(5) NZ_CASE(6) NZ_CASE(7) NZ_CASE(8) NZ_CASE(9) NZ_CASE(10) NZ_CASE(11) NZ_CASE(12) NZ_CASE(13)
        NZ_CASE(14)
    default: break; /* not accepted */
    }
#undef NZ_CASE
}

/* Padding 0 or 1 on each side; the outputs fit row_h's NZ/2 + 1 vectors (PyTorch's output
 * size rule gives at most 8 per input vector and one more). */
int sp_avx512_accepts_nchw_3x3s2_max(const sp_problem *p)
{
    const int64_t nz = (p->w + 15) / 16;
    return sp_avx512_accepts_nchw_3x3s2(p) && p->pt <= 1 && p->pb <= 1 && p->pl <= 1 && p->pr <= 1 && nz >= NZ_MIN &&
           nz <= NZ_MAX && p->ow <= 16 * (nz / 2 + 1);
}
