/* Results: progress, tables, the per-class choice, CSV and the data files for plots.gp. */
#define _POSIX_C_SOURCE 200809L /* isatty */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- collection ---- */

static int p_total, p_done, p_last = -1, p_tty;

void spb_progress_begin(int total)
{
    p_total = total;
    p_tty = isatty(2);
}

void spb_on_result(const gb_result *r, void *user)
{
    (void)user;
    int k = spb_job_find(r->name, p_last + 1);
    if (k < 0) return;
    spb_job *j = &spb.jobs[k];
    if (!r->aggregate[0]) {
        if (r->error)
            snprintf(j->err, sizeof j->err, "%s", r->error);
        else if (j->nreps < SPB_MAX_REPS && !isnan(gb_result_counter(r, "median_ns")))
            j->reps[j->nreps++] = gb_result_counter(r, "median_ns");
        if (!r->error && j->nroof < SPB_MAX_REPS && !isnan(gb_result_counter(r, "roof_ns")))
            j->roof_reps[j->nroof++] = gb_result_counter(r, "roof_ns");
    }
    if (k != p_last) {
        p_last = k;
        p_done++;
        /* On a terminal one line rewritten in place; in a log every 50th benchmark. */
        int show = p_total > 0 && (p_tty || p_done % 50 == 0 || p_done == p_total);
        if (show) fprintf(stderr, "%s[%d/%d] %-70.70s", p_tty ? "\r" : "", p_done, p_total, r->name);
        if (show && (!p_tty || p_done == p_total)) fputc('\n', stderr);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void spb_finish_results(void)
{
    for (int k = 0; k < spb.njobs; k++) {
        spb_job *j = &spb.jobs[k];
        if (!j->nreps || j->err[0]) continue;
        j->median_ns = median_of(j->reps, j->nreps);
        j->roof_ns = j->nroof ? median_of(j->roof_reps, j->nroof) : NAN;
    }
}

/* ---- lookups ---- */

static const spb_job *job(int ci, const char *variant)
{
    for (int k = 0; k < spb.njobs; k++)
        if (spb.jobs[k].ci == ci && spb.jobs[k].kind != SPB_ROOF && !strcmp(spb.jobs[k].variant, variant))
            return &spb.jobs[k];
    return NULL;
}

static double t_of(const spb_job *j) { return j && !j->err[0] ? j->median_ns : NAN; }

static double roof_ns(const spb_case *c) { return c->roof >= 0 ? spb.jobs[c->roof].median_ns : NAN; }

/* The roofline a job is compared with: its paired one where it has one, else its case's. */
static double roof_of(const spb_job *j) { return j && !isnan(j->roof_ns) ? j->roof_ns : roof_ns(&spb.cases[j->ci]); }

static double bytes_of(const spb_case *c) { return (double)(c->in_elems + c->out_elems) * sizeof(float); }

/* "n1c64h56w56", or "n1c64h56w56 tiny" on data other than uniform (--data). */
static const char *shape_label(const spb_case *c, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s", c->shape, c->data == SPB_DATA_UNIFORM ? "" : " ",
             c->data == SPB_DATA_UNIFORM ? "" : spb_data_name(c->data));
    return buf;
}

/* The variant whose code ran: "avx2/nchw_2x2s2" -> avx2, "avx512->avx2/..." -> avx2. */
const char *spb_effective_variant(const char *kernel, char *buf, size_t n)
{
    const char *arrow = strstr(kernel, "->");
    if (arrow) kernel = arrow + 2;
    size_t l = strcspn(kernel, "/");
    snprintf(buf, n, "%.*s", (int)l, kernel);
    return buf;
}

/* A variant without its own kernel for the case runs another's: timing it again only adds
 * noise to the choice of the fastest. */
static int fallback(const spb_job *j) { return strstr(j->kernel, "->") != NULL; }

/* The fastest registry variant of case ci that runs its own kernel. */
static const spb_job *fastest(int ci)
{
    const spb_job *best = NULL;
    for (int v = 0; v < simdpool_variant_count(); v++) {
        const spb_job *j = job(ci, simdpool_variant_name(v));
        if (j && !fallback(j) && !isnan(t_of(j)) && (!best || t_of(j) < t_of(best))) best = j;
    }
    return best;
}

static const char *peer_blocked_variant(void)
{
    for (int k = 0; k < spb.njobs; k++)
        if (spb.jobs[k].kind == SPB_ONEDNN_BLOCKED) return spb.jobs[k].variant;
    return NULL;
}

/* ---- tables ---- */

static void ratio(FILE *f, const spb_job *peer, double ours)
{
    if (!peer) fprintf(f, " - |");
    else if (peer->err[0]) fprintf(f, " %s |", strncmp(peer->err, "mismatch", 8) ? "n/a" : "MISMATCH");
    else if (isnan(peer->median_ns) || isnan(ours)) fprintf(f, " - |");
    else fprintf(f, " %.2f |", peer->median_ns / ours);
}

void spb_print_tables(FILE *f)
{
    const char *blk = peer_blocked_variant();
    for (int op = 0; op < SIMDPOOL_OP_COUNT; op++) {
        int any = 0;
        for (int ci = 0; ci < spb.ncases; ci++) {
            const spb_case *c = &spb.cases[ci];
            if ((int)c->d.op != op) continue;
            const spb_job *a = job(ci, "auto");
            if (!a || (!a->nreps && !a->err[0])) continue; /* filtered out */
            if (!any++) {
                fprintf(f, "\n### %s\n\n", simdpool_op_name((simdpool_op)op));
                fprintf(f, "| shape | params | layout | thr | chosen kernel | median us | GB/s | %% roof | fastest | x scalar | x oneDNN | x oneDNN %s | x XNNPACK |\n",
                        blk ? blk + 7 : "blk");
                fprintf(f, "|---|---|---|---:|---|---:|---:|---:|---|---:|---:|---:|---:|\n");
            }
            double t = t_of(a);
            char sl[64];
            fprintf(f, "| %s | %s | %s | %d | %s |", shape_label(c, sl, sizeof sl), c->params, simdpool_layout_name(c->d.layout),
                    c->threads, a->kernel[0] ? a->kernel : "?");
            if (isnan(t)) {
                fprintf(f, " %s | | | | | | | |\n", a->err[0] ? a->err : "not run");
                continue;
            }
            double r = roof_of(a);
            const spb_job *b = fastest(ci);
            fprintf(f, " %.2f | %.1f |", t / 1e3, bytes_of(c) / t);
            if (isnan(r)) fprintf(f, " - |");
            else fprintf(f, " %.0f%% |", 100 * r / t);
            fprintf(f, " %s |", b ? b->variant : "-");
            ratio(f, job(ci, "scalar"), t);
            ratio(f, job(ci, "onednn"), t);
            ratio(f, blk ? job(ci, blk) : NULL, t);
            ratio(f, job(ci, "xnnpack"), t);
            fputc('\n', f);
        }
    }
}

/* ---- variants side by side ---- */

/* The variants this CPU runs (at most 64), in registry order: the tables' columns. */
static int supported_variants(int cols[64])
{
    int nc = 0;
    for (int v = 0; v < simdpool_variant_count() && nc < 64; v++)
        if (simdpool_variant_supported(v)) cols[nc++] = v;
    return nc;
}

/* Every variant's own kernel on each 1-thread case, as median us and speedup over scalar, and
 * how far the fastest is ahead of the runner-up: this is where a variant earns its place (an
 * AVX-512 kernel against AVX2's, say). Fallbacks are "-", so each column is that variant's code. */
void spb_print_variants(FILE *f)
{
    int cols[64];
    const int nc = supported_variants(cols);
    int any = 0;
    for (int ci = 0; ci < spb.ncases; ci++) {
        const spb_case *c = &spb.cases[ci];
        if (c->threads != 1) continue;
        const spb_job *sc = job(ci, "scalar"), *j1 = NULL, *j2 = NULL;
        int own = 0;
        for (int k = 0; k < nc; k++) {
            const spb_job *j = job(ci, simdpool_variant_name(cols[k]));
            if (!j || fallback(j) || isnan(t_of(j))) continue;
            own++;
            if (!j1 || t_of(j) < t_of(j1)) j2 = j1, j1 = j;
            else if (!j2 || t_of(j) < t_of(j2)) j2 = j;
        }
        if (!own) continue;
        if (!any++) {
            fprintf(f, "\n### variants side by side (1 thread; median us, x scalar; - = no kernel of its own)\n\n| op | layout | shape | params |");
            for (int k = 0; k < nc; k++) fprintf(f, " %s |", simdpool_variant_name(cols[k]));
            fprintf(f, " fastest vs runner-up |\n|---|---|---|---|");
            for (int k = 0; k <= nc; k++) fprintf(f, "---:|");
            fputc('\n', f);
        }
        char sl[64];
        fprintf(f, "| %s | %s | %s | %s |", simdpool_op_name(c->d.op), simdpool_layout_name(c->d.layout),
                shape_label(c, sl, sizeof sl), c->params);
        for (int k = 0; k < nc; k++) {
            const spb_job *j = job(ci, simdpool_variant_name(cols[k]));
            if (!j || fallback(j) || isnan(t_of(j))) fprintf(f, " - |");
            else if (j == sc || isnan(t_of(sc))) fprintf(f, " %.2f |", t_of(j) / 1e3);
            else fprintf(f, " %.2f (%.1fx) |", t_of(j) / 1e3, t_of(sc) / t_of(j));
        }
        if (j2) fprintf(f, " %s %.2fx %s |\n", j1->variant, t_of(j2) / t_of(j1), j2->variant);
        else fprintf(f, " - |\n");
    }
}

/* ---- data kinds (--data) ---- */

/* Every variant's time on each kind of data over its own time on uniform data, same process,
 * same problem: a ratio well above 1 is a cliff (a microcode assist per instruction on
 * subnormal results, a slow NaN path). Only a cliff that scalar does not have is a kernel's
 * fault: scalar's own ratio is in its column. */
void spb_print_data(FILE *f)
{
    int cols[64];
    const int nc = supported_variants(cols);
    int any = 0;
    for (int ci = 0; ci < spb.ncases; ci++) {
        const spb_case *c = &spb.cases[ci];
        if (c->data == SPB_DATA_UNIFORM || c->uniform_ci < 0) continue;
        char row[2048];
        int len = snprintf(row, sizeof row, "| %s | %s | %s | %s | %s | %d |", spb_data_name(c->data),
                           simdpool_op_name(c->d.op), simdpool_layout_name(c->d.layout), c->shape, c->params,
                           c->threads);
        int own = 0;
        for (int k = 0; k <= nc && len < (int)sizeof row; k++) {
            const char *name = k < nc ? simdpool_variant_name(cols[k]) : "auto";
            const spb_job *j = job(ci, name), *u = job(c->uniform_ci, name);
            double t = t_of(j), tu = t_of(u);
            if (j && j->err[0]) {
                len += snprintf(row + len, sizeof row - (size_t)len, " %s |",
                                strncmp(j->err, "mismatch", 8) ? "n/a" : "MISMATCH");
                own++;
            } else if (!j || (k < nc && fallback(j)) || isnan(t) || isnan(tu)) {
                len += snprintf(row + len, sizeof row - (size_t)len, " - |");
            } else {
                const double r = t / tu;
                len += snprintf(row + len, sizeof row - (size_t)len, r > 1.3 ? " **%.2f (%.2fx)** |" : " %.2f (%.2fx) |",
                                t / 1e3, r);
                own++;
            }
        }
        if (!own) continue;
        if (!any++) {
            fprintf(f, "\n### data kinds (median us, x the same variant on uniform data, same run; > 1.3x in bold; "
                       "- = no kernel of its own)\n\n| data | op | layout | shape | params | thr |");
            for (int k = 0; k < nc; k++) fprintf(f, " %s |", simdpool_variant_name(cols[k]));
            fprintf(f, " auto |\n|---|---|---|---|---|---:|");
            for (int k = 0; k <= nc; k++) fprintf(f, "---:|");
            fputc('\n', f);
        }
        fprintf(f, "%s\n", row);
    }
}

/* ---- per-class choice ---- */

/* Choices (and the tuning file) are made on uniform data only: the other kinds (--data) are
 * there to show cliffs, not to pick kernels, and a class's choice must not depend on them. */
int spb_choices(spb_choice **out, double margin)
{
    int n = 0, cap = 0;
    spb_choice *v = NULL;
    for (int ci = 0; ci < spb.ncases; ci++) {
        const spb_case *c = &spb.cases[ci];
        if (c->threads != 1 || c->data != SPB_DATA_UNIFORM) continue;
        int i = 0;
        while (i < n && strcmp(v[i].cls, c->cls)) i++;
        if (i < n) continue; /* class already done */
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            v = realloc(v, (size_t)cap * sizeof *v);
            if (!v) abort();
        }
        spb_choice *ch = &v[n++];
        memset(ch, 0, sizeof *ch);
        snprintf(ch->cls, sizeof ch->cls, "%s", c->cls);
        int nv = simdpool_variant_count();
        double logsum[64] = {0}, ld = 0, lt = 0;
        int cnt[64] = {0}, cd = 0, ct = 0;
        for (int cj = ci; cj < spb.ncases; cj++) {
            const spb_case *d = &spb.cases[cj];
            if (d->threads != 1 || d->data != SPB_DATA_UNIFORM || strcmp(d->cls, c->cls)) continue;
            ch->ncases++;
            for (int k = 0; k < nv && k < 64; k++) {
                const spb_job *j = job(cj, simdpool_variant_name(k));
                double t = t_of(j);
                if (!isnan(t) && !fallback(j)) logsum[k] += log(t), cnt[k]++;
            }
            const spb_job *a = job(cj, "auto"), *tu = job(cj, "tuned");
            if (a && !isnan(t_of(a))) {
                ld += log(t_of(a)), cd++;
                spb_effective_variant(a->kernel, ch->dispatched, sizeof ch->dispatched);
            }
            if (tu && !isnan(t_of(tu))) {
                lt += log(t_of(tu)), ct++;
                spb_effective_variant(tu->kernel, ch->tuned, sizeof ch->tuned);
            }
        }
        ch->t_dispatched = cd ? exp(ld / cd) : NAN;
        ch->t_tuned = ct ? exp(lt / ct) : NAN;
        ch->t_best = NAN;
        int best = -1;
        double tb = INFINITY, tdisp = NAN;
        for (int k = 0; k < nv && k < 64; k++) {
            if (cnt[k] != ch->ncases) continue; /* only variants with their own kernel on every case compete */
            double g = exp(logsum[k] / cnt[k]);
            if (g < tb) tb = g, best = k;
            /* The ratios compare like with like: the chosen variant's own timing, not the
             * separate "auto"/"tuned" runs of the same code, whose noise would show as a gain. */
            if (!strcmp(simdpool_variant_name(k), ch->dispatched)) tdisp = ch->t_dispatched = g;
            if (!strcmp(simdpool_variant_name(k), ch->tuned)) ch->t_tuned = g;
        }
        if (best >= 0) {
            ch->t_best = tb;
            snprintf(ch->best, sizeof ch->best, "%s", simdpool_variant_name(best));
            /* Timing noise should not flip a choice: keep the dispatched variant when it is
             * within the margin of the fastest. */
            if (ch->dispatched[0] && !isnan(tdisp) && tdisp <= tb * (1 + margin))
                snprintf(ch->best, sizeof ch->best, "%s", ch->dispatched), ch->t_best = tdisp;
        }
    }
    *out = v;
    return n;
}

