/* Global avg / sum over H*W with 256-bit vectors, both layouts (AVX-512's global_sum.c with
 * the block sizes of sixteen ymm registers), and NCHW values-only max on the same blocks at 7x7
 * and 14x14. Units are (n, c) pairs; a slice may start and end inside an image.
 *
 * NCHW: planes are taken eight at a time, u0 a multiple of 8 counted from the tensor's start.
 * Eight planes of hw floats are exactly hw vectors, so the block is read as hw whole vectors on
 * one grid (32-byte aligned when the tensor is): a vector holding the end of one plane and the
 * start of the next is loaded twice and masked to one plane's lanes each time. Per-plane
 * unaligned loads split a cache line with every other load (a 7x7 plane is 196 bytes). The
 * eight plane vectors are reduced together by a hadd tree into one vector of eight sums. A
 * plane's order of additions depends only on hw and u % 8, never on where a thread's slice
 * starts (a partial block runs the same code for its planes and leaves the others out).
 *
 * NHWC: blocks of 128 channels (16 accumulators) summed down all H*W pixel rows in registers,
 * one load and one add per 32 bytes, the blocks on 64-byte lines (a head of up to 127 channels
 * before the first line is read unaligned). Each lane adds its channel's
 * rows in order from the first (the reference's order; the final + 0 gives the reference's +0
 * for rows of -0), so the blocking never changes a result.
 *
 * Max (OP = G_MAX, as in AVX-512's global_sum.c) combines with vmaxps where sums add, fills the
 * lanes outside a plane with -inf where sums use 0, and reduces the eight plane vectors by
 * sums8's tree with shuffles and vmaxps for the hadds. A maximum's value does not depend on
 * the order of the steps, except its sign when it is zero and a NaN's payload: planes whose
 * maximum is zero are settled by the reference's scan, and blocks whose vmaxps raised the NaN
 * watch (nan_watch.h) have all their planes settled so. So every slice gives the same bits. */
#include "simd.h"

enum { G_SUM, G_MAX };

SP_INLINE __m256 comb(__m256 a, __m256 b, int op) { return op == G_MAX ? _mm256_max_ps(a, b) : _mm256_add_ps(a, b); }
/* The lanes outside a plane: neutral for the op. */
SP_INLINE __m256 fill(int op) { return op == G_MAX ? _mm256_set1_ps(-INFINITY) : _mm256_setzero_ps(); }

/* Lanes [lo, hi) of one vector, lo and hi clamped to 0..8. */
SP_INLINE __m256i lanes_in(int64_t lo, int64_t hi) { return _mm256_andnot_si256(sp_mask(lo), sp_mask(hi)); }

/* v with only lanes [lo, 8) (LO) or [0, hi) kept, by an immediate blend where the lanes are
 * constants: an AND would load its mask, and the loads are what bound this kernel. */
#define SP_BLEND_CASES(expr, imm)                                                                 \
    case 1: return _mm256_blend_ps(z, v, (imm(1))); case 2: return _mm256_blend_ps(z, v, (imm(2))); \
    case 3: return _mm256_blend_ps(z, v, (imm(3))); case 4: return _mm256_blend_ps(z, v, (imm(4))); \
    case 5: return _mm256_blend_ps(z, v, (imm(5))); case 6: return _mm256_blend_ps(z, v, (imm(6))); \
    case 7: return _mm256_blend_ps(z, v, (imm(7)))
#define SP_PREFIX(n) ((1 << (n)) - 1)
#define SP_SUFFIX(n) (0xFF & ~((1 << (n)) - 1))
SP_INLINE __m256 keep_const(__m256 v, int64_t lo, int64_t hi, int op)
{
    const __m256 z = fill(op);
    if (lo <= 0) {
        switch (hi) { SP_BLEND_CASES(hi, SP_PREFIX); default: return hi <= 0 ? z : v; }
    }
    switch (lo) { SP_BLEND_CASES(lo, SP_SUFFIX); default: return z; }
}
#undef SP_BLEND_CASES
#undef SP_PREFIX
#undef SP_SUFFIX

