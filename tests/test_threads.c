/* Threads: 1, 2, 3 and 7 OpenMP threads give bit-identical outputs for every op and layout with
 * the default variant and every variant this CPU runs, on 3x3 s2 p1, 3x3 s1 p1 and 2x2 s2
 * windows (the specialised kernels);
 * several POSIX threads may run one plan at once. SIMDPOOL_GRAIN=1 makes every plan fork, so
 * slices start on odd and even rows and planes alike. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { N = 2, C = 48, H = 41, W = 37 };
static float in[N * C * H * W];
static uint8_t mask[N * H * W];

/* Windows: 0 = 3x3 s2 p1, 1 = 3x3 s1 p1, 2 = 2x2 s2 (Lp: no padding). */
static simdpool_desc make(int op, int lay, int win, int small)
{
    /* 14x14: the NCHW kernels for narrow rows (2x2 s2 and 3x3 s2 walk several planes at once). */
    simdpool_desc d = simdpool_desc_default((simdpool_op)op, (simdpool_layout)lay, N, C, small ? 14 : H, small ? 14 : W);
    if (op <= SIMDPOOL_STOCHASTIC) {
        const int k = win == 2 ? 2 : 3, pad = win != 2 && op != SIMDPOOL_LP;
        d.kernel_h = d.kernel_w = k, d.stride_h = d.stride_w = win == 1 ? 1 : 2;
        d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = pad;
    }
    if (op == SIMDPOOL_ADAPTIVE_AVG || op == SIMDPOOL_ADAPTIVE_MAX) d.out_h = 5, d.out_w = 7;
    /* Global: 7x7 maps and 144 channels reach the kernels for net tails (plane blocks on one
     * vector grid, channel blocks of 128 and more). */
    if (small && (op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_GLOBAL_AVG || op == SIMDPOOL_GLOBAL_SUM))
        d.c = 144, d.h = d.w = 7;
    if (op == SIMDPOOL_MASKED_MEAN || op == SIMDPOOL_MASKED_MAX) d.w = 1, d.h = H * W / 8;
    return d;
}

typedef struct job {
    const simdpool_plan *p;
    float *out;
    int64_t *idx;
    int masked;
    simdpool_status s;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    for (int r = 0; r < 20; r++)
        j->s = j->masked ? simdpool_run_masked(j->p, in, mask, j->out) : simdpool_run(j->p, in, j->out, j->idx);
    return NULL;
}

int main(void)
{
    uint64_t s = 7;
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) in[i] = (float)tu_uniform(&s);
    for (size_t i = 0; i < sizeof mask; i++) mask[i] = tu_uniform(&s) < 0.8;
    size_t cap = (size_t)N * C * H * W;
    float *ref = malloc(cap * 4), *out = malloc(cap * 4);
    int64_t *rix = malloc(cap * 8), *ix = malloc(cap * 8);
    setenv("SIMDPOOL_GRAIN", "1", 1);
    /* v = -1: the default choice; then every variant this CPU runs, forced. */
    for (int v = -1; v < simdpool_variant_count(); v++)
    for (int op = 0; op < SIMDPOOL_OP_COUNT; op++)
        for (int lay = 0; lay < 2; lay++)
        for (int win = 0; win < (op <= SIMDPOOL_STOCHASTIC ? 3 : 1); win++)
        for (int sv = 0; sv < 4; sv++) {
            /* sv & 1: the 14x14 map; sv & 2: max-type ops without indices, which run the
             * values-only kernels (plain vmaxps and an exact redo of slices that saw a NaN) */
            const int small = sv & 1, values_only = sv >> 1;
            const int has_idx = op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX;
            if (v >= 0 && !simdpool_variant_supported(v)) continue;
            if (values_only && !has_idx) continue;
            simdpool_desc d = make(op, lay, win, small);
            int masked = op == SIMDPOOL_MASKED_MEAN || op == SIMDPOOL_MASKED_MAX;
            int want_idx = has_idx && !values_only;
            const int threads[] = {1, 2, 3, 7};
            simdpool_plan *p1 = NULL;
            for (int t = 0; t < 4; t++) {
                simdpool_options o = {threads[t], v < 0 ? NULL : simdpool_variant_name(v), NULL};
                simdpool_plan *p;
                simdpool_status st = simdpool_plan_create(&d, &o, &p);
                TU_CHECK(st == SIMDPOOL_OK, "%s plan: %s", simdpool_op_name(d.op), simdpool_last_error());
                if (st != SIMDPOOL_OK) continue;
                size_t n = simdpool_output_elems(p);
                float *dst = t ? out : ref;
                int64_t *dix = t ? ix : rix;
                memset(dst, 0xab, n * 4);
                st = masked ? simdpool_run_masked(p, in, mask, dst) : simdpool_run(p, in, dst, want_idx ? dix : NULL);
                TU_CHECK(st == SIMDPOOL_OK, "%s run: %s", simdpool_op_name(d.op), simdpool_last_error());
                if (t) {
                    TU_CHECK(!memcmp(ref, out, n * 4), "%s %s k%ds%d %lldx%lld: %d threads differ from 1 (%s)",
                             simdpool_op_name(d.op), simdpool_layout_name(d.layout), (int)d.kernel_h, (int)d.stride_h,
                             (long long)d.h, (long long)d.w, threads[t], simdpool_plan_variant(p));
                    TU_CHECK(!want_idx || !memcmp(rix, ix, n * 8), "%s %s: indices with %d threads differ",
                             simdpool_op_name(d.op), simdpool_layout_name(d.layout), threads[t]);
                    simdpool_plan_destroy(p);
                } else {
                    p1 = p;
                }
            }
            if (!p1) continue;
            if (v >= 0) { /* the shared-plan run below: once, with the default choice */
                simdpool_plan_destroy(p1);
                continue;
            }
            /* One plan, four POSIX threads at once (each with its own output). */
            size_t n = simdpool_output_elems(p1);
            job jobs[4];
            pthread_t th[4];
            for (int j = 0; j < 4; j++) {
                jobs[j] = (job){p1, malloc(n * 4), want_idx ? malloc(n * 8) : NULL, masked, SIMDPOOL_ERR_NULL};
                pthread_create(&th[j], NULL, run_job, &jobs[j]);
            }
            for (int j = 0; j < 4; j++) {
                pthread_join(th[j], NULL);
                TU_CHECK(jobs[j].s == SIMDPOOL_OK && !memcmp(jobs[j].out, ref, n * 4) &&
                             (!want_idx || !memcmp(jobs[j].idx, rix, n * 8)),
                         "%s %s: concurrent run %d differs", simdpool_op_name(d.op), simdpool_layout_name(d.layout), j);
                free(jobs[j].out);
                free(jobs[j].idx);
            }
            simdpool_plan_destroy(p1);
        }
    free(ref), free(out), free(rix), free(ix);
    return tu_finish("test_threads");
}
