/* NCHW 3x3 stride 2 values-only max (padding and ceil mode allowed): the ResNet stem pool.
 *
 * After ncnn's pooling_3x3: each input row's three taps are combined once (in-lane vshufps
 * gives the even, odd and next-even columns) and the result is shared by the
 * two output rows that use that input row, so an output vector costs two horizontal rows
 * and two vertical steps instead of nine taps. Combining whole rows in order keeps the
 * reference's row-major order (its step is associative over ordered groups). Plain vmaxps
 * is the reference's step when no NaN is present (it keeps the earlier value on ties and on
 * -0/+0); unordered compares of the loads flag a NaN, and a plane that held one is redone by
 * the exact row template. Indices use the template throughout. */
#include "nchw.h"
#include "simd.h"

/* Up to this many output columns share one pass down the plane (carried rows on the stack). */
#define BLOCK_VECS 16

/* vshufps works within 128-bit lanes, so the even/odd split comes out with output columns
 * in the order 0 1 8 9 2 3 10 11 ...; max does not care, and one vpermps per output vector
 * restores the order. In-lane shuffles are much cheaper than vpermt2ps on current cores. */
SP_INLINE __m512i unperm_idx(void)
{
    return _mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
}

/* Load masks of one output vector: elements of x0 .. x0+32 that are taps of real lanes and
 * inside the row; the same for every row of the plane. */
typedef struct vec_masks {
    __mmask16 a0, a1, b0, b1;
    int full; /* every lane real and inside: plain loads, which are cheaper than merging ones */
} vec_masks;

static vec_masks masks_for(int64_t x0, int64_t n, int64_t w)
{
    const int64_t lo = x0 < 0 ? -x0 : 0, hi = 2 * n + 1 < w - x0 ? 2 * n + 1 : w - x0;
    const uint32_t ea = sp_range32(lo, hi), eb = sp_range32(lo - 2, hi - 2);
    vec_masks k = {(__mmask16)ea, (__mmask16)(ea >> 16), (__mmask16)eb, (__mmask16)(eb >> 16),
                   lo == 0 && hi == 33};
    return k;
}

/* max over taps x, x+1, x+2 of the outputs at x = x0 + 2i (lanes in vshufps order). Taps
 * outside the row [0, w) load as -inf: plain vmaxps then returns the same bits as skipping
 * them (the first real tap wins against -inf, an all -inf window stays -inf), so padding
 * needs no separate path. Masked-off lanes never touch memory, so x0 < 0 reads nothing
 * before the row. */
SP_INLINE __m512 hrow(const float *r, vec_masks k, __mmask16 *nan)
{
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    __m512 a0, a1, b0, b1;
    if (k.full) {
        a0 = _mm512_loadu_ps(r);
        a1 = _mm512_loadu_ps(r + 16);
        b0 = _mm512_loadu_ps(r + 2);
        b1 = _mm512_maskz_loadu_ps(0x7FFF, r + 18); /* element 33 is no tap (zero is harmless) */
    } else {
        a0 = _mm512_mask_loadu_ps(ninf, k.a0, r);
        a1 = _mm512_mask_loadu_ps(ninf, k.a1, r + 16);
        b0 = _mm512_mask_loadu_ps(ninf, k.b0, r + 2);
        b1 = _mm512_mask_loadu_ps(ninf, k.b1, r + 18);
    }
    *nan |= _mm512_cmp_ps_mask(a0, a1, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(b1, b1, _CMP_UNORD_Q);
    __m512 m = _mm512_max_ps(_mm512_shuffle_ps(a0, a1, 0xDD), _mm512_shuffle_ps(a0, a1, 0x88));
    return _mm512_max_ps(_mm512_shuffle_ps(b0, b1, 0x88), m);
}

static void plane_max(const sp_problem *p, const float *plane, float *out)
{
    const int64_t h = p->h, w = p->w, OW = p->ow, OH = p->oh, pl = p->pl;
    __mmask16 nan = 0;
    for (int64_t b0 = 0; b0 < OW; b0 += 16 * BLOCK_VECS) {
        const int64_t nb = OW - b0 < 16 * BLOCK_VECS ? OW - b0 : 16 * BLOCK_VECS;
        const int64_t nv = (nb + 15) / 16;
        __m512 car[BLOCK_VECS];
        vec_masks km[BLOCK_VECS];
        for (int64_t v = 0; v < nv; v++)
            km[v] = masks_for(2 * (b0 + 16 * v) - pl, nb - 16 * v < 16 ? nb - 16 * v : 16, w);
        const float *col = plane + 2 * b0 - pl;
        float *o = out + b0;
        const __mmask16 klast = sp_lanes(nb - 16 * (nv - 1));
        int64_t ycar = -1;
        for (int64_t oh = 0; oh < OH; oh++, o += OW) {
            const int64_t ys = oh * 2 - p->pt;
            const int64_t k0 = ys < 0 ? -ys : 0, k1 = h - ys < 3 ? h - ys : 3;
            if (k0 == 0 && k1 == 3 && ycar == ys) { /* the steady state: one carried row, two new */
                const float *r1 = col + (ys + 1) * w, *r2 = r1 + w;
                for (int64_t v = 0; v < nv; v++) {
                    __m512 m = _mm512_max_ps(hrow(r1 + 32 * v, km[v], &nan), car[v]);
                    car[v] = hrow(r2 + 32 * v, km[v], &nan);
                    m = _mm512_max_ps(car[v], m);
                    _mm512_mask_storeu_ps(o + 16 * v, v == nv - 1 ? klast : 0xFFFF,
                                          _mm512_permutexvar_ps(unperm_idx(), m));
                }
                ycar = ys + 2;
                continue;
            }
            for (int64_t v = 0; v < nv; v++) {
                __m512 m = _mm512_set1_ps(-INFINITY); /* no input row (never with pad <= 1) */
                for (int64_t ky = k0; ky < k1; ky++) {
                    const int64_t y = ys + ky;
                    __m512 hv = y == ycar ? car[v] : hrow(col + y * w + 32 * v, km[v], &nan);
                    m = ky == k0 ? hv : _mm512_max_ps(hv, m);
                    if (ky == 2) car[v] = hv;
                }
                _mm512_mask_storeu_ps(o + 16 * v, v == nv - 1 ? klast : 0xFFFF,
                                      _mm512_permutexvar_ps(unperm_idx(), m));
            }
            if (k1 == 3) ycar = ys + 2;
        }
    }
    if (nan)
        for (int64_t oh = 0; oh < OH; oh++) sp_avx512_row_max_3x3s2(p, plane, out + oh * OW, oh);
}

void sp_avx512_nchw_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (a->idx) {
        sp_avx512_nchw_3x3s2_exact(p, a, begin, end);
        return;
    }
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    for (size_t u = begin; u < end; u++) plane_max(p, a->in + (int64_t)u * hw, a->out + (int64_t)u * ohw);
}