/* Vector i of a block's grid at x, lanes [s, e) of the block kept (s, e in floats from x).
 * MASKED: a masked load (the neighbour's lanes may lie outside the tensor in a partial block);
 * else a whole load and a blend or an AND. */
SP_INLINE __m256 piece(const float *x, int64_t i, int64_t s, int64_t e, int masked, int op)
{
    if (8 * i >= s && 8 * i + 8 <= e) return _mm256_loadu_ps(x + 8 * i);
    const int64_t lo = s - 8 * i, hi = e - 8 * i;
    if (!masked && __builtin_constant_p(lo) && __builtin_constant_p(hi) && (lo <= 0 || hi >= 8))
        return keep_const(_mm256_loadu_ps(x + 8 * i), lo, hi, op);
    const __m256i m = lanes_in(lo, hi);
    const __m256 v = masked ? _mm256_maskload_ps(x + 8 * i, m) : _mm256_loadu_ps(x + 8 * i);
    if (op == G_MAX) return _mm256_blendv_ps(fill(op), v, _mm256_castsi256_ps(m));
    return masked ? v : _mm256_and_ps(v, _mm256_castsi256_ps(m));
}

/* Planes [k, k + G) of the block at x (those in [k0, k1)): piece j of a plane into its
 * accumulator j % A, the accumulators added in order at the end. Partial blocks use it with
 * G = 4, A = 2, which adds each plane as block_seq does. */
SP_INLINE void plane_group(const float *x, int k, int G, int A, int64_t hw, int k0, int k1, int masked, __m256 *out,
                           int op)
{
    __m256 acc[8][4];
    int64_t s[8] = {0}, e[8] = {0}, v0[8] = {0}, n[8] = {0}, nmin = INT64_MAX;
#pragma GCC unroll 8
    for (int g = 0; g < G; g++) {
        s[g] = (k + g) * hw, e[g] = s[g] + hw, v0[g] = s[g] / 8, n[g] = (e[g] - 1) / 8 - v0[g] + 1;
        if (n[g] < nmin) nmin = n[g];
    }
    const __m256 z = fill(op);
#pragma GCC unroll 8
    for (int g = 0; g < G; g++) {
        acc[g][0] = k + g >= k0 && k + g < k1 ? piece(x, v0[g], s[g], e[g], masked, op) : z;
#pragma GCC unroll 4
        for (int j = 1; j < A; j++) acc[g][j] = z;
    }
    /* pieces 1 .. nmin - 2 are whole vectors of every plane */
    int64_t j = 1;
    for (; j + A <= nmin - 1; j += A)
#pragma GCC unroll 4
        for (int i = 0; i < A; i++)
#pragma GCC unroll 8
            for (int g = 0; g < G; g++)
                if (k + g >= k0 && k + g < k1)
                    acc[g][(j + i) % A] = comb(acc[g][(j + i) % A], _mm256_loadu_ps(x + 8 * (v0[g] + j + i)), op);
#pragma GCC unroll 8
    for (int g = 0; g < G; g++)
        if (k + g >= k0 && k + g < k1)
            for (int64_t i = j; i < n[g]; i++)
                acc[g][i % A] = comb(acc[g][i % A], piece(x, v0[g] + i, s[g], e[g], masked, op), op);
#pragma GCC unroll 8
    for (int g = 0; g < G; g++) {
        if (A == 1) out[g] = acc[g][0];
        if (A == 2) out[g] = comb(acc[g][0], acc[g][1], op);
        if (A == 4) out[g] = comb(comb(acc[g][0], acc[g][1], op), comb(acc[g][2], acc[g][3], op), op);
    }
}

