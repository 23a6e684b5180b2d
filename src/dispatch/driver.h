#ifndef SP_DRIVER_H
#define SP_DRIVER_H
#include "../core/kernel.h"

/* Splits the problem's units over threads (0 = OpenMP's default) and calls fn per slice; each
 * problem of fewer than two grains of elements (0 = the default grain, 64K) runs on the
 * calling thread, a larger one on every thread.
 * Every unit is computed by the same code whatever the split, so results do not depend on
 * the thread count. */
void sp_drive(const sp_problem *p, sp_kernel_fn fn, const sp_args *a, int threads, size_t grain);

#endif
