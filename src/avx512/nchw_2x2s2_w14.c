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
 *   - horizontal pairs: a 64-bit shift moves each odd column onto its even lane (port 0),
 *     vmaxps(odd, even), and one vpermt2ps packs the pair maxima of two vectors into P, 16
 *     consecutive pairs: row pair k's upper pairs are P[14k .. 14k+6], its lower P[14k+7 ..].
 *     Every other P takes two vpermt2ps (evens, odds) and one vmaxps instead, which balances
 *     ports 0 and 5 (in-process A/B against every fourth 1.025-1.038, against none ~1.06);
 *   - vertical: output o = 7k + j is vmaxps(lower P[14k+7+j], upper P[14k+j]); an output
 *     vector's upper (lower) pairs lie in three consecutive P vectors, gathered by one blend
 *     and one vpermt2ps (the table below);
 *   - NaN: an ordered compare of each pair of loaded vectors chains into an opmask, and the
 *     caller redoes a chunk that saw one with the exact kernel. (A check by fmadd, off port 5,
 *     measured 3% faster, but inputs of +-inf, or inf next to zero, would raise false alarms
 *     and slow redos.)
 * vmaxps(later, earlier) at each step keeps the earlier value on ties (-0/+0 included), the
 * reference's row-major first maximum whenever no NaN is present. */
#include "simd.h"

/* Gather indices per output vector q: [2q] its upper pairs, [2q+1] its lower. Lane l is output
 * o = 16q + l, upper pair t = 14 * (o / 7) + o % 7, lower t + 7. With s the P vector of lane 0's
 * pair, the pairs lie in P[s], P[s+1] and P[s+2], and the lanes used of P[s] and of P[s+2] never
 * coincide, so one blend merges those two (the lanes of the mask in PERIOD_OUTS from P[s+2]) and
 * one vpermt2ps gathers from the blend and P[s+1]: the entry is t - 16s for a pair in P[s] or
 * P[s+1], t - 16s - 32 (its lane in the blend) for one in P[s+2]. A merge-masked vpermps for
 * the third vector instead (port 5 again) measured 1.04x slower, in L1 and in L2. */
static const int32_t gather_ix[14][16] = {
    { 0,  1,  2,  3,  4,  5,  6, 14, 15, 16, 17, 18, 19, 20, 28, 29},
    { 7,  8,  9, 10, 11, 12, 13, 21, 22, 23, 24, 25, 26, 27,  3,  4},
    {14, 15, 16, 17, 18, 26, 27, 28, 29, 30, 31,  0,  8,  9, 10, 11},
    { 5,  6,  7,  8,  9, 17, 18, 19, 20, 21, 22, 23, 31,  0,  1,  2},
    {12, 13, 14, 22, 23, 24, 25, 26, 27, 28,  4,  5,  6,  7,  8,  9},
    { 3,  4,  5, 13, 14, 15, 16, 17, 18, 19, 27, 28, 29, 30, 31,  0},
    {10, 18, 19, 20, 21, 22, 23, 24,  0,  1,  2,  3,  4,  5,  6, 14},
    { 1,  9, 10, 11, 12, 13, 14, 15, 23, 24, 25, 26, 27, 28, 29,  5},
    {15, 16, 17, 18, 19, 20, 28, 29, 30, 31,  0,  1,  2, 10, 11, 12},
    { 6,  7,  8,  9, 10, 11, 19, 20, 21, 22, 23, 24, 25,  1,  2,  3},
    {13, 14, 15, 16, 24, 25, 26, 27, 28, 29, 30,  6,  7,  8,  9, 10},
    { 4,  5,  6,  7, 15, 16, 17, 18, 19, 20, 21, 29, 30, 31,  0,  1},
    {11, 12, 20, 21, 22, 23, 24, 25, 26,  2,  3,  4,  5,  6,  7,  8},
    { 2,  3, 11, 12, 13, 14, 15, 16, 17, 25, 26, 27, 28, 29, 30, 31},
};

/* X(q, s, blend lanes) of output vector q's upper pairs, then of its lower pairs. */
#define PERIOD_OUTS(X) \
    X(0,  0, 0x0000,  0, 0x0018) \
    X(1,  1, 0x0f01,  2, 0x0007) \
    X(2,  3, 0x03f0,  4, 0x0001) \
    X(3,  5, 0x407f,  6, 0x0020) \
    X(4,  7, 0x1c07,  8, 0x000e) \
    X(5,  9, 0x07c0, 10, 0x0003) \
    X(6, 11, 0x01fc, 12, 0x0000)

SP_INLINE __m512 gather(const __m512 *P, int s, __mmask16 m, const int32_t *ix)
{
    const __m512 a = m ? _mm512_mask_blend_ps(m, P[s], P[s + 2]) : P[s];
    return _mm512_permutex2var_ps(a, _mm512_loadu_si512(ix), P[s + 1]);
}

SP_INLINE __m512 odd_on_even(__m512 v)
{
    return _mm512_castsi512_ps(_mm512_srli_epi64(_mm512_castps_si512(v), 32));
}

#define AHEAD 512          /* prefetch distance in floats, as the row-pair steps */
#define PERM_PAIRS 0x2AAAu /* the P vectors packed with two vpermt2ps (bit m: P[m]) */

uint16_t sp_avx512_max2x2s2_w14(const float *in, float *out, int64_t periods)
{
    const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    __mmask16 ok0 = 0xFFFF, ok1 = 0xFFFF;
    for (int64_t i = 0; i < periods; i++, in += 448, out += 112) {
        __m512 P[14];
#pragma GCC unroll 14
        for (int m = 0; m < 14; m++) {
            _mm_prefetch((const char *)(in + AHEAD + 32 * m), _MM_HINT_T0);
            _mm_prefetch((const char *)(in + AHEAD + 32 * m + 16), _MM_HINT_T0);
            __m512 a = _mm512_loadu_ps(in + 32 * m), b = _mm512_loadu_ps(in + 32 * m + 16);
            /* one load each: with generic tuning gcc folds the loads into the shift, the max and
             * the compare, reading each vector three times (1.2x slower) */
            __asm__("" : "+v"(a), "+v"(b));
            if (m & 1)
                ok1 = _mm512_mask_cmp_ps_mask(ok1, a, b, _CMP_ORD_Q);
            else
                ok0 = _mm512_mask_cmp_ps_mask(ok0, a, b, _CMP_ORD_Q);
            if (PERM_PAIRS >> m & 1u)
                P[m] = _mm512_max_ps(_mm512_permutex2var_ps(a, od, b), _mm512_permutex2var_ps(a, ev, b));
            else
                P[m] = _mm512_permutex2var_ps(_mm512_max_ps(odd_on_even(a), a), ev, _mm512_max_ps(odd_on_even(b), b));
        }
#define X(q, su, mu, sl, ml)                                                                                  \
    _mm512_storeu_ps(out + 16 * (q), _mm512_max_ps(gather(P, sl, ml, gather_ix[2 * (q) + 1]),                 \
                                                   gather(P, su, mu, gather_ix[2 * (q)])));
        PERIOD_OUTS(X)
#undef X
    }
    return ok0 & ok1;
}