/* Eight plane vectors to one vector of their sums, plane k in lane k. */
SP_INLINE __m256 sums8(const __m256 *v)
{
    const __m256 a01 = _mm256_hadd_ps(v[0], v[1]), a23 = _mm256_hadd_ps(v[2], v[3]);
    const __m256 a45 = _mm256_hadd_ps(v[4], v[5]), a67 = _mm256_hadd_ps(v[6], v[7]);
    const __m256 b0 = _mm256_hadd_ps(a01, a23), b1 = _mm256_hadd_ps(a45, a67);
    return _mm256_add_ps(_mm256_permute2f128_ps(b0, b1, 0x20), _mm256_permute2f128_ps(b0, b1, 0x31));
}

/* hadd's shape with vmaxps: lanes (a0 a1, a2 a3, b0 b1, b2 b3) of each half combined. */
SP_INLINE __m256 hmax(__m256 a, __m256 b)
{
    return _mm256_max_ps(_mm256_shuffle_ps(a, b, 0x88), _mm256_shuffle_ps(a, b, 0xDD));
}

/* sums8's tree with vmaxps: eight plane vectors to one vector of their maxima, plane k in lane k. */
SP_INLINE __m256 maxes8(const __m256 *v)
{
    const __m256 a01 = hmax(v[0], v[1]), a23 = hmax(v[2], v[3]);
    const __m256 a45 = hmax(v[4], v[5]), a67 = hmax(v[6], v[7]);
    const __m256 b0 = hmax(a01, a23), b1 = hmax(a45, a67);
    return _mm256_max_ps(_mm256_permute2f128_ps(b0, b1, 0x20), _mm256_permute2f128_ps(b0, b1, 0x31));
}

SP_INLINE __m256 reduce8(const __m256 *v, int op) { return op == G_MAX ? maxes8(v) : sums8(v); }

/* Lanes [0, n) of v (0 < n < 8) by a blend with v as the first operand, which must be a
 * register. */
SP_INLINE __m256 keep_low(__m256 v, int64_t n, int op)
{
    const __m256 z = fill(op);
    switch (n) {
    case 1: return _mm256_blend_ps(v, z, 0xFE); case 2: return _mm256_blend_ps(v, z, 0xFC);
    case 3: return _mm256_blend_ps(v, z, 0xF8); case 4: return _mm256_blend_ps(v, z, 0xF0);
    case 5: return _mm256_blend_ps(v, z, 0xE0); case 6: return _mm256_blend_ps(v, z, 0xC0);
    default: return _mm256_blend_ps(v, z, 0x80);
    }
}

/* The eight plane sums of a whole block at x (hw a constant), the planes in address order,
 * piece j of a plane into chain j % 2 (as plane_group with A = 2, so a partial block gives
 * the same bits). The vector holding the end of one plane and the start of the next is
 * loaded once and split by two blends; the empty asm keeps gcc from folding the load into
 * both blends (it does when registers are short), which measured 2.5-5% slower at 6x6 to
 * 14x14. */
SP_INLINE __m256 block_seq(const float *x, int64_t hw, int op)
{
    __m256 p[8], carry = fill(op);
#pragma GCC unroll 8
    for (int k = 0; k < 8; k++) {
        const int64_t s = k * hw, e = s + hw, v0 = s / 8, v1 = (e - 1) / 8;
        __m256 a0 = s % 8 ? carry : _mm256_loadu_ps(x + 8 * v0), a1 = fill(op);
#pragma GCC unroll 32
        for (int64_t i = v0 + 1; i < v1; i++) {
            if ((i - v0) & 1)
                a1 = comb(a1, _mm256_loadu_ps(x + 8 * i), op);
            else
                a0 = comb(a0, _mm256_loadu_ps(x + 8 * i), op);
        }
        if (v1 > v0) {
            __m256 w = _mm256_loadu_ps(x + 8 * v1);
            __asm__("" : "+x"(w));
            const __m256 lo = e % 8 ? keep_low(w, e % 8, op) : w;
            if ((v1 - v0) & 1)
                a1 = comb(a1, lo, op);
            else
                a0 = comb(a0, lo, op);
            if (e % 8) carry = keep_const(w, e % 8, 8, op);
        }
        p[k] = comb(a0, a1, op);
    }
    return reduce8(p, op);
}

