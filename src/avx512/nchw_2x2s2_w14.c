/* NCHW max 2x2 stride 2 on rows of 14 columns (the 14x14 maps of VGG and ResNet tails), even
 * height: the slice's row pairs as one flat stream, 16 row pairs (448 inputs, 112 outputs) a
 * period, every load and store a whole vector, aligned when the tensors are.
 *
 * Why this loop: at 14^2 the tensor sits in L2, and row-pair steps (nchw_2x2s2_narrow.c) load
 * rows at a 56-byte stride and store 14 outputs at a 56-byte stride, so nearly every load and
 * store splits a cache line. A microbenchmark of the bare memory traffic of C512 14^2 took 2.5
 * us with aligned loads and no stores, 3.9 with the row-stride loads and no stores, 4.2 with
 * aligned loads and the 14-float stores, against about 4.4 us for 85% of the roofline. So the
 * period reads 28 aligned vectors and writes 7, and the shuffling happens in registers, where
 * port 5 (every zmm shuffle, and compares into a mask) is the limit:
 *   - horizontal pairs: a packed vector P holds the pair maxima of two loaded vectors a, b
 *     interleaved (lane 2k: a's pair k, lane 2k+1: b's), 16 consecutive pairs of the stream;
 *     row pair k's upper pairs are stream pairs 14k .. 14k+6, its lower 14k+7 ... Some P take
 *     two vpermt2ps (evens, odds) and one vmaxps; the others no shuffle at all: a 64-bit shift
 *     puts a's odd columns on their even lanes and b's even columns on their odd lanes, then
 *     vmaxps, and a vmaxps merge-masked to the odd lanes. The mix balances ports 0 and 5;
 *   - vertical: output o = 7k + j is vmaxps(lower pair 14k+7+j, upper pair 14k+j); an output
 *     vector's upper (lower) pairs lie in three consecutive P vectors, gathered by one blend
 *     and one vpermt2ps (the table below);
 *   - NaN: every input is an operand of a vmaxps in an unmasked lane, so sp_nan_watch() (the
 *     invalid flag, src/avx2/nan_watch.h) sees any NaN; the caller redoes a chunk that saw one
 *     with the exact kernel. Ordered compares into opmasks before cost 14 port-5 ops a period: 1.12-1.20x
 *     slower in L1.
 * vmaxps(later, earlier) at each step keeps the earlier value on ties (-0/+0 included), the
 * reference's row-major first maximum whenever no NaN is present.
 *
 * Session 8, in-process A/B against the session-7 period (the compares, P in stream order,
 * the shift P packed by a vpermt2ps), /tmp harness, 21 medians of best-of-30:
 *   interleaved P and the masked-max shift P, compares kept: C32 (L1) 1.059, C512 1.029;
 *   and the flag instead of the compares: C32 1.20-1.22, C512 1.03-1.12 over four processes
 *   (PERM_PAIRS 0x2B5B; 0x2AAA 1.20 / 1.10, all by shift 1.12 / 0.99).
 *   Bench, C512 14^2, 1 thread, 5 runs: avx512 column 4086-4273 ns, 85.0-91.8% of the paired
 *   roofline (one run's roofline disturbed: 117%), avx2/avx512 1.28-1.30 (1.20-1.23 before). */
#include "simd.h"

/* Gather indices per output vector q: [2q] its upper pairs, [2q+1] its lower. Lane l is output
 * o = 16q + l, upper pair t = 14 * (o / 7) + o % 7, lower t + 7; pair t is in P[t / 16] at lane
 * 2j (j = t % 16 < 8) or 2(j - 8) + 1. With s the P vector of lane 0's pair, the pairs lie in
 * P[s], P[s+1] and P[s+2], and the lanes used of P[s] and of P[s+2] never coincide, so one blend
 * merges those two (the lanes of the mask in PERIOD_OUTS from P[s+2]) and one vpermt2ps gathers
 * from the blend and P[s+1]: the entry is the lane for a pair in P[s] or P[s+2] (its lane in the
 * blend), 16 + the lane for one in P[s+1]. Made by a script that checks those conditions; a
 * merge-masked vpermps for the third vector instead (port 5 again) measured 1.04x slower. */
static const int32_t gather_ix[14][16] = {
    { 0,  2,  4,  6,  8, 10, 12, 13, 15, 16, 18, 20, 22, 24, 25, 27},
    {14,  1,  3,  5,  7,  9, 11, 26, 28, 30, 17, 19, 21, 23,  6,  8},
    {13, 15, 16, 18, 20, 21, 23, 25, 27, 29, 31,  0,  1,  3,  5,  7},
    {10, 12, 14,  1,  3, 18, 20, 22, 24, 26, 28, 30, 31,  0,  2,  4},
    { 9, 11, 13, 28, 30, 17, 19, 21, 23, 25,  8, 10, 12, 14,  1,  3},
    { 6,  8, 10, 11, 13, 15, 16, 18, 20, 22, 23, 25, 27, 29, 31,  0},
    { 5, 20, 22, 24, 26, 28, 30, 17,  0,  2,  4,  6,  8, 10, 12, 13},
    { 2,  3,  5,  7,  9, 11, 13, 15, 30, 17, 19, 21, 23, 25, 27, 10},
    {15, 16, 18, 20, 22, 24, 25, 27, 29, 31,  0,  2,  4,  5,  7,  9},
    {12, 14,  1,  3,  5,  7, 22, 24, 26, 28, 30, 17, 19,  2,  4,  6},
    {11, 13, 15, 16, 17, 19, 21, 23, 25, 27, 29, 12, 14,  1,  3,  5},
    { 8, 10, 12, 14, 15, 16, 18, 20, 22, 24, 26, 27, 29, 31,  0,  2},
    { 7,  9, 24, 26, 28, 30, 17, 19, 21,  4,  6,  8, 10, 12, 14,  1},
    { 4,  6,  7,  9, 11, 13, 15, 16, 18, 19, 21, 23, 25, 27, 29, 31},
};

