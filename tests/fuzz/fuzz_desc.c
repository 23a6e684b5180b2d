/* libFuzzer: arbitrary descriptor values, extremes included. Every input must end in an error
 * status or a clean run (ASan/UBSan watch the run); an error must leave the output untouched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simdpool.h"

/* Field values: mostly small, sometimes an extreme, sometimes raw bytes. */
static int64_t pick(const uint8_t **d, size_t *n)
{
    static const int64_t special[] = {0, -1, 1, 2, 3, INT32_MAX, (int64_t)INT32_MAX + 1, INT64_MAX, INT64_MIN,
                                      (int64_t)1 << 32, (int64_t)1 << 40, -2};
    if (*n < 1) return 1;
    uint8_t b = **d;
    (*d)++, (*n)--;
    if (b < 200) return b % 9;
    if (b < 240) return special[b % 12];
    if (*n < 8) return b;
    int64_t v;
    memcpy(&v, *d, 8);
    *d += 8, *n -= 8;
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *d = data;
    size_t n = size;
    simdpool_desc s = simdpool_desc_default((simdpool_op)(pick(&d, &n) % 14 - 1), (simdpool_layout)(pick(&d, &n) % 3),
                                            pick(&d, &n), pick(&d, &n), pick(&d, &n), pick(&d, &n));
    s.kernel_h = pick(&d, &n), s.kernel_w = pick(&d, &n);
    s.stride_h = pick(&d, &n), s.stride_w = pick(&d, &n);
    s.pad_top = pick(&d, &n), s.pad_bottom = pick(&d, &n), s.pad_left = pick(&d, &n), s.pad_right = pick(&d, &n);
    s.dilation_h = pick(&d, &n), s.dilation_w = pick(&d, &n);
    s.ceil_mode = (int)pick(&d, &n), s.count_include_pad = (int)pick(&d, &n);
    s.divisor_override = pick(&d, &n);
    s.p = (float)pick(&d, &n) * 0.5f;
    s.seed = (uint64_t)pick(&d, &n);
    s.stochastic_mode = (simdpool_stochastic_mode)(pick(&d, &n) % 3);
    s.out_h = pick(&d, &n), s.out_w = pick(&d, &n);
    int want_idx = (int)(pick(&d, &n) & 1);
    int threads = (int)(pick(&d, &n) % 4);

    simdpool_options o = {threads, NULL, NULL};
    simdpool_plan *p;
    if (simdpool_plan_create(&s, &o, &p) != SIMDPOOL_OK) {
        if (p) abort(); /* a failed plan must come back NULL */
        return 0;
    }
    size_t in_n = simdpool_input_elems(p), out_n = simdpool_output_elems(p);
    if (in_n > (1u << 22) || out_n > (1u << 22)) { /* valid but too big to run here */
        simdpool_plan_destroy(p);
        return 0;
    }
    float *in = malloc(in_n * sizeof *in), *out = malloc(out_n * sizeof *out);
    int64_t *idx = malloc(out_n * sizeof *idx);
    uint8_t *mask = malloc((size_t)(s.n * s.h));
    for (size_t i = 0; i < in_n; i++) in[i] = (float)((i * 2654435761u) % 1000) * 0.01f;
    for (size_t i = 0; i < (size_t)(s.n * s.h); i++) mask[i] = (uint8_t)(i % 3 != 0);
    memset(out, 0x5a, out_n * sizeof *out);
    simdpool_status st = s.op == SIMDPOOL_MASKED_MEAN || s.op == SIMDPOOL_MASKED_MAX
                             ? simdpool_run_masked(p, in, mask, out)
                             : simdpool_run(p, in, out, want_idx ? idx : NULL);
    if (st != SIMDPOOL_OK)
        for (size_t i = 0; i < out_n * sizeof *out; i++)
            if (((uint8_t *)out)[i] != 0x5a) abort();
    free(in), free(out), free(idx), free(mask);
    simdpool_plan_destroy(p);
    return 0;
}