/* The sums of planes [k0, k1) of the block at x (8 planes from unit u0), lane k for plane k,
 * divided by div. FULL: all eight. */
SP_INLINE __m256 block(const float *x, int64_t hw, __m256 div, int k0, int k1, int full, int op)
{
    __m256 s;
    if (full) {
        s = block_seq(x, hw, op);
    } else {
        __m256 v[8];
#pragma GCC unroll 2
        for (int k = 0; k < 8; k += 4) plane_group(x, k, 4, 2, hw, k0, k1, 1, v + k, op);
        s = reduce8(v, op);
    }
    if (op == G_MAX) return s;
    /* + 0: the reference's sum starts from +0, so a plane of -0 gives +0 */
    return _mm256_div_ps(_mm256_add_ps(s, _mm256_setzero_ps()), div);
}

/* A block with some planes left out: at most two per slice, so one out-of-line copy per map
 * serves the slice's head and tail (inlined at both, they doubled each map's code). */
typedef void part_fn(const float *x, float *out, int64_t hw, __m256 div, int k0, int k1);

SP_INLINE void part_block(const float *x, float *out, int64_t hw, __m256 div, int k0, int k1)
{
    _mm256_maskstore_ps(out, lanes_in(k0, k1), block(x, hw, div, k0, k1, 0, G_SUM));
}

SP_INLINE void sum_nchw_hw(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int64_t hw, part_fn *part)
{
    const __m256 div = _mm256_set1_ps(p->op == SIMDPOOL_GLOBAL_AVG ? (float)hw : 1.0f);
    size_t u0 = begin / 8 * 8;
    if (u0 < begin) {
        part(a->in + (int64_t)u0 * hw, a->out + u0, hw, div, (int)(begin - u0), end - u0 < 8 ? (int)(end - u0) : 8);
        u0 += 8;
    }
    /* Each block's sums are stored after the next block's loads: a load that matches an older
     * store's address modulo 4 KiB waits for that store's data (4K aliasing), and a block's
     * sums come late (the tree and the division). Stored at once, they cost 7% at C2048 7x7. */
    if (u0 + 8 <= end) {
        __m256 r = block(a->in + (int64_t)u0 * hw, hw, div, 0, 8, 1, G_SUM);
        for (; u0 + 16 <= end; u0 += 8) {
            const __m256 t = block(a->in + (int64_t)(u0 + 8) * hw, hw, div, 0, 8, 1, G_SUM);
            _mm256_storeu_ps(a->out + u0, r);
            r = t;
        }
        _mm256_storeu_ps(a->out + u0, r);
        u0 += 8;
    }
    if (u0 < end) part(a->in + (int64_t)u0 * hw, a->out + u0, hw, div, 0, (int)(end - u0));
}

/* One function per map, each starting on a 64-byte boundary: inlined into one switch, the
 * 7x7 loop's placement moved with every case added (C2048 7x7 3160 -> 3347 ns in the bench). */
#define SP_MAP(n)                                                                                 \
    static __attribute__((noinline)) void part_##n(const float *x, float *out, int64_t hw, __m256 div, int k0, \
                                                   int k1)                                        \
    {                                                                                             \
        (void)hw;                                                                                 \
        part_block(x, out, n, div, k0, k1);                                                       \
    }                                                                                             \
    static __attribute__((noinline, aligned(64))) void sum_nchw_##n(const sp_problem *p, const sp_args *a, \
                                                                    size_t begin, size_t end)     \
    {                                                                                             \
        sum_nchw_hw(p, a, begin, end, n, part_##n);                                               \
    }
SP_MAP(16) SP_MAP(25) SP_MAP(36) SP_MAP(49) SP_MAP(81) SP_MAP(100) SP_MAP(144) SP_MAP(169) SP_MAP(196)
#undef SP_MAP

/* Max: the reference's global max of planes z (bits) of a block at x whose maxima are in out:
 * the last NaN when NAN (the block raised the watch) and the plane holds one, else the maximum,
 * whose sign when it is zero is that of the first element equal to it. Vector searches from
 * either end (AVX-512's settle_planes in 256 bits). */
static __attribute__((noinline)) void settle_planes(const float *x, float *out, int64_t hw, unsigned z, int nan)
{
    for (; z; z &= z - 1) {
        const int k = __builtin_ctz(z);
        const float *q = x + (int64_t)k * hw;
        int64_t at = -1;
        for (int64_t i = (hw - 1) / 8 * 8; nan && at < 0 && i >= 0; i -= 8) {
            const __m256 v = sp_load(q + i, hw - i); /* masked lanes read as 0, never NaN */
            const unsigned u = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
            if (u) at = i + 31 - __builtin_clz(u);
        }
        for (int64_t i = 0; at < 0 && out[k] == 0.0f && i < hw; i += 8) {
            const __m256 v = sp_load(q + i, hw - i);
            const unsigned e = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_EQ_OQ)) &
                               (hw - i >= 8 ? 0xFFu : (1u << (hw - i)) - 1);
            if (e) at = i + __builtin_ctz(e);
        }
        if (at >= 0) out[k] = q[at];
    }
}

