/* simdpool-bench: the sweep, the tables, the pictures and the tuning file.
 * Run with --help for the options; every --benchmark_* flag goes to Google Benchmark. */
#define _POSIX_C_SOURCE 200809L /* unsetenv, regex */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench.h"
#include "gbench.h"
#include "report.h"

#ifndef SPB_PLOT_SCRIPT
#define SPB_PLOT_SCRIPT "plots.gp"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: simdpool-bench [options] [--benchmark_* flags]\n"
            "\n"
            "With no options: the default sweep (~3.5 minutes on 2 cores), a table per operator, the\n"
            "choice per problem class; CSV, JSON and PNG pictures in ./bench-out/.\n"
            "\n"
            "  --quick              headline cases only (what `meson test --benchmark` runs)\n"
            "  --full               every op, layout, window, size, batch 1 and 8 (long)\n"
            "  --seq                masked mean/max on sentence-embedding shapes: B 1,8,32,64,\n"
            "                       T 16,128,512, D 384,768,1024\n"
            "  --op LIST            e.g. max,avg,global_avg (names as simdpool_op_name)\n"
            "  --layout LIST        nchw,nhwc\n"
            "  --size LIST          input height/width, e.g. 224,56,7\n"
            "  --threads LIST       thread counts, e.g. 1,2,4 (all: every core; default 1,all)\n"
            "  --batch LIST         1,8 (batch 8 is in --full only)\n"
            "  --no-peers           skip oneDNN and XNNPACK\n"
            "  --offset BYTES       start input and output BYTES past a 64-byte boundary\n"
            "                       (default 0: aligned, as frameworks allocate tensors)\n"
            "  --data LIST          kinds of input, each case timed once per kind, e.g.\n"
            "                       uniform,tiny,subnormal: uniform [0,1) (default), tiny (+-1e-20:\n"
            "                       products are subnormal), subnormal (+-1e-40), zeros (+0 and -0),\n"
            "                       nan (uniform, 1 in 64 NaN), inf (uniform, 1 in 64 +-inf); a table\n"
            "                       gives each kind's time over uniform's (choices use uniform only)\n"
            "  --format md|csv|json what goes to stdout (default md tables)\n"
            "  --out DIR            output directory (default bench-out)\n"
            "  --no-plots           do not run gnuplot\n"
            "  --tune FILE          time every variant per problem class (1 thread) and write a\n"
            "                       tuning file for SIMDPOOL_TUNING / simdpool_options.tuning_file\n"
            "  --check-tuning FILE  validate FILE, then show where the dispatched default and the\n"
            "                       file's choice differ from the measured best, and by how much\n"
            "  --help\n"
            "\n"
            "Google Benchmark flags work as usual: --benchmark_filter=REGEX (names are\n"
            "op/layout/variant/shape/params/threads, plus roofline/inB/outB/threads),\n"
            "--benchmark_repetitions=N, --benchmark_min_time=SECONDS, --benchmark_out=FILE,\n"
            "--benchmark_format=console|json|csv.\n");
}

static int mkdirs(const char *dir)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0777) && errno != EEXIST) return -1;
            *s = '/';
        }
    return mkdir(p, 0777) && errno != EEXIST ? -1 : 0;
}

static int write_tuning(const char *path)
{
    spb_choice *v;
    int n = spb_choices(&v, 0.03);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "simdpool-bench: cannot write %s\n", path);
        free(v);
        return 1;
    }
    fprintf(f, "simdpool-tuning 1\ncpu %s\nisa %s\n", simdpool_cpu_model(), simdpool_cpu_features());
    time_t now = time(NULL);
    fprintf(f, "# written by simdpool-bench --tune on %s", ctime(&now));
    fprintf(f, "# per class: the variant with the lowest geometric-mean median time over the\n"
               "# class's cases at 1 thread; the default choice is kept when within 3%%.\n");
    int written = 0;
    for (int i = 0; i < n; i++) {
        if (!v[i].best[0]) continue;
        fprintf(f, "# %s: %d cases, dispatched %s %.0f ns, chosen %.0f ns\n", v[i].cls, v[i].ncases,
                v[i].dispatched, v[i].t_dispatched, v[i].t_best);
        fprintf(f, "%s = %s\n", v[i].cls, v[i].best);
        written++;
    }
    fclose(f);
    free(v);
    if (simdpool_tuning_check(path) != SIMDPOOL_OK) {
        fprintf(stderr, "simdpool-bench: the written tuning file does not load: %s\n", simdpool_last_error());
        return 1;
    }
    fprintf(stderr, "simdpool-bench: wrote %s (%d classes); use it with SIMDPOOL_TUNING=%s\n", path, written, path);
    return 0;
}

