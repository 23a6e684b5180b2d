/* Internal to the AVX-512 NCHW kernels: the exact row template, for fast paths that fall back
 * to it (a row that held a NaN). */
#ifndef SP_AVX512_NCHW_H
#define SP_AVX512_NCHW_H
#include "avx512.h"

/* Values-only max of output row oh of one plane, exact (the reference's step per tap). */
void sp_avx512_row_max_3x3s2(const sp_problem *p, const float *plane, float *out, int64_t oh);
/* The row template for 3x3 stride 2 max, values or indices. */
void sp_avx512_nchw_3x3s2_exact(const sp_problem *p, const sp_args *a, size_t begin, size_t end);

#endif