void spb_print_choices(FILE *f, int with_tuned)
{
    spb_choice *v;
    int n = spb_choices(&v, 0.0);
    fprintf(f, "\n### choice per problem class (1 thread, geometric mean over the class's cases)\n\n");
    if (with_tuned) {
        fprintf(f, "| class | cases | dispatched (no file) | tuning file's choice | measured best | dispatched / best | tuned / best |\n");
        fprintf(f, "|---|---:|---|---|---|---:|---:|\n");
    } else {
        fprintf(f, "| class | cases | dispatched | measured best | dispatched / best |\n|---|---:|---|---|---:|\n");
    }
    for (int i = 0; i < n; i++) {
        const spb_choice *c = &v[i];
        fprintf(f, "| %s | %d | %s |", c->cls, c->ncases, c->dispatched[0] ? c->dispatched : "-");
        if (with_tuned) fprintf(f, " %s |", c->tuned[0] ? c->tuned : "-");
        fprintf(f, " %s |", c->best[0] ? c->best : "-");
        if (isnan(c->t_best) || isnan(c->t_dispatched)) fprintf(f, " - |");
        else fprintf(f, " %.2f%s |", c->t_dispatched / c->t_best,
                     strcmp(c->dispatched, c->best) && c->t_dispatched > 1.03 * c->t_best ? " (differs)" : "");
        if (with_tuned) {
            if (isnan(c->t_best) || isnan(c->t_tuned)) fprintf(f, " - |");
            else fprintf(f, " %.2f%s |", c->t_tuned / c->t_best,
                         strcmp(c->tuned, c->best) && c->t_tuned > 1.03 * c->t_best ? " (differs)" : "");
        }
        fputc('\n', f);
    }
    free(v);
}

