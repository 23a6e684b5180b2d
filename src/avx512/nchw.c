/* NCHW windowed max (values and indices), vectorised over 16 output columns of one output row.
 * (Avg and sum are left to AVX2, which measured as fast or faster here: see kernels.c.)
 * A window's first in-bounds tap is always taken, as in the reference.
 *
 * One row template serves every shape (after oneDNN's jit_uni_pool_kernel): the vertical taps
 * are clipped to the input once per output row, and the columns split into interior vectors,
 * whose every tap is inside the row, and edge vectors (left padding, right padding, ceil-mode
 * overhang) whose taps are clipped per lane. Both use masked loads, so a row shorter than 16
 * outputs costs one vector and nothing is read out of bounds. Stride 2 loads 32 consecutive
 * inputs and splits even/odd columns with vpermt2ps; for 2x2 and 3x3 windows one such pair of
 * loads feeds every tap of the row. Other strides gather. The specialised entry points call
 * the template with constant kernel, stride and dilation so the taps unroll. Max walks the
 * taps in row-major order with the reference's step (sp_maxnan), so values, NaN and tie
 * behaviour, and indices match scalar exactly. */
#include "avx512.h"
#include "simd.h"


SP_INLINE __m512i even_idx(void)
{
    return _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
SP_INLINE __m512i odd_idx(void)
{
    return _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}
/* Lane 15 would need element 32: it is patched in separately. */
SP_INLINE __m512i even2_idx(void)
{
    return _mm512_setr_epi32(2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 0);
}

/* Lanes i < n of r[x + SW*i] whose inputs are all inside the row (elements [lo, hi) of the
 * stride-2 pair are the ones the lanes need). */
SP_INLINE __m512 tap_load(const float *r, int64_t x, int64_t SW, __mmask16 kv, int64_t n, __m512i sidx)
{
    if (SW == 1) return _mm512_maskz_loadu_ps(kv, r + x);
    if (SW == 2) {
        uint32_t e = sp_range32(0, 2 * n - 1);
        __m512 a = _mm512_maskz_loadu_ps((__mmask16)e, r + x);
        __m512 b = _mm512_maskz_loadu_ps((__mmask16)(e >> 16), r + x + 16);
        return _mm512_permutex2var_ps(a, even_idx(), b);
    }
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), kv, sidx, r + x, 4);
}

/* Edge taps: lanes kv of r[x + SW*i] (the others 0); only elements inside the row [0, w) are
 * touched, so x < 0 reads nothing before the row. */
SP_INLINE __m512 edge_load(const float *r, int64_t x, int64_t w, int64_t SW, __mmask16 kv, __m512i sidx)
{
    if (SW == 1) return _mm512_maskz_loadu_ps(kv, r + x);
    if (SW == 2) {
        const __m512i e0 = _mm512_add_epi32(sp_iota(), _mm512_set1_epi32((int)x));
        const __m512i e1 = _mm512_add_epi32(e0, _mm512_set1_epi32(16));
        const __m512i zero = _mm512_setzero_si512(), wv = _mm512_set1_epi32((int)w);
        const __mmask16 k0 = _mm512_cmpge_epi32_mask(e0, zero) & _mm512_cmplt_epi32_mask(e0, wv);
        const __mmask16 k1 = _mm512_cmpge_epi32_mask(e1, zero) & _mm512_cmplt_epi32_mask(e1, wv);
        __m512 v = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(k0, r + x), even_idx(),
                                          _mm512_maskz_loadu_ps(k1, r + x + 16));
        return _mm512_maskz_mov_ps(kv, v);
    }
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), kv, sidx, r + x, 4);
}