/* Max of planes [k0, k1) of the block at x into out (the block's first output), zero maxima
 * settled. */
SP_INLINE void max_block(const float *x, float *out, int64_t hw, int k0, int k1, int full)
{
    const __m256 r = block(x, hw, _mm256_setzero_ps(), k0, k1, full, G_MAX);
    unsigned sel = 0xFF;
    if (full) {
        _mm256_storeu_ps(out, r);
    } else {
        _mm256_maskstore_ps(out, lanes_in(k0, k1), r);
        sel = (0xFFu << k0) & (0xFFu >> (8 - k1));
    }
    const unsigned z = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(r, _mm256_setzero_ps(), _CMP_EQ_OQ)) & sel;
    if (z) settle_planes(x, out, hw, z, 0);
}

typedef void max_part_fn(const float *x, float *out, int64_t hw, int k0, int k1);

/* Planes [u, u + n) of a block whose vmaxps raised the NaN watch are settled. */
#define WATCHED(u, n, call)                                                                       \
    do {                                                                                          \
        const unsigned csr_ = sp_nan_watch();                                                     \
        call;                                                                                     \
        if (sp_nan_seen(csr_)) settle_planes(a->in + (int64_t)(u) * hw, a->out + (u), hw, 0xFFu >> (8 - (n)), 1); \
    } while (0)

SP_INLINE void max_nchw_hw(const sp_args *a, size_t begin, size_t end, int64_t hw, max_part_fn *part)
{
    int64_t hw_any = hw; /* opaque, so gcc keeps one copy of the part for every map */
    __asm__("" : "+r"(hw_any));
    size_t u0 = begin / 8 * 8;
    if (u0 < begin) {
        const size_t k1 = end - u0 < 8 ? end - u0 : 8;
        WATCHED(begin, k1 - (begin - u0), part(a->in + (int64_t)u0 * hw, a->out + u0, hw_any, (int)(begin - u0), (int)k1));
        u0 += 8;
    }
    /* Whole blocks up to four at a time under one watch (a watch per block measured level),
     * each block's maxima stored after the next block's loads as in sum_nchw_hw (4K aliasing). */
    const __m256 zero = _mm256_setzero_ps();
    for (size_t n; u0 + 8 <= end; u0 += n) {
        n = end - u0 >= 32 ? 32 : (end - u0) / 8 * 8;
        const unsigned csr = sp_nan_watch();
        __m256 r = block(a->in + (int64_t)u0 * hw, hw, zero, 0, 8, 1, G_MAX), zr = zero;
#pragma GCC unroll 1
        for (size_t b = 8; b < n; b += 8) {
            const __m256 t = block(a->in + (int64_t)(u0 + b) * hw, hw, zero, 0, 8, 1, G_MAX);
            _mm256_storeu_ps(a->out + u0 + b - 8, r);
            zr = _mm256_or_ps(zr, _mm256_cmp_ps(r, zero, _CMP_EQ_OQ));
            r = t;
        }
        _mm256_storeu_ps(a->out + u0 + n - 8, r);
        zr = _mm256_or_ps(zr, _mm256_cmp_ps(r, zero, _CMP_EQ_OQ));
        if (!_mm256_testz_ps(zr, zr))
            for (size_t b = 0; b < n; b += 8) {
                const __m256 m = _mm256_loadu_ps(a->out + u0 + b);
                const unsigned z = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(m, zero, _CMP_EQ_OQ));
                if (z) settle_planes(a->in + (int64_t)(u0 + b) * hw, a->out + u0 + b, hw, z, 0);
            }
        if (sp_nan_seen(csr))
            for (size_t b = 0; b < n; b += 8) settle_planes(a->in + (int64_t)(u0 + b) * hw, a->out + u0 + b, hw, 0xFF, 1);
    }
    if (u0 < end) WATCHED(u0, end - u0, part(a->in + (int64_t)u0 * hw, a->out + u0, hw_any, 0, (int)(end - u0)));
}
#undef WATCHED

