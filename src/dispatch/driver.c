/* The only place that knows about threads. */
#include "driver.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define SP_STR(x) #x
#define SP_PRAGMA(x) _Pragma(SP_STR(x))
#ifdef _OPENMP
#define SP_OMP(x) SP_PRAGMA(omp x)
#else
#define SP_OMP(x)
#endif

/* Work below two grains of elements (read + written), about 512 KB, runs on the calling thread:
 * the fork/join (a few microseconds) would cost more than the work, so a 7x7 map never forks. */
#define SP_GRAIN_ELEMS (64 * 1024)
/* Slice boundaries fall on multiples of this many units, so SIMD kernels working across
 * channels (global, masked) see full vectors except at the true tail. */
#define SP_ALIGN_UNITS 16

void sp_drive(const sp_problem *p, sp_kernel_fn fn, const sp_args *a, int threads, size_t grain)
{
    size_t units = (size_t)sp_units(p);
    size_t elems = (size_t)(p->n * p->c * p->h * p->w) + (size_t)(p->n * p->c * p->oh * p->ow);
    int nt = 1;
#ifdef _OPENMP
    nt = threads > 0 ? threads : omp_get_max_threads();
#else
    (void)threads;
#endif
    /* Forked work goes to every thread, never to fewer: a team smaller than the previous region's
     * (the caller's, or the last op's) cost more than it saved. On 16 cores, max/avg C192 28^2
     * with 16 threads asked ran 0.75-1.12x the 1-thread time when the grain cut the team to 4,
     * 1.8-3.2x with all 16 (docs/threads.md). Threads left without units return at once. */
    if (elems / (grain ? grain : SP_GRAIN_ELEMS) < 2 || units < 2) nt = 1;
    if (nt <= 1) {
        fn(p, a, 0, units);
        return;
    }
    size_t align = units >= (size_t)nt * SP_ALIGN_UNITS * 4 ? SP_ALIGN_UNITS : 1;
    SP_OMP(parallel for num_threads(nt) schedule(static, 1))
    for (int t = 0; t < nt; t++) {
        size_t b = units * (size_t)t / (size_t)nt / align * align;
        size_t e = t == nt - 1 ? units : units * (size_t)(t + 1) / (size_t)nt / align * align;
        if (b < e) fn(p, a, b, e);
    }
}