/* ---- CSV ---- */

void spb_write_csv(FILE *f)
{
    /* data (--data) is last, so that readers of the earlier columns by position keep working. */
    fprintf(f, "name,op,layout,variant,kernel,n,c,h,w,params,threads,class,in_bytes,out_bytes,median_ns,"
               "gbps,outputs_per_s,roofline_ns,pct_roofline,error,data\n");
    for (int k = 0; k < spb.njobs; k++) {
        const spb_job *j = &spb.jobs[k];
        const spb_case *c = &spb.cases[j->ci];
        double t = j->err[0] ? NAN : j->median_ns, r = roof_of(j);
        if (j->kind == SPB_ROOF) {
            fprintf(f, "%s,stream,-,stream,stream,,,,,,%d,,%zu,%zu,", j->name, c->threads, c->in_elems * 4,
                    c->out_elems * 4);
            if (isnan(t)) fputs(",,,,,,\n", f); /* filtered out: not run */
            else fprintf(f, "%.1f,%.3f,,%.1f,100,,\n", t, bytes_of(c) / t, t);
            continue;
        }
        char err[160];
        snprintf(err, sizeof err, "%s", j->err);
        for (char *p = err; *p; p++)
            if (*p == ',' || *p == '"' || *p == '\n') *p = ';';
        fprintf(f, "%s,%s,%s,%s,%s,%lld,%lld,%lld,%lld,%s,%d,%s,%zu,%zu,", j->name, simdpool_op_name(c->d.op),
                simdpool_layout_name(c->d.layout), j->variant, j->kernel, (long long)c->d.n, (long long)c->d.c,
                (long long)c->d.h, (long long)c->d.w, c->params, c->threads, c->cls, c->in_elems * 4,
                c->out_elems * 4);
        if (isnan(t)) fprintf(f, ",,,,,%s,%s\n", err, spb_data_name(c->data));
        else fprintf(f, "%.1f,%.3f,%.4g,%.1f,%.1f,,%s\n", t, bytes_of(c) / t, (double)c->out_elems / t * 1e9, r,
                     100 * r / t, spb_data_name(c->data));
    }
}

