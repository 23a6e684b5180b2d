/* Shared state of simdpool-bench: the cases of a sweep, the timed jobs, the results. */
#ifndef SPB_BENCH_H
#define SPB_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "simdpool.h"

/* Input data kinds (--data, data.c). Choices and tuning use uniform cases only. */
typedef enum spb_data {
    SPB_DATA_UNIFORM,   /* [0, 1): the sweep's data */
    SPB_DATA_TINY,      /* +-1e-20: products are subnormal */
    SPB_DATA_SUBNORMAL, /* +-1e-40 */
    SPB_DATA_ZEROS,     /* +0 and -0 */
    SPB_DATA_NAN,       /* uniform, 1 in 64 NaN */
    SPB_DATA_INF,       /* uniform, 1 in 64 +-inf */
    SPB_DATA_COUNT
} spb_data;
const char *spb_data_name(spb_data k);
const char *spb_data_kinds(void); /* "uniform, tiny, ..." for messages */
/* A comma list into kinds (repeats dropped); -1 with the unknown name in bad. */
int spb_data_parse(const char *list, spb_data *kinds, char *bad, size_t nbad);
void spb_data_fill(spb_data k, float *v, size_t n);

/* One problem: a descriptor on a thread count and a kind of input data. */
typedef struct spb_case {
    simdpool_desc d;
    int threads;
    spb_data data;
    int uniform_ci;  /* the same problem on uniform data, -1 if the sweep has none */
    size_t in_elems, out_elems;
    char shape[48];  /* "n1c64h224w224" or "b8t128d768" */
    char params[24]; /* "k3s2p1", "o7x7" or "-" */
    char cls[64];    /* simdpool_plan_class() */
    int roof;        /* index of its roofline job, -1 if none */
} spb_case;

typedef enum spb_kind { SPB_ROOF, SPB_SIMDPOOL, SPB_ONEDNN, SPB_ONEDNN_BLOCKED, SPB_XNNPACK } spb_kind;

#define SPB_MAX_REPS 32

typedef struct spb_job {
    spb_kind kind;
    int ci;               /* case index */
    char variant[32];     /* "auto", "tuned", a registry name, "onednn", "onednn-nChw16c", "xnnpack", "stream" */
    const char *tuning;   /* for "tuned" */
    char name[160];
    char kernel[96];      /* the kernel that ran (simdpool_plan_variant) */
    double est_ns;        /* median of the previous body call: sets the sample batch */
    double last_median;   /* median of the last body call (a roofline's value is read from here) */
    double reps[SPB_MAX_REPS];
    int nreps;
    double median_ns;     /* median over repetitions, NaN if not run */
    double roof_reps[SPB_MAX_REPS]; /* paired roofline medians, one per repetition (jobs.c: timed) */
    int nroof;
    double roof_ns;       /* their median, NaN if not paired: % roof then uses the case's roofline */
    int roof_threads;     /* a roofline job: the thread count its pass uses */
    char err[160];
} spb_job;

typedef struct spb_sweep {
    spb_case *cases;
    int ncases, capc;
    spb_job *jobs;
    int njobs, capj;
    size_t max_in, max_out, max_mask;
    int offset; /* floats the input and output start past a 64-byte boundary (--offset) */
} spb_sweep;

extern spb_sweep spb;

/* cases.c: the sweep definitions and filters. */
typedef struct spb_options {
    int level;          /* 0 quick, 1 default, 2 full, 3 sequence pooling */
    const char *ops, *layouts, *sizes, *threads, *batches; /* comma lists, NULL = all */
    int peers;          /* time oneDNN/XNNPACK too */
    int variants;       /* every registered variant, not only the dispatched default */
    int with_auto;      /* the dispatched default */
    const char *tuned;  /* also time the plan made with this tuning file */
    int threads_one_only;
    int roofline;       /* time the same-run roofline of each case */
    spb_data data[SPB_DATA_COUNT]; /* the kinds of input, each case once per kind */
    int ndata;          /* 0: uniform only */
} spb_options;
int spb_build_cases(const spb_options *o);
int spb_ncores(void);

/* jobs.c: the timed bodies and their registration. */
/* Makes the jobs of every case; registers those the filter selects (see jobs.c). */
void spb_make_jobs(const spb_options *o);
int spb_register_jobs(const char *filter);
int spb_job_find(const char *name, int hint);

/* Reference and helpers shared with the peers. */
const float *spb_input(spb_data k);
const uint8_t *spb_mask(void);
const float *spb_reference(int ci, int exclude_pad);
int spb_compare(const spb_case *c, const float *got, const float *ref, char *msg, size_t n);


#endif
