/* Global max / avg / sum over H*W, both layouts. Units are (n, c) pairs.
 *
 * NCHW reduces each contiguous plane with four independent accumulators; sums of eight
 * planes are transposed into one vector with a hadd tree so the horizontal work is shared.
 * Loading every plane from 32-byte aligned vectors only (neighbours' lanes masked off by
 * aligned constant rows, the same vector count for every plane) measured level with this at
 * C2048 7x7 and C512 7x7 and 2.5% faster at C512 14x14 (64-byte aligned tensors, 10
 * interleaved A/B rounds, 1 thread), so the simpler unaligned loads stay.
 * Values-only max on 7x7 and 14x14 planes runs on global_sum.c's eight-plane blocks (session
 * 8: C2048 7^2 11.8 -> 3.3 us); on other planes it runs plain vmaxps (cheap, but wrong on NaN
 * and on the sign of a zero maximum) and records whether the plane held a NaN; the rare
 * planes that did, or whose maximum is zero, are settled by a short scalar scan, which gives
 * the reference's exact answer. NHWC vectorises over channels, so every lane sees its channel in order and the
 * reference's step applies directly.
 *
 * NHWC sums add groups of pixel rows into partial sums kept in L1 (see sum_nhwc). An earlier
 * version summed each channel block down all H*W pixels: at C = 2048 that is a walk at a
 * stride of 8 KiB, every step in the same L1 set, and it ran at about half the L2 bandwidth
 * (49-54% of the roofline at C2048 7x7). */
#include "simd.h"

/* Sum of a plane as one vector (lanes still to be added). */
SP_INLINE __m256 plane_sum(const float *x, int64_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(x + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(x + i + 24));
    }
    for (; i + 8 <= n; i += 8) s2 = _mm256_add_ps(s2, _mm256_loadu_ps(x + i));
    if (i < n) s3 = _mm256_add_ps(s3, _mm256_maskload_ps(x + i, sp_mask(n - i)));
    return _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
}

/* Small planes (8 <= hw <= 64, e.g. 7x7): NV full vectors summed in two chains, and the
 * last hw % 8 elements from one vector ending at the plane's end with its already counted
 * lanes zeroed, so nothing is loaded outside the plane and no masked load is needed. */
SP_INLINE __m256 small_sum(const float *x, int64_t hw, __m256 tmask, int NV)
{
    /* s1 from +0, as the reference's sum, so a plane of -0 sums to +0 */
    __m256 s0 = _mm256_loadu_ps(x), s1 = _mm256_setzero_ps();
    if (NV > 1) s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + 8));
    for (int i = 2; i < NV; i++) {
        if (i & 1)
            s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + 8 * i));
        else
            s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + 8 * i));
    }
    if (hw % 8) s1 = _mm256_add_ps(s1, _mm256_and_ps(_mm256_loadu_ps(x + hw - 8), tmask));
    return _mm256_add_ps(s0, s1);
}

/* Eight planes' lane vectors to one vector of eight sums. Lanes add as
 * ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)); one_sum uses the same order, so a plane's result does
 * not depend on where a thread's slice starts. */
SP_INLINE __m256 sums8(const __m256 *v)
{
    __m256 a01 = _mm256_hadd_ps(v[0], v[1]), a23 = _mm256_hadd_ps(v[2], v[3]);
    __m256 a45 = _mm256_hadd_ps(v[4], v[5]), a67 = _mm256_hadd_ps(v[6], v[7]);
    __m256 b0 = _mm256_hadd_ps(a01, a23), b1 = _mm256_hadd_ps(a45, a67);
    return _mm256_add_ps(_mm256_permute2f128_ps(b0, b1, 0x20), _mm256_permute2f128_ps(b0, b1, 0x31));
}

