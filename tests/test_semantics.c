/* Hand-computed cases, one or more for every rule in README.md's semantics section, run on
 * every usable variant and in both layouts (a single-channel map has the same bytes in NCHW
 * and NHWC, and the multi-channel cases are transposed by the helper). Counts per op are
 * printed for the closing note. */
#include <fenv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int cases_per_op[SIMDPOOL_OP_COUNT];

/* Runs d on in (given as NCHW) with every usable variant and both layouts; compares out
 * (NCHW order) with want, and indices with widx when given. tol < 0: bit for bit, even for
 * averages (where tol 0 means a 1e-6 relative tolerance). */
static void expect(const char *what, simdpool_desc d, const float *in, const float *want,
                   const int64_t *widx, float tol)
{
    cases_per_op[d.op]++;
    /* Divisions may be done as a multiply by the reciprocal in SIMD variants. */
    if (tol == 0 && (d.op == SIMDPOOL_AVG || d.op == SIMDPOOL_GLOBAL_AVG || d.op == SIMDPOOL_ADAPTIVE_AVG ||
                     d.op == SIMDPOOL_MASKED_MEAN))
        tol = 1e-6f;
    int64_t oh, ow;
    simdpool_status s = simdpool_output_shape(&d, &oh, &ow);
    TU_CHECK(s == SIMDPOOL_OK, "%s: shape: %s", what, simdpool_last_error());
    if (s != SIMDPOOL_OK) return;
    int64_t N = d.n, C = d.c, H = d.h, W = d.w;
    size_t in_n = (size_t)(N * C * H * W), out_n = (size_t)(N * C * oh * ow);
    float *x = malloc(in_n * 4), *y = malloc(out_n * 4), *yn = malloc(out_n * 4);
    int64_t *ix = malloc(out_n * 8), *ixn = malloc(out_n * 8);
    for (int v = 0; v < simdpool_variant_count(); v++) {
        if (!simdpool_variant_supported(v)) continue;
        for (int lay = 0; lay < 2; lay++) {
            d.layout = (simdpool_layout)lay;
            int nhwc = lay == SIMDPOOL_NHWC && d.op != SIMDPOOL_MASKED_MEAN && d.op != SIMDPOOL_MASKED_MAX;
            for (int64_t n = 0; n < N; n++)
                for (int64_t c = 0; c < C; c++)
                    for (int64_t i = 0; i < H * W; i++)
                        x[nhwc ? (n * H * W + i) * C + c : (n * C + c) * H * W + i] = in[(n * C + c) * H * W + i];
            simdpool_options o = {1, simdpool_variant_name(v), NULL};
            const uint8_t *mask = NULL;
            if (d.op == SIMDPOOL_MASKED_MEAN || d.op == SIMDPOOL_MASKED_MAX) {
                memcpy(x, in, in_n * 4);
                mask = (const uint8_t *)want + out_n * 4; /* masked cases append the mask after want */
            }
            int with_idx = widx != NULL;
            s = simdpool_pool(&d, &o, x, mask, y, with_idx ? ix : NULL);
            TU_CHECK(s == SIMDPOOL_OK, "%s [%s %s]: %s", what, simdpool_variant_name(v),
                     simdpool_layout_name(d.layout), simdpool_last_error());
            if (s != SIMDPOOL_OK) continue;
            for (int64_t n = 0; n < N; n++)
                for (int64_t c = 0; c < C; c++)
                    for (int64_t i = 0; i < oh * ow; i++) {
                        size_t src = nhwc ? (size_t)((n * oh * ow + i) * C + c) : (size_t)((n * C + c) * oh * ow + i);
                        size_t dst = (size_t)((n * C + c) * oh * ow + i);
                        yn[dst] = y[src];
                        if (with_idx) ixn[dst] = ix[src];
                    }
            for (size_t i = 0; i < out_n; i++) {
                int ok = tol > 0 ? fabsf(yn[i] - want[i]) <= tol * fmaxf(1.0f, fabsf(want[i])) : tu_same(yn[i], want[i]);
                TU_CHECK(ok, "%s [%s %s] out[%zu] = %.9g, want %.9g", what, simdpool_variant_name(v),
                         simdpool_layout_name(d.layout), i, (double)yn[i], (double)want[i]);
                if (with_idx)
                    TU_CHECK(ixn[i] == widx[i], "%s [%s %s] idx[%zu] = %lld, want %lld", what,
                             simdpool_variant_name(v), simdpool_layout_name(d.layout), i, (long long)ixn[i],
                             (long long)widx[i]);
            }
        }
    }
    free(x), free(y), free(yn), free(ix), free(ixn);
}

