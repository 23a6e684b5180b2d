/* The sweeps: which problems are timed at each level, and the command-line filters.
 *
 * Shapes are the (channels, size) pairs real CNNs have at each resolution (ResNet/VGG:
 * 64@224 .. 512@7, ResNet-50's 2048@7), plus the stems and blocks people ask about:
 * ResNet's 3x3 s2 p1 max pool on 64@112, Inception's 3x3 s1 p1 avg pool on 192@28, and the
 * 5x5 s1 p2 max pool of YOLO's SPPF block. */
#define _POSIX_C_SOURCE 200809L /* sysconf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

spb_sweep spb;

typedef struct shape { int64_t c, hw; } shape;
typedef struct win { int k, s, p; } win;

static const shape net_shapes[] = {{64, 224}, {128, 112}, {256, 56}, {512, 28}, {512, 14}, {512, 7}, {2048, 7}};
#define NSHAPES (int)(sizeof net_shapes / sizeof net_shapes[0])

int spb_ncores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Is item in the comma list? An empty or NULL list holds everything. */
static int listed(const char *list, const char *item)
{
    if (!list || !*list) return 1;
    size_t l = strlen(item);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == l && !strncmp(p, item, l)) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static int listed_int(const char *list, int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", (long long)v);
    return listed(list, b);
}

static const spb_options *opt;

#define MAX_THREAD_COUNTS 16

/* The thread counts to run, ascending, without repeats: 1 and all cores by default; --threads
 * may name any counts ("all": every core; more threads than cores oversubscribe, as asked). */
static int thread_counts(int *thr)
{
    const int cores = spb_ncores();
    int n = 0;
    if (opt->threads_one_only) {
        thr[n++] = 1;
        return n;
    }
    if (!opt->threads || !*opt->threads) {
        thr[n++] = 1;
        if (cores > 1) thr[n++] = cores;
        return n;
    }
    for (const char *p = opt->threads; *p && n < MAX_THREAD_COUNTS;) {
        const char *e = strchr(p, ',');
        int v = !strncmp(p, "all", 3) && (p[3] == ',' || !p[3]) ? cores : atoi(p);
        int seen = 0;
        for (int i = 0; i < n; i++) seen |= thr[i] == v;
        if (v >= 1 && !seen) {
            int i = n++;
            for (; i > 0 && thr[i - 1] > v; i--) thr[i] = thr[i - 1];
            thr[i] = v;
        }
        if (!e) break;
        p = e + 1;
    }
    return n;
}

static void add(simdpool_desc d, const char *params)
{
    if (!listed(opt->ops, simdpool_op_name(d.op)) || !listed(opt->layouts, simdpool_layout_name(d.layout)) ||
        !listed_int(opt->batches, d.n))
        return;
    int is_masked = d.op == SIMDPOOL_MASKED_MEAN || d.op == SIMDPOOL_MASKED_MAX;
    if (!is_masked && !listed_int(opt->sizes, d.h)) return;
    int thr[MAX_THREAD_COUNTS];
    const int nthr = thread_counts(thr);
    const spb_data uniform_only[1] = {SPB_DATA_UNIFORM};
    const spb_data *kinds = opt->ndata ? opt->data : uniform_only;
    const int nkinds = opt->ndata ? opt->ndata : 1;
    /* The kinds of a problem are adjacent cases, so each is timed right after the others. */
    for (int t = 0; t < nthr * nkinds; t++) {
        simdpool_plan *pl;
        if (simdpool_plan_create(&d, &(simdpool_options){1, "scalar", NULL}, &pl) != SIMDPOOL_OK) {
            fprintf(stderr, "simdpool-bench: skipping a case: %s\n", simdpool_last_error());
            return;
        }
        if (spb.ncases == spb.capc) {
            spb.capc = spb.capc ? 2 * spb.capc : 256;
            spb.cases = realloc(spb.cases, (size_t)spb.capc * sizeof *spb.cases);
            if (!spb.cases) abort();
        }
        spb_case *c = &spb.cases[spb.ncases++];
        memset(c, 0, sizeof *c);
        c->d = d;
        c->threads = thr[t / nkinds];
        c->data = kinds[t % nkinds];
        c->in_elems = simdpool_input_elems(pl);
        c->out_elems = simdpool_output_elems(pl);
        c->roof = -1;
        snprintf(c->cls, sizeof c->cls, "%s", simdpool_plan_class(pl));
        simdpool_plan_destroy(pl);
        if (is_masked)
            snprintf(c->shape, sizeof c->shape, "b%lldt%lldd%lld", (long long)d.n, (long long)d.h, (long long)d.c);
        else
            snprintf(c->shape, sizeof c->shape, "n%lldc%lldh%lldw%lld", (long long)d.n, (long long)d.c,
                     (long long)d.h, (long long)d.w);
        snprintf(c->params, sizeof c->params, "%s", params);
        if (c->in_elems > spb.max_in) spb.max_in = c->in_elems;
        if (c->out_elems > spb.max_out) spb.max_out = c->out_elems;
        if (is_masked && (size_t)(d.n * d.h) > spb.max_mask) spb.max_mask = (size_t)(d.n * d.h);
        if (t % nkinds == nkinds - 1) { /* the kinds of this thread count are in: link them */
            int first = spb.ncases - nkinds, u = -1;
            for (int k = first; k < spb.ncases; k++)
                if (spb.cases[k].data == SPB_DATA_UNIFORM) u = k;
            for (int k = first; k < spb.ncases; k++) spb.cases[k].uniform_ci = u;
        }
    }
}

