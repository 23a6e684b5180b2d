/* The timed bodies (simdpool variants, peers, the roofline), their data, and registration.
 *
 * Timing: Google Benchmark drives the loop; inside it the body also takes its own samples
 * (batches of iterations of at least ~5 us, so the clock read costs < 1%) and reports their
 * median, which is what the tables use: on a shared machine a median shrugs off the odd
 * preempted iteration that would move a mean. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, regex */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "gbench.h"
#include "peers.h"
#include "stream.h"

static float *g_in[SPB_DATA_COUNT], *g_out, *g_ref;
static uint8_t *g_mask;
static int g_ref_case = -1, g_ref_excl = -1;

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "simdpool-bench: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

/* A tensor buffer: 64-byte aligned, as PyTorch's CPU allocator, oneDNN and XNNPACK give
 * their tensors (malloc puts large blocks 16 bytes past a line, so every 64-byte load would
 * split two lines), then moved spb.offset floats on, to time unaligned tensors on request. */
static float *tensor_alloc(size_t n)
{
    const size_t bytes = ((n + (size_t)spb.offset) * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes ? bytes : 64);
    if (!p) {
        fprintf(stderr, "simdpool-bench: out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p + spb.offset;
}

/* The input of kind k (data.c), one buffer per kind, filled on first use. Uniform's values are
 * non-negative and finite (stochastic pooling requires them), distinct enough that a wrong tap
 * or a wrong divisor shows. */
const float *spb_input(spb_data k)
{
    if (!g_in[k]) {
        g_in[k] = tensor_alloc(spb.max_in);
        spb_data_fill(k, g_in[k], spb.max_in);
    }
    return g_in[k];
}

/* Each sequence keeps a random-length prefix of its tokens, as padded NLP batches do. */
const uint8_t *spb_mask(void)
{
    if (!g_mask) {
        g_mask = xmalloc(spb.max_mask ? spb.max_mask : 1);
        for (size_t i = 0; i < spb.max_mask; i++) g_mask[i] = 1;
    }
    return g_mask;
}

static void fill_mask(const spb_case *c)
{
    uint8_t *m = (uint8_t *)spb_mask();
    for (int64_t b = 0; b < c->d.n; b++) {
        int64_t keep = c->d.h - (b * 37) % (c->d.h / 2 + 1);
        for (int64_t t = 0; t < c->d.h; t++) m[b * c->d.h + t] = t < keep;
    }
}

static float *out_buf(void)
{
    if (!g_out) g_out = tensor_alloc(spb.max_out);
    return g_out;
}

static int is_masked(simdpool_op op) { return op == SIMDPOOL_MASKED_MEAN || op == SIMDPOOL_MASKED_MAX; }

static simdpool_status run_plan(const simdpool_plan *p, const spb_case *c, float *out)
{
    return is_masked(c->d.op) ? simdpool_run_masked(p, spb_input(c->data), spb_mask(), out)
                              : simdpool_run(p, spb_input(c->data), out, NULL);
}

/* simdpool's scalar result for case ci (exclude_pad: with count_include_pad = 0, the divisor
 * XNNPACK uses). One case is cached: a case's jobs run one after another. */
const float *spb_reference(int ci, int exclude_pad)
{
    if (ci == g_ref_case && exclude_pad == g_ref_excl) return g_ref;
    if (!g_ref) g_ref = xmalloc(spb.max_out * sizeof *g_ref);
    const spb_case *c = &spb.cases[ci];
    simdpool_desc d = c->d;
    if (exclude_pad) d.count_include_pad = 0;
    simdpool_plan *p;
    if (is_masked(d.op)) fill_mask(c);
    if (simdpool_plan_create(&d, &(simdpool_options){1, "scalar", NULL}, &p) != SIMDPOOL_OK ||
        run_plan(p, c, g_ref) != SIMDPOOL_OK) {
        fprintf(stderr, "simdpool-bench: scalar reference failed: %s\n", simdpool_last_error());
        exit(1);
    }
    simdpool_plan_destroy(p);
    g_ref_case = ci;
    g_ref_excl = exclude_pad;
    return g_ref;
}

/* Max-like results must be bit-exact (the sign of a zero included; any NaN for a NaN); sums
 * may differ by rounding (a different summation order), bounded well below any real error. */
int spb_compare(const spb_case *c, const float *got, const float *ref, char *msg, size_t n)
{
    simdpool_op op = c->d.op;
    int exact = op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX ||
                op == SIMDPOOL_MASKED_MAX ||
                (op == SIMDPOOL_STOCHASTIC && c->d.stochastic_mode == SIMDPOOL_STOCHASTIC_TRAIN);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < c->out_elems; i++) {
        float g = got[i], r = ref[i];
        int ok = (isnan(g) && isnan(r)) ||
                 (exact ? !memcmp(&g, &r, sizeof g) : g == r || fabsf(g - r) <= 1e-5f + 1e-4f * fabsf(r));
        if (!ok && !bad++) first = i;
    }
    if (!bad) return 1;
    snprintf(msg, n, "mismatch vs scalar: %zu of %zu outputs differ, first at %zu: %g vs %g", bad,
             c->out_elems, first, (double)got[first], (double)ref[first]);
    return 0;
}

/* ---- the timing loop ---- */

typedef void (*work_fn)(void *arg);

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct roof_arg { const float *in; size_t nin; float *out; size_t nout; int threads; } roof_arg;
static void roof_work(void *a)
{
    roof_arg *r = a;
    spb_stream(r->in, r->nin, r->out, r->nout, r->threads);
}

/* Cases of at least this many bytes pair every timed sample with a roofline pass (below). */
#define PAIR_BYTES (1u << 20)

static void timed(gb_state *st, spb_job *j, work_fn fn, void *arg)
{
    const spb_case *c = &spb.cases[j->ci];
    double bytes = (double)(c->in_elems + c->out_elems) * sizeof(float);
    int64_t batch = j->est_ns > 0 && j->est_ns < 5000 ? (int64_t)(5000 / j->est_ns) + 1 : 1;
    size_t cap = (size_t)(gb_max_iterations(st) / batch) + 2, ns = 0;
    double *samples = xmalloc(2 * cap * sizeof *samples), *rs = samples + cap;
    /* Tensors larger than L2 stream from L3 or DRAM, whose bandwidth the host's other tenants
     * move by up to 2-3x from one second to the next: a roofline timed before the case can be
     * from another regime than the case itself. So after each sample, untimed by Google
     * Benchmark, one roofline pass over the same buffers is timed, and % roof compares the
     * two medians taken over the same seconds. */
    /* Not for XNNPACK on several threads: the pass's OpenMP threads spin on after it (libgomp's
     * default wait policy) while pthreadpool's threads want the same cores, and both ran up to
     * 30x slower (16 cores: 8 ms per 56^2 call against 0.3 ms on one thread). Unpaired, its
     * samples follow each other and the spinning stops after the first. */
    int pair = j->kind != SPB_ROOF && !(j->kind == SPB_XNNPACK && c->threads > 1) && c->roof >= 0 &&
               bytes >= PAIR_BYTES;
    const int rthreads = c->roof >= 0 && spb.jobs[c->roof].roof_threads ? spb.jobs[c->roof].roof_threads : c->threads;
    roof_arg ra = {spb_input(c->data), c->in_elems, out_buf(), c->out_elems, rthreads};
    int64_t k = 0;
    double t0 = now_ns();
    while (gb_keep_running(st)) {
        fn(arg);
        if (++k == batch) {
            double t = now_ns();
            if (ns < cap) {
                samples[ns] = (t - t0) / (double)batch;
                if (pair) {
                    gb_pause_timing(st);
                    roof_work(&ra);
                    double t2 = now_ns();
                    rs[ns] = t2 - t;
                    gb_resume_timing(st);
                    t = now_ns();
                }
                ns++;
            }
            t0 = t;
            k = 0;
        }
    }
    if (!ns) pair = 0, samples[ns++] = (now_ns() - t0) / (double)(k ? k : 1);
    double med = median(samples, ns), rmed = pair ? median(rs, ns) : NAN;
    free(samples);
    j->est_ns = j->last_median = med;

    /* Bytes: the input read once and the output written once (the roofline's traffic);
     * outputs: output elements. Google Benchmark's own bytes_per_second/items_per_second come
     * from its mean time; the counters below come from the median. */
    int64_t it = gb_iterations(st);
    gb_set_bytes_processed(st, (int64_t)(bytes * (double)it));
    gb_set_items_processed(st, (int64_t)c->out_elems * it);
    gb_set_counter(st, "median_ns", med, GB_COUNTER_PLAIN);
    gb_set_counter(st, "GB/s", bytes / med, GB_COUNTER_PLAIN);
    gb_set_counter(st, "outputs/s", (double)c->out_elems / med * 1e9, GB_COUNTER_PLAIN);
    /* % of roofline: the time the stream kernel needs for the same bytes on the same threads,
     * over this job's time. 100% means the kernel moves its bytes as fast as a plain
     * read-once/write-once pass; above 100% is possible only where the roofline's own loop
     * is the bottleneck (tiny, in-L1 cases). */
    if (pair) {
        gb_set_counter(st, "roof_ns", rmed, GB_COUNTER_PLAIN);
        gb_set_counter(st, "%roof", 100.0 * rmed / med, GB_COUNTER_PLAIN);
    } else if (j->kind != SPB_ROOF && c->roof >= 0 && spb.jobs[c->roof].last_median > 0) {
        gb_set_counter(st, "%roof", 100.0 * spb.jobs[c->roof].last_median / med, GB_COUNTER_PLAIN);
    }
}

/* ---- bodies ---- */

/* With several threads the roofline is the better of one thread and all of them: a fork
 * costs microseconds, so small cases are faster on one, as the library's driver knows. */
static void body_roof(gb_state *st, void *ctx)
{
    spb_job *j = ctx;
    const spb_case *c = &spb.cases[j->ci];
    roof_arg a = {spb_input(SPB_DATA_UNIFORM), c->in_elems, out_buf(), c->out_elems, c->threads};
    if (c->threads > 1) {
        double best[2] = {INFINITY, INFINITY};
        int reps = c->in_elems > (1u << 22) ? 5 : 40;
        for (int r = 0; r < reps; r++)
            for (int k = 0; k < 2; k++) {
                a.threads = k ? c->threads : 1;
                double t0 = now_ns();
                roof_work(&a);
                double t = now_ns() - t0;
                if (t < best[k]) best[k] = t;
            }
        a.threads = best[1] < best[0] ? c->threads : 1;
    }
    j->roof_threads = a.threads;
    char label[64];
    snprintf(label, sizeof label, "read in once + write out once, %d thread%s", a.threads, a.threads > 1 ? "s" : "");
    gb_set_label(st, label);
    timed(st, j, roof_work, &a);
}

typedef struct plan_arg { const simdpool_plan *p; const spb_case *c; float *out; } plan_arg;
static void plan_work(void *a)
{
    plan_arg *r = a;
    run_plan(r->p, r->c, r->out);
}

static void fail(gb_state *st, spb_job *j, const char *msg)
{
    snprintf(j->err, sizeof j->err, "%s", msg);
    gb_skip_with_error(st, j->err);
}

static void body_simdpool(gb_state *st, void *ctx)
{
    spb_job *j = ctx;
    const spb_case *c = &spb.cases[j->ci];
    simdpool_options o = {c->threads, NULL, NULL};
    if (strcmp(j->variant, "auto") && strcmp(j->variant, "tuned")) o.variant = j->variant;
    if (!strcmp(j->variant, "tuned")) o.tuning_file = j->tuning;
    simdpool_plan *p;
    if (simdpool_plan_create(&c->d, &o, &p) != SIMDPOOL_OK) {
        fail(st, j, simdpool_last_error());
        return;
    }
    snprintf(j->kernel, sizeof j->kernel, "%s", simdpool_plan_variant(p));
    gb_set_label(st, j->kernel);
    const float *ref = spb_reference(j->ci, 0);
    float *out = out_buf();
    char msg[160];
    if (run_plan(p, c, out) != SIMDPOOL_OK) {
        fail(st, j, simdpool_last_error());
    } else if (!spb_compare(c, out, ref, msg, sizeof msg)) {
        fail(st, j, msg);
    } else {
        plan_arg a = {p, c, out};
        timed(st, j, plan_work, &a);
    }
    simdpool_plan_destroy(p);
}

#if defined(SPB_HAVE_ONEDNN) || defined(SPB_HAVE_XNNPACK)
static void peer_work(void *a)
{
    spb_peer *p = a;
    p->run(p);
}

static void body_peer(gb_state *st, void *ctx)
{
    spb_job *j = ctx;
    const spb_case *c = &spb.cases[j->ci];
    char why[160] = "";
    spb_peer *p = NULL;
    float *out = out_buf();
    memset(out, 0xff, c->out_elems * sizeof *out); /* NaN: a peer that writes nothing fails */
#ifdef SPB_HAVE_ONEDNN
    if (j->kind == SPB_ONEDNN || j->kind == SPB_ONEDNN_BLOCKED)
        p = spb_onednn_create(&c->d, j->kind == SPB_ONEDNN_BLOCKED, c->threads, spb_input(c->data), out, why, sizeof why);
#endif
#ifdef SPB_HAVE_XNNPACK
    if (j->kind == SPB_XNNPACK) p = spb_xnnpack_create(&c->d, c->threads, spb_input(c->data), out, why, sizeof why);
#endif
    if (!p) {
        fail(st, j, why);
        return;
    }
    snprintf(j->kernel, sizeof j->kernel, "%s", j->variant);
    gb_set_label(st, j->variant);
    /* Checked before it is timed: a peer computing something else is reported, not timed. */
    p->run(p);
    p->result(p, out);
    const float *ref = spb_reference(j->ci, p->exclude_pad);
    if (spb_compare(c, out, ref, why, sizeof why))
        timed(st, j, peer_work, p);
    else
        fail(st, j, why);
    p->destroy(p);
}
#endif

/* ---- registration ---- */

static spb_job *new_job(spb_kind k, int ci, const char *variant)
{
    if (spb.njobs == spb.capj) {
        spb.capj = spb.capj ? 2 * spb.capj : 1024;
        spb.jobs = realloc(spb.jobs, (size_t)spb.capj * sizeof *spb.jobs);
        if (!spb.jobs) abort();
    }
    spb_job *j = &spb.jobs[spb.njobs++];
    memset(j, 0, sizeof *j);
    j->kind = k;
    j->ci = ci;
    j->median_ns = j->roof_ns = NAN;
    snprintf(j->variant, sizeof j->variant, "%s", variant);
    const spb_case *c = &spb.cases[ci];
    if (k == SPB_ROOF)
        snprintf(j->name, sizeof j->name, "roofline/in%zuB/out%zuB/t%d", c->in_elems * 4, c->out_elems * 4, c->threads);
    else /* uniform data keeps the names it always had; other kinds add theirs */
        snprintf(j->name, sizeof j->name, "%s/%s/%s/%s/%s/t%d%s%s", simdpool_op_name(c->d.op),
                 simdpool_layout_name(c->d.layout), variant, c->shape, c->params, c->threads,
                 c->data == SPB_DATA_UNIFORM ? "" : "/", c->data == SPB_DATA_UNIFORM ? "" : spb_data_name(c->data));
    return j;
}

int spb_job_find(const char *name, int hint)
{
    for (int k = 0; k < spb.njobs; k++) {
        int i = (hint + k) % spb.njobs;
        if (!strcmp(spb.jobs[i].name, name)) return i;
    }
    return -1;
}

static int peer_fits(const spb_case *c)
{
    simdpool_op op = c->d.op;
    return op == SIMDPOOL_MAX || op == SIMDPOOL_AVG || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_GLOBAL_AVG;
}

void spb_make_jobs(const spb_options *o)
{
    /* Jobs are made first and registered after: the array may move while it grows, and
     * Google Benchmark keeps the context pointers. */
    for (int ci = 0; ci < spb.ncases; ci++) {
        spb_case *c = &spb.cases[ci];
        if (o->roofline) {
            /* A roofline per distinct (bytes, threads), timed before the first case using it. */
            for (int k = 0; k < spb.njobs; k++) {
                const spb_job *r = &spb.jobs[k];
                const spb_case *rc = &spb.cases[r->ci];
                if (r->kind == SPB_ROOF && rc->in_elems == c->in_elems && rc->out_elems == c->out_elems &&
                    rc->threads == c->threads)
                    c->roof = k;
            }
            if (c->roof < 0) {
                new_job(SPB_ROOF, ci, "stream");
                c->roof = spb.njobs - 1;
            }
        }
        if (o->with_auto) new_job(SPB_SIMDPOOL, ci, "auto");
        if (o->tuned) new_job(SPB_SIMDPOOL, ci, "tuned")->tuning = o->tuned;
        if (o->variants)
            for (int v = 0; v < simdpool_variant_count(); v++)
                if (simdpool_variant_supported(v)) new_job(SPB_SIMDPOOL, ci, simdpool_variant_name(v));
        if (o->peers && peer_fits(c)) {
#ifdef SPB_HAVE_ONEDNN
            new_job(SPB_ONEDNN, ci, "onednn");
            if (c->d.layout == SIMDPOOL_NCHW) {
                char v[32];
                snprintf(v, sizeof v, "onednn-%s", spb_onednn_blocked_name());
                new_job(SPB_ONEDNN_BLOCKED, ci, v);
            }
#endif
#ifdef SPB_HAVE_XNNPACK
            if (c->d.layout == SIMDPOOL_NHWC) new_job(SPB_XNNPACK, ci, "xnnpack");
#endif
        }
    }
}

/* Registers the jobs whose names match filter (POSIX extended regex, the flavour Google
 * Benchmark 1.7 uses; a leading '-' negates it), plus the rooflines they need. Returns the
 * number registered. */
int spb_register_jobs(const char *filter)
{
    regex_t re;
    int neg = filter && filter[0] == '-', use = 0;
    if (filter && *filter && strcmp(filter, "all") && strcmp(filter, ".")) {
        if (regcomp(&re, filter + neg, REG_EXTENDED | REG_NOSUB)) {
            fprintf(stderr, "simdpool-bench: bad --benchmark_filter regex \"%s\"\n", filter);
            exit(2);
        }
        use = 1;
    }
    char *want = calloc((size_t)spb.njobs + 1, 1);
    if (!want) abort();
    for (int k = 0; k < spb.njobs; k++) {
        const spb_job *j = &spb.jobs[k];
        if (j->kind == SPB_ROOF) continue;
        if (use && (regexec(&re, j->name, 0, NULL, 0) == 0) == neg) continue;
        want[k] = 1;
        if (spb.cases[j->ci].roof >= 0) want[spb.cases[j->ci].roof] = 1;
    }
    if (use) regfree(&re);
    int n = 0;
    for (int k = 0; k < spb.njobs; k++) {
        if (!want[k]) continue;
        n++;
        spb_job *j = &spb.jobs[k];
        gb_body body = j->kind == SPB_ROOF ? body_roof : body_simdpool;
#if defined(SPB_HAVE_ONEDNN) || defined(SPB_HAVE_XNNPACK)
        if (j->kind >= SPB_ONEDNN) body = body_peer;
#endif
        gb_bench *b = gb_register(j->name, body, j);
        gb_bench_use_real_time(b);
        gb_bench_unit(b, GB_US);
    }
    free(want);
    return n;
}