static simdpool_desc D(simdpool_op op, int64_t h, int64_t w, int64_t k, int64_t s, int64_t pad)
{
    simdpool_desc d = simdpool_desc_default(op, SIMDPOOL_NCHW, 1, 1, h, w);
    d.kernel_h = d.kernel_w = k;
    d.stride_h = d.stride_w = s;
    d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = pad;
    return d;
}

static void test_max(void)
{
    const float m4[] = {1, 3, 2, 1, 4, 6, 6, 5, 7, 8, 9, 2, 1, 2, 3, 0};
    expect("max worked example", D(SIMDPOOL_MAX, 4, 4, 2, 2, 0), m4, (float[]){6, 6, 8, 9},
           (int64_t[]){5, 6, 9, 10}, 0);
    expect("max ties keep the first", D(SIMDPOOL_MAX, 2, 2, 2, 2, 0), (float[]){5, 5, 5, 5},
           (float[]){5}, (int64_t[]){0}, 0);
    expect("max -0 before +0 keeps -0", D(SIMDPOOL_MAX, 1, 2, 1, 1, 0), (float[]){-0.0f, 0.0f},
           (float[]){-0.0f, 0.0f}, (int64_t[]){0, 1}, 0);
    simdpool_desc d = D(SIMDPOOL_MAX, 1, 2, 2, 1, 0);
    d.kernel_h = 1;
    expect("max -0 first of the window", d, (float[]){-0.0f, 0.0f}, (float[]){-0.0f}, (int64_t[]){0}, 0);
    expect("max +0 first of the window", d, (float[]){0.0f, -0.0f}, (float[]){0.0f}, (int64_t[]){0}, 0);
    expect("max NaN propagates, last NaN's index", D(SIMDPOOL_MAX, 2, 2, 2, 2, 0),
           (float[]){1, NAN, NAN, 2}, (float[]){NAN}, (int64_t[]){2}, 0);
    expect("max NaN after a larger value", D(SIMDPOOL_MAX, 2, 2, 2, 2, 0), (float[]){9, 1, 2, NAN},
           (float[]){NAN}, (int64_t[]){3}, 0);
    expect("max -inf window", D(SIMDPOOL_MAX, 2, 2, 2, 2, 0),
           (float[]){-INFINITY, -INFINITY, -INFINITY, -INFINITY}, (float[]){-INFINITY}, (int64_t[]){0}, 0);
    expect("max padding is never selected", D(SIMDPOOL_MAX, 2, 2, 3, 1, 1), (float[]){-1, -2, -3, -4},
           (float[]){-1, -1, -1, -1}, (int64_t[]){0, 0, 0, 0}, 0);
    const float r5[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25};
    expect("max floor mode drops the partial window", D(SIMDPOOL_MAX, 5, 5, 2, 2, 0), r5,
           (float[]){7, 9, 17, 19}, (int64_t[]){6, 8, 16, 18}, 0);
    d = D(SIMDPOOL_MAX, 5, 5, 2, 2, 0);
    d.ceil_mode = 1;
    expect("max ceil mode keeps the partial window", d, r5, (float[]){7, 9, 10, 17, 19, 20, 22, 24, 25},
           (int64_t[]){6, 8, 9, 16, 18, 19, 21, 23, 24}, 0);
    d = D(SIMDPOOL_MAX, 4, 4, 2, 1, 0);
    d.dilation_h = d.dilation_w = 2;
    expect("max dilation 2", d, m4, (float[]){9, 8, 6, 6}, (int64_t[]){10, 9, 6, 5}, 0);
    d = D(SIMDPOOL_MAX, 1, 1, 2, 1, 2);
    d.dilation_h = d.dilation_w = 3;
    expect("max window with no valid tap gives -inf, index -1", d, (float[]){7},
           (float[]){-INFINITY, -INFINITY, -INFINITY, -INFINITY}, (int64_t[]){-1, -1, -1, -1}, 0);
    /* Two channels, two images: index is inside the (n, c) plane in both layouts. */
    d = simdpool_desc_default(SIMDPOOL_MAX, SIMDPOOL_NCHW, 2, 2, 2, 2);
    d.kernel_h = d.kernel_w = 2;
    expect("max index is h*W+w inside its plane", d, (float[]){1, 9, 0, 0, 0, 0, 8, 0, 0, 0, 0, 7, 6, 0, 0, 0},
           (float[]){9, 8, 7, 6}, (int64_t[]){1, 2, 3, 0}, 0);
    /* Asymmetric padding (TF SAME) and a non-square kernel. */
    d = D(SIMDPOOL_MAX, 3, 3, 2, 2, 0);
    d.pad_bottom = d.pad_right = 1;
    expect("max asymmetric padding", d, (float[]){1, 2, 3, 4, 5, 6, 7, 8, 9}, (float[]){5, 6, 8, 9},
           (int64_t[]){4, 5, 7, 8}, 0);
    d = D(SIMDPOOL_MAX, 2, 4, 1, 1, 0);
    d.kernel_w = 3;
    d.stride_w = 1;
    expect("max 1x3 kernel", d, (float[]){1, 5, 2, 0, 3, 1, 4, 1}, (float[]){5, 5, 4, 4},
           (int64_t[]){1, 1, 6, 6}, 0);
}