SP_INLINE float one_sum(__m256 v)
{
    float l[8];
    _mm256_storeu_ps(l, v);
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

SP_INLINE void sum_planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int NV)
{
    const int64_t hw = p->h * p->w;
    const float scale = p->op == SIMDPOOL_GLOBAL_AVG ? (float)hw : 1.0f;
    const __m256 sv = _mm256_set1_ps(scale);
    const __m256 tmask = _mm256_castsi256_ps(_mm256_cmpgt_epi32(sp_iota(), _mm256_set1_epi32((int)(7 - hw % 8))));
    size_t u = begin;
    for (; u + 8 <= end; u += 8) {
        const float *x = a->in + (int64_t)u * hw;
        __m256 v[8];
        for (int k = 0; k < 8; k++)
            v[k] = NV ? small_sum(x + k * hw, hw, tmask, NV) : plane_sum(x + k * hw, hw);
        _mm256_storeu_ps(a->out + u, _mm256_div_ps(sums8(v), sv));
    }
    for (; u < end; u++) {
        const float *x = a->in + (int64_t)u * hw;
        a->out[u] = one_sum(NV ? small_sum(x, hw, tmask, NV) : plane_sum(x, hw)) / scale;
    }
}

static void sum_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t hw = p->h * p->w;
    switch (hw >= 8 && hw <= 64 ? hw / 8 : 0) {
    case 1: sum_planes(p, a, begin, end, 1); break;
    case 2: sum_planes(p, a, begin, end, 2); break;
    case 3: sum_planes(p, a, begin, end, 3); break;
    case 4: sum_planes(p, a, begin, end, 4); break;
    case 5: sum_planes(p, a, begin, end, 5); break;
    case 6: sum_planes(p, a, begin, end, 6); break;
    case 7: sum_planes(p, a, begin, end, 7); break;
    case 8: sum_planes(p, a, begin, end, 8); break;
    default: sum_planes(p, a, begin, end, 0); break;
    }
}

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
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    for (size_t u = begin; u < end; u++) {
        const float *x = a->in + (int64_t)u * hw;
        __m256 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf, nan = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 32 <= hw; i += 32) {
            __m256 v0 = _mm256_loadu_ps(x + i), v1 = _mm256_loadu_ps(x + i + 8);
            __m256 v2 = _mm256_loadu_ps(x + i + 16), v3 = _mm256_loadu_ps(x + i + 24);
            m0 = _mm256_max_ps(v0, m0);
            m1 = _mm256_max_ps(v1, m1);
            m2 = _mm256_max_ps(v2, m2);
            m3 = _mm256_max_ps(v3, m3);
            nan = _mm256_or_ps(nan, _mm256_or_ps(_mm256_cmp_ps(v0, v1, _CMP_UNORD_Q),
                                                 _mm256_cmp_ps(v2, v3, _CMP_UNORD_Q)));
        }
        for (; i < hw; i += 8) {
            __m256i k = sp_mask(hw - i);
            __m256 v = _mm256_blendv_ps(ninf, _mm256_maskload_ps(x + i, k), _mm256_castsi256_ps(k));
            m0 = _mm256_max_ps(v, m0);
            nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        }
        __m256 m = _mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3));
        __m128 q = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        q = _mm_max_ps(q, _mm_movehl_ps(q, q));
        q = _mm_max_ss(q, _mm_movehdup_ps(q));
        float r = _mm_cvtss_f32(q);
        int has_nan = !_mm256_testz_ps(nan, nan);
        a->out[u] = has_nan || r == 0.0f ? settle(x, hw, has_nan, r) : r;
    }
}

/* Does candidate (v, i) come before (w, j) in the reference's order of preference? */
static int beats(float v, int64_t i, float w, int64_t j)
{
    if (isnan(v)) return !isnan(w) || i > j;
    if (isnan(w)) return 0;
    return v > w || (v == w && i < j);
}

