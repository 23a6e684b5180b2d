/* NHWC 2x2 stride 2 without padding (every window whole), values-only max.
 * Each output pixel is four input pixel vectors from two input rows streamed once. On this
 * stream the core, not the memory, sets the pace: every vector op that waits on a missed
 * load holds a scheduler entry, so the more such ops per cache line, the fewer lines in
 * flight (AVX2's kernel, 11 ops per 8 channels, ran C64 224^2 at ~90% of the paired
 * roofline). So this kernel spends as few as it can per line: 16 channels per zmm, four
 * loads and three vmaxps, and the NaN record as an opmask that masked compares chain
 * through, each compare covering two taps (no OR or add, none for tap 0). That alone measured
 * level with AVX2's on C64 224^2 (87-91%): what lifted it is a software prefetch of every
 * line 4 KiB ahead on both rows, which brings the lines to L1 before the ops that wait on
 * them are dispatched (see kernels.c for the figures).
 *
 * The taps go in the reference's row-major order with vmaxps(t, m), which keeps m on ties
 * (-0/+0 as the reference) and on a NaN in m, so tap 0's NaN survives; a pixel with a NaN in
 * a later tap is redone with the exact step. Channel tails use masked loads and stores. */
#include "simd.h"
#include "../tmpl/accepts.h"

/* How far ahead each row is prefetched: 2-8 KiB measured alike (98-102% of the roofline at
 * C64 224^2), none 87-92%. Prefetches never fault, so the last rows' may run past the input.
 * Only inputs of PF_BYTES or more are prefetched: on C512 14^2 (1.6 MB) and C256 56^2
 * (3.2 MB) the extra load-pipe work cost 3-9% (avx2/avx512 1.04-1.11 -> 0.95-1.04, six
 * rounds), on 6.4 MB (C128 112^2, C512 28^2) it was level. */
#define AHEAD 4096
#define PF_BYTES (8.0 * 1024 * 1024)

SP_INLINE void ahead(const float *p, int pf)
{
    if (pf) _mm_prefetch((const char *)((uintptr_t)p + AHEAD), _MM_HINT_T0);
}

/* Taps 0..3 of 16 channels: a, a+C (upper row), b, b+C (lower row). */
typedef struct {
    __m512 t0, t1, t2, t3;
} taps;

SP_INLINE taps load4(const float *a, const float *b, int64_t C, int pf)
{
    ahead(a, pf), ahead(a + C, pf), ahead(b, pf), ahead(b + C, pf);
    taps t = {_mm512_loadu_ps(a), _mm512_loadu_ps(a + C), _mm512_loadu_ps(b), _mm512_loadu_ps(b + C)};
    return t;
}

SP_INLINE __m512 max4(taps t)
{
    return _mm512_max_ps(t.t3, _mm512_max_ps(t.t2, _mm512_max_ps(t.t1, t.t0)));
}

/* The ordered lanes of ok that stay ordered in both x and y. */
SP_INLINE __mmask16 ord(__mmask16 ok, __m512 x, __m512 y) { return _mm512_mask_cmp_ps_mask(ok, x, y, _CMP_ORD_Q); }

/* All C channels of one output pixel, fast path; returns nonzero when a later tap held a NaN.
 * d: the pixel starts d floats past a 64-byte boundary (C a multiple of 16, else 0); its first
 * 16 - d channels are then one vector loaded from the boundary with the lanes before a masked
 * off, so no load splits two cache lines (16 bytes off, C512 14^2 / C2048 7^2 ran 1.5x the
 * aligned time, see kernels.c). */
