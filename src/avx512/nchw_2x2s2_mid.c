/* NCHW 2x2 stride 2, whole windows, rows of 18 to 32 columns (the 28^2 maps of ResNet and VGG):
 * values-only max.
 *
 * Each input row is one full vector and one masked to the 2*OW columns the outputs use; two
 * vpermt2ps over that pair give the row's even and odd columns in OW lanes, vmaxps(odd, even)
 * is the row's pair max, vmaxps(lower, upper) the window's, and one masked store writes the OW
 * outputs. Horizontal first, then vertical, each with the later operand first, keeps the
 * earlier element on ties (-0/+0 included): the reference's row-major first maximum whenever
 * no NaN is present (vertical first would let the lower-left win over the upper-right). As in
 * nchw_2x2s2_narrow.c the slice is walked as one flat sequence of row pairs (a linear one for
 * even H), the input is prefetched AHEAD floats ahead, and ordered compares of the loads chain
 * through opmasks; a chunk of planes that saw a NaN is redone by the exact generic kernel.
 * Without the prefetch C512 28^2 ran at 80-84% of the roofline (0.9x AVX2's); 2-8 KiB ahead all
 * reach 98-102% (kernels.c). Avg on the same steps was level with AVX2's and is left to it. */
#include "simd.h"
#include "../tmpl/accepts.h"

enum { W_MIN = 18, W_MAX = 32, RP_CHUNK = 256 };
#ifndef SP_MID_AHEAD
#define SP_MID_AHEAD 1024 /* floats (4 KiB): the prefetch distance */
#endif
#define AHEAD SP_MID_AHEAD

/* One row pair at r (rows r and r + W) into OW outputs at o. */
SP_INLINE void pair(const float *r, int64_t W, float *o, __mmask16 kt, __mmask16 ko, __m512i ie, __m512i io,
                    __mmask16 *ok)
{
    const __m512 u0 = _mm512_loadu_ps(r), u1 = _mm512_maskz_loadu_ps(kt, r + 16);
    const __m512 l0 = _mm512_loadu_ps(r + W), l1 = _mm512_maskz_loadu_ps(kt, r + W + 16);
    *ok = _mm512_mask_cmp_ps_mask(*ok, u0, l0, _CMP_ORD_Q);
    *ok = _mm512_mask_cmp_ps_mask(*ok, u1, l1, _CMP_ORD_Q);
    const __m512 up = _mm512_max_ps(_mm512_permutex2var_ps(u0, io, u1), _mm512_permutex2var_ps(u0, ie, u1));
    const __m512 lo = _mm512_max_ps(_mm512_permutex2var_ps(l0, io, l1), _mm512_permutex2var_ps(l0, ie, l1));
    _mm512_mask_storeu_ps(o, ko, _mm512_max_ps(lo, up));
}

/* n row pairs of whole planes from r into o; returns the lanes of the ordered compares that held. */
SP_INLINE __mmask16 rows(const float *r, float *o, int64_t n, int64_t W, int64_t OW, int64_t OH, int64_t skip,
                         int EVEN)
{
    const __mmask16 kt = sp_lanes(2 * OW - 16), ko = sp_lanes(OW);
    const __m512i j2 = _mm512_add_epi32(sp_iota(), sp_iota());
    const __m512i ie = j2, io = _mm512_add_epi32(j2, _mm512_set1_epi32(1));
    __mmask16 ok = 0xFFFF;
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++, o += OW) {
        _mm_prefetch((const char *)(r + AHEAD), _MM_HINT_T0);
        _mm_prefetch((const char *)(r + AHEAD + 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(r + AHEAD + 32), _MM_HINT_T0);
        _mm_prefetch((const char *)(r + AHEAD + 48), _MM_HINT_T0);
        pair(r, W, o, kt, ko, ie, io, &ok);
        r += 2 * W;
        if (!EVEN && ++k == OH) k = 0, r += skip;
    }
    return ok;
}

SP_INLINE void chunks(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int EVEN)
{
    const int64_t W = p->w, OW = p->ow, OH = p->oh, hw = p->h * W, skip = hw - 2 * OH * W;
    const size_t pc = OH >= RP_CHUNK ? 1 : (size_t)(RP_CHUNK / OH);
    for (size_t u0 = begin; u0 < end; u0 += pc) {
        const size_t u1 = end - u0 < pc ? end : u0 + pc;
        const __mmask16 ok = rows(a->in + (int64_t)u0 * hw, a->out + (int64_t)u0 * OH * OW,
                                  (int64_t)(u1 - u0) * OH, W, OW, OH, skip, EVEN);
        if (ok != (__mmask16)0xFFFF) {
            sp_args one = *a;
            one.idx = NULL;
            sp_avx512_nchw_generic(p, &one, u0, u1);
        }
    }
}

void sp_avx512_nchw_2x2s2_mid(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->h == 2 * p->oh) chunks(p, a, begin, end, 1);
    else chunks(p, a, begin, end, 0);
}

/* Whole windows, OW 9..16, planes the exact redo (nchw.c) takes. */
int sp_avx512_accepts_nchw_2x2s2_mid(const sp_problem *p)
{
    return p->op == SIMDPOOL_MAX && p->w >= W_MIN && p->w <= W_MAX && sp_tmpl_whole_2x2s2(p) && p->oh >= 1 &&
           p->ow >= 9 && sp_avx512_accepts_nchw_generic(p);
}