static void argmax_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t hw = p->h * p->w;
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    const __m256i none = _mm256_set1_epi32(INT32_MAX), eight = _mm256_set1_epi32(8);
    for (size_t u = begin; u < end; u++) {
        const float *x = a->in + (int64_t)u * hw;
        __m256 m[2] = {ninf, ninf};
        __m256i mi[2] = {none, none};
        __m256i at[2] = {sp_iota(), _mm256_add_epi32(sp_iota(), eight)};
        const __m256i step = _mm256_set1_epi32(16);
        int64_t i = 0;
        for (; i < hw; i += 16) {
            for (int k = 0; k < 2; k++) {
                int64_t left = hw - i - 8 * k;
                __m256 v;
                if (left >= 8) {
                    v = _mm256_loadu_ps(x + i + 8 * k);
                } else {
                    __m256i lm = sp_mask(left);
                    v = _mm256_blendv_ps(ninf, _mm256_maskload_ps(x + i + 8 * k, lm), _mm256_castsi256_ps(lm));
                }
                __m256 t = sp_takes(m[k], v);
                m[k] = _mm256_blendv_ps(m[k], v, t);
                mi[k] = _mm256_castps_si256(
                    _mm256_blendv_ps(_mm256_castsi256_ps(mi[k]), _mm256_castsi256_ps(at[k]), t));
                at[k] = _mm256_add_epi32(at[k], step);
            }
        }
        float mv[16];
        int32_t iv[16];
        _mm256_storeu_ps(mv, m[0]);
        _mm256_storeu_ps(mv + 8, m[1]);
        _mm256_storeu_si256((__m256i *)iv, mi[0]);
        _mm256_storeu_si256((__m256i *)(iv + 8), mi[1]);
        float best = -INFINITY;
        int64_t bi = INT32_MAX;
        for (int k = 0; k < 16; k++)
            if (iv[k] != INT32_MAX && beats(mv[k], iv[k], best, bi)) best = mv[k], bi = iv[k];
        a->out[u] = best;
        if (a->idx) a->idx[u] = bi == INT32_MAX ? 0 : bi;
    }
}

/* Max over channels [0, nc) of one image (pixel stride C), NV vectors at a time, last one nl lanes. */
SP_INLINE void chan_block(const sp_problem *p, const float *x, float *out, int64_t *idx, int NV,
                          int64_t nl)
{
    const int64_t hw = p->h * p->w, C = p->c;
    __m256 m[8];
    __m256i mi[8];
    for (int v = 0; v < NV; v++) {
        m[v] = _mm256_set1_ps(-INFINITY);
        mi[v] = _mm256_setzero_si256();
    }
    for (int64_t i = 0; i < hw; i++) {
        const float *s = x + i * C;
        for (int v = 0; v < NV; v++) {
            __m256 t = v == NV - 1 ? sp_load(s + 8 * v, nl) : _mm256_loadu_ps(s + 8 * v);
            if (idx) {
                __m256 tk = sp_takes(m[v], t);
                m[v] = _mm256_blendv_ps(m[v], t, tk);
                mi[v] = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(mi[v]),
                                                             _mm256_castsi256_ps(_mm256_set1_epi32((int)i)), tk));
            } else {
                m[v] = sp_maxnan(m[v], t);
            }
        }
    }
    for (int v = 0; v < NV; v++) {
        int64_t n = v == NV - 1 ? nl : 8;
        sp_store(out + 8 * v, m[v], n);
        if (idx) sp_store_idx(idx + 8 * v, mi[v], n);
    }
}

/* NHWC sums take chunks of up to 1024 channels (4 KiB) and sweep each chunk's pixel rows in
 * groups of four (the first group 1-5), adding each group's sum into the chunk's partial
 * sums. Bench, 1 thread, Zen 4, same-run roofline: C2048 7x7 78% -> 91%, C512 14x14 93% ->
 * 98%, C512 7x7 level (96%), against adding whole pixel rows into the output. What set the
 * speed (standalone A/B, input 16 bytes past a 64-byte boundary as in the bench; at C2048
 * rows are 8 KiB apart, so all of a channel's rows fall in one L1 set):
 * - The partial sums must stay in L1 between groups. Whole 8 KiB rows put two partial-sum
 *   lines and eight input lines in each 8-way set per group: the partial sums were evicted
 *   every group (about 75%); 4 KiB chunks leave one and four (93%).
 * - They live in a stack buffer placed between the input rows modulo 4 KiB (sum_gap), not
 *   in the output: a load whose address matches an older, still queued store in its low 12
 *   bits waits for it (4K aliasing), so an output lying 32-64 bytes after the input rows
 *   modulo 4 KiB stalled every next load (down to 64%). Only the last group writes the output.
 * - Whole-vector loads start at a 32-byte boundary, so none splits a cache line (80% -> 94%
 *   at C2048). The channels before it and after the last whole vector are one unaligned
 *   vector each, overlapping the whole ones, in the same passes: chunks of their own, walked
 *   down the rows apart from their neighbours, cost 10-30% at C512.
 * Wider groups (7 rows) overfill the sets; summing each channel block down all pixels walks
 * an 8 KiB stride that no prefetcher follows: both were slower. */
