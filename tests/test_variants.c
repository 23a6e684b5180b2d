/* checkasm-style: every registered variant against scalar on random problems.
 *
 *   test_variants [--seed S] [--iters N] [--op NAME] [--variant NAME] [--verbose]
 *
 * For each op, N random problems (N 1..3, C 1..67, H and W 1..67, now and then rows of up to
 * 240 columns, now and then 3x3 s1 p1 on rows of 17..64; every kernel, stride, padding, dilation and ceil combination the op accepts,
 * both layouts). Max-type ops get NaN,
 * +-inf, -0 and ties injected and must match bit for bit, indices included; stochastic
 * training must match exactly too (the draw is keyed by position). Summing ops may differ by
 * rounding: the bound is Higham's (n-1)*eps*sum|x| for an n-term sum, computed by running scalar
 * on |x|, plus one rounding for the division. Inputs and outputs end on guard pages and
 * outputs start as a sentinel, so a stray read or write fails. */
#define _DEFAULT_SOURCE
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct problem {
    simdpool_desc d;
    int special; /* inject NaN/inf/-0 */
    int ties;    /* quantise values so ties are common */
    int zeros;   /* values from {-0, +0, -1}: which of tied zeros wins (max), the sign of a zero sum
                    (sums); 2: a rare NaN too (half of the max ones, as kernels redo a plane with a
                    NaN by another path) */
    int inf_head; /* with special: no NaN in the input's first half (its NaN become +-inf), so
                     kernels that walk a slice in chunks meet infinities alone (which fool a NaN
                     record kept as a sum) before they meet NaN */
} problem;

static int has_indices(simdpool_op op)
{
    return op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX;
}
static int is_exact(const simdpool_desc *d)
{
    return d->op == SIMDPOOL_MAX || d->op == SIMDPOOL_GLOBAL_MAX || d->op == SIMDPOOL_ADAPTIVE_MAX ||
           d->op == SIMDPOOL_MASKED_MAX ||
           (d->op == SIMDPOOL_STOCHASTIC && d->stochastic_mode == SIMDPOOL_STOCHASTIC_TRAIN);
}
static int is_linear(simdpool_op op) /* a weighted sum with non-negative weights */
{
    return op == SIMDPOOL_AVG || op == SIMDPOOL_SUM || op == SIMDPOOL_GLOBAL_AVG ||
           op == SIMDPOOL_GLOBAL_SUM || op == SIMDPOOL_ADAPTIVE_AVG || op == SIMDPOOL_MASKED_MEAN;
}
static int is_windowed(simdpool_op op) { return op <= SIMDPOOL_STOCHASTIC; }
static int is_global(simdpool_op op)
{
    return op == SIMDPOOL_GLOBAL_AVG || op == SIMDPOOL_GLOBAL_SUM || op == SIMDPOOL_GLOBAL_MAX;
}

static int64_t sizepick(uint64_t *s, int64_t hi)
{
    return tu_uniform(s) < 0.5 ? tu_range(s, 1, hi < 16 ? hi : 16) : tu_range(s, 1, hi);
}

