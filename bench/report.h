#ifndef SPB_REPORT_H
#define SPB_REPORT_H
#include <stdio.h>

#include "bench.h"
#include "gbench.h"

/* Google Benchmark result callback: files each repetition under its job, prints progress. */
void spb_on_result(const gb_result *r, void *user);
void spb_progress_begin(int total);
/* Medians over repetitions, once the run is over. */
void spb_finish_results(void);

/* The per-class choice: over the 1-thread cases of a class, the geometric mean time of each
 * variant; best is the fastest (the dispatched one is kept when within `margin`). */
typedef struct spb_choice {
    char cls[64];
    int ncases;
    char dispatched[32], tuned[32], best[32];
    double t_dispatched, t_tuned, t_best; /* geometric means, ns */
} spb_choice;
int spb_choices(spb_choice **out, double margin);
const char *spb_effective_variant(const char *kernel, char *buf, size_t n);

void spb_print_tables(FILE *f);
void spb_print_choices(FILE *f, int with_tuned);
void spb_print_variants(FILE *f);
/* Each kind of data's time over uniform's, per variant (--data with several kinds). */
void spb_print_data(FILE *f);
void spb_write_csv(FILE *f);
int spb_write_plot_data(const char *dir, char *panels, size_t n, int *heat_rows);

#endif