/* Constant maps for max only at 7x7 and 14x14: each map is compiled again for max, and the
 * clang ASan build runs long on this file; the other maps keep global.c's kernel. The partial
 * blocks (at most two per slice) share one runtime-map copy for the same reason. */
static __attribute__((noinline)) void max_part_any(const float *x, float *out, int64_t hw, int k0, int k1)
{
    max_block(x, out, hw, k0, k1, 0);
}
#define SP_MAX_MAP(n)                                                                             \
    static __attribute__((noinline, aligned(64))) void max_nchw_##n(const sp_args *a, size_t begin, size_t end) \
    {                                                                                             \
        max_nchw_hw(a, begin, end, n, max_part_any);                                              \
    }
SP_MAX_MAP(49) SP_MAX_MAP(196)
#undef SP_MAX_MAP

void sp_avx2_global_max_nchw_blocks(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->h * p->w == 49)
        max_nchw_49(a, begin, end);
    else
        max_nchw_196(a, begin, end);
}
int sp_avx2_accepts_global_max_nchw_blocks(const sp_problem *p) { return p->h * p->w == 49 || p->h * p->w == 196; }

static __attribute__((noinline)) void part_any(const float *x, float *out, int64_t hw, __m256 div, int k0, int k1)
{
    part_block(x, out, hw, div, k0, k1);
}

void sp_avx2_global_sum_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    /* the common maps get their pieces' masks and counts as constants */
    switch (p->h * p->w) {
    case 16: sum_nchw_16(p, a, begin, end); break;
    case 25: sum_nchw_25(p, a, begin, end); break;
    case 36: sum_nchw_36(p, a, begin, end); break;
    case 49: sum_nchw_49(p, a, begin, end); break;
    case 81: sum_nchw_81(p, a, begin, end); break;
    case 100: sum_nchw_100(p, a, begin, end); break;
    case 144: sum_nchw_144(p, a, begin, end); break;
    case 169: sum_nchw_169(p, a, begin, end); break;
    case 196: sum_nchw_196(p, a, begin, end); break;
    default: sum_nchw_hw(p, a, begin, end, p->h * p->w, part_any); break;
    }
}

/* NV vectors of channels from x, the first vector's lanes kf and the last's kl where MASK,
 * summed down hw pixel rows (row stride C). */
