/* Global avg / sum over H*W, both layouts, and NCHW values-only max on the same blocks. Units
 * are (n, c) pairs; a slice may start and end inside an image.
 *
 * NCHW (planes of 16 or more floats): planes are taken sixteen at a time, u0 a multiple of 16
 * counted from the tensor's start. Sixteen planes of hw floats are exactly hw vectors, so the
 * block is read as hw whole vectors on one grid (64-byte aligned when the tensor is): a vector
 * holding the end of one plane and the start of the next is loaded twice, each time masked to
 * one plane's lanes. Unaligned per-plane loads would split a cache line with almost every
 * 64-byte load (a plane of 49 floats is 196 bytes). Each plane's pieces go into four
 * accumulators; the sixteen plane vectors are then reduced together by a transpose tree (one
 * two-source permute, one blend and one add per pair and level) into one vector of sixteen
 * sums, stored at once. A plane's order of additions depends only on hw and u % 16, never on
 * where a thread's slice starts (a partial block runs the same code for its planes and masks
 * the others out), so every thread count gives the same bits. 6x6, 7x7 and 10x10 read the
 * same blocks row by row instead, each row loaded once (block_rows below).
 *
 * NHWC: blocks of up to 256 channels (16 vectors) summed down all H*W pixel rows in registers,
 * one load and one add per 64 bytes. From C = 128 up each lane adds its channel's rows in order
 * from the first, the reference's order (the final + 0 gives the reference's +0 for rows of -0);
 * below, two or four interleaved chains per vector hide the add latency.
 * NCHW planes under 169 floats other than 6x6, 7x7, 8x8 and 10x10 stay with AVX2 (see the
 * accept rule).
 *
 * Max (OP = G_MAX) combines with vmaxps where sums add, and fills the lanes outside a plane
 * with -inf where sums use 0. A maximum's value does not depend on the order of the steps,
 * except its sign when it is zero and a NaN's payload: planes whose maximum is zero are
 * settled by the reference's scan, and a block whose vmaxps raised the NaN watch (src/avx2/nan_watch.h) has
 * all its planes settled so. So every thread count gives the same bits here too. */
#include "simd.h"

enum { G_SUM, G_MAX };

SP_INLINE __m512 comb(__m512 a, __m512 b, int op) { return op == G_MAX ? _mm512_max_ps(a, b) : _mm512_add_ps(a, b); }
SP_INLINE __m512 comb_k(__m512 src, __mmask16 k, __m512 a, __m512 b, int op)
{
    return op == G_MAX ? _mm512_mask_max_ps(src, k, a, b) : _mm512_mask_add_ps(src, k, a, b);
}
/* The lanes outside a plane: neutral for the op. */
SP_INLINE __m512 fill(int op) { return op == G_MAX ? _mm512_set1_ps(-INFINITY) : _mm512_setzero_ps(); }

/* The reference's global max of planes k (bits of z) of a block at x whose maxima are in out:
 * the last NaN when NAN (the block raised the watch) and the plane holds one, else the maximum,
 * whose sign when it is zero is that of the first element equal to it. Vector searches from
 * either end: a scalar scan of every plane ran NaN-dense or all-zero data at 33-53x. */
static __attribute__((noinline)) void settle_planes(const float *x, float *out, int64_t hw, uint64_t z, int nan)
{
    for (; z; z &= z - 1) {
        const int k = __builtin_ctzll(z);
        const float *q = x + (int64_t)k * hw;
        int64_t at = -1;
        for (int64_t i = (hw - 1) / 16 * 16; nan && at < 0 && i >= 0; i -= 16) {
            const __mmask16 kl = sp_lanes(hw - i);
            const __m512 v = _mm512_maskz_loadu_ps(kl, q + i);
            const unsigned u = _mm512_mask_cmp_ps_mask(kl, v, v, _CMP_UNORD_Q);
            if (u) at = i + 31 - __builtin_clz(u);
        }
        for (int64_t i = 0; at < 0 && out[k] == 0.0f && i < hw; i += 16) {
            const __mmask16 kl = sp_lanes(hw - i);
            const __m512 v = _mm512_maskz_loadu_ps(kl, q + i);
            const unsigned e = _mm512_mask_cmp_ps_mask(kl, v, _mm512_setzero_ps(), _CMP_EQ_OQ);
            if (e) at = i + __builtin_ctz(e);
        }
        if (at >= 0) out[k] = q[at];
    }
}

