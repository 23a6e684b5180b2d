/* Global pooling over H*W. Units are (n, c) pairs; a slice may start and end inside an image.
 * Max only, both layouts; avg and sum are in global_sum.c.
 *
 * NCHW values-only max on the planes global_sum.c's blocks take (6x6, 7x7, 8x8, 10x10, 169 or
 * more floats) runs there, sixteen planes a block (session 8: C2048 7^2 11.1 -> 3.1 us). Other
 * planes run plain vmaxps per plane (cheap, but wrong on NaN and on the sign of a zero
 * maximum) and record whether the plane held a NaN; the rare planes that did, or whose
 * maximum is zero, are settled by a short scalar scan, which gives the reference's exact
 * answer. Argmax keeps per-lane candidates with positions and merges them in the
 * reference's order. NHWC vectorises over channels, so every lane sees its channel in order
 * and the reference's step applies directly; values-only NHWC takes pixel rows in order into
 * the output (max_rows). */
#include "simd.h"

/* The reference's answer for a plane, found by scanning: the last NaN if any, else the first
 * element equal to the maximum m (only the sign of a zero can differ from m). */
static float settle(const float *x, int64_t n, int nan, float m)
{
    if (nan) {
        for (int64_t i = n - 1; i >= 0; i--)
            if (isnan(x[i])) return x[i];
    }
    for (int64_t i = 0; i < n; i++)
        if (x[i] == m) return x[i];
    return m;
}

static void max_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t hw = p->h * p->w;
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    for (size_t u = begin; u < end; u++) {
        const float *x = a->in + (int64_t)u * hw;
        __m512 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
        __mmask16 nan = 0;
        int64_t i = 0;
        for (; i + 64 <= hw; i += 64) {
            __m512 v0 = _mm512_loadu_ps(x + i), v1 = _mm512_loadu_ps(x + i + 16);
            __m512 v2 = _mm512_loadu_ps(x + i + 32), v3 = _mm512_loadu_ps(x + i + 48);
            m0 = _mm512_max_ps(v0, m0);
            m1 = _mm512_max_ps(v1, m1);
            m2 = _mm512_max_ps(v2, m2);
            m3 = _mm512_max_ps(v3, m3);
            nan |= _mm512_cmp_ps_mask(v0, v1, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(v2, v3, _CMP_UNORD_Q);
        }
        for (; i < hw; i += 16) {
            __m512 v = _mm512_mask_loadu_ps(ninf, sp_lanes(hw - i), x + i);
            m1 = _mm512_max_ps(v, m1);
            nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        }
        float r = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3)));
        a->out[u] = nan || r == 0.0f ? settle(x, hw, nan != 0, r) : r;
    }
}

static void argmax_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t hw = p->h * p->w;
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    const __m512i none = _mm512_set1_epi32(INT32_MAX), step = _mm512_set1_epi32(32);
    for (size_t u = begin; u < end; u++) {
        const float *x = a->in + (int64_t)u * hw;
        __m512 m[2] = {ninf, ninf};
        __m512i mi[2] = {none, none};
        __m512i at[2] = {sp_iota(), _mm512_add_epi32(sp_iota(), _mm512_set1_epi32(16))};
        for (int64_t i = 0; i < hw; i += 32) {
            for (int k = 0; k < 2; k++) {
                /* Lanes past the end hold -inf and never win: a lane's first real element
                 * (anything > -inf, or NaN) replaces it; an all -inf lane keeps "none". */
                __mmask16 kl = sp_lanes(hw - i - 16 * k);
                __m512 v = _mm512_mask_loadu_ps(ninf, kl, x + i + 16 * k);
                __mmask16 t = sp_takes(m[k], v) | (_mm512_cmpeq_epi32_mask(mi[k], none) & kl);
                m[k] = _mm512_mask_mov_ps(m[k], t, v);
                mi[k] = _mm512_mask_mov_epi32(mi[k], t, at[k]);
                at[k] = _mm512_add_epi32(at[k], step);
            }
        }
        /* Merge the 32 candidates in the reference's order: the NaN with the largest
         * position if any, else the smallest position holding the maximum (comparing equal
         * covers -0/+0); the value is reloaded from there so its bits are the input's. */
        const __mmask16 v0 = _mm512_cmpneq_epi32_mask(mi[0], none), v1 = _mm512_cmpneq_epi32_mask(mi[1], none);
        const __mmask16 n0 = _mm512_cmp_ps_mask(m[0], m[0], _CMP_UNORD_Q) & v0;
        const __mmask16 n1 = _mm512_cmp_ps_mask(m[1], m[1], _CMP_UNORD_Q) & v1;
        int64_t bi;
        if (n0 | n1) {
            int32_t b0 = _mm512_mask_reduce_max_epi32(n0, mi[0]), b1 = _mm512_mask_reduce_max_epi32(n1, mi[1]);
            bi = !n1 ? b0 : !n0 ? b1 : b0 > b1 ? b0 : b1;
        } else {
            const __m512 mm = _mm512_max_ps(_mm512_mask_mov_ps(ninf, v0, m[0]), _mm512_mask_mov_ps(ninf, v1, m[1]));
            const __m512 best = _mm512_set1_ps(_mm512_reduce_max_ps(mm));
            const __mmask16 e0 = _mm512_cmp_ps_mask(m[0], best, _CMP_EQ_OQ) & v0;
            const __mmask16 e1 = _mm512_cmp_ps_mask(m[1], best, _CMP_EQ_OQ) & v1;
            int32_t b0 = _mm512_mask_reduce_min_epi32(e0, mi[0]), b1 = _mm512_mask_reduce_min_epi32(e1, mi[1]);
            bi = b0 < b1 ? b0 : b1; /* an empty mask reduces to INT32_MAX */
        }
        a->out[u] = x[bi];
        a->idx[u] = bi;
    }
}