enum { SUM_CHUNK = 1024 };

/* One chunk's channels: n (a multiple of 8) from a 32-byte boundary, plus lead channels
 * before it and tail after it, each taken as one whole vector overlapping the others (their
 * partial sums in edge[0..8) and edge[8..16)); or, where fewer than 8 channels are left, one
 * vector of k's lanes. */
typedef struct sum_seg {
    int64_t n, lead, tail;
    float *edge;
    const __m256i *k;
} sum_seg;

SP_INLINE __m256 sum_ld(const float *p, const __m256i *k) { return k ? _mm256_maskload_ps(p, *k) : _mm256_loadu_ps(p); }

/* One vector of G pixel rows x, x + C, .. (G a constant), added pairwise, plus the partial
 * sums in acc unless first, stored to dst; the last group scales by 1/H*W (avg). */
SP_INLINE void sum_vec(const float *x, int64_t C, const float *acc, float *dst, int G, int first, int last,
                       __m256 div, const __m256i *k)
{
    __m256 v[5];
#pragma GCC unroll 5
    for (int g = 0; g < G; g++) v[g] = sum_ld(x + g * C, k);
#pragma GCC unroll 3
    for (int w = 1; w < G; w *= 2)
#pragma GCC unroll 3
        for (int g = 0; g + w < G; g += 2 * w) v[g] = _mm256_add_ps(v[g], v[g + w]);
    __m256 s = v[0];
    if (!first) s = _mm256_add_ps(sum_ld(acc, k), s);
    /* + 0: the reference's sum starts from +0, so rows of -0 give +0 */
    if (last) s = _mm256_div_ps(_mm256_add_ps(s, _mm256_setzero_ps()), div);
    if (k)
        _mm256_maskstore_ps(dst, *k, s);
    else
        _mm256_storeu_ps(dst, s);
}

/* One group of G rows over a chunk. A lane shared by an edge vector and a whole one gets the
 * same sums in the same order in both, so the last group may store them in any order. */
SP_INLINE void sum_pass(const float *x, int64_t C, const float *acc, float *dst, const sum_seg *s, int G,
                        int first, int last, __m256 div)
{
    if (s->k) {
        sum_vec(x, C, acc, dst, G, first, last, div, s->k);
        return;
    }
    if (s->lead) sum_vec(x - s->lead, C, s->edge, last ? dst - s->lead : s->edge, G, first, last, div, NULL);
    for (int64_t c = 0; c < s->n; c += 8) sum_vec(x + c, C, acc + c, dst + c, G, first, last, div, NULL);
    if (s->tail) {
        const int64_t e = s->n + s->tail - 8;
        sum_vec(x + e, C, s->edge + 8, last ? dst + e : s->edge + 8, G, first, last, div, NULL);
    }
}

/* All hw pixels of one chunk: hw = G + 4q, partial sums in tmp. */
SP_INLINE void sum_chunk(const float *x, int64_t C, float *tmp, float *out, const sum_seg *s, int64_t hw, int G,
                         __m256 div)
{
    if (hw == G) {
        sum_pass(x, C, NULL, out, s, G, 1, 1, div);
        return;
    }
    sum_pass(x, C, NULL, tmp, s, G, 1, 0, div);
    int64_t i = G;
    for (; i + 4 < hw; i += 4) sum_pass(x + i * C, C, tmp, tmp, s, 4, 0, 0, div);
    sum_pass(x + i * C, C, tmp, out, s, 4, 0, 1, div);
}

/* Where the partial sums go, in bytes from the chunk's first input row modulo 4 KiB: every
 * input row of the chunk lies a multiple of d (the largest power of two dividing 4C, up to
 * 4 KiB) from it, so halfway between two rows; a multiple of 32, as the rows' alignment. */