/* ---- plot data ---- */

/* Column order: the dispatched default, every registry variant, then the peers. */
static int columns(const char **cols, int max)
{
    int n = 0;
    cols[n++] = "auto";
    for (int v = 0; v < simdpool_variant_count() && n < max; v++)
        if (simdpool_variant_supported(v)) cols[n++] = simdpool_variant_name(v);
    const char *peers[3] = {"onednn", peer_blocked_variant(), "xnnpack"};
    for (int p = 0; p < 3 && n < max; p++) {
        if (!peers[p]) continue;
        for (int k = 0; k < spb.njobs; k++)
            if (!strcmp(spb.jobs[k].variant, peers[p])) {
                cols[n++] = peers[p];
                break;
            }
    }
    return n;
}

static void put(FILE *f, double v) { isnan(v) || isinf(v) ? fputs(" NaN", f) : fprintf(f, " %.2f", v); }

int spb_write_plot_data(const char *dir, char *panels, size_t pn, int *heat_rows)
{
    const char *cols[16];
    int nc = columns(cols, 16);
    char path[1024];
    panels[0] = 0;
    int npanels = 0;
    /* GB/s against size: one file per (op, layout, params) with at least 5 sizes at 1 thread;
     * the first channel count seen at a size stands for it. */
    /* One kind of data per panel: the sweep's first (uniform unless --data says otherwise). */
    const spb_data kind = spb.ncases ? spb.cases[0].data : SPB_DATA_UNIFORM;
    for (int ci = 0; ci < spb.ncases; ci++) {
        const spb_case *c = &spb.cases[ci];
        if (c->threads != 1 || c->d.n != 1 || c->params[0] != 'k' || c->data != kind) continue;
        char key[96];
        snprintf(key, sizeof key, "%s_%s_%s", simdpool_op_name(c->d.op), simdpool_layout_name(c->d.layout), c->params);
        if (strstr(panels, key)) continue;
        int sizes[16], ns = 0, idx[16];
        for (int cj = ci; cj < spb.ncases; cj++) {
            const spb_case *d = &spb.cases[cj];
            if (d->threads != 1 || d->d.n != 1 || d->d.op != c->d.op || d->d.layout != c->d.layout ||
                d->data != kind || strcmp(d->params, c->params))
                continue;
            int seen = 0;
            for (int s = 0; s < ns; s++) seen |= sizes[s] == d->d.h;
            if (!seen && ns < 16) sizes[ns] = (int)d->d.h, idx[ns++] = cj;
        }
        if (ns < 5) continue;
        /* Largest first, as networks go. */
        for (int a = 1; a < ns; a++)
            for (int b = a; b > 0 && sizes[b] > sizes[b - 1]; b--) {
                int t = sizes[b]; sizes[b] = sizes[b - 1]; sizes[b - 1] = t;
                t = idx[b]; idx[b] = idx[b - 1]; idx[b - 1] = t;
            }
        /* Every column in every file, so that a variant keeps its colour across panels. */
        int use[16], nu = 0;
        for (int k = 0; k < nc; k++) use[nu++] = k;
        snprintf(path, sizeof path, "%s/gbps_%s.dat", dir, key);
        FILE *f = fopen(path, "w");
        if (!f) return -1;
        fprintf(f, "size roofline");
        for (int k = 0; k < nu; k++) fprintf(f, " %s", cols[use[k]]);
        fputc('\n', f);
        for (int s = 0; s < ns; s++) {
            const spb_case *d = &spb.cases[idx[s]];
            fprintf(f, "%d", sizes[s]);
            put(f, bytes_of(d) / roof_ns(d));
            for (int k = 0; k < nu; k++) put(f, bytes_of(d) / t_of(job(idx[s], cols[use[k]])));
            fputc('\n', f);
        }
        fclose(f);
        if (strlen(panels) + strlen(key) + 2 < pn) {
            if (panels[0]) strcat(panels, " ");
            strcat(panels, key);
            npanels++;
        }
    }
    /* Heat map: % of roofline per 1-thread case (rows) and variant (columns). */
    snprintf(path, sizeof path, "%s/heat.dat", dir);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "case");
    for (int k = 0; k < nc; k++) fprintf(f, " %s", cols[k]);
    fputc('\n', f);
    int rows = 0;
    for (int ci = 0; ci < spb.ncases; ci++) {
        const spb_case *c = &spb.cases[ci];
        if (c->threads != 1 || !job(ci, "auto")) continue;
        fprintf(f, "%s/%s/c%lld@%lld/%s%s%s", simdpool_op_name(c->d.op), simdpool_layout_name(c->d.layout),
                (long long)c->d.c, (long long)c->d.h, c->params, c->data == SPB_DATA_UNIFORM ? "" : "/",
                c->data == SPB_DATA_UNIFORM ? "" : spb_data_name(c->data));
        for (int k = 0; k < nc; k++) {
            const spb_job *v = job(ci, cols[k]);
            put(f, v ? 100 * roof_of(v) / t_of(v) : NAN);
        }
        fputc('\n', f);
        rows++;
    }
    fclose(f);
    *heat_rows = rows;
    return npanels;
}