static void random_problem(uint64_t *s, simdpool_op op, problem *pr)
{
    for (;;) {
        int head = 0;
        simdpool_layout lay = (simdpool_layout)tu_range(s, 0, 1);
        int64_t n = tu_range(s, 1, 3), c = sizepick(s, 67), h = sizepick(s, 67), w = sizepick(s, 67);
        if (op == SIMDPOOL_MASKED_MEAN || op == SIMDPOOL_MASKED_MAX) w = 1;
        /* Now and then a wide row, so kernels that walk output columns in chunks (AVX2's
         * separable adaptive average takes 1024 input columns at a time) cross chunk edges. */
        const int wide = (op == SIMDPOOL_ADAPTIVE_AVG || op == SIMDPOOL_ADAPTIVE_MAX) && tu_uniform(s) < 0.05;
        if (wide) h = tu_range(s, 1, 3), w = tu_range(s, 1000, 3000);
        /* Now and then many channels, so global NHWC kernels that take channels in chunks (AVX2
         * sums 1024 at a time) cross chunk edges. */
        if (is_global(op) && tu_uniform(s) < 0.1)
            n = 1, c = tu_range(s, 1000, 3000), h = tu_range(s, 1, 3), w = tu_range(s, 1, 4);
        /* Now and then the maps of classifier heads (4x4 to 14x14), where AVX-512's NCHW sums,
         * which read sixteen planes at a time, have their pieces as constants; C is mostly not
         * a multiple of 16 and N up to 3, so blocks straddle images and slices start inside. */
        else if (is_global(op) && tu_uniform(s) < 0.15) {
            static const int64_t maps[] = {4, 5, 6, 7, 8, 9, 10, 12, 13, 14};
            head = 1;
            h = w = maps[tu_range(s, 0, 9)];
            /* half of them with 128 or more channels (up to 816 at 7x7 after the size cap
             * below), where AVX2's NHWC sums take blocks of 128 channels on 64-byte lines and
             * its NCHW sums run many 8-plane blocks */
            if (tu_uniform(s) < 0.5) c = tu_range(s, 128, 900);
        }
        /* Now and then windows that tile the input (H = kh*OH, W = kw*OW, as 28 -> 7), which
         * AVX2's adaptive average takes a whole plane at a time. */
        /* Now and then a long row (up to the 224-wide stem), so NCHW kernels with paths for
         * rows of many vectors (read in address order, loops unrolled for 112 and 224 columns)
         * run them; most of these get the stems' windows, and for max often tied zeros. */
        const int longrow = is_windowed(op) && !wide && tu_uniform(s) < 0.15;
        if (longrow) h = tu_range(s, 1, 9), w = tu_range(s, 64, 240);
        /* Now and then Inception's 3x3 s1 p1 (output size = input size), mostly on rows of 17 to
         * 64 columns, so NCHW kernels that hold whole rows in registers (AVX-512's nchw_3x3s1,
         * up to 4 vectors) run on every row width and vector count they take; a fifth on planes
         * of up to 9 rows of 7 (7x7 maps, which it takes as flat runs of up to 4 vectors). */
        const int incep = is_windowed(op) && !wide && !longrow && tu_uniform(s) < 0.1;
        const double iq = incep ? tu_uniform(s) : 1.0;
        if (iq < 0.6) w = tu_range(s, 17, 64);
        else if (iq < 0.8) w = 7, h = tu_range(s, 1, 9);
        /* Now and then a 3x3 stride-2 NCHW window on a small map (rows of up to 34 columns,
         * often up to 8 by 8), which AVX-512 pools a plane at a time in registers: every
         * padding side and ceil mode, even and odd sizes. */
        const int small3 = !incep && is_windowed(op) && !wide && !longrow && tu_uniform(s) < 0.12;
        if (small3) {
            const int tiny = tu_uniform(s) < 0.4;
            h = tu_range(s, 1, tiny ? 8 : 40), w = tu_range(s, 1, tiny ? 8 : 34);
            lay = SIMDPOOL_NCHW;
        }
        int64_t toh = 0, tow = 0;
        int chunky = 0; /* whole 2x2 s2 windows over many planes: specials, often infinities first */
        if (!wide && (op == SIMDPOOL_ADAPTIVE_AVG || op == SIMDPOOL_ADAPTIVE_MAX) && tu_uniform(s) < 0.2) {
            static const int64_t ks[] = {1, 2, 3, 4, 8, 16};
            const int64_t kh = ks[tu_range(s, 0, 5)], kw = ks[tu_range(s, 0, 5)];
            toh = h / kh > 0 ? h / kh : 1, tow = w / kw > 0 ? w / kw : 1;
            h = toh * kh, w = tow * kw;
        }
        while (n * c * h * w > 40000) c = (c + 1) / 2, n = 1;
        simdpool_desc d = simdpool_desc_default(op, lay, n, c, h, w);
        if (is_windowed(op)) {
            d.kernel_h = tu_range(s, 1, 5);
            d.kernel_w = tu_uniform(s) < 0.7 ? d.kernel_h : tu_range(s, 1, 5);
            d.stride_h = tu_range(s, 1, 3);
            d.stride_w = tu_uniform(s) < 0.7 ? d.stride_h : tu_range(s, 1, 3);
            if (op != SIMDPOOL_LP && tu_uniform(s) < 0.25) {
                d.dilation_h = tu_range(s, 1, 3);
                d.dilation_w = tu_range(s, 1, 3);
            }
            if (op != SIMDPOOL_LP && tu_uniform(s) < 0.6) {
                int64_t eh = (d.dilation_h * (d.kernel_h - 1) + 1) / 2;
                int64_t ew = (d.dilation_w * (d.kernel_w - 1) + 1) / 2;
                d.pad_top = tu_range(s, 0, eh);
                d.pad_bottom = tu_uniform(s) < 0.7 ? d.pad_top : tu_range(s, 0, eh);
                d.pad_left = tu_range(s, 0, ew);
                d.pad_right = tu_uniform(s) < 0.7 ? d.pad_left : tu_range(s, 0, ew);
            }
            d.ceil_mode = tu_uniform(s) < 0.4;
            d.count_include_pad = tu_uniform(s) < 0.5;
            if (longrow && tu_uniform(s) < 0.7) {
                d.kernel_h = d.kernel_w = tu_range(s, 2, 3);
                d.stride_h = d.stride_w = 2;
                d.dilation_h = d.dilation_w = 1;
                d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = d.kernel_h - 2;
            }
            if (incep) {
                d.kernel_h = d.kernel_w = 3;
                d.stride_h = d.stride_w = 1;
                d.dilation_h = d.dilation_w = 1;
                d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
            }
            if (small3) {
                d.kernel_h = d.kernel_w = 3;
                d.stride_h = d.stride_w = 2;
                d.dilation_h = d.dilation_w = 1;
                d.pad_top = tu_range(s, 0, 1), d.pad_bottom = tu_range(s, 0, 1);
                d.pad_left = tu_range(s, 0, 1), d.pad_right = tu_range(s, 0, 1);
            }
            if (op == SIMDPOOL_AVG && tu_uniform(s) < 0.15) d.divisor_override = tu_range(s, 1, 9);
            /* Now and then whole 2x2 stride-2 windows (no padding), the downsampling case: the
             * kernels that walk a slice's row pairs as one sequence across planes then meet even
             * and odd H and W, many planes, batches and (threads) slices that start mid-tensor. */
            if ((op == SIMDPOOL_MAX || op == SIMDPOOL_AVG) && !longrow && tu_uniform(s) < 0.1) {
                d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 2;
                d.dilation_h = d.dilation_w = 1;
                d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 0;
                d.divisor_override = 0;
                /* Half of these on rows of 18 to 32 columns (AVX2's short-row path: two
                 * vectors per row), which the sizes above reach rarely, a fifth on 33 to 64 (its
                 * three and four vectors); a quarter on rows of 14 with even H and many planes
                 * (AVX-512's 16-row-pair periods, nchw_2x2s2_w14.c). */
                const double wu = tu_uniform(s);
                if (wu < 0.5) {
                    d.w = wu < 0.3 ? tu_range(s, 18, 32) : tu_range(s, 33, 64);
                    if (d.h < 2) d.h = tu_range(s, 2, 31);
                    /* many planes of even height: the slice's short rows span several of the
                     * chunks AVX2 checks for NaN one at a time (256 output rows) */
                    if (tu_uniform(s) < 0.5) d.h = 2 * tu_range(s, 1, 15), d.c = tu_range(s, 100, 300), chunky = 1;
                    while (d.n * d.c * d.h * d.w > 40000) d.c = (d.c + 1) / 2, d.n = 1;
                } else if (wu < 0.75) {
                    d.w = 14, d.h = 2 * tu_range(s, 1, 15), d.c = tu_range(s, 1, 300);
                    while (d.n * d.c * d.h * d.w > 40000) d.c = (d.c + 1) / 2, d.n = 1;
                }
            }
            /* Now and then NHWC with C a multiple of 16 (or 8: 104) in the windows with their
             * own NHWC kernels (3x3 s1/s2 padded 0 or 1, 2x2 s2), where those kernels take the
             * channels before a 64-byte (AVX2's 3x3: 32-byte) boundary as one masked step
             * when the tensor starts off it (half the problems do, see check_problem); 3x3 s1
             * and s2 do so from 64 (AVX2: 96) channels on. */
            if ((op == SIMDPOOL_MAX || op == SIMDPOOL_AVG || op == SIMDPOOL_SUM) && !longrow && tu_uniform(s) < 0.1) {
                static const int64_t cs[] = {16, 32, 48, 64, 96, 104, 192, 512};
                d.layout = SIMDPOOL_NHWC;
                d.c = cs[tu_range(s, 0, 7)];
                while (d.n * d.c * d.h * d.w > 40000) d.h = (d.h + 1) / 2, d.w = (d.w + 1) / 2;
                const int shape = (int)tu_range(s, 0, 2);
                d.kernel_h = d.kernel_w = shape == 2 ? 2 : 3;
                d.stride_h = d.stride_w = shape == 0 ? 1 : 2;
                d.dilation_h = d.dilation_w = 1;
                d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = shape == 2 ? 0 : tu_range(s, 0, 1);
                d.divisor_override = 0;
            }
            if (op == SIMDPOOL_LP) {
                static const float ps[] = {1.0f, 2.0f, 3.0f, 1.5f};
                d.p = ps[tu_range(s, 0, 3)];
            }
            if (op == SIMDPOOL_STOCHASTIC) {
                d.stochastic_mode = (simdpool_stochastic_mode)tu_range(s, 0, 1);
                d.seed = tu_rand(s);
            }
        }
        if (op == SIMDPOOL_ADAPTIVE_AVG || op == SIMDPOOL_ADAPTIVE_MAX) {
            d.out_h = toh ? toh : tu_range(s, 1, h + 2);
            d.out_w = tow ? tow : tu_range(s, 1, w + 2);
        }
        if (op == SIMDPOOL_MASKED_MAX) d.masked_max_fill = -1e9f;
        int64_t oh, ow;
        if (simdpool_output_shape(&d, &oh, &ow) != SIMDPOOL_OK) continue;
        pr->d = d;
        pr->special = (op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX ||
                       op == SIMDPOOL_MASKED_MAX) && tu_uniform(s) < (longrow || chunky ? 0.6 : 0.4);
        pr->ties = tu_uniform(s) < 0.3;
        pr->inf_head = pr->special && tu_uniform(s) < (chunky ? 0.6 : 0.3);
        pr->zeros = pr->special && tu_uniform(s) < (longrow ? 0.6 : 0.3) ? tu_range(s, 1, 2) : 0;
        /* Sums too: a window of -0 sums to +0 (the reference starts from +0) */
        if (is_linear(op) && tu_uniform(s) < 0.1) pr->zeros = 1;
        /* Global max on the heads' maps: often tied zeros or NaN, as the NCHW kernels that
         * take blocks of planes (AVX2's and AVX-512's global_sum.c) settle a zero maximum's sign
         * and a NaN plane apart from their vmaxps blocks. */
        if (head && op == SIMDPOOL_GLOBAL_MAX && !pr->zeros && tu_uniform(s) < 0.4)
            pr->special = 1, pr->zeros = tu_range(s, 1, 2);
        return;
    }
}