/* Lanes [lo, hi) of one vector, lo and hi clamped to 0..16. */
SP_INLINE __mmask16 lanes_in(int64_t lo, int64_t hi)
{
    return (__mmask16)(sp_lanes(hi) & ~sp_lanes(lo));
}

/* Vector i (i >= 1) of a plane ending at element e (in vector v1) of the grid that starts d
 * floats before x; zero past v1. */
SP_INLINE __m512 piece(const float *x, int64_t d, int64_t i, int64_t v1, int64_t e, int op)
{
    return i < v1    ? _mm512_loadu_ps(x + (16 * i - d))
           : i == v1 ? _mm512_mask_loadu_ps(fill(op), sp_lanes(e - 16 * i), x + (16 * i - d))
                     : fill(op);
}

/* Plane k of a block at x whose vector grid starts d floats before x: its pieces in four
 * accumulators, piece j into j % 4, then (a0 + a1) + (a2 + a3). Addresses are x + (16i - d).
 * FIRST: x is the tensor's start, so the grid's first vector is expand-loaded from x itself
 * into lanes d.., the same register as a masked load from x - d, without a pointer before the
 * tensor (only there: an expand per block cost 2% at C512 14^2, --offset 16). */
SP_INLINE __m512 plane_vec(const float *x, int64_t k, int64_t hw, int64_t d, int first, int op)
{
    const int64_t s = k * hw + d, e = s + hw, v0 = s / 16, v1 = (e - 1) / 16;
    const __mmask16 k0 = lanes_in(s - 16 * v0, e - 16 * v0);
    __m512 a[4];
    a[0] = v0 || !d || !first ? _mm512_mask_loadu_ps(fill(op), k0, x + (16 * v0 - d))
                              : _mm512_mask_expandloadu_ps(fill(op), k0, x);
#pragma GCC unroll 4
    for (int j = 1; j < 4; j++) a[j] = piece(x, d, v0 + j, v1, e, op);
    int64_t i = v0 + 4;
    for (; i + 4 <= v1; i += 4)
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) a[j] = comb(a[j], _mm512_loadu_ps(x + (16 * (i + j) - d)), op);
    /* i - v0 is a multiple of 4 here */
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++)
        if (i + j <= v1) a[j] = comb(a[j], piece(x, d, i + j, v1, e, op), op);
    return comb(comb(a[0], a[1], op), comb(a[2], a[3], op), op);
}

/* One level of the transpose tree: lanes with bit h clear get A[i] + A[i ^ h], the others
 * B[i] + B[i ^ h]. */
SP_INLINE __m512 level(__m512 A, __m512 B, int h, int op)
{
    int32_t ix[16];
    unsigned m = 0;
    for (int i = 0; i < 16; i++) {
        ix[i] = ((i & h) ? 16 : 0) + (i ^ h);
        if (i & h) m |= 1u << i;
    }
    const __m512i idx = _mm512_loadu_si512(ix);
    return comb(_mm512_mask_blend_ps((__mmask16)m, A, B), _mm512_permutex2var_ps(A, idx, B), op);
}

/* Sixteen plane vectors to one vector of their sums, plane k in lane k: the tree leaves slot
 * j's sum in lane bitreverse4(j), so slot j takes plane bitreverse4(j). */
SP_INLINE __m512 reduce16(const __m512 *s, int op)
{
    static const int br[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    __m512 t[16];
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++) t[j] = s[br[j]];
#pragma GCC unroll 4
    for (int h = 8, n = 16; h >= 1; h /= 2, n /= 2)
#pragma GCC unroll 8
        for (int j = 0; j < n / 2; j++) t[j] = level(t[2 * j], t[2 * j + 1], h, op);
    return t[0];
}

/* Planes [k0, k1) of the block at x (16 planes from unit u0); out is the block's first output.
 * FULL: all sixteen. FIRST: u0 = 0. */
