/* NCHW 2x2 stride 2 without padding (ceil mode allowed): the ResNet/VGG downsampling case.
 *
 * After ncnn's pooling_2x2: two input rows give 32 columns per 16 outputs; vpermt2ps splits
 * even and odd columns of a pair of loads in one step. Max combines the horizontal pair
 * first and the two rows after, which keeps the reference's row-major order (its step is
 * associative over ordered groups). Values-only max uses plain vmaxps, which is the
 * reference's step whenever no NaN is present (vmaxps(v, m) keeps m on ties and on -0/+0),
 * and records unordered compares of the raw loads; an output row that saw a NaN is
 * recomputed by the exact row template. Sums add the rows first, then the column pairs.
 * Row tails (OW not a multiple of 16, ceil-mode overhang) are masked loads and stores. */
#include "nchw.h"
#include "simd.h"

enum { OP_MAX, OP_SUM, OP_AVG };

SP_INLINE __m512i even_idx(void)
{
    return _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
SP_INLINE __m512i odd_idx(void)
{
    return _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

/* Columns x .. x+31 of a row; columns at or past w hold fill. */
SP_INLINE void load32(const float *r, int64_t x, int64_t w, __m512 fill, __m512 *a, __m512 *b)
{
    if (x + 32 <= w) {
        *a = _mm512_loadu_ps(r + x);
        *b = _mm512_loadu_ps(r + x + 16);
        return;
    }
    *a = _mm512_mask_loadu_ps(fill, sp_lanes(w - x), r + x);
    *b = _mm512_mask_loadu_ps(fill, sp_lanes(w - x - 16), r + x + 16);
}

/* One output row; returns nonzero if the values-only max saw a NaN. */
SP_INLINE int row2(const sp_problem *p, const float *plane, float *out, int64_t *idx, int64_t oh, int op)
{
    const int64_t w = p->w, OW = p->ow, y = 2 * oh;
    const float *r0 = plane + y * w, *r1 = r0 + w;
    const int two = y + 1 < p->h;
    const __m512 fill = _mm512_set1_ps(op == OP_MAX ? -INFINITY : 0.0f);
    __mmask16 nan = 0;
    __m512 dv = _mm512_set1_ps(1.0f), scale = dv;
    int use_div = 0;
    if (op == OP_AVG) {
        float d = p->divisor_override ? (float)p->divisor_override : (float)(two ? 4 : 2);
        /* Powers of two have exact reciprocals: multiply; otherwise divide, as the reference. */
        use_div = d != 1.0f && d != 2.0f && d != 4.0f && d != 8.0f;
        dv = _mm512_set1_ps(d);
        scale = _mm512_set1_ps(1.0f / d);
    }
    for (int64_t ow0 = 0; ow0 < OW; ow0 += 16) {
        const int64_t n = OW - ow0 < 16 ? OW - ow0 : 16, x = 2 * ow0;
        const __mmask16 kn = sp_lanes(n);
        __m512 a0, a1, b0, b1, r;
        load32(r0, x, w, fill, &a0, &a1);
        if (op == OP_MAX && !idx) {
            r = _mm512_max_ps(_mm512_permutex2var_ps(a0, odd_idx(), a1), _mm512_permutex2var_ps(a0, even_idx(), a1));
            nan |= _mm512_cmp_ps_mask(a0, a1, _CMP_UNORD_Q);
            if (two) {
                load32(r1, x, w, fill, &b0, &b1);
                __m512 hb = _mm512_max_ps(_mm512_permutex2var_ps(b0, odd_idx(), b1),
                                          _mm512_permutex2var_ps(b0, even_idx(), b1));
                r = _mm512_max_ps(hb, r);
                nan |= _mm512_cmp_ps_mask(b0, b1, _CMP_UNORD_Q);
            }
            _mm512_mask_storeu_ps(out + ow0, kn, r);
        } else if (op == OP_MAX) {
            const __m512i c0 = _mm512_add_epi32(_mm512_slli_epi32(sp_iota(), 1), _mm512_set1_epi32((int)(y * w + x)));
            const __m512i one = _mm512_set1_epi32(1);
            __m512 e = _mm512_permutex2var_ps(a0, even_idx(), a1), o = _mm512_permutex2var_ps(a0, odd_idx(), a1);
            __mmask16 t = sp_takes(e, o);
            r = _mm512_mask_mov_ps(e, t, o);
            __m512i ri = _mm512_mask_add_epi32(c0, t, c0, one);
            if (two) {
                load32(r1, x, w, fill, &b0, &b1);
                e = _mm512_permutex2var_ps(b0, even_idx(), b1);
                o = _mm512_permutex2var_ps(b0, odd_idx(), b1);
                __mmask16 tb = sp_takes(e, o);
                __m512 hb = _mm512_mask_mov_ps(e, tb, o);
                __m512i c1 = _mm512_add_epi32(c0, _mm512_set1_epi32((int)w));
                __m512i hi = _mm512_mask_add_epi32(c1, tb, c1, one);
                __mmask16 t2 = sp_takes(r, hb);
                r = _mm512_mask_mov_ps(r, t2, hb);
                ri = _mm512_mask_mov_epi32(ri, t2, hi);
            }
            _mm512_mask_storeu_ps(out + ow0, kn, r);
            sp_store_idx(idx + ow0, ri, kn);
        } else {
            if (two) {
                load32(r1, x, w, fill, &b0, &b1);
                a0 = _mm512_add_ps(a0, b0);
                a1 = _mm512_add_ps(a1, b1);
            }
            r = _mm512_add_ps(_mm512_permutex2var_ps(a0, even_idx(), a1), _mm512_permutex2var_ps(a0, odd_idx(), a1));
            if (op == OP_AVG) {
                if (x + 2 * n <= w || p->divisor_override) {
                    r = use_div ? _mm512_div_ps(r, dv) : _mm512_mul_ps(r, scale);
                } else {
                    /* Ceil-mode overhang: the last output has one column. */
                    const float d = (float)(two ? 2 : 1);
                    __m512 dd = _mm512_mask_mov_ps(_mm512_set1_ps(2.0f * d), (__mmask16)(1u << (n - 1)),
                                                   _mm512_set1_ps(d));
                    r = _mm512_div_ps(r, dd);
                }
            }
            _mm512_mask_storeu_ps(out + ow0, kn, r);
        }
    }
    return nan != 0;
}

SP_INLINE void planes2(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int wi)
{
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            float *out = a->out + (int64_t)u * ohw + oh * p->ow;
            int64_t *idx = wi ? a->idx + (int64_t)u * ohw + oh * p->ow : NULL;
            if (row2(p, plane, out, idx, oh, op)) sp_avx512_row_max_2x2s2(p, plane, out, oh);
        }
    }
}

void sp_avx512_nchw_2x2s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_MAX) {
        if (a->idx)
            planes2(p, a, begin, end, OP_MAX, 1);
        else
            planes2(p, a, begin, end, OP_MAX, 0);
    } else if (p->op == SIMDPOOL_AVG) {
        planes2(p, a, begin, end, OP_AVG, 0);
    } else {
        planes2(p, a, begin, end, OP_SUM, 0);
    }
}

int sp_avx512_accepts_nchw_2x2s2(const sp_problem *p)
{
    return p->kh == 2 && p->kw == 2 && p->sh == 2 && p->sw == 2 && p->dh == 1 && p->dw == 1 && !p->pt &&
           !p->pb && !p->pl && !p->pr && sp_avx512_accepts_nchw_generic(p);
}
