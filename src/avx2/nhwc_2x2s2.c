/* NHWC 2x2 stride 2 without padding (every window whole): values-only max, avg, sum.
 * Each output pixel is four input pixel vectors from two input rows that are streamed once,
 * so there is no window clipping and no per-tap loop: the generic kernel's bookkeeping cost
 * a fifth of the memory rate on these memory-bound shapes. Channels go four vectors at a
 * time with plain loads and stores; only the channel tail is masked (a masked store costs
 * about 19 cycles on Zen 4).
 *
 * Max takes the taps in the reference's row-major order with vmaxps(t, m), which is the
 * reference's step except where t is NaN; a pixel whose later taps hold a NaN is redone with
 * the exact step. Sums start from +0 as the reference's (a window of -0 gives +0). */
#include "simd.h"
#include "../tmpl/accepts.h"

enum { OP_MAX, OP_SUM, OP_AVG };

/* One vector of channels at taps a, a+C, b, b+C; the lanes of k when masked. *x receives
 * (t1 + t2) + t3, which is NaN wherever one of the three is (t0's NaN survives the vmaxps
 * chain, the others' would not); +inf and -inf can make it NaN too, which only costs an exact
 * redo. Adds, not fmadds: a product of two small taps (1e-20, a zero third tap) is subnormal
 * and each such fmadd took a microcode assist, 20-45x the kernel's time (see kernels.c). */
SP_INLINE __m256 tap4(const float *a, const float *b, int64_t C, int op, int exact, __m256 *x, int masked,
                      __m256i k)
{
#define LD(p) (masked ? _mm256_maskload_ps(p, k) : _mm256_loadu_ps(p))
    const __m256 t0 = LD(a), t1 = LD(a + C), t2 = LD(b), t3 = LD(b + C);
#undef LD
    if (op != OP_MAX) return _mm256_add_ps(_mm256_add_ps(t0, t1), _mm256_add_ps(t2, t3));
    if (exact) return sp_maxnan(sp_maxnan(sp_maxnan(t0, t1), t2), t3);
    __m256 u1 = t1, u2 = t2, u3 = t3;
    /* Opaque, so each tap is loaded once: gcc otherwise folded t1..t3's loads into both their
     * users, loading them twice (this kernel's old add/compare record too). On a stream fewer
     * instructions per line keep more loads in flight (two compares and two ORs per vector held
     * C64 224^2 at ~84% of the paired roofline, one add, compare and OR ~91%). */
    __asm__("" : "+x"(u1), "+x"(u2), "+x"(u3));
    *x = _mm256_add_ps(_mm256_add_ps(u1, u2), u3);
    return _mm256_max_ps(u3, _mm256_max_ps(u2, _mm256_max_ps(u1, t0)));
}

SP_INLINE __m256 finish(__m256 s, int op)
{
    const __m256 zero = _mm256_setzero_ps();
    if (op == OP_AVG) return _mm256_fmadd_ps(s, _mm256_set1_ps(0.25f), zero); /* s/4 exactly, then +0 */
    if (op == OP_SUM) return _mm256_add_ps(s, zero);
    return s;
}

/* All C channels of one output pixel; returns nonzero when the fast max met a NaN. The
 * NaN record is two running sums of the taps' (t1 + t2) + t3: a NaN anywhere stays NaN, so
 * adds replace an add, a compare and an OR per 8 channels. Only infinities or overflow can
 * make it NaN falsely, which costs an exact redo. */
SP_INLINE int pixel(const float *a, const float *b, float *out, int64_t C, int op, int exact)
{
    __m256 n0 = _mm256_setzero_ps(), n1 = n0, x0 = n0, x1 = n0, x2 = n0, x3 = n0;
    const __m256i none = _mm256_setzero_si256();
    int64_t c = 0;
    for (; c + 32 <= C; c += 32) {
        _mm256_storeu_ps(out + c, finish(tap4(a + c, b + c, C, op, exact, &x0, 0, none), op));
        _mm256_storeu_ps(out + c + 8, finish(tap4(a + c + 8, b + c + 8, C, op, exact, &x1, 0, none), op));
        _mm256_storeu_ps(out + c + 16, finish(tap4(a + c + 16, b + c + 16, C, op, exact, &x2, 0, none), op));
        _mm256_storeu_ps(out + c + 24, finish(tap4(a + c + 24, b + c + 24, C, op, exact, &x3, 0, none), op));
        if (op == OP_MAX && !exact) n0 = _mm256_add_ps(n0, _mm256_add_ps(x0, x1)), n1 = _mm256_add_ps(n1, _mm256_add_ps(x2, x3));
    }
    for (; c + 8 <= C; c += 8) {
        _mm256_storeu_ps(out + c, finish(tap4(a + c, b + c, C, op, exact, &x0, 0, none), op));
        if (op == OP_MAX && !exact) n0 = _mm256_add_ps(x0, n0);
    }
    if (c < C) {
        const __m256i k = sp_mask(C - c);
        _mm256_maskstore_ps(out + c, k, finish(tap4(a + c, b + c, C, op, exact, &x0, 1, k), op));
        if (op == OP_MAX && !exact) n0 = _mm256_add_ps(x0, n0);
    }
    if (op != OP_MAX || exact) return 0;
    n0 = _mm256_cmp_ps(n0, n1, _CMP_UNORD_Q);
    return !_mm256_testz_ps(n0, n0);
}

SP_INLINE void rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op)
{
    const int64_t C = p->c, W = p->w, ow = p->ow;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *r0 = a->in + ((n * p->h + 2 * oh) * W) * C, *r1 = r0 + W * C;
        float *out = a->out + (int64_t)u * ow * C;
        for (int64_t x = 0; x < ow; x++) {
            const int64_t o = 2 * x * C;
            if (pixel(r0 + o, r1 + o, out + x * C, C, op, 0)) pixel(r0 + o, r1 + o, out + x * C, C, op, 1);
        }
    }
}

void sp_avx2_nhwc_2x2s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (p->op) {
    case SIMDPOOL_MAX: rows(p, a, begin, end, OP_MAX); break;
    case SIMDPOOL_AVG: rows(p, a, begin, end, OP_AVG); break;
    default: rows(p, a, begin, end, OP_SUM); break;
    }
}

int sp_avx2_accepts_nhwc_2x2s2(const sp_problem *p) { return sp_tmpl_whole_2x2s2(p); }