SP_INLINE void block(const float *x, float *out, int64_t hw, int64_t d, __m512 div, int k0, int k1, int full,
                     int first, int op)
{
    __m512 s[16];
#pragma GCC unroll 16
    for (int k = 0; k < 16; k++)
        s[k] = full || (k >= k0 && k < k1) ? plane_vec(x, k, hw, d, first, op) : fill(op);
    const __mmask16 sel = full ? (__mmask16)0xFFFF : lanes_in(k0, k1);
    if (op == G_MAX) {
        const __m512 r = reduce16(s, op);
        _mm512_mask_storeu_ps(out, sel, r);
        const __mmask16 z = _mm512_mask_cmp_ps_mask(sel, r, _mm512_setzero_ps(), _CMP_EQ_OQ);
        if (z) settle_planes(x, out, hw, z, 0);
        return;
    }
    /* + 0: the reference's sum starts from +0, so a plane of -0 gives +0 */
    const __m512 r = _mm512_div_ps(_mm512_add_ps(reduce16(s, op), _mm512_setzero_ps()), div);
    if (full)
        _mm512_storeu_ps(out, r);
    else
        _mm512_mask_storeu_ps(out, sel, r);
}

/* Row order, for the constant plane sizes on an unshifted grid: the block's hw vectors are
 * each loaded once, in address order, into one running vector R (each lane adds its elements
 * of the current plane in row order). A row holding the end of plane k and the start of
 * k + 1 (at lane e) completes plane k with a merge-masked add (lanes >= e of R already hold
 * plane k's sums), and the next row restarts R as itself plus the boundary row's lanes >= e
 * (one merge-masked add in place of the plain add); the tree takes levels 1, 2, 4, 8
 * as planes complete, so slot k ends in lane k. Against the per-plane pieces above this
 * drops the second load of each shared row and the tree's wait for the block's last plane;
 * NB = 2 or 4 runs blocks side by side so each boundary mask (a kmovw on port 5) serves all,
 * and the output is scaled by 1/hw in the final fma instead of a divide (see kernels.c for
 * the figures). PART (NB = 1): only planes [k0, k1), every load masked to their lanes (the
 * others read as zero and never touch memory); the selected planes' lanes see the same
 * operations as in a full block, so their bits never depend on the slice or the pairing. */
SP_INLINE void push_plane(__m512 (*T)[16], int k, __m512 v, int op)
{
    T[0][k] = v;
    if (k & 1) T[1][k / 2] = level(T[0][k - 1], v, 1, op);
    if ((k & 3) == 3) T[2][k / 4] = level(T[1][k / 2 - 1], T[1][k / 2], 2, op);
    if ((k & 7) == 7) T[3][k / 8] = level(T[2][k / 4 - 1], T[2][k / 4], 4, op);
    if (k == 15) T[4][0] = level(T[3][0], T[3][1], 8, op);
}