static void test_avg_sum(void)
{
    expect("avg worked example", D(SIMDPOOL_AVG, 2, 2, 2, 2, 0), (float[]){1, 3, 2, 4}, (float[]){2.5f}, NULL, 0);
    simdpool_desc d = D(SIMDPOOL_AVG, 2, 2, 3, 1, 1);
    expect("avg count_include_pad counts padding", d, (float[]){1, 2, 3, 4},
           (float[]){10.0f / 9, 10.0f / 9, 10.0f / 9, 10.0f / 9}, NULL, 0);
    d.count_include_pad = 0;
    expect("avg count_include_pad off divides by valid taps", d, (float[]){1, 2, 3, 4},
           (float[]){2.5f, 2.5f, 2.5f, 2.5f}, NULL, 0);
    float ones[16];
    for (int i = 0; i < 16; i++) ones[i] = 1;
    d = D(SIMDPOOL_AVG, 4, 4, 3, 2, 1);
    d.ceil_mode = 1;
    /* valid taps per axis [2,3,1], taps inside the padded input [3,3,2]: the ceil-mode overhang
     * past the padding is not counted. */
    expect("avg ceil overhang is not counted (include pad)", d, ones,
           (float[]){4.0f / 9, 6.0f / 9, 2.0f / 6, 6.0f / 9, 1, 3.0f / 6, 2.0f / 6, 3.0f / 6, 1.0f / 4}, NULL, 0);
    d.count_include_pad = 0;
    expect("avg ceil overhang, padding excluded", d, ones, (float[]){1, 1, 1, 1, 1, 1, 1, 1, 1}, NULL, 0);
    d = D(SIMDPOOL_AVG, 2, 2, 2, 2, 0);
    d.divisor_override = 3;
    expect("avg divisor override", d, (float[]){1, 3, 2, 4}, (float[]){10.0f / 3}, NULL, 0);
    d = D(SIMDPOOL_AVG, 2, 2, 3, 1, 1);
    d.divisor_override = 2;
    expect("avg divisor override beats padding rules", d, (float[]){1, 2, 3, 4}, (float[]){5, 5, 5, 5}, NULL, 0);

    const float s4[] = {2, 3, 1, 4, 1, 7, 0, 2, 9, 6, 3, 4, 2, 8, 1, 7};
    expect("sum worked example", D(SIMDPOOL_SUM, 4, 4, 2, 2, 0), s4, (float[]){13, 7, 25, 15}, NULL, 0);
    expect("sum padding adds nothing", D(SIMDPOOL_SUM, 2, 2, 3, 1, 1), (float[]){1, 2, 3, 4},
           (float[]){10, 10, 10, 10}, NULL, 0);
    d = D(SIMDPOOL_SUM, 3, 3, 2, 2, 0);
    d.ceil_mode = 1;
    expect("sum ceil mode", d, (float[]){1, 2, 3, 4, 5, 6, 7, 8, 9}, (float[]){12, 9, 15, 9}, NULL, 0);
    expect("sum NaN propagates", D(SIMDPOOL_SUM, 2, 2, 2, 2, 0), (float[]){1, NAN, 2, 3}, (float[]){NAN}, NULL, 0);
}

