/* NCHW 2x2 stride 2, whole windows, rows of up to 17 columns (the 7^2 and 14^2 maps of ResNet
 * and VGG tails): values-only max, and avg on the widths where it beat AVX2's flat loop. Rows of
 * 14 with even H (max and avg) run nchw_2x2s2_w14.c's periods between a head and a tail here.
 *
 * Small maps are all per-row overhead for a row-at-a-time loop, so the slice is walked as one
 * flat sequence of input row pairs (rows 2k and 2k+1 of a plane; an odd height skips each
 * plane's last row) and the outputs as one contiguous stream, OW per row pair. Two row pairs
 * make one step: four vpermt2ps gather the even and odd columns of both upper rows and both
 * lower rows into 2*OW lanes, three vmaxps (adds) combine them and one masked store writes 2*OW
 * contiguous outputs. Rows of up to 8 columns hold both rows of a pair in one vector (the
 * lower row from lane W), so a step is two loads; wider ones load each row. Loads are
 * zero-masked to the columns the outputs use and stores to the outputs, so nothing outside the
 * row pairs or the slice's outputs is touched. A second load one column on, instead of the
 * odd-column shuffles, measured slower (C512 14^2: 11.0 us against 8.1): at these row lengths
 * most loads straddle cache lines and cost more than the shuffles they save.
 *
 * The input is prefetched 2 KiB ahead: with the hardware prefetchers alone the steps ran at
 * about 2/3 of their in-L1 rate on L2-resident tensors (C512 14^2: 8.1 -> 6.9 us).
 *
 * Max: pairs first, then rows, each step vmaxps(later, earlier), which keeps the earlier on ties
 * (-0/+0 included): the reference's row-major first maximum whenever no NaN is present.
 * Ordered compares of the loads chain through opmasks; a chunk of planes that saw a NaN (or a
 * NaN in an unused odd column) is redone by the same steps made NaN-exact (chunks()). */
#include "simd.h"
#include "../tmpl/accepts.h"

/* Widest row taken; row pairs per NaN check (32 ran 1.05-1.25x slower: the loop's exit and
 * set-up per chunk were a tenth of the time at 7^2). */
enum { W_MAX = 17, RP_CHUNK = 256 };
#define AHEAD 512                   /* floats: the prefetch distance */

/* vpermt2ps indices: lanes j < n take lane off + 2j of the first vector, the next n lanes
 * lane off + 2(j - n) of the second. */
SP_INLINE __m512i pack_idx(int n, int off)
{
    const __m512i j2 = _mm512_add_epi32(sp_iota(), sp_iota());
    const __m512i ia = _mm512_add_epi32(j2, _mm512_set1_epi32(off));
    const __m512i ib = _mm512_add_epi32(j2, _mm512_set1_epi32(16 + off - 2 * n));
    return _mm512_mask_mov_epi32(ia, (__mmask16)~sp_lanes(n), ib);
}

/* The flat row-pair sequence: row pair k of a plane, then the next plane's first. EVEN
 * (H = 2*OH): the planes are contiguous and the sequence is linear (no per-pair branch: 5-7%
 * at 14^2 and 8^2, in-process A/B). */
typedef struct walk {
    const float *r;
    int64_t k;
} walk;

SP_INLINE const float *next(walk *w, int64_t step2, int64_t oh, int64_t skip, int EVEN)
{
    const float *r = w->r;
    w->r += step2;
    if (!EVEN && ++w->k == oh) w->k = 0, w->r += skip;
    return r;
}

/* Columns 2j, 2j+1 of rows x (pair a) and y (pair b), packed: vmaxps(odd, even) keeps the
 * earlier column on ties. */
SP_INLINE __m512 pairs(__m512 x, __m512 y, __m512i ie, __m512i io, int op, int EX)
{
    const __m512 e = _mm512_permutex2var_ps(x, ie, y), o = _mm512_permutex2var_ps(x, io, y);
    if (EX) return sp_maxnan(e, o);
    return op == SIMDPOOL_MAX ? _mm512_max_ps(o, e) : _mm512_add_ps(e, o);
}

/* Rows: vmaxps(lower, upper) keeps the upper on ties; avg: pair sums, then rows, times 0.25
 * with fmadd(x, 0.25, +0), so a window of -0 gives +0 as the reference's sum from +0. */
SP_INLINE __m512 finish(__m512 lower, __m512 upper, int op, int EX)
{
    if (EX) return sp_maxnan(upper, lower);
    if (op == SIMDPOOL_MAX) return _mm512_max_ps(lower, upper);
    return _mm512_fmadd_ps(_mm512_add_ps(upper, lower), _mm512_set1_ps(0.25f), _mm512_setzero_ps());
}

/* What a step needs, set up once per call. */
typedef struct shape {
    int64_t W, OW, OH, skip;
    __mmask16 kl, k2, k1;
    __m512i ue, uo, le, lx;
} shape;