static void run_gnuplot(const char *dir)
{
    char panels[2048];
    int rows = 0;
    int np = spb_write_plot_data(dir, panels, sizeof panels, &rows);
    if (np < 0) {
        fprintf(stderr, "simdpool-bench: cannot write plot data in %s\n", dir);
        return;
    }
    if (system("gnuplot --version >/dev/null 2>&1")) {
        fprintf(stderr, "simdpool-bench: gnuplot not found; plot data is in %s (render with %s)\n", dir,
                SPB_PLOT_SCRIPT);
        return;
    }
    char cmd[4096];
    /* gnuplot warns about the heat map's empty cells (peers that do not run a case): its
     * chatter goes to a log beside the pictures. */
    snprintf(cmd, sizeof cmd, "gnuplot -e \"dir='%s'; panels='%s'; heat_rows=%d\" '%s' 2>'%s/gnuplot.log'", dir,
             panels, rows, SPB_PLOT_SCRIPT, dir);
    if (system(cmd)) fprintf(stderr, "simdpool-bench: gnuplot failed (see %s/gnuplot.log): %s\n", dir, cmd);
}

int main(int argc, char **argv)
{
    spb_options o = {.level = 1, .peers = 1, .variants = 1, .with_auto = 1, .roofline = 1};
    const char *format = "md", *out = "bench-out", *tune = NULL, *check = NULL;
    int plots = 1, user_min_time = 0, user_out = 0, user_format = 0, list_only = 0;
    char **gargv = calloc((size_t)argc + 5, sizeof *gargv);
    int gargc = 0;
    const char *filter = NULL, *data = NULL;
    gargv[gargc++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE(dst)                                                                                \
    do {                                                                                         \
        if (!val) {                                                                              \
            fprintf(stderr, "simdpool-bench: %s needs a value\n", a);                            \
            return 2;                                                                            \
        }                                                                                        \
        dst = val;                                                                               \
        i++;                                                                                     \
    } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quick")) o.level = 0;
        else if (!strcmp(a, "--full")) o.level = 2;
        else if (!strcmp(a, "--seq")) o.level = 3;
        else if (!strcmp(a, "--op")) TAKE(o.ops);
        else if (!strcmp(a, "--layout")) TAKE(o.layouts);
        else if (!strcmp(a, "--size")) TAKE(o.sizes);
        else if (!strcmp(a, "--threads")) TAKE(o.threads);
        else if (!strcmp(a, "--batch")) TAKE(o.batches);
        else if (!strcmp(a, "--format")) TAKE(format);
        else if (!strcmp(a, "--out")) TAKE(out);
        else if (!strcmp(a, "--tune")) TAKE(tune);
        else if (!strcmp(a, "--check-tuning")) TAKE(check);
        else if (!strcmp(a, "--no-peers")) o.peers = 0;
        else if (!strcmp(a, "--data")) {
            TAKE(data);
            char bad[64];
            o.ndata = spb_data_parse(data, o.data, bad, sizeof bad);
            if (o.ndata < 0) {
                fprintf(stderr, "simdpool-bench: unknown --data kind \"%s\" (kinds: %s)\n", bad, spb_data_kinds());
                return 2;
            }
        }
        else if (!strcmp(a, "--offset")) {
            const char *v = NULL;
            TAKE(v);
            char *end;
            long b = strtol(v, &end, 10);
            if (*end || b < 0 || b > 60 || b % 4) {
                fprintf(stderr, "simdpool-bench: --offset takes bytes, a multiple of 4 from 0 to 60\n");
                return 2;
            }
            spb.offset = (int)(b / 4);
        }
        else if (!strcmp(a, "--no-plots")) plots = 0;
        else if (!strncmp(a, "--benchmark_", 12)) {
            user_min_time |= !strncmp(a, "--benchmark_min_time", 20);
            user_out |= !strncmp(a, "--benchmark_out=", 16);
            user_format |= !strncmp(a, "--benchmark_format", 18);
            list_only |= !strcmp(a, "--benchmark_list_tests") || !strcmp(a, "--benchmark_list_tests=true");
            /* The filter is applied at registration, so that the rooflines the selected
             * benchmarks need come along. */
            if (!strncmp(a, "--benchmark_filter=", 19)) filter = a + 19;
            else gargv[gargc++] = argv[i];
        } else {
            fprintf(stderr, "simdpool-bench: unknown option %s (see --help)\n", a);
            return 2;
        }
    }
    if (strcmp(format, "md") && strcmp(format, "csv") && strcmp(format, "json")) {
        fprintf(stderr, "simdpool-bench: --format must be md, csv or json\n");
        return 2;
    }
    if (tune && check) {
        fprintf(stderr, "simdpool-bench: --tune and --check-tuning do not mix\n");
        return 2;
    }
    if ((tune || check) && o.ndata && (o.ndata > 1 || o.data[0] != SPB_DATA_UNIFORM)) {
        fprintf(stderr, "simdpool-bench: --data does not mix with --tune or --check-tuning: kernels are chosen on "
                        "uniform data only\n");
        return 2;
    }
    if (check) {
        if (simdpool_tuning_check(check) != SIMDPOOL_OK) {
            fprintf(stderr, "simdpool-bench: %s\n", simdpool_last_error());
            return 1;
        }
        /* The "auto" column must be the heuristic, not whatever the environment points at. */
        unsetenv("SIMDPOOL_TUNING");
        o.tuned = check;
    }
    if (tune || check) {
        /* A class's choice is a per-core property: time the variants alone, one thread. */
        o.peers = 0;
        o.roofline = 0;
        o.threads_one_only = 1;
    }
    if (mkdirs(out)) {
        fprintf(stderr, "simdpool-bench: cannot create %s\n", out);
        return 1;
    }
    char json_arg[1100];
    if (!user_out) {
        snprintf(json_arg, sizeof json_arg, "--benchmark_out=%s/results.json", out);
        gargv[gargc++] = json_arg;
        gargv[gargc++] = (char *)"--benchmark_out_format=json";
    }
    if (!strcmp(format, "json") && !user_format) gargv[gargc++] = (char *)"--benchmark_format=json";
    /* min_time per level: enough iterations for a stable median of fast in-cache cases, short
     * enough that the default sweep stays near 3 minutes on 2 cores. Given as the flag, not per
     * benchmark, so that names stay clean and --benchmark_min_time still overrides it. */
    char min_arg[64];
    if (!user_min_time) {
        snprintf(min_arg, sizeof min_arg, "--benchmark_min_time=%g", o.level == 0 ? 0.01 : o.level == 1 ? 0.05 : 0.1);
        gargv[gargc++] = min_arg;
    }
    gargv[gargc] = NULL;
    if (!spb_build_cases(&o)) {
        fprintf(stderr, "simdpool-bench: no case matches the filters\n");
        return 2;
    }
    spb_make_jobs(&o);
    int selected = spb_register_jobs(filter);
    if (!selected) {
        fprintf(stderr, "simdpool-bench: no benchmark matches --benchmark_filter=%s\n", filter ? filter : "");
        return 2;
    }
    if (gb_initialize(&gargc, gargv)) return 2;
    if (gargc > 1) {
        fprintf(stderr, "simdpool-bench: unexpected argument %s\n", gargv[1]);
        return 2;
    }
    const char *peers = "none (install libdnnl-dev, libxnnpack-dev + libpthreadpool-dev and reconfigure)";
#if defined(SPB_HAVE_ONEDNN) && defined(SPB_HAVE_XNNPACK)
    peers = "oneDNN, XNNPACK";
#elif defined(SPB_HAVE_ONEDNN)
    peers = "oneDNN";
#elif defined(SPB_HAVE_XNNPACK)
    peers = "XNNPACK";
#endif
    fprintf(stderr, "simdpool-bench: %d cases, %d benchmarks; CPU %s [%s]; peers: %s\n", spb.ncases, selected,
            simdpool_cpu_model(), simdpool_cpu_features(), o.peers ? peers : "off");
    spb_progress_begin(selected);
    int display = strcmp(format, "json") && !user_format ? GB_DISPLAY_QUIET : GB_DISPLAY_DEFAULT;
    gb_run(list_only ? GB_DISPLAY_DEFAULT : display, spb_on_result, NULL);
    free(gargv);
    if (list_only) return 0;
    spb_finish_results();

    if (tune) return write_tuning(tune);
    char path[1100];
    snprintf(path, sizeof path, "%s/results.csv", out);
    FILE *csv = fopen(path, "w");
    if (csv) {
        spb_write_csv(csv);
        fclose(csv);
    }
    snprintf(path, sizeof path, "%s/tables.md", out);
    FILE *md = fopen(path, "w");
    if (md) {
        fprintf(md, "# simdpool-bench on %s [%s]\n", simdpool_cpu_model(), simdpool_cpu_features());
        spb_print_tables(md);
        spb_print_variants(md);
        spb_print_data(md);
        spb_print_choices(md, check != NULL);
        fclose(md);
    }
    if (!strcmp(format, "md")) {
        if (!check) spb_print_tables(stdout), spb_print_variants(stdout), spb_print_data(stdout);
        spb_print_choices(stdout, check != NULL);
    } else if (!strcmp(format, "csv")) {
        spb_write_csv(stdout);
    }
    if (plots && !check) run_gnuplot(out);
    fprintf(stderr, "simdpool-bench: wrote %s/{results.csv%s,tables.md%s}\n", out, user_out ? "" : ",results.json",
            plots && !check ? ",gbps.png,heat.png" : "");
    return 0;
}