static void test_lp_stochastic(void)
{
    simdpool_desc d = D(SIMDPOOL_LP, 2, 2, 2, 2, 0);
    expect("lp p=2", d, (float[]){3, 4, 0, 0}, (float[]){5}, NULL, 1e-6f);
    d.p = 1;
    expect("lp p=1 is the sum", d, (float[]){3, 4, 1, 2}, (float[]){10}, NULL, 1e-6f);
    d.p = 3;
    expect("lp p=3", d, (float[]){1, 2, 0, 0}, (float[]){cbrtf(9.0f)}, NULL, 1e-6f);
    float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    d = D(SIMDPOOL_LP, 3, 3, 2, 2, 0);
    d.ceil_mode = 1;
    d.p = 1;
    /* PyTorch scales the clipped-window average by kh*kw: a 1-tap window of 1 gives 4. */
    expect("lp ceil window scaled by kh*kw (PyTorch)", d, ones, (float[]){4, 4, 4, 4}, NULL, 1e-6f);

    d = D(SIMDPOOL_STOCHASTIC, 2, 2, 2, 2, 0);
    d.stochastic_mode = SIMDPOOL_STOCHASTIC_INFER;
    expect("stochastic inference sum(a^2)/sum(a)", d, (float[]){1, 2, 3, 0}, (float[]){14.0f / 6}, NULL, 1e-6f);
    expect("stochastic inference all-zero window gives 0", d, (float[]){0, 0, 0, 0}, (float[]){0}, NULL, 0);
    d.stochastic_mode = SIMDPOOL_STOCHASTIC_TRAIN;
    expect("stochastic training picks the only positive tap", d, (float[]){0, 5, 0, 0}, (float[]){5}, NULL, 0);
    expect("stochastic training all-zero window gives 0", d, (float[]){0, 0, 0, 0}, (float[]){0}, NULL, 0);
    cases_per_op[SIMDPOOL_STOCHASTIC]++;
    /* The draw follows a_i / sum(a): windows [1, 3] pick 3 three times in four. */
    enum { W = 20000 };
    static float x[2 * W], y[W], y2[W];
    for (int i = 0; i < W; i++) x[2 * i] = 1, x[2 * i + 1] = 3;
    d = simdpool_desc_default(SIMDPOOL_STOCHASTIC, SIMDPOOL_NCHW, 1, 1, 1, 2 * W);
    d.kernel_w = d.stride_w = 2;
    d.seed = 42;
    TU_CHECK(simdpool_pool(&d, NULL, x, NULL, y, NULL) == SIMDPOOL_OK, "stochastic run: %s", simdpool_last_error());
    int threes = 0, others = 0;
    for (int i = 0; i < W; i++) threes += y[i] == 3, others += y[i] != 3 && y[i] != 1;
    /* 15000 expected, standard deviation 61: 600 away is a broken generator, not bad luck. */
    TU_CHECK(abs(threes - 15000) < 600 && others == 0, "stochastic: %d of %d picked 3 (want ~15000)", threes, W);
    d.seed = 43;
    simdpool_pool(&d, NULL, x, NULL, y2, NULL);
    TU_CHECK(memcmp(y, y2, sizeof y), "stochastic: seeds 42 and 43 gave the same draw");
    d.seed = 42;
    simdpool_pool(&d, NULL, x, NULL, y2, NULL);
    TU_CHECK(!memcmp(y, y2, sizeof y), "stochastic: the same seed gave a different draw");
}