/* Interior vector: n lanes from output column ow0, every tap inside the input. */
SP_INLINE void interior(const sp_problem *p, const float *plane, float *out, int64_t *idx, int64_t hs,
                        int64_t ky0, int64_t ky1, int64_t x0, int64_t n, int64_t KW, int64_t SW, int64_t DH,
                        int64_t DW)
{
    const int64_t w = p->w;
    const int shared = SW == 2 && DW == 1 && (KW == 2 || KW == 3);
    const __mmask16 kn = sp_lanes(n);
    const __m512i sidx = _mm512_mullo_epi32(sp_iota(), _mm512_set1_epi32((int)SW));
    __m512 m = _mm512_setzero_ps();
    __m512i mi = _mm512_setzero_si512();
    int first = 1;
    for (int64_t ky = ky0; ky < ky1; ky++) {
        const int64_t y = hs + ky * DH;
        const float *r = plane + y * w;
        __m512 sv[3] = {m, m, m};
        if (shared) {
            /* Lane n-1's last tap is element 2(n-1) + KW-1; element 32 is patched in. */
            uint32_t e = sp_range32(0, 2 * (n - 1) + KW);
            __m512 a = _mm512_maskz_loadu_ps((__mmask16)e, r + x0);
            __m512 b = _mm512_maskz_loadu_ps((__mmask16)(e >> 16), r + x0 + 16);
            sv[0] = _mm512_permutex2var_ps(a, even_idx(), b);
            sv[1] = _mm512_permutex2var_ps(a, odd_idx(), b);
            if (KW == 3) {
                sv[2] = _mm512_permutex2var_ps(a, even2_idx(), b);
                if (n == 16) sv[2] = _mm512_mask_broadcastss_ps(sv[2], 0x8000, _mm_load_ss(r + x0 + 32));
            }
        }
        if (shared) {
            /* Fold the row first, then fold it into the window: row-major order is kept (every
             * earlier row precedes this one), and the chains are shorter than one tap at a time. */
            __m512 hm = sv[0];
            __m512i hi = _mm512_setzero_si512();
            for (int64_t kx = 1; kx < KW; kx++) {
                if (idx) {
                    __mmask16 t = sp_takes(hm, sv[kx]);
                    hm = _mm512_mask_mov_ps(hm, t, sv[kx]);
                    hi = _mm512_mask_mov_epi32(hi, t, _mm512_set1_epi32((int)kx));
                } else {
                    hm = sp_maxnan(hm, sv[kx]);
                }
            }
            const __m512i at = _mm512_add_epi32(hi, _mm512_set1_epi32((int)(y * w)));
            if (first) {
                first = 0;
                m = hm;
                mi = at;
            } else if (idx) {
                __mmask16 t = sp_takes(m, hm);
                m = _mm512_mask_mov_ps(m, t, hm);
                mi = _mm512_mask_mov_epi32(mi, t, at);
            } else {
                m = sp_maxnan(m, hm);
            }
            continue;
        }
        for (int64_t kx = 0; kx < KW; kx++) {
            __m512 v = tap_load(r, x0 + kx * DW, SW, kn, n, sidx);
            if (first) {
                first = 0;
                m = v;
                mi = _mm512_set1_epi32((int)(y * w));
            } else if (idx) {
                __mmask16 t = sp_takes(m, v);
                m = _mm512_mask_mov_ps(m, t, v);
                mi = _mm512_mask_mov_epi32(mi, t, _mm512_set1_epi32((int)(y * w + kx * DW)));
            } else {
                m = sp_maxnan(m, v);
            }
        }
    }
    _mm512_mask_storeu_ps(out, kn, m);
    if (idx) sp_store_idx(idx, _mm512_add_epi32(mi, _mm512_add_epi32(sidx, _mm512_set1_epi32((int)x0))), kn);
}

/* Edge vector: n lanes from output column ow0; each tap is clipped to the row per lane. */
SP_INLINE void edge(const sp_problem *p, const float *plane, float *out, int64_t *idx, int64_t hs,
                    int64_t ky0, int64_t ky1, int64_t x0, int64_t n, int64_t KW, int64_t SW, int64_t DH,
                    int64_t DW)
{
    const int64_t w = p->w;
    const __m512i sidx = _mm512_mullo_epi32(sp_iota(), _mm512_set1_epi32((int)SW));
    __m512 m = _mm512_set1_ps(-INFINITY);
    __m512i mi = _mm512_set1_epi32(-1);
    __mmask16 have = 0;
    const __mmask16 kn = sp_lanes(n);
    const __m512i zero = _mm512_setzero_si512(), wv = _mm512_set1_epi32((int)w);
    for (int64_t ky = ky0; ky < ky1; ky++) {
        const int64_t y = hs + ky * DH;
        const float *r = plane + y * w;
        for (int64_t kx = 0; kx < KW; kx++) {
            const int64_t xb = x0 + kx * DW; /* lane i reads r[xb + SW*i] */
            const __m512i xs = _mm512_add_epi32(sidx, _mm512_set1_epi32((int)xb));
            const __mmask16 kv = _mm512_mask_cmpge_epi32_mask(kn, xs, zero) & _mm512_cmplt_epi32_mask(xs, wv);
            if (!kv) continue;
            /* Masked-off lanes never touch memory, so xb < 0 reads nothing before the row. */
            __m512 v = edge_load(r, xb, w, SW, kv, sidx);
            /* The first valid tap is taken whatever its value (the reference's mi < 0). */
            __mmask16 t = (sp_takes(m, v) | (__mmask16)~have) & kv;
            have |= kv;
            m = _mm512_mask_mov_ps(m, t, v);
            if (idx)
                mi = _mm512_mask_mov_epi32(mi, t, _mm512_add_epi32(sidx, _mm512_set1_epi32((int)(y * w + xb))));
        }
    }
    _mm512_mask_storeu_ps(out, kn, m);
    if (idx) sp_store_idx(idx, mi, kn);
}

