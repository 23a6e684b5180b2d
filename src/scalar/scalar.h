#ifndef SP_SCALAR_H
#define SP_SCALAR_H
#include "../core/kernel.h"

void sp_scalar_window_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_scalar_window_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_scalar_adaptive_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_scalar_adaptive_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_scalar_global(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_scalar_masked(const sp_problem *p, const sp_args *a, size_t begin, size_t end);

/* The scalar variant's kernel list: one entry for every (op, layout), indices included. */
extern const sp_kernel sp_scalar_kernels[];

#endif