static void add_window(simdpool_op op, simdpool_layout l, int64_t n, shape s, win w)
{
    simdpool_desc d = simdpool_desc_default(op, l, n, s.c, s.hw, s.hw);
    d.kernel_h = d.kernel_w = w.k;
    d.stride_h = d.stride_w = w.s;
    if (op == SIMDPOOL_LP) w.p = 0; /* PyTorch's lp_pool2d has no padding */
    d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = w.p;
    if (op == SIMDPOOL_STOCHASTIC) d.stochastic_mode = SIMDPOOL_STOCHASTIC_INFER;
    char params[24];
    snprintf(params, sizeof params, "k%ds%dp%d", w.k, w.s, w.p);
    add(d, params);
}

static void add_global(simdpool_op op, simdpool_layout l, int64_t n, shape s)
{
    add(simdpool_desc_default(op, l, n, s.c, s.hw, s.hw), "-");
}

static void add_adaptive(simdpool_op op, simdpool_layout l, int64_t n, shape s, int64_t o)
{
    simdpool_desc d = simdpool_desc_default(op, l, n, s.c, s.hw, s.hw);
    d.out_h = d.out_w = o;
    char params[24];
    snprintf(params, sizeof params, "o%lldx%lld", (long long)o, (long long)o);
    add(d, params);
}

static void add_masked(simdpool_op op, int64_t b, int64_t t, int64_t dim)
{
    add(simdpool_desc_default(op, SIMDPOOL_NHWC, b, dim, t, 1), "-");
}

/* Sentence embeddings: batch 1..64, sequence 16..512 tokens, widths of MiniLM/BERT-base/large. */
static void add_seq_sweep(void)
{
    const int64_t bs[] = {1, 8, 32, 64}, ts[] = {16, 128, 512}, ds[] = {384, 768, 1024};
    for (int op = SIMDPOOL_MASKED_MEAN; op <= SIMDPOOL_MASKED_MAX; op++)
        for (int b = 0; b < 4; b++)
            for (int t = 0; t < 3; t++)
                for (int d = 0; d < 3; d++) add_masked((simdpool_op)op, bs[b], ts[t], ds[d]);
}

