/* The public API: plan (validate, shape, choose kernels), run (check buffers, drive threads). */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "../core/shape.h"
#include "driver.h"
#include "registry.h"
#include "tuning.h"

struct simdpool_plan {
    sp_problem p;
    int threads;
    size_t grain; /* elements per thread at least (SIMDPOOL_GRAIN, else the driver's default) */
    size_t in_elems, out_elems;
    const sp_kernel *k_values, *k_indices; /* k_indices is NULL for ops without indices */
    char name_values[96], name_indices[96];
};

/* The kernel for p from v; where v has none, from the best lower-ranked usable variant that
 * does (avx512 -> avx2 -> scalar), and the name says so: "avx512->avx2/nchw_2x2s2". */
static const sp_kernel *pick(const sp_variant *v, const sp_problem *p, int indices, char *name,
                             size_t n)
{
    const sp_kernel *k = sp_variant_kernel(v, p, indices);
    if (k) {
        snprintf(name, n, "%s/%s", v->name, k->name);
        return k;
    }
    const sp_variant *best = NULL;
    for (int i = 0; i < sp_variant_count(); i++) {
        const sp_variant *w = sp_variant_get(i);
        if (w->rank >= v->rank || !sp_variant_usable(w) || (best && w->rank <= best->rank)) continue;
        if (sp_variant_kernel(w, p, indices)) best = w;
    }
    if (!best) return NULL;
    k = sp_variant_kernel(best, p, indices);
    snprintf(name, n, "%s->%s/%s", v->name, best->name, k->name);
    return k;
}

/* Default: the highest-ranked usable variant that has its own kernel for p, chosen separately
 * for values-only runs and for runs with indices (their fastest kernels can differ). */
static const sp_variant *best_variant(const sp_problem *p, int indices)
{
    const sp_variant *best = sp_variant_find("scalar");
    for (int i = 0; i < sp_variant_count(); i++) {
        const sp_variant *v = sp_variant_get(i);
        if (!sp_variant_usable(v) || v->rank <= best->rank) continue;
        if (sp_variant_kernel(v, p, indices)) best = v;
    }
    return best;
}

static simdpool_status forced_variant(const char *name, const char *source, const sp_variant **out)
{
    const sp_variant *v = sp_variant_find(name);
    if (!v) {
        char list[256] = "";
        for (int i = 0; i < sp_variant_count(); i++) {
            strncat(list, sp_variant_get(i)->name, sizeof list - strlen(list) - 2);
            strncat(list, " ", sizeof list - strlen(list) - 1);
        }
        return sp_fail(SIMDPOOL_ERR_PARAM, "%s = \"%s\": no such variant (built: %s)", source, name, list);
    }
    if (!sp_variant_usable(v))
        return sp_fail(SIMDPOOL_ERR_UNSUPPORTED, "%s = \"%s\": this CPU lacks the ISA it needs (has: %s)",
                       source, name, simdpool_cpu_features());
    *out = v;
    return SIMDPOOL_OK;
}