static void test_global_adaptive_masked(void)
{
    simdpool_desc d = simdpool_desc_default(SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NCHW, 1, 2, 2, 2);
    expect("global max, first of ties", d, (float[]){1, 9, 9, 2, -5, -1, -1, -7}, (float[]){9, -1},
           (int64_t[]){1, 1}, 0);
    expect("global max NaN", d, (float[]){1, NAN, 9, NAN, 0, 0, 0, 0}, (float[]){NAN, 0}, (int64_t[]){3, 0}, 0);
    d.op = SIMDPOOL_GLOBAL_AVG;
    expect("global avg", d, (float[]){1, 2, 3, 4, -1, -1, -1, 5}, (float[]){2.5f, 0.5f}, NULL, 0);
    d.op = SIMDPOOL_GLOBAL_SUM;
    expect("global sum", d, (float[]){1, 2, 3, 4, -1, -1, -1, 5}, (float[]){10, 2}, NULL, 0);
    expect("global sum inf + -inf is NaN", d, (float[]){1, INFINITY, -INFINITY, 4, 0, 0, 0, INFINITY},
           (float[]){NAN, INFINITY}, NULL, 0);
    d = simdpool_desc_default(SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NCHW, 2, 3, 1, 1);
    expect("global avg of a 1x1 map is the identity", d, (float[]){1, -2, 3, 4, -0.0f, 6},
           (float[]){1, -2, 3, 4, -0.0f, 6}, NULL, 0);
    d.op = SIMDPOOL_GLOBAL_SUM;
    d.h = 3, d.w = 1;
    expect("global sum per (n, c)", d, (float[]){1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6},
           (float[]){3, 6, 9, 12, 15, 18}, NULL, 0);

    d = simdpool_desc_default(SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_NCHW, 1, 1, 1, 5);
    d.out_w = 3;
    /* windows [0,2) [1,4) [3,5): start floor(i*5/3), end ceil((i+1)*5/3) */
    expect("adaptive avg 5 -> 3", d, (float[]){1, 2, 3, 4, 5}, (float[]){1.5f, 3, 4.5f}, NULL, 0);
    d.op = SIMDPOOL_ADAPTIVE_MAX;
    expect("adaptive max 5 -> 3", d, (float[]){1, 2, 3, 4, 5}, (float[]){2, 4, 5}, (int64_t[]){1, 3, 4}, 0);
    {
        /* Sums start from +0 (as PyTorch's): averages of -0 are +0, in every kernel's path
         * (2x200 -> 1x100 is the separable kernel's 2-wide one, 2x6 -> 1x3 the planes one). */
        static float mz[400], pz[200];
        for (int i = 0; i < 400; i++) mz[i] = -0.0f;
        d = simdpool_desc_default(SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_NCHW, 1, 1, 2, 200);
        d.out_h = 1, d.out_w = 100;
        expect("adaptive avg of -0 is +0 (wide)", d, mz, pz, NULL, -1);
        d.w = 6, d.out_w = 3;
        expect("adaptive avg of -0 is +0 (small)", d, mz, pz, NULL, -1);
        d = simdpool_desc_default(SIMDPOOL_AVG, SIMDPOOL_NCHW, 1, 1, 4, 40);
        d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 2;
        expect("avg of -0 is +0", d, mz, pz, NULL, -1);
        d = simdpool_desc_default(SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NCHW, 1, 1, 4, 40);
        expect("global avg of -0 is +0", d, mz, pz, NULL, -1);
        d = simdpool_desc_default(SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NCHW, 1, 9, 4, 4); /* small planes, 8 at a time */
        expect("global avg of -0 is +0 (4x4)", d, mz, pz, NULL, -1);
        d.op = SIMDPOOL_GLOBAL_SUM, d.h = 2, d.w = 8;
        expect("global sum of -0 is +0 (2x8)", d, mz, pz, NULL, -1);
    }
    d = simdpool_desc_default(SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_NCHW, 1, 1, 1, 2);
    d.out_w = 3;
    expect("adaptive avg upsampling 2 -> 3", d, (float[]){1, 2}, (float[]){1, 1.5f, 2}, NULL, 0);
    d.op = SIMDPOOL_ADAPTIVE_MAX;
    expect("adaptive max NaN and ties", d, (float[]){NAN, 2}, (float[]){NAN, NAN, 2}, (int64_t[]){0, 0, 1}, 0);
    d = simdpool_desc_default(SIMDPOOL_ADAPTIVE_MAX, SIMDPOOL_NCHW, 1, 1, 2, 2);
    d.out_h = d.out_w = 1;
    expect("adaptive max ties keep the first", d, (float[]){3, 3, 3, 3}, (float[]){3}, (int64_t[]){0}, 0);

    /* Masked: x[B=2,T=3,D=2]; the mask is appended after the expected output. */
    d = simdpool_desc_default(SIMDPOOL_MASKED_MEAN, SIMDPOOL_NCHW, 2, 2, 3, 1);
    const float x[] = {1, 2, 3, 4, NAN, 100, 5, 6, 7, 8, 9, 10};
    float want[4 + 2];
    memcpy(want, (float[]){2, 3, 0, 0}, 16);
    memcpy(want + 4, (uint8_t[]){1, 1, 0, 0, 0, 0}, 6);
    expect("masked mean skips masked tokens; a fully masked row is 0", d, x, want, NULL, 0);
    /* row 0 fully masked (its NaN never read), row 1 keeps its last token */
    d = simdpool_desc_default(SIMDPOOL_MASKED_MEAN, SIMDPOOL_NCHW, 2, 2, 3, 1);
    memcpy(want, (float[]){0, 0, 9, 10}, 16);
    memcpy(want + 4, (uint8_t[]){0, 0, 0, 0, 0, 1}, 6);
    expect("masked mean of one token is that token", d, x, want, NULL, 0);
    memcpy(want, (float[]){1, 2, 7, 8}, 16);
    memcpy(want + 4, (uint8_t[]){1, 0, 0, 1, 1, 1}, 6);
    expect("masked mean per row", d, x, want, NULL, 0);
    d.op = SIMDPOOL_MASKED_MAX;
    memcpy(want, (float[]){3, 4, -1e9f, -1e9f}, 16);
    memcpy(want + 4, (uint8_t[]){1, 1, 0, 0, 0, 0}, 6);
    expect("masked max skips masked tokens; a fully masked row is the fill", d, x, want, NULL, 0);
    d.masked_max_fill = 0;
    memcpy(want, (float[]){NAN, 100, 0, 0}, 16);
    memcpy(want + 4, (uint8_t[]){1, 1, 1, 0, 0, 0}, 6);
    expect("masked max NaN propagates; fill value is configurable", d, x, want, NULL, 0);
}