/* n row pairs from r0 into o; ONE: both rows in one vector (W <= 8); EX: each max step
 * NaN-exact (sp_maxnan), the reference's result for any input. Returns the lanes of the
 * ordered compares that held (all set when no NaN was seen). */
SP_INLINE __mmask16 rows(const float *r0, float *o, int64_t n, const shape *sh, int ONE, int EVEN, int op, int EX)
{
    const int64_t W = sh->W, OW = sh->OW, oh = sh->OH, skip = sh->skip;
    const __mmask16 kl = sh->kl, k2 = sh->k2, k1 = sh->k1;
    const __m512i ue = sh->ue, uo = sh->uo, le = sh->le, lx = sh->lx;
    __mmask16 ok = 0xFFFF, ok2 = 0xFFFF;
    walk w = {r0, 0};
    int64_t i = 0;
    for (; i + 2 <= n; i += 2, o += 2 * OW) {
        const float *ra = next(&w, 2 * W, oh, skip, EVEN), *rb = next(&w, 2 * W, oh, skip, EVEN);
        _mm_prefetch((const char *)(ra + AHEAD), _MM_HINT_T0);
        _mm_prefetch((const char *)(ra + AHEAD + 16), _MM_HINT_T0);
        if (!ONE) {
            _mm_prefetch((const char *)(ra + AHEAD + 32), _MM_HINT_T0);
            _mm_prefetch((const char *)(ra + AHEAD + 48), _MM_HINT_T0);
        }
        const __m512 pa = _mm512_maskz_loadu_ps(kl, ra), pb = _mm512_maskz_loadu_ps(kl, rb);
        const __m512 qa = ONE ? pa : _mm512_maskz_loadu_ps(kl, ra + W);
        const __m512 qb = ONE ? pb : _mm512_maskz_loadu_ps(kl, rb + W);
        if (op == SIMDPOOL_MAX) ok = _mm512_mask_cmp_ps_mask(ok, pa, pb, _CMP_ORD_Q);
        if (!ONE && op == SIMDPOOL_MAX) ok2 = _mm512_mask_cmp_ps_mask(ok2, qa, qb, _CMP_ORD_Q);
        _mm512_mask_storeu_ps(o, k2, finish(pairs(qa, qb, le, lx, op, EX), pairs(pa, pb, ue, uo, op, EX), op, EX));
    }
    if (i < n) { /* an odd count: the last row pair alone */
        const float *ra = next(&w, 2 * W, oh, skip, EVEN);
        const __m512 pa = _mm512_maskz_loadu_ps(kl, ra), qa = ONE ? pa : _mm512_maskz_loadu_ps(kl, ra + W);
        if (op == SIMDPOOL_MAX) ok &= _mm512_cmp_ps_mask(pa, qa, _CMP_ORD_Q);
        _mm512_mask_storeu_ps(o, k1, finish(pairs(qa, qa, le, lx, op, EX), pairs(pa, pa, ue, uo, op, EX), op, EX));
    }
    return ok & ok2;
}

/* Row pairs through the NaN-exact steps; returns nonzero if one saw a NaN. Out of line: the
 * fast loops' register allocation stays as it was (h13 saw an inlined redo cost uniform data
 * 9% in AVX2's kernel). */
__attribute__((noinline)) static int exact_rows(const float *in, float *out, int64_t n, const shape *sh, int one, int even)
{
    __mmask16 ok;
    if (one && even) ok = rows(in, out, n, sh, 1, 1, SIMDPOOL_MAX, 1);
    else if (one) ok = rows(in, out, n, sh, 1, 0, SIMDPOOL_MAX, 1);
    else if (even) ok = rows(in, out, n, sh, 0, 1, SIMDPOOL_MAX, 1);
    else ok = rows(in, out, n, sh, 0, 0, SIMDPOOL_MAX, 1);
    return ok != (__mmask16)0xFFFF;
}

/* Chunks of whole planes. A chunk whose fast pass saw a NaN is redone by the NaN-exact steps
 * (3 more compares a step), and so is the next chunk from the start, until one sees no NaN:
 * on data with NaN in many windows each chunk then runs once, at the exact steps' rate,
 * instead of twice with the redo in the generic kernel (12-14x the uniform time before). */