simdpool_status simdpool_plan_create(const simdpool_desc *d, const simdpool_options *opts,
                                     simdpool_plan **plan)
{
    if (!plan) return sp_fail(SIMDPOOL_ERR_NULL, "plan is NULL");
    *plan = NULL;
    sp_problem p;
    simdpool_status s = sp_problem_from_desc(d, &p);
    if (s != SIMDPOOL_OK) return s;
    if (opts && opts->threads < 0)
        return sp_fail(SIMDPOOL_ERR_PARAM, "options.threads = %d: must be >= 0", opts->threads);

    const sp_variant *v = NULL, *vi = NULL; /* values, indices */
    const char *env = getenv("SIMDPOOL_ISA");
    if (opts && opts->variant) {
        if ((s = forced_variant(opts->variant, "options.variant", &v))) return s;
    } else if (env && *env) {
        if ((s = forced_variant(env, "SIMDPOOL_ISA", &v))) return s;
    } else {
        const char *tf = opts && opts->tuning_file ? opts->tuning_file : getenv("SIMDPOOL_TUNING");
        /* The file is measured values-only (the bench times no indices): it picks v only. */
        if (tf && *tf) v = sp_tuning_lookup(tf, &p);
        if (!v) v = best_variant(&p, 0);
        if (sp_has_indices(p.op)) vi = best_variant(&p, 1);
    }
    if (!vi) vi = v;

    simdpool_plan *pl = calloc(1, sizeof *pl);
    if (!pl) return sp_fail(SIMDPOOL_ERR_NOMEM, "out of memory allocating a plan");
    pl->p = p;
    pl->threads = opts ? opts->threads : 0;
    const char *grain = getenv("SIMDPOOL_GRAIN");
    pl->grain = grain && *grain ? strtoull(grain, NULL, 10) : 0;
    sp_buffer_elems(&p, &pl->in_elems, &pl->out_elems);
    pl->k_values = pick(v, &p, 0, pl->name_values, sizeof pl->name_values);
    if (sp_has_indices(p.op))
        pl->k_indices = pick(vi, &p, 1, pl->name_indices, sizeof pl->name_indices);
    else
        snprintf(pl->name_indices, sizeof pl->name_indices, "none");
    if (!pl->k_values || (sp_has_indices(p.op) && !pl->k_indices)) {
        free(pl);
        return sp_fail(SIMDPOOL_ERR_UNSUPPORTED, "no kernel for op %s layout %s",
                       simdpool_op_name(p.op), simdpool_layout_name(p.layout));
    }
    sp_clear_error();
    *plan = pl;
    return SIMDPOOL_OK;
}

void simdpool_plan_destroy(simdpool_plan *plan) { free(plan); }

simdpool_status simdpool_output_dims(const simdpool_plan *plan, int64_t *out_h, int64_t *out_w)
{
    if (!plan || !out_h || !out_w) return sp_fail(SIMDPOOL_ERR_NULL, "plan, out_h or out_w is NULL");
    *out_h = plan->p.oh;
    *out_w = plan->p.ow;
    return SIMDPOOL_OK;
}

size_t simdpool_output_elems(const simdpool_plan *plan) { return plan ? plan->out_elems : 0; }
size_t simdpool_input_elems(const simdpool_plan *plan) { return plan ? plan->in_elems : 0; }
const char *simdpool_plan_variant(const simdpool_plan *plan) { return plan ? plan->name_values : ""; }
const char *simdpool_plan_variant_indices(const simdpool_plan *plan)
{
    return plan ? plan->name_indices : "";
}

const char *simdpool_plan_class(const simdpool_plan *plan)
{
    static _Thread_local char buf[64];
    if (!plan) return "";
    sp_problem_class(&plan->p, buf, sizeof buf);
    return buf;
}

static int overlap(const void *a, size_t an, const void *b, size_t bn)
{
    uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
    return a0 < b0 + bn && b0 < a0 + an;
}

/* The first element that is negative, NaN or infinite, or n. Blocks are scanned without an
 * early exit so the compiler vectorises the scan (it runs over the whole input every time). */
static size_t first_bad_activation(const float *in, size_t n)
{
    for (size_t b = 0; b < n; b += 4096) {
        size_t e = n - b < 4096 ? n : b + 4096;
        int bad = 0;
        for (size_t i = b; i < e; i++) bad |= !(in[i] >= 0.0f) | (in[i] > FLT_MAX);
        if (bad)
            for (size_t i = b; i < e; i++)
                if (!(in[i] >= 0.0f) || in[i] > FLT_MAX) return i;
    }
    return n;
}

static simdpool_status check_data(const sp_problem *p, const float *in, const uint8_t *mask,
                                  size_t in_elems)
{
    if (p->op == SIMDPOOL_STOCHASTIC) {
        size_t i = first_bad_activation(in, in_elems);
        if (i < in_elems)
            return sp_fail(SIMDPOOL_ERR_INPUT,
                           "in[%zu] = %g: stochastic pooling needs finite, non-negative input", i,
                           (double)in[i]);
    }
    if (mask) {
        size_t t = (size_t)(p->n * p->h);
        for (size_t i = 0; i < t; i++)
            if (mask[i] > 1)
                return sp_fail(SIMDPOOL_ERR_INPUT, "mask[%zu] = %u: must be 0 or 1", i, mask[i]);
    }
    return SIMDPOOL_OK;
}