static void test_shapes(void)
{
    int64_t oh, ow;
    simdpool_desc d = D(SIMDPOOL_MAX, 1, 1, 2, 2, 1);
    d.ceil_mode = 1;
    TU_CHECK(simdpool_output_shape(&d, &oh, &ow) == SIMDPOOL_OK && oh == 1 && ow == 1,
             "ceil: the last window must start inside the input or left padding (got %lldx%lld)",
             (long long)oh, (long long)ow);
    d = D(SIMDPOOL_MAX, 112, 112, 3, 2, 1);
    TU_CHECK(simdpool_output_shape(&d, &oh, &ow) == SIMDPOOL_OK && oh == 56, "3x3 s2 p1 112 -> %lld", (long long)oh);
    d = D(SIMDPOOL_MAX, 6, 6, 3, 2, 0);
    simdpool_output_shape(&d, &oh, &ow);
    TU_CHECK(oh == 2, "floor 6,k3,s2 -> %lld (want 2)", (long long)oh);
    d.ceil_mode = 1;
    simdpool_output_shape(&d, &oh, &ow);
    TU_CHECK(oh == 3, "ceil 6,k3,s2 -> %lld (want 3)", (long long)oh);

    d = D(SIMDPOOL_MAX, 5, 6, 2, 2, 0);
    TU_CHECK(simdpool_tf_padding(&d, 1) == SIMDPOOL_OK && d.pad_top == 0 && d.pad_bottom == 1 &&
                 d.pad_left == 0 && d.pad_right == 0, "tf same 5x6 k2 s2 pads %lld %lld %lld %lld",
             (long long)d.pad_top, (long long)d.pad_bottom, (long long)d.pad_left, (long long)d.pad_right);
    simdpool_output_shape(&d, &oh, &ow);
    TU_CHECK(oh == 3 && ow == 3, "tf same output %lldx%lld (want ceil(in/s) = 3x3)", (long long)oh, (long long)ow);
    d = D(SIMDPOOL_MAX, 7, 7, 3, 1, 0);
    simdpool_tf_padding(&d, 1);
    TU_CHECK(d.pad_top == 1 && d.pad_bottom == 1, "tf same 7 k3 s1 pads %lld/%lld", (long long)d.pad_top, (long long)d.pad_bottom);
    simdpool_tf_padding(&d, 0);
    TU_CHECK(!d.pad_top && !d.pad_bottom && !d.pad_left && !d.pad_right, "tf valid clears the padding");
}