SP_INLINE void chan_sums(const float *x, int64_t C, int64_t hw, float *out, __m256 div, int NV, int mask,
                         __m256i kf, __m256i kl)
{
    __m256 s[16];
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) s[v] = _mm256_setzero_ps();
    for (int64_t i = 0; i < hw; i++) {
        const float *r = x + i * C;
#pragma GCC unroll 16
        for (int v = 0; v < NV; v++) {
            __m256 t;
            if (mask && v == 0)
                t = _mm256_maskload_ps(r, NV == 1 ? _mm256_and_si256(kf, kl) : kf);
            else if (mask && v == NV - 1)
                t = _mm256_maskload_ps(r + 8 * v, kl);
            else
                t = _mm256_loadu_ps(r + 8 * v);
            s[v] = _mm256_add_ps(s[v], t);
        }
    }
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) {
        /* + 0: the reference's sum starts from +0, so rows of -0 give +0 */
        const __m256 r = _mm256_div_ps(_mm256_add_ps(s[v], _mm256_setzero_ps()), div);
        if (mask && v == 0)
            _mm256_maskstore_ps(out, NV == 1 ? _mm256_and_si256(kf, kl) : kf, r);
        else if (mask && v == NV - 1)
            _mm256_maskstore_ps(out + 8 * v, kl, r);
        else
            _mm256_storeu_ps(out + 8 * v, r);
    }
}

#define NV_CASE(n) case n: chan_sums(x, C, hw, out, div, n, 1, kf, kl); break
/* Channels [lo, hi) of the run at x as one masked block of up to 16 vectors. */
static void edge_block(const float *x, int64_t C, int64_t hw, float *out, __m256 div, int64_t lo, int64_t hi)
{
    const int64_t nv = (hi + 7) / 8;
    const __m256i kf = lanes_in(lo, 8), kl = sp_mask(hi - 8 * (nv - 1));
    switch (nv) {
        NV_CASE(1); NV_CASE(2); NV_CASE(3); NV_CASE(4); NV_CASE(5); NV_CASE(6); NV_CASE(7); NV_CASE(8);
        NV_CASE(9); NV_CASE(10); NV_CASE(11); NV_CASE(12); NV_CASE(13); NV_CASE(14); NV_CASE(15);
        default: chan_sums(x, C, hw, out, div, 16, 1, kf, kl); break;
    }
}
#undef NV_CASE

/* nc channels of one image from x: a head up to a 64-byte line 112 channels on (unaligned
 * loads from x: no address before the tensor is formed), whole 128-channel blocks on the lines,
 * a masked last block. */
static void sum_channels(const float *x, int64_t C, int64_t hw, float *out, int64_t nc, __m256 div)
{
    const int64_t d = ((uintptr_t)x & 3) ? 0 : (int64_t)((64 - ((uintptr_t)x & 63)) & 63) / 4;
    int64_t c = 0;
    if (d || nc < 128) {
        c = d && nc > d ? d : nc;
        edge_block(x, C, hw, out, div, 0, c);
    }
    const __m256i all = _mm256_set1_epi32(-1);
    for (; c + 128 <= nc; c += 128) chan_sums(x + c, C, hw, out + c, div, 16, 0, all, all);
    if (c < nc) edge_block(x + c, C, hw, out + c, div, 0, nc - c);
}

void sp_avx2_global_sum_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t C = p->c, hw = p->h * p->w;
    const __m256 div = _mm256_set1_ps(p->op == SIMDPOOL_GLOBAL_AVG ? (float)hw : 1.0f);
    for (size_t u = begin; u < end;) {
        const int64_t n = (int64_t)u / C, c0 = (int64_t)u % C;
        int64_t nc = C - c0;
        if ((size_t)nc > end - u) nc = (int64_t)(end - u);
        sum_channels(a->in + n * hw * C + c0, C, hw, a->out + u, nc, div);
        u += (size_t)nc;
    }
}

/* The maps with constant pieces (4x4 to 14x14 but 8x8: 1.15-2.0 over AVX2's global kernel).
 * 8x8 measured 0.90-0.99 and the runtime path (other maps) 0.2-0.55 of it: they stay there. */
int sp_avx2_accepts_global_sum_nchw(const sp_problem *p)
{
    const int64_t hw = p->h * p->w;
    return hw == 16 || hw == 25 || hw == 36 || hw == 49 || hw == 81 || hw == 100 || hw == 144 || hw == 169 || hw == 196;
}
/* Below 128 channels a block would be a single short chain per vector; AVX2's global kernel
 * stays there. */
int sp_avx2_accepts_global_sum_nhwc(const sp_problem *p) { return p->c >= 128; }