/* One output row. KH, KW, SW, DH, DW are constants in the specialised instances. */
SP_INLINE void row_kernel(const sp_problem *p, const float *plane, float *out, int64_t *idx,
                          int64_t oh, int64_t KH, int64_t KW, int64_t SW, int64_t DH, int64_t DW)
{
    const int64_t h = p->h, w = p->w, OW = p->ow, pl = p->pl;
    const int64_t hs = oh * p->sh - p->pt;
    int64_t ky0 = hs < 0 ? (-hs + DH - 1) / DH : 0;
    int64_t ky1 = h > hs ? (h - hs + DH - 1) / DH : 0;
    if (ky1 > KH) ky1 = KH;
    if (ky0 >= ky1) { /* every tap is padding (possible with dilation) */
        const __m512 fill = _mm512_set1_ps(-INFINITY);
        for (int64_t ow = 0; ow < OW; ow += 16) {
            _mm512_mask_storeu_ps(out + ow, sp_lanes(OW - ow), fill);
            if (idx) sp_store_idx(idx + ow, _mm512_set1_epi32(-1), sp_lanes(OW - ow));
        }
        return;
    }
    /* Interior columns [owL, owR): every tap of the window is inside the row. */
    const int64_t owL = (pl + SW - 1) / SW;
    const int64_t span = w - 1 + pl - (KW - 1) * DW;
    int64_t owR = span >= 0 ? span / SW + 1 : 0;
    if (owR > OW) owR = OW;
    for (int64_t ow0 = 0; ow0 < OW;) {
        const int64_t x0 = ow0 * SW - pl;
        int64_t n;
        if (ow0 >= owL && ow0 < owR) {
            n = owR - ow0 < 16 ? owR - ow0 : 16;
            interior(p, plane, out + ow0, idx ? idx + ow0 : NULL, hs, ky0, ky1, x0, n, KW, SW, DH, DW);
        } else {
            int64_t lim = ow0 < owL && owL < owR ? owL : OW;
            n = lim - ow0 < 16 ? lim - ow0 : 16;
            edge(p, plane, out + ow0, idx ? idx + ow0 : NULL, hs, ky0, ky1, x0, n, KW, SW, DH, DW);
        }
        ow0 += n;
    }
}

SP_INLINE void planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int64_t KH,
                      int64_t KW, int64_t SW, int64_t DH, int64_t DW)
{
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            float *out = a->out + (int64_t)u * ohw + oh * p->ow;
            /* Separate instances with and without indices so the tap loop carries no test. */
            if (a->idx)
                row_kernel(p, plane, out, a->idx + (int64_t)u * ohw + oh * p->ow, oh, KH, KW, SW, DH, DW);
            else
                row_kernel(p, plane, out, NULL, oh, KH, KW, SW, DH, DW);
        }
    }
}

void sp_avx512_nchw_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    planes(p, a, begin, end, p->kh, p->kw, p->sw, p->dh, p->dw);
}

/* 3x3 stride 2 with indices (its table entry is indices-only: values-only max goes to
 * nchw_3x3s2.c on rows of 65-224 columns, elsewhere to AVX2's nchw_3x3s2, 1.3-2x faster than
 * the zmm row pass this file had), and the exact redo of a plane with a NaN for nchw_3x3s2.c. */
void sp_avx512_nchw_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    planes(p, a, begin, end, 3, 3, 2, 1, 1);
}


/* Lane positions and flat indices are int32: the padded plane must fit with room to spare. */
int sp_avx512_accepts_nchw_generic(const sp_problem *p)
{
    int64_t hh = p->h + p->pt + p->pb + p->kh * p->dh + p->sh * 16;
    int64_t ww = p->w + p->pl + p->pr + p->kw * p->dw + p->sw * 32;
    return hh < (INT64_C(1) << 30) / ww;
}

static int square(const sp_problem *p, int64_t k, int64_t s)
{
    return p->kh == k && p->kw == k && p->sh == s && p->sw == s && p->dh == 1 && p->dw == 1 &&
           sp_avx512_accepts_nchw_generic(p);
}

int sp_avx512_accepts_nchw_3x3s2(const sp_problem *p) { return square(p, 3, 2); }

/* AVX2 has faster specialised kernels for these (see kernels.c); 3x3 stride 2 with indices
 * has its own entry ahead of the generic one. */
int sp_avx512_avx2_special(const sp_problem *p)
{
    return (square(p, 2, 2) && !p->pt && !p->pb && !p->pl && !p->pr) || square(p, 3, 1) || square(p, 3, 2);
}