static simdpool_status run(const simdpool_plan *plan, const float *in, const uint8_t *mask,
                           float *out, int64_t *indices)
{
    const sp_problem *p = &plan->p;
    size_t ib = plan->in_elems * sizeof(float), ob = plan->out_elems * sizeof(float);
    size_t xb = plan->out_elems * sizeof(int64_t), mb = (size_t)(p->n * p->h);
    if (overlap(in, ib, out, ob))
        return sp_fail(SIMDPOOL_ERR_OVERLAP, "in and out overlap");
    if (indices && (overlap(indices, xb, in, ib) || overlap(indices, xb, out, ob)))
        return sp_fail(SIMDPOOL_ERR_OVERLAP, "indices overlap in or out");
    if (mask && (overlap(mask, mb, out, ob)))
        return sp_fail(SIMDPOOL_ERR_OVERLAP, "mask and out overlap");
    simdpool_status s = check_data(p, in, mask, plan->in_elems);
    if (s != SIMDPOOL_OK) return s;
    sp_args a = {in, mask, out, indices};
    const sp_kernel *k = indices ? plan->k_indices : plan->k_values;
    sp_drive(p, k->fn, &a, plan->threads, plan->grain);
    return SIMDPOOL_OK;
}

simdpool_status simdpool_run(const simdpool_plan *plan, const float *in, float *out, int64_t *indices)
{
    if (!plan) return sp_fail(SIMDPOOL_ERR_NULL, "plan is NULL");
    if (!in) return sp_fail(SIMDPOOL_ERR_NULL, "in is NULL");
    if (!out) return sp_fail(SIMDPOOL_ERR_NULL, "out is NULL");
    if (sp_is_masked(plan->p.op))
        return sp_fail(SIMDPOOL_ERR_PARAM, "op = %s: masked ops run with simdpool_run_masked",
                       simdpool_op_name(plan->p.op));
    if (indices && !sp_has_indices(plan->p.op))
        return sp_fail(SIMDPOOL_ERR_PARAM, "indices given for op %s, which has none",
                       simdpool_op_name(plan->p.op));
    return run(plan, in, NULL, out, indices);
}

simdpool_status simdpool_run_masked(const simdpool_plan *plan, const float *in, const uint8_t *mask,
                                    float *out)
{
    if (!plan) return sp_fail(SIMDPOOL_ERR_NULL, "plan is NULL");
    if (!in) return sp_fail(SIMDPOOL_ERR_NULL, "in is NULL");
    if (!mask) return sp_fail(SIMDPOOL_ERR_NULL, "mask is NULL");
    if (!out) return sp_fail(SIMDPOOL_ERR_NULL, "out is NULL");
    if (!sp_is_masked(plan->p.op))
        return sp_fail(SIMDPOOL_ERR_PARAM, "op = %s: simdpool_run_masked is for masked ops only",
                       simdpool_op_name(plan->p.op));
    return run(plan, in, mask, out, NULL);
}

simdpool_status simdpool_pool(const simdpool_desc *d, const simdpool_options *opts, const float *in,
                              const uint8_t *mask, float *out, int64_t *indices)
{
    if (d && sp_is_masked(d->op) && indices)
        return sp_fail(SIMDPOOL_ERR_PARAM, "indices given for op %s, which has none", simdpool_op_name(d->op));
    simdpool_plan *p;
    simdpool_status s = simdpool_plan_create(d, opts, &p);
    if (s != SIMDPOOL_OK) return s;
    s = sp_is_masked(d->op) ? simdpool_run_masked(p, in, mask, out) : simdpool_run(p, in, out, indices);
    simdpool_plan_destroy(p);
    return s;
}
