/* A C face for Google Benchmark (1.7.x), so that benchmark bodies can be plain C.
 *
 *   static void body(gb_state *st, void *ctx) { while (gb_keep_running(st)) work(ctx); }
 *   gb_register("op/layout/variant/shape/params/t1", body, ctx);
 *   gb_initialize(&argc, argv);            (consumes the --benchmark_* flags)
 *   gb_run(GB_DISPLAY_QUIET, on_result, user);
 *
 * Every standard flag keeps working because the shim only forwards to the library. */
#ifndef SPB_GBENCH_H
#define SPB_GBENCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state; /* a benchmark::State */
typedef struct gb_bench gb_bench; /* a benchmark::internal::Benchmark */
typedef void (*gb_body)(gb_state *st, void *ctx);

gb_bench *gb_register(const char *name, gb_body body, void *ctx);
void gb_bench_min_time(gb_bench *b, double seconds);
void gb_bench_use_real_time(gb_bench *b);
enum { GB_NS = 0, GB_US = 1, GB_MS = 2 };
void gb_bench_unit(gb_bench *b, int unit);

/* The timing loop. */
int gb_keep_running(gb_state *st);
int64_t gb_max_iterations(const gb_state *st);
void gb_pause_timing(gb_state *st);
void gb_resume_timing(gb_state *st);
/* Marks the run as failed with msg; the body must return without entering the loop. */
void gb_skip_with_error(gb_state *st, const char *msg);

/* Counters. bytes and items are per iteration (Google Benchmark turns them into rates). */
void gb_set_bytes_processed(gb_state *st, int64_t bytes_total);
void gb_set_items_processed(gb_state *st, int64_t items_total);
int64_t gb_iterations(const gb_state *st);
enum { GB_COUNTER_PLAIN = 0, GB_COUNTER_RATE = 1, GB_COUNTER_AVG_ITER = 8 };
void gb_set_counter(gb_state *st, const char *name, double value, unsigned flags);
void gb_set_label(gb_state *st, const char *label);

/* Parses and removes the --benchmark_* flags. Returns 0, or 1 if argv still holds unknown
 * flags starting with "--benchmark" (they are reported on stderr). */
int gb_initialize(int *argc, char **argv);

/* One reported run (a repetition or an aggregate such as "median"). */
typedef struct gb_result {
    const char *name;      /* the registered name, without aggregate suffix */
    const char *aggregate; /* "" for a plain run, else "mean", "median", ... */
    const char *label;
    const char *error;     /* NULL when the run succeeded */
    int64_t iterations;
    double real_ns, cpu_ns; /* per iteration */
    const void *impl;
} gb_result;
/* A user counter of r, or NaN when it has none of that name. */
double gb_result_counter(const gb_result *r, const char *name);
typedef void (*gb_result_fn)(const gb_result *r, void *user);

/* QUIET: no per-benchmark output (on_result may print progress); DEFAULT: the reporter that
 * --benchmark_format picks. --benchmark_out files are written either way. Returns the number
 * of benchmarks run. */
enum { GB_DISPLAY_QUIET = 0, GB_DISPLAY_DEFAULT = 1 };
int64_t gb_run(int display, gb_result_fn on_result, void *user);

#ifdef __cplusplus
}
#endif
#endif