/* X(q, s, blend lanes) of output vector q's upper pairs, then of its lower pairs. */
#define PERIOD_OUTS(X) \
    X(0,  0, 0x0000,  0, 0x0140) \
    X(1,  1, 0x00ab,  2, 0x0015) \
    X(2,  3, 0x550a,  4, 0x0001) \
    X(3,  5, 0x3555,  6, 0x0400) \
    X(4,  7, 0x02b5,  8, 0x0054) \
    X(5,  9, 0x502a, 10, 0x0005) \
    X(6, 11, 0x5552, 12, 0x0000)

SP_INLINE __m512 gather(const __m512 *P, int s, __mmask16 m, const int32_t *ix)
{
    const __m512 a = m ? _mm512_mask_blend_ps(m, P[s], P[s + 2]) : P[s];
    return _mm512_permutex2var_ps(a, _mm512_loadu_si512(ix), P[s + 1]);
}

/* 64-bit shifts: each pair's odd column onto its even lane, or its even column onto its odd lane */
SP_INLINE __m512 odd_on_even(__m512 v)
{
    return _mm512_castsi512_ps(_mm512_srli_epi64(_mm512_castps_si512(v), 32));
}

SP_INLINE __m512 even_on_odd(__m512 v)
{
    return _mm512_castsi512_ps(_mm512_slli_epi64(_mm512_castps_si512(v), 32));
}

#define AHEAD 512          /* prefetch distance in floats, as the row-pair steps */
#define PERM_PAIRS 0x2B5Bu /* the P vectors packed with two vpermt2ps (bit m: P[m]) */

/* Max: vmaxps(later, earlier) (merge-masked for b's pairs), vertical vmaxps(lower, upper). Avg:
 * the same with adds, then times 0.25 by fmadd from +0 (a window of -0 gives +0, as the
 * reference's sum from +0), the pair sums then rows of nchw_2x2s2_narrow.c's steps. */
SP_INLINE __m512 comb(__m512 later, __m512 earlier, int avg)
{
    return avg ? _mm512_add_ps(earlier, later) : _mm512_max_ps(later, earlier);
}

SP_INLINE void periods_loop(const float *in, float *out, int64_t periods, int avg)
{
    const __m512i ev = _mm512_setr_epi32(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
    const __m512i od = _mm512_setr_epi32(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
    for (int64_t i = 0; i < periods; i++, in += 448, out += 112) {
        __m512 P[14];
#pragma GCC unroll 14
        for (int m = 0; m < 14; m++) {
            _mm_prefetch((const char *)(in + AHEAD + 32 * m), _MM_HINT_T0);
            _mm_prefetch((const char *)(in + AHEAD + 32 * m + 16), _MM_HINT_T0);
            __m512 a = _mm512_loadu_ps(in + 32 * m), b = _mm512_loadu_ps(in + 32 * m + 16);
            /* one load each: with generic tuning gcc folds the loads into the shifts and the
             * maxima, reading each vector twice or more (1.2x slower) */
            __asm__("" : "+v"(a), "+v"(b));
            if (PERM_PAIRS >> m & 1u)
                P[m] = comb(_mm512_permutex2var_ps(a, od, b), _mm512_permutex2var_ps(a, ev, b), avg);
            else if (avg)
                P[m] = _mm512_mask_add_ps(_mm512_add_ps(a, odd_on_even(a)), 0xAAAA, even_on_odd(b), b);
            else
                P[m] = _mm512_mask_max_ps(_mm512_max_ps(odd_on_even(a), a), 0xAAAA, b, even_on_odd(b));
        }
#define X(q, su, mu, sl, ml)                                                                                  \
    {                                                                                                         \
        const __m512 r = comb(gather(P, sl, ml, gather_ix[2 * (q) + 1]), gather(P, su, mu, gather_ix[2 * (q)]), avg); \
        _mm512_storeu_ps(out + 16 * (q), avg ? _mm512_fmadd_ps(r, _mm512_set1_ps(0.25f), _mm512_setzero_ps()) : r); \
    }
        PERIOD_OUTS(X)
#undef X
    }
}

/* Returns 0xFFFF, or 0 when an input was NaN. */
uint16_t sp_avx512_max2x2s2_w14(const float *in, float *out, int64_t periods)
{
    const unsigned csr = sp_nan_watch();
    periods_loop(in, out, periods, 0);
    return sp_nan_seen(csr) ? 0 : 0xFFFF;
}

void sp_avx512_avg2x2s2_w14(const float *in, float *out, int64_t periods)
{
    periods_loop(in, out, periods, 1);
}
