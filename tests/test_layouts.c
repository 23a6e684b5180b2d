/* NCHW and NHWC agree: the same random problem in both layouts, with the same variant, gives
 * the same numbers and indices. Bit for bit for scalar (each output is the same sequence of
 * operations) and for max-type ops everywhere; SIMD sums may associate differently per layout,
 * so they get a rounding allowance (inputs are multiples of 1/8 in [-2.5, 2.5]). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int main(void)
{
    uint64_t s = 2026;
    long cases = 0;
    for (int v = 0; v < simdpool_variant_count(); v++) {
        if (!simdpool_variant_supported(v)) continue;
        for (int op = 0; op < SIMDPOOL_OP_COUNT; op++) {
            if (op == SIMDPOOL_MASKED_MEAN || op == SIMDPOOL_MASKED_MAX) continue; /* [B,T,D] only */
            for (int it = 0; it < 60; it++) {
                int64_t n = tu_range(&s, 1, 2), c = tu_range(&s, 1, 40), h = tu_range(&s, 1, 30), w = tu_range(&s, 1, 30);
                simdpool_desc d = simdpool_desc_default((simdpool_op)op, SIMDPOOL_NCHW, n, c, h, w);
                if (op <= SIMDPOOL_STOCHASTIC) {
                    d.kernel_h = tu_range(&s, 1, 4), d.kernel_w = tu_range(&s, 1, 4);
                    d.stride_h = tu_range(&s, 1, 3), d.stride_w = tu_range(&s, 1, 3);
                    if (op != SIMDPOOL_LP) d.pad_top = d.kernel_h / 2, d.pad_right = d.kernel_w / 2;
                    d.ceil_mode = (int)tu_range(&s, 0, 1);
                    d.count_include_pad = (int)tu_range(&s, 0, 1);
                    d.stochastic_mode = (simdpool_stochastic_mode)tu_range(&s, 0, 1);
                }
                d.out_h = tu_range(&s, 1, h), d.out_w = tu_range(&s, 1, w);
                int64_t oh, ow;
                if (simdpool_output_shape(&d, &oh, &ow) != SIMDPOOL_OK) continue;
                size_t in_n = (size_t)(n * c * h * w), out_n = (size_t)(n * c * oh * ow);
                float *a = malloc(in_n * 4), *b = malloc(in_n * 4), *ya = malloc(out_n * 4), *yb = malloc(out_n * 4);
                int64_t *ia = malloc(out_n * 8), *ib = malloc(out_n * 8);
                for (size_t i = 0; i < in_n; i++) {
                    a[i] = (float)tu_range(&s, -20, 20) * 0.125f;
                    if (op == SIMDPOOL_STOCHASTIC || op == SIMDPOOL_LP) a[i] = fabsf(a[i]);
                    if (op == SIMDPOOL_MAX && tu_uniform(&s) < 0.02) a[i] = NAN;
                }
                for (int64_t q = 0; q < n * c; q++) /* NCHW -> NHWC */
                    for (int64_t i = 0; i < h * w; i++) b[((q / c) * h * w + i) * c + q % c] = a[q * h * w + i];
                int idx = op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX;
                simdpool_options o = {1, simdpool_variant_name(v), NULL};
                simdpool_status s1 = simdpool_pool(&d, &o, a, NULL, ya, idx ? ia : NULL);
                d.layout = SIMDPOOL_NHWC;
                simdpool_status s2 = simdpool_pool(&d, &o, b, NULL, yb, idx ? ib : NULL);
                TU_CHECK(s1 == SIMDPOOL_OK && s2 == SIMDPOOL_OK, "%s: %s", simdpool_op_name(d.op), simdpool_last_error());
                int ok = 1;
                for (int64_t q = 0; q < n * c && ok; q++)
                    for (int64_t i = 0; i < oh * ow && ok; i++) {
                        size_t x = (size_t)(q * oh * ow + i), y = (size_t)(((q / c) * oh * ow + i) * c + q % c);
                        int exact = !strcmp(simdpool_variant_name(v), "scalar") || op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX ||
                                    op == SIMDPOOL_ADAPTIVE_MAX ||
                                    (op == SIMDPOOL_STOCHASTIC && d.stochastic_mode == SIMDPOOL_STOCHASTIC_TRAIN);
                        ok = (tu_same(ya[x], yb[y]) || (!exact && fabsf(ya[x] - yb[y]) <= 1e-4f * (1 + fabsf(ya[x])))) &&
                             (!idx || ia[x] == ib[y]);
                    }
                TU_CHECK(ok, "%s %s: NCHW and NHWC differ (n=%lld c=%lld h=%lld w=%lld k=%lldx%lld s=%lldx%lld)",
                         simdpool_variant_name(v), simdpool_op_name(d.op), (long long)n, (long long)c, (long long)h,
                         (long long)w, (long long)d.kernel_h, (long long)d.kernel_w, (long long)d.stride_h,
                         (long long)d.stride_w);
                cases++;
                free(a), free(b), free(ya), free(yb), free(ia), free(ib);
            }
        }
    }
    printf("test_layouts: %ld problems\n", cases);
    return tu_finish("test_layouts");
}