/* A quiet NaN whose sign and payload come from r (a draw below 0.02): windows with two NaN
 * show which one a kernel keeps (the reference: the last in row-major order). */
/* Max-type results are copies of inputs: the bits must match, a NaN's sign and payload too. */
static int same_bits(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static float nan_from(double r)
{
    const uint32_t k = (uint32_t)(r * 4.0e9);
    const uint32_t bits = (k & 1u) << 31 | 0x7FC00000u | (k >> 1 & 0x3FFFFFu);
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static void fill_input(uint64_t *s, const problem *pr, float *x, size_t n)
{
    int nonneg = pr->d.op == SIMDPOOL_STOCHASTIC || pr->d.op == SIMDPOOL_LP;
    for (size_t i = 0; i < n; i++) {
        float v = (float)(tu_uniform(s) * 2.0 - 1.0);
        if (pr->ties) v = (float)tu_range(s, -3, 3) * 0.25f;
        if (nonneg) v = fabsf(v);
        if (pr->d.op == SIMDPOOL_STOCHASTIC && tu_uniform(s) < 0.2) v = 0.0f;
        if (pr->zeros) {
            const double r = tu_uniform(s);
            v = r < 0.01 && pr->zeros == 2 ? nan_from(r) : r < 0.45 ? -0.0f : r < 0.9 ? 0.0f : -1.0f;
        } else if (pr->special) {
            double r = tu_uniform(s);
            if (r < 0.02) v = nan_from(r);
            else if (r < 0.04) v = INFINITY;
            else if (r < 0.06) v = -INFINITY;
            else if (r < 0.10) v = -0.0f;
            else if (r < 0.14) v = 0.0f;
        }
        x[i] = v;
    }
    if (pr->inf_head && !pr->zeros)
        for (size_t i = 0; i < n / 2; i++)
            if (isnan(x[i])) x[i] = signbit(x[i]) ? -INFINITY : INFINITY;
    /* Now and then (max, no other specials) one NaN alone: kernels that check for NaN once
     * per slice and redo it exactly would hide a missed tap whenever a second NaN sits in a
     * tap they do check. Drawn from a copy of the state, so the stream is unchanged. */
    const uint64_t t = *s * 0x9E3779B97F4A7C15ull;
    const int k2 = pr->d.kernel_h == 2 && pr->d.stride_h == 2; /* 2x2 s2: 5 in 8, the rest 1 in 8 */
    if (pr->d.op == SIMDPOOL_MAX && !pr->special && n && (t >> 61) < (k2 ? 5u : 1u)) x[(t >> 8) % n] = NAN;
}

typedef struct ctx {
    uint64_t seed;
    long iters;
    const char *only_op, *only_variant;
    int verbose;
} ctx;

static void describe(const problem *pr, const char *variant, char *buf, size_t n)
{
    const simdpool_desc *d = &pr->d;
    snprintf(buf, n,
             "%s %s variant=%s n=%lld c=%lld h=%lld w=%lld k=%lldx%lld s=%lldx%lld pad=%lld,%lld,%lld,%lld "
             "dil=%lldx%lld ceil=%d cip=%d div=%lld p=%g mode=%d out=%lldx%lld",
             simdpool_op_name(d->op), simdpool_layout_name(d->layout), variant, (long long)d->n,
             (long long)d->c, (long long)d->h, (long long)d->w, (long long)d->kernel_h,
             (long long)d->kernel_w, (long long)d->stride_h, (long long)d->stride_w,
             (long long)d->pad_top, (long long)d->pad_bottom, (long long)d->pad_left,
             (long long)d->pad_right, (long long)d->dilation_h, (long long)d->dilation_w, d->ceil_mode,
             d->count_include_pad, (long long)d->divisor_override, (double)d->p, (int)d->stochastic_mode,
             (long long)d->out_h, (long long)d->out_w);
}

static simdpool_status run_one(const problem *pr, const char *variant, int threads, const float *in,
                               const uint8_t *mask, float *out, int64_t *idx)
{
    simdpool_options o = {threads, variant, NULL};
    return simdpool_pool(&pr->d, &o, in, mask, out, idx);
}

/* Number of terms in the widest sum for this problem (for the rounding bound). */
static double terms(const simdpool_desc *d)
{
    switch (d->op) {
    case SIMDPOOL_GLOBAL_AVG: case SIMDPOOL_GLOBAL_SUM: return (double)(d->h * d->w);
    case SIMDPOOL_MASKED_MEAN: return (double)d->h;
    case SIMDPOOL_ADAPTIVE_AVG: return (double)((d->h / d->out_h + 2) * (d->w / d->out_w + 2));
    default: return (double)(d->kernel_h * d->kernel_w);
    }
}

static const float SENTINEL = -12345.678f;

/* Whether the variant has its own kernel for this problem (else the plan says "v->other/..."). */
static int own_kernel(const problem *pr, const char *variant)
{
    simdpool_options o = {1, variant, NULL};
    simdpool_plan *p;
    if (simdpool_plan_create(&pr->d, &o, &p) != SIMDPOOL_OK) return 0;
    int own = !strstr(simdpool_plan_variant(p), "->");
    simdpool_plan_destroy(p);
    return own;
}

/* Returns the number of mismatches (prints the first few). */
static int check_problem(const problem *pr, uint64_t *rs, const char *variant)
{
    const simdpool_desc *d = &pr->d;
    int64_t oh, ow;
    simdpool_output_shape(d, &oh, &ow);
    int masked = d->op == SIMDPOOL_MASKED_MEAN || d->op == SIMDPOOL_MASKED_MAX;
    size_t in_n = (size_t)(d->n * d->c * d->h * d->w), out_n = (size_t)(d->n * d->c * oh * ow);
    tu_buf bi, bm, br, bo, bx, brx, ba, bv;
    /* Half the problems start input and output sh floats short of the 64-byte boundary a
     * buffer ending on its guard page would start on (NHWC with C a multiple of 16 always
     * would), so kernels that align their channel walk meet misaligned tensors; the sh floats
     * past each end lie before the guard, and the output's are checked for stray writes. */
    const size_t sh = tu_uniform(rs) < 0.5 ? (size_t)tu_range(rs, 1, 15) : 0;
    float *in = tu_alloc(&bi, (in_n + sh) * 4);
    uint8_t *mask = masked ? tu_alloc(&bm, (size_t)(d->n * d->h)) : NULL;
    float *ref = tu_alloc(&br, (out_n + sh) * 4), *out = tu_alloc(&bo, (out_n + sh) * 4);
    int want_idx = has_indices(d->op);
    int64_t *ridx = want_idx ? tu_alloc(&brx, out_n * 8) : NULL;
    int64_t *idx = want_idx ? tu_alloc(&bx, out_n * 8) : NULL;
    fill_input(rs, pr, in, in_n);
    if (masked)
        for (int64_t i = 0; i < d->n * d->h; i++) mask[i] = tu_uniform(rs) < 0.7;
    for (size_t i = 0; i < out_n + sh; i++) ref[i] = out[i] = SENTINEL;
    for (size_t i = 0; want_idx && i < out_n; i++) ridx[i] = idx[i] = -7;

    int bad = 0;
    char desc[512];
    describe(pr, variant, desc, sizeof desc);
    simdpool_status s1 = run_one(pr, "scalar", 1, in, mask, ref, ridx);
    /* A third of the problems run on 3 threads (with SIMDPOOL_GRAIN=1 set by main, so even
     * small problems are split and slice edges are exercised). */
    int threads = tu_uniform(rs) < 0.33 ? 3 : 1;
    simdpool_status s2 = run_one(pr, variant, threads, in, mask, out, idx);
    if (want_idx && s2 == SIMDPOOL_OK) {
        /* Max-type ops have values-only kernels too: they must give the same values. */
        float *vals = tu_alloc(&bv, out_n * 4);
        for (size_t i = 0; i < out_n; i++) vals[i] = SENTINEL;
        s2 = run_one(pr, variant, threads, in, mask, vals, NULL);
        for (size_t i = 0; i < out_n && s2 == SIMDPOOL_OK; i++)
            if (!same_bits(vals[i], out[i])) {
                fprintf(stderr, "FAIL %s\n  values-only kernel at output %zu: %.9g, with indices %.9g\n", desc, i,
                        (double)vals[i], (double)out[i]);
                bad++;
                break;
            }
        tu_free(&bv);
    }
    if (s1 != SIMDPOOL_OK || s2 != SIMDPOOL_OK) {
        fprintf(stderr, "FAIL %s: status scalar=%d variant=%d (%s)\n", desc, s1, s2, simdpool_last_error());
        bad = 1;
        goto done;
    }
    float *absref = NULL;
    if (is_linear(d->op) || d->op == SIMDPOOL_LP) {
        /* The rounding bound needs sum|x| per output: the same op on |x| (abs in place, after use). */
        for (size_t i = 0; i < in_n; i++) in[i] = fabsf(in[i]);
        absref = tu_alloc(&ba, out_n * 4);
        run_one(pr, "scalar", 1, in, mask, absref, NULL);
    }
    double n_terms = terms(d);
    for (size_t i = 0; i < out_n && bad < 5; i++) {
        int ok;
        if (is_exact(d)) {
            ok = same_bits(ref[i], out[i]) && (!want_idx || ridx[i] == idx[i]);
        } else if (absref) {
            double tol = (n_terms + 2) * FLT_EPSILON * fabs((double)absref[i]) + 1e-30;
            if (d->op == SIMDPOOL_LP) tol = 1e-5 * fabs((double)ref[i]) * (n_terms + 2) + 1e-30;
            ok = tu_same(ref[i], out[i]) || fabs((double)ref[i] - (double)out[i]) <= tol;
            if (absref[i] == 0.0f) ok = tu_same(ref[i], out[i]); /* only zeros: exact, sign included */
        } else { /* stochastic inference: a ratio of two non-negative sums */
            double tol = (2 * n_terms + 4) * FLT_EPSILON * fabs((double)ref[i]) + 1e-30;
            ok = tu_same(ref[i], out[i]) || fabs((double)ref[i] - (double)out[i]) <= tol;
        }
        if (!ok) {
            fprintf(stderr, "FAIL %s\n  at output %zu: scalar %.9g [%lld] variant %.9g [%lld]\n", desc, i,
                    (double)ref[i], want_idx ? (long long)ridx[i] : 0LL, (double)out[i],
                    want_idx ? (long long)idx[i] : 0LL);
            bad++;
        }
    }
    if (absref) tu_free(&ba);
    for (size_t i = out_n; i < out_n + sh; i++)
        if (!tu_same(out[i], SENTINEL)) {
            fprintf(stderr, "FAIL %s\n  write %zu floats past the output\n", desc, i - out_n + 1);
            bad++;
            break;
        }
done:
    tu_free(&bi);
    if (masked) tu_free(&bm);
    tu_free(&br);
    tu_free(&bo);
    if (want_idx) {
        tu_free(&bx);
        tu_free(&brx);
    }
    return bad;
}

int main(int argc, char **argv)
{
    ctx c = {0, 2000, NULL, NULL, 0};
    const char *it = getenv("SIMDPOOL_TEST_ITERS");
    if (it) c.iters = atol(it);
    int seeded = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) c.seed = strtoull(argv[++i], NULL, 0), seeded = 1;
        else if (!strcmp(argv[i], "--iters") && i + 1 < argc) c.iters = atol(argv[++i]);
        else if (!strcmp(argv[i], "--op") && i + 1 < argc) c.only_op = argv[++i];
        else if (!strcmp(argv[i], "--variant") && i + 1 < argc) c.only_variant = argv[++i];
        else if (!strcmp(argv[i], "--verbose")) c.verbose = 1;
        else {
            fprintf(stderr, "usage: %s [--seed S] [--iters N] [--op NAME] [--variant NAME] [--verbose]\n", argv[0]);
            return 2;
        }
    }
    setenv("SIMDPOOL_GRAIN", "1", 1);
    if (!seeded) {
        const char *es = getenv("SIMDPOOL_TEST_SEED");
        c.seed = es ? strtoull(es, NULL, 0) : 0x5eed2026u;
    }
    printf("test_variants: seed %llu (replay: --seed %llu), %ld problems per op, cpu: %s\n",
           (unsigned long long)c.seed, (unsigned long long)c.seed, c.iters, simdpool_cpu_features());
    int failures = 0, tested_variants = 0;
    for (int v = 0; v < simdpool_variant_count(); v++) {
        const char *vn = simdpool_variant_name(v);
        if (c.only_variant && strcmp(vn, c.only_variant)) continue;
        if (!simdpool_variant_supported(v)) {
            printf("  variant %-12s SKIPPED: this CPU lacks its ISA (%s)\n", vn, simdpool_cpu_features());
            continue;
        }
        tested_variants++;
        for (int op = 0; op < SIMDPOOL_OP_COUNT; op++) {
            const char *on = simdpool_op_name((simdpool_op)op);
            if (c.only_op && strcmp(on, c.only_op)) continue;
            /* Each (variant, op) pair has its own stream, so one can be replayed alone. */
            uint64_t rs = c.seed ^ ((uint64_t)(op + 1) * UINT64_C(0x100000001b3)) ^ (uint64_t)v << 48;
            int bad = 0;
            long cases = 0, own = 0;
            /* scalar against itself only checks the harness and determinism: a tenth will do */
            long iters = strcmp(vn, "scalar") ? c.iters : (c.iters + 9) / 10;
            for (long i = 0; i < iters && bad < 10; i++) {
                problem pr;
                random_problem(&rs, (simdpool_op)op, &pr);
                bad += check_problem(&pr, &rs, vn) != 0;
                own += own_kernel(&pr, vn);
                cases++;
            }
            /* Problems the variant leaves to scalar are counted, not hidden. */
            printf("  variant %-12s op %-13s %5ld problems, %d failed; own kernels %ld, fallback %ld\n", vn,
                   on, cases, bad, own, cases - own);
            failures += bad;
        }
    }
    if (!tested_variants) {
        fprintf(stderr, "FAIL: no variant was tested\n");
        return 1;
    }
    printf("test_variants: %d failures (seed %llu)\n", failures, (unsigned long long)c.seed);
    return failures ? 1 : 0;
}