SP_INLINE void block_rows(const float *x, float *out, int64_t hw, __m512 scale, int k0, int k1, int part, int nb,
                          int op)
{
    __m512 T[4][5][16], R[4], W[4];
    for (int j = 0; j < 4; j++) R[j] = W[j] = _mm512_setzero_ps();
    __mmask16 hi = 0;
    int k = 0, started = 0, pend = 0;
#pragma GCC unroll 256
    for (int64_t i = 0; i < hw; i++) {
        const int64_t s = 16 * i, b = (k + 1) * hw;
        __m512 v[4];
#pragma GCC unroll 4
        for (int j = 0; j < nb; j++)
            v[j] = part ? _mm512_maskz_loadu_ps(lanes_in(k0 * hw - s, k1 * hw - s), x + s)
                        : _mm512_loadu_ps(x + 16 * hw * j + s);
        if (b >= s + 16) {
#pragma GCC unroll 4
            for (int j = 0; j < nb; j++)
                R[j] = pend ? comb_k(v[j], hi, v[j], W[j], op) : started ? comb(R[j], v[j], op) : v[j];
            started = b > s + 16, pend = 0;
            if (!started) {
#pragma GCC unroll 4
                for (int j = 0; j < nb; j++) push_plane(T[j], k, R[j], op);
                k++;
            }
        } else {
            const __mmask16 lo = sp_lanes(b - s);
            hi = (__mmask16)~lo;
#pragma GCC unroll 4
            for (int j = 0; j < nb; j++) {
                /* v in a register: gcc would otherwise load the row twice (a masked load
                 * for each use), and a second load of a line in flight from L2 costs more
                 * than the register */
                __asm__("" : "+v"(v[j]));
                push_plane(T[j], k, comb_k(R[j], lo, R[j], v[j], op), op);
                W[j] = v[j];
            }
            k++, started = 1, pend = 1;
        }
    }
#pragma GCC unroll 4
    for (int j = 0; j < nb; j++) {
        if (op == G_MAX) {
            const __mmask16 sel = part ? lanes_in(k0, k1) : (__mmask16)0xFFFF;
            _mm512_mask_storeu_ps(out + 16 * j, sel, T[j][4][0]);
            const __mmask16 z = _mm512_mask_cmp_ps_mask(sel, T[j][4][0], _mm512_setzero_ps(), _CMP_EQ_OQ);
            if (z) settle_planes(x + 16 * hw * j, out + 16 * j, hw, z, 0);
            continue;
        }
        /* sum * scale + 0 in one rounding: (sum * scale) rounded, and +0 for a plane of -0
         * (the reference's sum starts from +0) */
        const __m512 r = _mm512_fmadd_ps(T[j][4][0], scale, _mm512_setzero_ps());
        if (part)
            _mm512_mask_storeu_ps(out, lanes_in(k0, k1), r);
        else
            _mm512_storeu_ps(out + 16 * j, r);
    }
}

/* A block with some planes left out: at most two per slice, so one out-of-line copy per map
 * serves the slice's head and tail (inlined at both, they doubled the map's code). */
typedef void part_fn(const float *x, float *out, int64_t hw, int64_t d, __m512 div, int k0, int k1, int first);

/* Max: planes [u, u + n) of a block whose vmaxps raised the NaN watch are settled. */
#define WATCHED(op, u, n, call)                                                                               \
    do {                                                                                                      \
        const unsigned csr_ = op == G_MAX ? sp_nan_watch() : 0;                                               \
        call;                                                                                                 \
        if (op == G_MAX && sp_nan_seen(csr_))                                                                 \
            settle_planes(a->in + (int64_t)(u) * hw, a->out + (u), hw, ~UINT64_C(0) >> (64 - (n)), 1);       \
    } while (0)

SP_INLINE void sum_nchw_hw(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int64_t hw, int64_t d,
                           part_fn *part, int op)
{
    const __m512 div = _mm512_set1_ps(p->op == SIMDPOOL_GLOBAL_AVG ? (float)hw : 1.0f);
    size_t u0 = begin / 16 * 16;
    if (u0 < begin) {
        const size_t k1 = end - u0 < 16 ? end - u0 : 16;
        WATCHED(op, begin, k1 - (begin - u0),
                part(a->in + (int64_t)u0 * hw, a->out + u0, hw, d, div, (int)(begin - u0), (int)k1, 0));
        u0 += 16;
    }
    for (; u0 + 16 <= end; u0 += 16)
        WATCHED(op, u0, 16, block(a->in + (int64_t)u0 * hw, a->out + u0, hw, d, div, 0, 16, 1, !u0, op));
    if (u0 < end) WATCHED(op, u0, end - u0, part(a->in + (int64_t)u0 * hw, a->out + u0, hw, d, div, 0, (int)(end - u0), !u0));
}

/* The same walk for block_rows: blocks on the same grid, NB at a time where all are whole
 * (4 for 7x7: 1.6% over 2 in A/B; elsewhere 2, level, at a third of the compile time).
 * HW >= 32, so the row after a boundary row holds no other boundary. */
typedef void rows_part_fn(const float *x, float *out, int64_t hw, __m512 scale, int k0, int k1);

