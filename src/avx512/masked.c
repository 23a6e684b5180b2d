/* Masked sequence max, x[B, T, D] with mask[B, T] -> [B, D]. Units are (b, d) pairs; a slice
 * may start and end inside a sequence. Vectorised over D, 16 per zmm, up to 128 at once; the
 * D tail is one masked load/store. Tokens whose mask is 0 are never read. Each lane walks its
 * tokens in order with the reference's step (the first kept token taken as it is, then NaN
 * sticky and ties keeping the earlier value), so results are bit-exact; a fully masked row
 * gives p->fill. (Masked mean is left to AVX2, which measured as fast: see kernels.c.) */
#include "simd.h"

SP_INLINE void chan_block(const sp_problem *p, const float *x, const uint8_t *mk, float *out, int NV,
                          __mmask16 kl)
{
    const int64_t T = p->h, D = p->c;
    __m512 m[8];
    int64_t t = 0;
    while (t < T && !mk[t]) t++;
    if (t == T) { /* fully masked row */
        for (int v = 0; v < NV; v++)
            _mm512_mask_storeu_ps(out + 16 * v, v == NV - 1 ? kl : 0xFFFF, _mm512_set1_ps(p->fill));
        return;
    }
    for (int v = 0; v < NV; v++) m[v] = _mm512_maskz_loadu_ps(v == NV - 1 ? kl : 0xFFFF, x + t * D + 16 * v);
    for (t++; t < T; t++) {
        if (!mk[t]) continue;
        const float *s = x + t * D;
        for (int v = 0; v < NV; v++)
            m[v] = sp_maxnan(m[v], _mm512_maskz_loadu_ps(v == NV - 1 ? kl : 0xFFFF, s + 16 * v));
    }
    for (int v = 0; v < NV; v++) _mm512_mask_storeu_ps(out + 16 * v, v == NV - 1 ? kl : 0xFFFF, m[v]);
}

void sp_avx512_btd_masked_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t T = p->h, D = p->c;
    for (size_t u = begin; u < end;) {
        const int64_t b = (int64_t)u / D, d0 = (int64_t)u % D;
        int64_t nd = D - d0;
        if ((size_t)nd > end - u) nd = (int64_t)(end - u);
        const float *x = a->in + b * T * D + d0;
        const uint8_t *mk = a->mask + b * T;
        float *out = a->out + u;
        int64_t d = 0;
        for (; d + 128 <= nd; d += 128) chan_block(p, x + d, mk, out + d, 8, 0xFFFF);
        for (; d + 16 < nd; d += 16) chan_block(p, x + d, mk, out + d, 1, 0xFFFF);
        if (d < nd) chan_block(p, x + d, mk, out + d, 1, sp_lanes(nd - d));
        u += (size_t)nd;
    }
}