int spb_build_cases(const spb_options *o)
{
    opt = o;
    const simdpool_layout layouts[] = {SIMDPOOL_NCHW, SIMDPOOL_NHWC};
    const shape stem = {64, 112}, incep = {192, 28};
    const win k2s2 = {2, 2, 0}, k3s2p1 = {3, 2, 1}, k3s1p1 = {3, 1, 1}, sppf = {5, 1, 2};
    if (o->level == 0) {
        /* quick: the headline cases, for `meson test --benchmark`. */
        for (int li = 0; li < 2; li++) {
            simdpool_layout l = layouts[li];
            add_window(SIMDPOOL_MAX, l, 1, (shape){256, 56}, k2s2);
            add_window(SIMDPOOL_MAX, l, 1, (shape){512, 14}, k2s2);
            add_window(SIMDPOOL_MAX, l, 1, stem, k3s2p1);
            add_window(SIMDPOOL_AVG, l, 1, incep, k3s1p1);
            add_global(SIMDPOOL_GLOBAL_AVG, l, 1, (shape){2048, 7});
        }
    } else if (o->level == 1) {
        for (int li = 0; li < 2; li++) {
            simdpool_layout l = layouts[li];
            for (int op = SIMDPOOL_MAX; op <= SIMDPOOL_AVG; op++) {
                for (int s = 0; s < NSHAPES; s++) add_window((simdpool_op)op, l, 1, net_shapes[s], k2s2);
                for (int s = 0; s < NSHAPES; s++) add_window((simdpool_op)op, l, 1, net_shapes[s], k3s2p1);
                add_window((simdpool_op)op, l, 1, stem, k3s2p1);
                add_window((simdpool_op)op, l, 1, incep, k3s1p1);
                for (int s = 2; s < NSHAPES - 1; s++)
                    if (s != 3) add_window((simdpool_op)op, l, 1, net_shapes[s], k3s1p1);
            }
            add_window(SIMDPOOL_MAX, l, 1, (shape){256, 20}, sppf);
            for (int op = SIMDPOOL_SUM; op <= SIMDPOOL_STOCHASTIC; op++) {
                add_window((simdpool_op)op, l, 1, (shape){128, 112}, k2s2);
                add_window((simdpool_op)op, l, 1, (shape){512, 14}, k3s1p1);
            }
            for (int op = SIMDPOOL_GLOBAL_MAX; op <= SIMDPOOL_GLOBAL_AVG; op++) {
                add_global((simdpool_op)op, l, 1, (shape){512, 7});
                add_global((simdpool_op)op, l, 1, (shape){2048, 7});
                add_global((simdpool_op)op, l, 1, (shape){512, 14});
            }
            add_adaptive(SIMDPOOL_ADAPTIVE_AVG, l, 1, (shape){512, 28}, 7);
            add_adaptive(SIMDPOOL_ADAPTIVE_MAX, l, 1, (shape){256, 13}, 6);
        }
        add_masked(SIMDPOOL_MASKED_MEAN, 8, 128, 768);
        add_masked(SIMDPOOL_MASKED_MAX, 8, 128, 768);
    } else if (o->level == 3) {
        add_seq_sweep();
    } else {
        const win wins[] = {{2, 2, 0}, {2, 2, 1}, {2, 1, 0}, {2, 1, 1}, {3, 2, 0}, {3, 2, 1}, {3, 1, 0}, {3, 1, 1}, {5, 1, 2}};
        const int64_t batches[] = {1, 8};
        for (int bi = 0; bi < 2; bi++)
            for (int li = 0; li < 2; li++) {
                simdpool_layout l = layouts[li];
                int64_t n = batches[bi];
                for (int op = SIMDPOOL_MAX; op <= SIMDPOOL_STOCHASTIC; op++) {
                    for (int w = 0; w < (int)(sizeof wins / sizeof wins[0]); w++) {
                        for (int s = 0; s < NSHAPES; s++) add_window((simdpool_op)op, l, n, net_shapes[s], wins[w]);
                    }
                    add_window((simdpool_op)op, l, n, stem, k3s2p1);
                    add_window((simdpool_op)op, l, n, incep, k3s1p1);
                    add_window((simdpool_op)op, l, n, (shape){256, 20}, sppf);
                }
                for (int op = SIMDPOOL_GLOBAL_MAX; op <= SIMDPOOL_GLOBAL_SUM; op++)
                    for (int s = 0; s < NSHAPES; s++) add_global((simdpool_op)op, l, n, net_shapes[s]);
                for (int op = SIMDPOOL_ADAPTIVE_AVG; op <= SIMDPOOL_ADAPTIVE_MAX; op++)
                    for (int s = 0; s < NSHAPES; s++) {
                        add_adaptive((simdpool_op)op, l, n, net_shapes[s], 7);
                        add_adaptive((simdpool_op)op, l, n, net_shapes[s], 6);
                    }
            }
        add_seq_sweep();
    }
    return spb.ncases;
}
