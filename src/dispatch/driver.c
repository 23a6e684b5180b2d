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

/* A thread must get at least this many elements (read + written), about 256 KB: below it the
 * fork/join (a few microseconds) costs more than the work, so a 7x7 map runs on one thread. */
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
    size_t by_work = elems / (grain ? grain : SP_GRAIN_ELEMS);
    if ((size_t)nt > by_work) nt = by_work ? (int)by_work : 1;
    if ((size_t)nt > units) nt = (int)units;
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