/* Some x86 max kernels detect NaN by MXCSR's invalid flag (README: NaN in the values-only max
 * kernels); they must hand the caller's floating-point state back as they found it: no invalid
 * flag left by finite data, a flag the caller had set still set, the rounding mode kept (also
 * after a NaN sent them to their exact redo). The shapes reach those kernels: 14-column 2x2 s2
 * NCHW max, global max NCHW on 7x7 and 14x14, NHWC max on the generic walk (C a multiple of
 * 512 keeps 3x3 s2 off its template). */
static void test_fp_state(void)
{
    static const struct {
        simdpool_op op;
        simdpool_layout lay;
        int64_t c, hw, k, s, pad;
    } cs[] = {
        {SIMDPOOL_MAX, SIMDPOOL_NCHW, 160, 14, 2, 2, 0},
        {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NCHW, 80, 7, 1, 1, 0},
        {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NCHW, 40, 14, 1, 1, 0},
        {SIMDPOOL_MAX, SIMDPOOL_NHWC, 512, 7, 3, 2, 1},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        simdpool_desc d = simdpool_desc_default(cs[i].op, cs[i].lay, 1, cs[i].c, cs[i].hw, cs[i].hw);
        if (cs[i].op == SIMDPOOL_MAX) {
            d.kernel_h = d.kernel_w = cs[i].k;
            d.stride_h = d.stride_w = cs[i].s;
            d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = cs[i].pad;
        }
        const size_t n = (size_t)(cs[i].c * cs[i].hw * cs[i].hw);
        float *x = malloc(n * 4), *y = malloc(n * 4);
        for (size_t j = 0; j < n; j++) x[j] = (float)((j * 7919) % 1000) * 0.001f - 0.5f;
        for (int v = 0; v < simdpool_variant_count(); v++) {
            if (!simdpool_variant_supported(v)) continue;
            simdpool_options o = {1, simdpool_variant_name(v), NULL};
            const char *what = simdpool_op_name(cs[i].op);
            feclearexcept(FE_ALL_EXCEPT);
            TU_CHECK(simdpool_pool(&d, &o, x, NULL, y, NULL) == SIMDPOOL_OK, "fp state %s: %s", what, simdpool_last_error());
            TU_CHECK(!fetestexcept(FE_INVALID), "fp state %s [%s]: finite data left the invalid flag raised", what,
                     simdpool_variant_name(v));
            feraiseexcept(FE_INVALID);
            simdpool_pool(&d, &o, x, NULL, y, NULL);
            TU_CHECK(fetestexcept(FE_INVALID), "fp state %s [%s]: the caller's invalid flag was cleared", what,
                     simdpool_variant_name(v));
            x[n / 3] = NAN;
            fesetround(FE_UPWARD);
            simdpool_pool(&d, &o, x, NULL, y, NULL);
            TU_CHECK(fegetround() == FE_UPWARD, "fp state %s [%s]: the rounding mode changed", what,
                     simdpool_variant_name(v));
            fesetround(FE_TONEAREST);
            x[n / 3] = 0.25f;
        }
        feclearexcept(FE_ALL_EXCEPT);
        free(x), free(y);
    }
}

int main(void)
{
    test_max();
    test_fp_state();
    test_avg_sum();
    test_lp_stochastic();
    test_global_adaptive_masked();
    test_shapes();
    printf("hand-computed cases per op (each run on every usable variant, both layouts):\n");
    for (int i = 0; i < SIMDPOOL_OP_COUNT; i++)
        printf("  %-13s %d\n", simdpool_op_name((simdpool_op)i), cases_per_op[i]);
    return tu_finish("test_semantics");
}