SP_INLINE void sum_nchw_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int64_t hw, int nb,
                             rows_part_fn *part, int op)
{
    const __m512 scale = _mm512_set1_ps(p->op == SIMDPOOL_GLOBAL_AVG ? 1.0f / (float)hw : 1.0f);
    size_t u0 = begin / 16 * 16;
    if (u0 < begin) {
        const size_t k1 = end - u0 < 16 ? end - u0 : 16;
        WATCHED(op, begin, k1 - (begin - u0),
                part(a->in + (int64_t)u0 * hw, a->out + u0, hw, scale, (int)(begin - u0), (int)k1));
        u0 += 16;
    }
    if (nb == 4)
        for (; u0 + 64 <= end; u0 += 64)
            WATCHED(op, u0, 64, block_rows(a->in + (int64_t)u0 * hw, a->out + u0, hw, scale, 0, 16, 0, 4, op));
    for (; u0 + 32 <= end; u0 += 32)
        WATCHED(op, u0, 32, block_rows(a->in + (int64_t)u0 * hw, a->out + u0, hw, scale, 0, 16, 0, 2, op));
    if (u0 + 16 <= end) {
        WATCHED(op, u0, 16, block_rows(a->in + (int64_t)u0 * hw, a->out + u0, hw, scale, 0, 16, 0, 1, op));
        u0 += 16;
    }
    if (u0 < end) WATCHED(op, u0, end - u0, part(a->in + (int64_t)u0 * hw, a->out + u0, hw, scale, 0, (int)(end - u0)));
}
#undef WATCHED

/* One out-of-line function per map and op: inlined into one switch they made a single function
 * of 180 KB, whose compile time grows faster than its size (clang's ASan build took 5 minutes
 * on this file). HW 0: the runtime map, on the grid d. */
#define SP_MAP_HW(name, HW, OP)                                                                                 \
    static __attribute__((noinline)) void part_##name(const float *x, float *out, int64_t hw, int64_t d,       \
                                                      __m512 div, int k0, int k1, int first)                    \
    {                                                                                                           \
        block(x, out, HW ? HW : hw, HW ? 0 : d, div, k0, k1, 0, first, OP);                                     \
    }                                                                                                           \
    static __attribute__((noinline)) void nchw_##name(const sp_problem *p, const sp_args *a, size_t begin,      \
                                                      size_t end, int64_t hw, int64_t d)                        \
    {                                                                                                           \
        sum_nchw_hw(p, a, begin, end, HW ? HW : hw, HW ? 0 : d, part_##name, OP);                               \
    }
#define SP_MAP_ROWS(name, HW, NB, OP)                                                                           \
    static __attribute__((noinline)) void part_##name(const float *x, float *out, int64_t hw, __m512 scale,    \
                                                      int k0, int k1)                                           \
    {                                                                                                           \
        (void)hw;                                                                                               \
        block_rows(x, out, HW, scale, k0, k1, 1, 1, OP);                                                        \
    }                                                                                                           \
    static __attribute__((noinline)) void nchw_##name(const sp_problem *p, const sp_args *a, size_t begin,      \
                                                      size_t end, int64_t hw, int64_t d)                        \
    {                                                                                                           \
        (void)hw, (void)d;                                                                                      \
        sum_nchw_rows(p, a, begin, end, HW, NB, part_##name, OP);                                               \
    }
SP_MAP_ROWS(36, 36, 2, G_SUM) SP_MAP_ROWS(49, 49, 4, G_SUM) SP_MAP_HW(64, 64, G_SUM) SP_MAP_ROWS(100, 100, 2, G_SUM)
SP_MAP_HW(196, 196, G_SUM) SP_MAP_HW(any, 0, G_SUM)
/* max: constant maps only for 7x7 and 14x14 (the others take the runtime map; at 14x14 it ran
 * 3.9-4.2 us against 2.8-3.1), 7x7 blocks two at a time (level with four): each constant map
 * costs its compile time again, and the clang ASan build runs longest on this file (77 s of
 * CPU before max, 120 s with all six maps, 110 s without 14x14's) */
SP_MAP_ROWS(max49, 49, 2, G_MAX) SP_MAP_HW(max196, 196, G_MAX) SP_MAP_HW(maxany, 0, G_MAX)
#undef SP_MAP_HW
#undef SP_MAP_ROWS

/* Every block starts d floats past a 64-byte boundary (16 planes are hw whole vectors); on
 * large planes its grid starts at that boundary. The order of additions then depends on d, a
 * property of the tensor's address, never of the slice. */
static int64_t grid_d(const float *in)
{
    return ((uintptr_t)in & 3) ? 0 : (int64_t)((uintptr_t)in & 63) / 4;
}

void sp_avx512_global_sum_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t hw = p->h * p->w, d = grid_d(a->in);
    /* Smaller planes on the shifted grid would take the runtime path, slower than split loads
     * (direct A/B at 16 bytes past a boundary, avx2/avx512: 7x7 0.45 against 0.83 unshifted,
     * 8x8 0.45 against 0.90; a 7x7 path with constant piece counts and runtime masks reached
     * 0.91 and cost 8% on aligned tensors); from 169 floats the shifted grid is the faster
     * (14x14 0.88 -> 1.12, 13x13 0.80 -> 1.23). */
    if (d && hw >= 169) {
        nchw_any(p, a, begin, end, hw, d);
        return;
    }
    /* the common maps get their pieces' masks and counts as constants; the others take the
     * runtime map on the unshifted grid */
    switch (hw) {
    case 36: nchw_36(p, a, begin, end, hw, 0); break;
    case 49: nchw_49(p, a, begin, end, hw, 0); break;
    case 64: nchw_64(p, a, begin, end, hw, 0); break;
    case 100: nchw_100(p, a, begin, end, hw, 0); break;
    case 196: nchw_196(p, a, begin, end, hw, 0); break;
    default: nchw_any(p, a, begin, end, hw, 0); break;
    }
}