SP_INLINE int pixel_fast(const float *a, const float *b, float *out, int64_t C, int pf, int64_t d, int first)
{
    /* Two records, so the compares do not wait on each other. */
    __mmask16 ok0 = 0xFFFF, ok1 = 0xFFFF;
    int64_t c = 0;
    if (d) {
        /* Masked-off lanes load as +0 (ordered) and are never stored. They lie in the previous
         * pixel, except for the tensor's first (first = 1), whose 16 - d channels are loaded
         * from the pixel itself to the low lanes instead, so no pointer precedes the arrays. */
        const int64_t e = first ? 0 : d;
        const __mmask16 k = (__mmask16)(first ? 0xFFFF >> d : 0xFFFF << d);
        const float *x = a - e, *y = b - e;
        ahead(x, pf), ahead(x + C, pf), ahead(y, pf), ahead(y + C, pf);
        const taps p = {_mm512_maskz_loadu_ps(k, x), _mm512_maskz_loadu_ps(k, x + C), _mm512_maskz_loadu_ps(k, y),
                        _mm512_maskz_loadu_ps(k, y + C)};
        ok0 = ord(ok0, p.t1, p.t3);
        ok1 = ord(ok1, p.t2, p.t2);
        _mm512_mask_storeu_ps(out - e, k, max4(p));
        c = 16 - d;
    }
    for (; c + 64 <= C; c += 64) {
        const taps p = load4(a + c, b + c, C, pf), q = load4(a + c + 16, b + c + 16, C, pf);
        const taps r = load4(a + c + 32, b + c + 32, C, pf), s = load4(a + c + 48, b + c + 48, C, pf);
        ok0 = ord(ok0, p.t1, p.t3);
        ok1 = ord(ok1, q.t1, q.t3);
        ok0 = ord(ok0, r.t1, r.t3);
        ok1 = ord(ok1, s.t1, s.t3);
        ok0 = ord(ok0, p.t2, q.t2);
        ok1 = ord(ok1, r.t2, s.t2);
        _mm512_storeu_ps(out + c, max4(p));
        _mm512_storeu_ps(out + c + 16, max4(q));
        _mm512_storeu_ps(out + c + 32, max4(r));
        _mm512_storeu_ps(out + c + 48, max4(s));
    }
    for (; c + 16 <= C; c += 16) {
        const taps p = load4(a + c, b + c, C, pf);
        ok0 = ord(ok0, p.t1, p.t3);
        ok1 = ord(ok1, p.t2, p.t2);
        _mm512_storeu_ps(out + c, max4(p));
    }
    if (c < C) {
        /* Lanes past the tail load as +0: ordered, and never stored. */
        const __mmask16 k = sp_lanes(C - c);
        const float *x = a + c, *y = b + c;
        ahead(x, pf), ahead(x + C, pf), ahead(y, pf), ahead(y + C, pf);
        const taps p = {_mm512_maskz_loadu_ps(k, x), _mm512_maskz_loadu_ps(k, x + C), _mm512_maskz_loadu_ps(k, y),
                        _mm512_maskz_loadu_ps(k, y + C)};
        ok0 = ord(ok0, p.t1, p.t3);
        ok1 = ord(ok1, p.t2, p.t2);
        _mm512_mask_storeu_ps(out + c, k, max4(p));
    }
    return (__mmask16)(ok0 & ok1) != (__mmask16)0xFFFF;
}

/* The reference's step tap by tap, for a pixel that met a NaN. */
SP_INLINE void pixel_exact(const float *a, const float *b, float *out, int64_t C)
{
    for (int64_t c = 0; c < C; c += 16) {
        const __mmask16 k = sp_lanes(C - c);
        const float *x = a + c, *y = b + c;
        __m512 m = _mm512_maskz_loadu_ps(k, x);
        m = sp_maxnan(m, _mm512_maskz_loadu_ps(k, x + C));
        m = sp_maxnan(m, _mm512_maskz_loadu_ps(k, y));
        m = sp_maxnan(m, _mm512_maskz_loadu_ps(k, y + C));
        _mm512_mask_storeu_ps(out + c, k, m);
    }
}

SP_INLINE void rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int pf)
{
    const int64_t C = p->c, W = p->w, ow = p->ow;
    const uintptr_t m = (uintptr_t)a->in & 63;
    const int64_t d = C % 16 == 0 && m % 4 == 0 ? (int64_t)(m / 4) : 0;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *r0 = a->in + ((n * p->h + 2 * oh) * W) * C, *r1 = r0 + W * C;
        float *out = a->out + (int64_t)u * ow * C;
        for (int64_t x = 0; x < ow; x++, r0 += 2 * C, r1 += 2 * C, out += C)
            if (pixel_fast(r0, r1, out, C, pf, d, !u && !x)) pixel_exact(r0, r1, out, C);
    }
}

void sp_avx512_nhwc_2x2s2_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if ((double)p->n * (double)p->h * (double)p->w * (double)p->c * sizeof(float) >= PF_BYTES)
        rows(p, a, begin, end, 1);
    else
        rows(p, a, begin, end, 0);
}

int sp_avx512_accepts_nhwc_2x2s2_max(const sp_problem *p) { return p->op == SIMDPOOL_MAX && sp_tmpl_whole_2x2s2(p); }