/* Channels of one image (pixel stride C), NV vectors at a time, the last with lanes kl. */
SP_INLINE void chan_block(const sp_problem *p, const float *x, float *out, int64_t *idx, int NV,
                          __mmask16 kl)
{
    const int64_t hw = p->h * p->w, C = p->c;
    __m512 m[8];
    __m512i mi[8];
    for (int v = 0; v < NV; v++) {
        m[v] = _mm512_maskz_loadu_ps(v == NV - 1 ? kl : 0xFFFF, x + 16 * v);
        mi[v] = _mm512_setzero_si512();
    }
    for (int64_t i = 1; i < hw; i++) {
        const float *s = x + i * C;
        const __m512i at = _mm512_set1_epi32((int)i);
        for (int v = 0; v < NV; v++) {
            __m512 t = _mm512_maskz_loadu_ps(v == NV - 1 ? kl : 0xFFFF, s + 16 * v);
            if (idx) {
                __mmask16 tk = sp_takes(m[v], t);
                m[v] = _mm512_mask_mov_ps(m[v], tk, t);
                mi[v] = _mm512_mask_mov_epi32(mi[v], tk, at);
            } else {
                m[v] = sp_maxnan(m[v], t);
            }
        }
    }
    for (int v = 0; v < NV; v++) {
        __mmask16 k = v == NV - 1 ? kl : 0xFFFF;
        _mm512_mask_storeu_ps(out + 16 * v, k, m[v]);
        if (idx) sp_store_idx(idx + 16 * v, mi[v], k);
    }
}

/* Values-only max of channels [0, n) of G (1..9) pixels x[0], x[C], .. into out (pixel rows
 * in order, the output kept in L1 as the running maximum); returns the lanes that saw a NaN.
 * vmaxps(later, earlier) keeps the earlier value unless the later one is strictly greater,
 * so a tree of it over rows in order is the reference's step, ties and -0/+0 included, as
 * long as no NaN is involved; a NaN sends the caller to the exact per-lane walk. */
SP_INLINE __mmask16 max_group(const float *x, int64_t C, float *out, int64_t n, int G, int first)
{
    __mmask16 nan = 0;
    int64_t c = 0;
#define GROUP(k)                                                                                 \
    do {                                                                                         \
        const __m512 r0 = _mm512_maskz_loadu_ps(k, x + c);                                       \
        const __m512 r1 = G > 1 ? _mm512_maskz_loadu_ps(k, x + C + c) : r0;                      \
        const __m512 r2 = G > 2 ? _mm512_maskz_loadu_ps(k, x + 2 * C + c) : r0;                  \
        const __m512 r3 = G > 3 ? _mm512_maskz_loadu_ps(k, x + 3 * C + c) : r2;                  \
        __m512 m = _mm512_max_ps(r1, r0);                                                        \
        nan |= _mm512_cmp_ps_mask(r0, r1, _CMP_UNORD_Q);                                         \
        if (G > 2) {                                                                             \
            m = _mm512_max_ps(_mm512_max_ps(r3, r2), m);                                         \
            nan |= _mm512_cmp_ps_mask(r2, r3, _CMP_UNORD_Q);                                     \
        }                                                                                        \
        if (G > 4) {                                                                             \
            const __m512 r4 = _mm512_maskz_loadu_ps(k, x + 4 * C + c);                           \
            const __m512 r5 = G > 5 ? _mm512_maskz_loadu_ps(k, x + 5 * C + c) : r4;              \
            const __m512 r6 = G > 6 ? _mm512_maskz_loadu_ps(k, x + 6 * C + c) : r4;              \
            const __m512 r7 = G > 7 ? _mm512_maskz_loadu_ps(k, x + 7 * C + c) : r6;              \
            __m512 q = _mm512_max_ps(r5, r4);                                                    \
            nan |= _mm512_cmp_ps_mask(r4, r5, _CMP_UNORD_Q);                                     \
            if (G > 6) {                                                                         \
                q = _mm512_max_ps(_mm512_max_ps(r7, r6), q);                                     \
                nan |= _mm512_cmp_ps_mask(r6, r7, _CMP_UNORD_Q);                                 \
            }                                                                                    \
            m = _mm512_max_ps(q, m);                                                             \
        }                                                                                        \
        if (G > 8) {                                                                             \
            const __m512 r8 = _mm512_maskz_loadu_ps(k, x + 8 * C + c);                           \
            m = _mm512_max_ps(r8, m);                                                            \
            nan |= _mm512_cmp_ps_mask(r8, r8, _CMP_UNORD_Q);                                     \
        }                                                                                        \
        if (!first) m = _mm512_max_ps(m, _mm512_maskz_loadu_ps(k, out + c));                     \
        _mm512_mask_storeu_ps(out + c, k, m);                                                    \
    } while (0)
    for (; c + 16 <= n; c += 16) GROUP(0xFFFF);
    if (c < n) {
        const __mmask16 k = sp_lanes(n - c);
        GROUP(k);
    }
#undef GROUP
    return nan;
}