SP_INLINE void chunks(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int ONE, int EVEN, int W14, int op)
{
    const int64_t W = p->w, OW = p->ow, OH = p->oh, hw = p->h * W;
    const int lo = ONE ? (int)W : 0;
    const shape sh = {W, OW, OH, hw - 2 * OH * W, ONE ? sp_lanes(W + 2 * OW) : sp_lanes(2 * OW), sp_lanes(2 * OW),
                      sp_lanes(OW), pack_idx((int)OW, 0), pack_idx((int)OW, 1), pack_idx((int)OW, lo),
                      pack_idx((int)OW, lo + 1)};
    /* W14: 128 planes of 7 row pairs, 56 whole periods, so a slice from a multiple of 16
     * planes has no row pairs outside them (C512 14^2 through the public API: 4656-4676 ns
     * against 4700-4871 with chunks of 32 planes) */
    const size_t pc = W14 ? 128 : OH >= RP_CHUNK ? 1 : (size_t)(RP_CHUNK / OH);
    int exact = 0;
    for (size_t u0 = begin; u0 < end; u0 += pc) {
        const size_t u1 = end - u0 < pc ? end : u0 + pc;
        const float *in = a->in + (int64_t)u0 * hw;
        float *out = a->out + (int64_t)u0 * OH * OW;
        int64_t n = (int64_t)(u1 - u0) * OH;
        if (op == SIMDPOOL_MAX && exact) {
            exact = exact_rows(in, out, n, &sh, ONE, EVEN);
            continue;
        }
        __mmask16 ok = 0xFFFF;
        if (W14) { /* row pairs up to a multiple of 16 from the tensor's start, periods, the rest */
            const int64_t head = (16 - (int64_t)u0 * OH % 16) % 16, h = head < n ? head : n, np = (n - h) / 16;
            ok = rows(in, out, h, &sh, 0, 1, op, 0);
            in += 28 * h, out += 7 * h, n -= h;
            if (op == SIMDPOOL_MAX)
                ok &= sp_avx512_max2x2s2_w14(in, out, np);
            else
                sp_avx512_avg2x2s2_w14(in, out, np);
            in += 448 * np, out += 112 * np, n -= 16 * np;
        }
        ok &= rows(in, out, n, &sh, ONE, EVEN, op, 0);
        if (op == SIMDPOOL_MAX && ok != (__mmask16)0xFFFF)
            exact = exact_rows(a->in + (int64_t)u0 * hw, a->out + (int64_t)u0 * OH * OW, (int64_t)(u1 - u0) * OH, &sh,
                               ONE, EVEN);
    }
}

void sp_avx512_nchw_2x2s2_narrow(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int even = p->h == 2 * p->oh, one = p->w <= 8;
    if (p->op == SIMDPOOL_MAX) {
        if (one && even) chunks(p, a, begin, end, 1, 1, 0, SIMDPOOL_MAX);
        else if (one) chunks(p, a, begin, end, 1, 0, 0, SIMDPOOL_MAX);
        else if (even && p->w == 14) chunks(p, a, begin, end, 0, 1, 1, SIMDPOOL_MAX);
        else if (even) chunks(p, a, begin, end, 0, 1, 0, SIMDPOOL_MAX);
        else chunks(p, a, begin, end, 0, 0, 0, SIMDPOOL_MAX);
    } else {
        if (one && even) chunks(p, a, begin, end, 1, 1, 0, SIMDPOOL_AVG);
        else if (one) chunks(p, a, begin, end, 1, 0, 0, SIMDPOOL_AVG);
        else if (even && p->w == 14) chunks(p, a, begin, end, 0, 1, 1, SIMDPOOL_AVG);
        else if (even) chunks(p, a, begin, end, 0, 1, 0, SIMDPOOL_AVG);
        else chunks(p, a, begin, end, 0, 0, 0, SIMDPOOL_AVG);
    }
}

/* Avg's widths: against AVX2 with its session-6 prefetch (public-API harness, ~1.6 MB maps)
 * W 3 1.20, 5 1.05, 7 1.00 (bench 7^2 1.03-1.04); 10, 11, 13, 14, taken before, now 0.88-0.97,
 * and the other widths measured 0.92-1.09 in session 5: they stay with AVX2. */
#define AVG_WIDTHS ((1u << 3) | (1u << 5) | (1u << 7))
/* Max: rows of up to 8 columns; AVX2's short-row path with its prefetch is as fast from 9 on
 * (0.90-1.08, see kernels.c). */
#define MAX_W 8

/* Whole windows (OW <= 8: two row pairs fill a vector). */
int sp_avx512_accepts_nchw_2x2s2_narrow(const sp_problem *p)
{
    if (p->w > W_MAX) return 0;
    const int max_ok = p->w <= MAX_W || (p->w == 14 && p->h == 2 * p->oh); /* 14: nchw_2x2s2_w14.c */
    const int avg_ok = (AVG_WIDTHS >> p->w & 1u) || (p->w == 14 && p->h == 2 * p->oh); /* 14: w14 too */
    const int op_ok = (p->op == SIMDPOOL_MAX && max_ok) || (p->op == SIMDPOOL_AVG && avg_ok);
    return op_ok && sp_tmpl_whole_2x2s2(p) && p->oh >= 1 && p->ow >= 1 && sp_avx512_accepts_nchw_generic(p);
}
