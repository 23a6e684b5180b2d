/* libFuzzer, differential: a small problem and its input data from the fuzzer's bytes; every
 * usable variant must equal scalar. Inputs are multiples of 1/8 in [-16, 16) (plus NaN, +-inf
 * and -0 for max-type ops), so every window sum here is exact in float: sums must match
 * exactly, and divisions (a multiply by a reciprocal in some variants) within 2 ulp. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdpool.h"

static unsigned take(const uint8_t **d, size_t *n, unsigned mod)
{
    if (!*n) return 0;
    unsigned v = **d;
    (*d)++, (*n)--;
    return v % mod;
}

static int close_enough(simdpool_op op, int mode, float a, float b)
{
    if (isnan(a) && isnan(b)) return 1;
    if (!memcmp(&a, &b, 4)) return 1;
    int exact = op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX ||
                op == SIMDPOOL_MASKED_MAX || op == SIMDPOOL_SUM || op == SIMDPOOL_GLOBAL_SUM ||
                (op == SIMDPOOL_STOCHASTIC && mode == SIMDPOOL_STOCHASTIC_TRAIN);
    if (exact) return 0;
    float tol = op == SIMDPOOL_LP ? 1e-5f : 3 * 1.1920929e-7f;
    return fabsf(a - b) <= tol * fabsf(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *d = data;
    size_t n = size;
    simdpool_op op = (simdpool_op)take(&d, &n, SIMDPOOL_OP_COUNT);
    simdpool_desc s = simdpool_desc_default(op, (simdpool_layout)take(&d, &n, 2), 1 + take(&d, &n, 3),
                                            1 + take(&d, &n, 20), 1 + take(&d, &n, 24), 1 + take(&d, &n, 24));
    s.kernel_h = 1 + take(&d, &n, 5), s.kernel_w = 1 + take(&d, &n, 5);
    s.stride_h = 1 + take(&d, &n, 3), s.stride_w = 1 + take(&d, &n, 3);
    s.dilation_h = 1 + take(&d, &n, 2), s.dilation_w = 1 + take(&d, &n, 2);
    s.pad_top = take(&d, &n, 3), s.pad_bottom = take(&d, &n, 3), s.pad_left = take(&d, &n, 3), s.pad_right = take(&d, &n, 3);
    s.ceil_mode = (int)take(&d, &n, 2), s.count_include_pad = (int)take(&d, &n, 2);
    s.divisor_override = take(&d, &n, 4);
    s.p = (float)(1 + take(&d, &n, 3));
    s.stochastic_mode = (simdpool_stochastic_mode)take(&d, &n, 2);
    s.seed = take(&d, &n, 256);
    s.out_h = 1 + take(&d, &n, 8), s.out_w = 1 + take(&d, &n, 8);
    if (op == SIMDPOOL_MASKED_MEAN || op == SIMDPOOL_MASKED_MAX) s.w = 1;
    if (op == SIMDPOOL_LP) s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = 0, s.dilation_h = s.dilation_w = 1;
    simdpool_options so = {1, "scalar", NULL};
    simdpool_plan *ref;
    if (simdpool_plan_create(&s, &so, &ref) != SIMDPOOL_OK) return 0;
    size_t in_n = simdpool_input_elems(ref), out_n = simdpool_output_elems(ref);
    float *in = malloc(in_n * 4), *y0 = malloc(out_n * 4), *y1 = malloc(out_n * 4);
    int64_t *i0 = malloc(out_n * 8), *i1 = malloc(out_n * 8);
    uint8_t *mask = malloc((size_t)(s.n * s.h));
    int maxlike = op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX || op == SIMDPOOL_MASKED_MAX;
    int nonneg = op == SIMDPOOL_STOCHASTIC || op == SIMDPOOL_LP;
    for (size_t i = 0; i < in_n; i++) {
        unsigned b = take(&d, &n, 256);
        float v = ((float)b - 128.0f) * 0.125f;
        if (maxlike && b >= 250) v = (float[]){NAN, INFINITY, -INFINITY, -0.0f, 0.0f, NAN}[b - 250];
        in[i] = nonneg ? fabsf(v) : v;
    }
    for (size_t i = 0; i < (size_t)(s.n * s.h); i++) mask[i] = (uint8_t)take(&d, &n, 2);
    int masked = op == SIMDPOOL_MASKED_MEAN || op == SIMDPOOL_MASKED_MAX;
    int with_idx = op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX;
    if ((masked ? simdpool_run_masked(ref, in, mask, y0) : simdpool_run(ref, in, y0, with_idx ? i0 : NULL)) != SIMDPOOL_OK)
        abort();
    for (int v = 0; v < simdpool_variant_count(); v++) {
        if (!simdpool_variant_supported(v)) continue;
        simdpool_options vo = {1, simdpool_variant_name(v), NULL};
        simdpool_plan *p;
        if (simdpool_plan_create(&s, &vo, &p) != SIMDPOOL_OK) abort();
        if ((masked ? simdpool_run_masked(p, in, mask, y1) : simdpool_run(p, in, y1, with_idx ? i1 : NULL)) != SIMDPOOL_OK)
            abort();
        for (size_t i = 0; i < out_n; i++)
            if (!close_enough(op, s.stochastic_mode, y0[i], y1[i]) || (with_idx && i0[i] != i1[i])) {
                fprintf(stderr, "mismatch: %s %s variant %s at %zu: %.9g [%lld] vs scalar %.9g [%lld]\n",
                        simdpool_op_name(op), simdpool_layout_name(s.layout), simdpool_plan_variant(p), i,
                        (double)y1[i], with_idx ? (long long)i1[i] : 0LL, (double)y0[i],
                        with_idx ? (long long)i0[i] : 0LL);
                abort();
            }
        simdpool_plan_destroy(p);
    }
    simdpool_plan_destroy(ref);
    free(in), free(y0), free(y1), free(i0), free(i1), free(mask);
    return 0;
}