/* The same maps for values-only max (global.c calls it where the accept rule below holds). */
void sp_avx512_global_max_nchw_blocks(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t hw = p->h * p->w, d = grid_d(a->in);
    if (d && hw >= 169) {
        nchw_maxany(p, a, begin, end, hw, d);
        return;
    }
    switch (hw) {
    case 49: nchw_max49(p, a, begin, end, hw, 0); break;
    case 196: nchw_max196(p, a, begin, end, hw, 0); break;
    default: nchw_maxany(p, a, begin, end, hw, 0); break;
    }
}

/* NV vectors of channels from x, the first vector's lanes kf and the last's kl, summed down hw
 * pixel rows in K interleaved chains (row i into chain i % K), then (c0 + c1) + (c2 + c3). */
SP_INLINE __mmask16 vmask(int v, int NV, __mmask16 kf, __mmask16 kl)
{
    return (__mmask16)((v == 0 ? kf : 0xFFFF) & (v == NV - 1 ? kl : 0xFFFF));
}

SP_INLINE void chan_sums(const float *x, int64_t C, int64_t hw, float *out, __m512 div, int NV, int K, __mmask16 kf,
                         __mmask16 kl)
{
    __m512 s[4][16];
#pragma GCC unroll 4
    for (int j = 0; j < K; j++)
#pragma GCC unroll 16
        for (int v = 0; v < NV; v++)
            s[j][v] = j < hw ? _mm512_maskz_loadu_ps(vmask(v, NV, kf, kl), x + j * C + 16 * v) : _mm512_setzero_ps();
    int64_t i = K;
    for (; i + K <= hw; i += K)
#pragma GCC unroll 4
        for (int j = 0; j < K; j++) {
            const float *r = x + (i + j) * C;
#pragma GCC unroll 16
            for (int v = 0; v < NV; v++)
                s[j][v] = _mm512_add_ps(s[j][v], _mm512_maskz_loadu_ps(vmask(v, NV, kf, kl), r + 16 * v));
        }
#pragma GCC unroll 4
    for (int j = 0; j < K; j++)
        if (i + j < hw)
#pragma GCC unroll 16
            for (int v = 0; v < NV; v++)
                s[j][v] = _mm512_add_ps(s[j][v], _mm512_maskz_loadu_ps(vmask(v, NV, kf, kl), x + (i + j) * C + 16 * v));
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) {
        __m512 t = s[0][v];
        if (K == 2) t = _mm512_add_ps(t, s[1][v]);
        if (K == 4) t = _mm512_add_ps(_mm512_add_ps(t, s[1][v]), _mm512_add_ps(s[2][v], s[3][v]));
        /* + 0: the reference's sum starts from +0, so rows of -0 give +0 */
        _mm512_mask_storeu_ps(out + 16 * v, vmask(v, NV, kf, kl),
                              _mm512_div_ps(_mm512_add_ps(t, _mm512_setzero_ps()), div));
    }
}