static uintptr_t sum_gap(int64_t C)
{
    const uint64_t s = (uint64_t)(4 * C) & 4095, d = s ? s & (~s + 1) : 4096;
    return d >= 64 ? (uintptr_t)(d / 2) : 2048;
}

static void sum_nhwc(const sp_problem *p, const float *x, float *out, int64_t nc)
{
    const int64_t hw = p->h * p->w, C = p->c;
    const __m256 div = _mm256_set1_ps(p->op == SIMDPOOL_GLOBAL_AVG ? (float)hw : 1.0f);
    const int g = (int)(hw <= 5 ? hw : (hw - 2) % 4 + 2);
    const uintptr_t gap = sum_gap(C);
    /* Room for a chunk's partial sums at any address modulo 4 KiB. */
    /* edge is zeroed only for gcc's sake: the first group writes it before any group reads it */
    float buf[SUM_CHUNK + 1024], edge[16] = {0};
    const __m256i k = sp_mask(nc);
    sum_seg s = {0, 0, 0, edge, nc < 8 ? &k : NULL};
    const int64_t lead = nc < 8 ? 0 : (int64_t)((32 - ((uintptr_t)x & 31)) & 31) / 4;
    const int64_t end = nc < 8 ? 0 : lead + (nc - lead) / 8 * 8;
    int64_t c = lead;
    do {
        s.n = end - c < SUM_CHUNK ? end - c : SUM_CHUNK;
        s.lead = c == lead ? lead : 0;
        s.tail = c + s.n == end ? nc - end : 0;
        float *tmp = buf + (((uintptr_t)(x + c) + gap - (uintptr_t)buf) & 4095) / sizeof(float);
        switch (g) {
        case 1: sum_chunk(x + c, C, tmp, out + c, &s, hw, 1, div); break;
        case 2: sum_chunk(x + c, C, tmp, out + c, &s, hw, 2, div); break;
        case 3: sum_chunk(x + c, C, tmp, out + c, &s, hw, 3, div); break;
        case 4: sum_chunk(x + c, C, tmp, out + c, &s, hw, 4, div); break;
        default: sum_chunk(x + c, C, tmp, out + c, &s, hw, 5, div); break;
        }
        c += s.n;
    } while (c < end);
}

SP_INLINE void channels(const sp_problem *p, const float *x, float *out, int64_t *idx, int64_t nc)
{
    if (p->op != SIMDPOOL_GLOBAL_MAX) {
        sum_nhwc(p, x, out, nc);
        return;
    }
    int64_t c = 0;
    for (; c + 64 <= nc; c += 64) chan_block(p, x + c, out + c, idx ? idx + c : NULL, 8, 8);
    for (; c + 8 <= nc; c += 8) chan_block(p, x + c, out + c, idx ? idx + c : NULL, 1, 8);
    if (c < nc) chan_block(p, x + c, out + c, idx ? idx + c : NULL, 1, nc - c);
}

void sp_avx2_global_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t C = p->c, hw = p->h * p->w;
    /* The slice may start and end inside an image: walk it image by image. */
    for (size_t u = begin; u < end;) {
        const int64_t n = (int64_t)u / C, c0 = (int64_t)u % C;
        int64_t nc = C - c0;
        if ((size_t)nc > end - u) nc = (int64_t)(end - u);
        const float *x = a->in + n * hw * C + c0;
        if (a->idx)
            channels(p, x, a->out + u, a->idx + u, nc);
        else
            channels(p, x, a->out + u, NULL, nc);
        u += (size_t)nc;
    }
}

void sp_avx2_global_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op != SIMDPOOL_GLOBAL_MAX)
        sum_nchw(p, a, begin, end);
    else if (a->idx)
        argmax_nchw(p, a, begin, end);
    else if (sp_avx2_accepts_global_max_nchw_blocks(p))
        sp_avx2_global_max_nchw_blocks(p, a, begin, end); /* eight planes a block: global_sum.c */
    else
        max_nchw(p, a, begin, end);
}

/* Argmax positions are int32 lanes. */
int sp_avx2_accepts_global(const sp_problem *p) { return p->h < (INT64_C(1) << 30) / p->w; }