/* hw = G + 8q: the first group takes G (1..9) pixels, every later one eight. */
SP_INLINE int max_groups(const float *x, int64_t C, float *out, int64_t n, int64_t hw, int G)
{
    __mmask16 nan = max_group(x, C, out, n, G, 1);
    for (int64_t i = G; i < hw; i += 8) nan |= max_group(x + i * C, C, out, n, 8, 0);
    return nan != 0;
}

/* Values-only max walks pixel rows in order into the output, eight at a time: walking each
 * channel block down all H*W pixels (the argmax path) is a walk at a stride of C*4 bytes,
 * every step in the same L1 set at C = 2048 (C2048 7x7 5.2 us; rows four at a time 4.8,
 * eight 4.6, one 6.7). Chunks of 2048 channels keep the running maximum (8 KiB) in L1. A
 * chunk that met a NaN is redone with the exact step. */
static void max_rows(const sp_problem *p, const float *x, float *out, int64_t nc)
{
    const int64_t hw = p->h * p->w, C = p->c;
    const int64_t g = hw <= 9 ? hw : (hw - 2) % 8 + 2;
    for (int64_t c = 0; c < nc; c += 2048) {
        const int64_t n = nc - c < 2048 ? nc - c : 2048;
        int nan;
        switch (g) {
        case 1: nan = max_groups(x + c, C, out + c, n, hw, 1); break;
        case 2: nan = max_groups(x + c, C, out + c, n, hw, 2); break;
        case 3: nan = max_groups(x + c, C, out + c, n, hw, 3); break;
        case 4: nan = max_groups(x + c, C, out + c, n, hw, 4); break;
        case 5: nan = max_groups(x + c, C, out + c, n, hw, 5); break;
        case 6: nan = max_groups(x + c, C, out + c, n, hw, 6); break;
        case 7: nan = max_groups(x + c, C, out + c, n, hw, 7); break;
        case 8: nan = max_groups(x + c, C, out + c, n, hw, 8); break;
        default: nan = max_groups(x + c, C, out + c, n, hw, 9); break;
        }
        if (nan) {
            int64_t k = 0;
            for (; k + 16 < n; k += 16) chan_block(p, x + c + k, out + c + k, NULL, 1, 0xFFFF);
            chan_block(p, x + c + k, out + c + k, NULL, 1, sp_lanes(n - k));
        }
    }
}

SP_INLINE void channels(const sp_problem *p, const float *x, float *out, int64_t *idx, int64_t nc)
{
    int64_t c = 0;
    for (; c + 128 <= nc; c += 128) chan_block(p, x + c, out + c, idx ? idx + c : NULL, 8, 0xFFFF);
    for (; c + 16 < nc; c += 16) chan_block(p, x + c, out + c, idx ? idx + c : NULL, 1, 0xFFFF);
    if (c < nc) chan_block(p, x + c, out + c, idx ? idx + c : NULL, 1, sp_lanes(nc - c));
}

void sp_avx512_global_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t C = p->c, hw = p->h * p->w;
    for (size_t u = begin; u < end;) {
        const int64_t n = (int64_t)u / C, c0 = (int64_t)u % C;
        int64_t nc = C - c0;
        if ((size_t)nc > end - u) nc = (int64_t)(end - u);
        const float *x = a->in + n * hw * C + c0;
        if (a->idx)
            channels(p, x, a->out + u, a->idx + u, nc);
        else
            max_rows(p, x, a->out + u, nc);
        u += (size_t)nc;
    }
}

void sp_avx512_global_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (a->idx)
        argmax_nchw(p, a, begin, end);
    else if (sp_avx512_accepts_global_sum_nchw(p))
        sp_avx512_global_max_nchw_blocks(p, a, begin, end); /* sixteen planes a block: global_sum.c */
    else
        max_nchw(p, a, begin, end);
}

/* Argmax positions are int32 lanes. */
int sp_avx512_accepts_global(const sp_problem *p) { return p->h < (INT64_C(1) << 30) / p->w; }