#define NV_CASE(n, K) case n: chan_sums(x, C, hw, out, div, n, K, kf, kl); break
/* K chains: with fewer than eight vectors (C < 128) one chain per vector would wait on the add
 * latency. K follows C, not the slice, so a channel's order never depends on the threads.
 * The vectors start at a 64-byte boundary (the channels before x masked off), so with C a
 * multiple of 16 no load splits a cache line: on a tensor 16 bytes past a boundary, loads from
 * x measured 0.68-0.80x of AVX2's. */
static void sum_channels(const float *x, int64_t C, int64_t hw, float *out, int64_t nc, __m512 div)
{
    const int64_t d = ((uintptr_t)x & 3) ? 0 : (int64_t)((uintptr_t)x & 63) / 4;
    x -= d, out -= d, nc += d;
    __mmask16 kf = (__mmask16)(0xFFFF << d);
    int64_t c = 0;
    if (C >= 128)
        for (; c + 256 <= nc; c += 256, kf = 0xFFFF) chan_sums(x + c, C, hw, out + c, div, 16, 1, kf, 0xFFFF);
    if (c == nc) return;
    const int64_t nv = (nc - c + 15) / 16;
    const __mmask16 kl = sp_lanes(nc - c - 16 * (nv - 1));
    x += c, out += c;
    if (C <= 64) {
        switch (nv) {
            NV_CASE(1, 4); NV_CASE(2, 4); NV_CASE(3, 4); NV_CASE(4, 4);
            default: chan_sums(x, C, hw, out, div, 5, 4, kf, kl); break;
        }
    } else if (C < 128) {
        switch (nv) {
            NV_CASE(1, 2); NV_CASE(2, 2); NV_CASE(3, 2); NV_CASE(4, 2); NV_CASE(5, 2); NV_CASE(6, 2); NV_CASE(7, 2);
            NV_CASE(8, 2); default: chan_sums(x, C, hw, out, div, 9, 2, kf, kl); break;
        }
    } else {
        switch (nv) {
            NV_CASE(1, 1); NV_CASE(2, 1); NV_CASE(3, 1); NV_CASE(4, 1); NV_CASE(5, 1); NV_CASE(6, 1); NV_CASE(7, 1);
            NV_CASE(8, 1); NV_CASE(9, 1); NV_CASE(10, 1); NV_CASE(11, 1); NV_CASE(12, 1); NV_CASE(13, 1);
            NV_CASE(14, 1); NV_CASE(15, 1); default: chan_sums(x, C, hw, out, div, 16, 1, kf, kl); break;
        }
    }
}
#undef NV_CASE

void sp_avx512_global_sum_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t C = p->c, hw = p->h * p->w;
    const __m512 div = _mm512_set1_ps(p->op == SIMDPOOL_GLOBAL_AVG ? (float)hw : 1.0f);
    for (size_t u = begin; u < end;) {
        const int64_t n = (int64_t)u / C, c0 = (int64_t)u % C;
        int64_t nc = C - c0;
        if ((size_t)nc > end - u) nc = (int64_t)(end - u);
        sum_channels(a->in + n * hw * C + c0, C, hw, a->out + u, nc, div);
        u += (size_t)nc;
    }
}

/* Planes of 36, 49, 64 and 100 floats (the cases above) and of 169 or more. Direct A/B against
 * AVX2's, 1 thread: with constant pieces 6x6 1.20, 8x8 1.10-1.20, 10x10 1.84, but 4x4 0.99 and
 * 5x5 1.03 (left to AVX2); smaller planes on the runtime path 0.23-0.91, 13x13 up 1.25-1.33. */
int sp_avx512_accepts_global_sum_nchw(const sp_problem *p)
{
    const int64_t hw = p->h * p->w;
    return hw == 36 || hw == 49 || hw == 64 || hw == 100 || hw >= 169;
}
