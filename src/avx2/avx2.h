/* The AVX2+FMA variant: kernel entry points and the accept rules the table uses. */
#ifndef SP_AVX2_H
#define SP_AVX2_H
#include "../core/kernel.h"

/* NCHW windowed max/avg/sum: units are planes. */
void sp_avx2_nchw_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nchw_2x2s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nchw_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nchw_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nchw_generic(const sp_problem *p);
int sp_avx2_accepts_nchw_2x2s2(const sp_problem *p);
int sp_avx2_accepts_nchw_3x3s2(const sp_problem *p);
int sp_avx2_accepts_nchw_3x3s1(const sp_problem *p);
/* Values-only max, stride 1, dilation 1, kernels up to 7x7 (nchw_s1_max.c). */
void sp_avx2_nchw_s1_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nchw_s1_max(const sp_problem *p);

/* NHWC windowed max/avg/sum: units are output rows n*OH + oh. */
void sp_avx2_nhwc_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nhwc_generic(const sp_problem *p);
void sp_avx2_nhwc_2x2s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nhwc_2x2s2(const sp_problem *p); /* values-only max, avg, sum; whole windows */
void sp_avx2_nhwc_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nhwc_3x3s1(const sp_problem *p); /* values-only max, avg, sum; pad <= 1 */
void sp_avx2_nhwc_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nhwc_3x3s2(const sp_problem *p); /* values-only max, avg, sum; pad <= 1 */

/* Global max/avg/sum: units are (n, c) pairs. */
void sp_avx2_global_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_global_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_global(const sp_problem *p);
/* Global avg/sum on aligned vector grids (global_sum.c). */
void sp_avx2_global_sum_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_global_sum_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_global_sum_nchw(const sp_problem *p);
int sp_avx2_accepts_global_sum_nhwc(const sp_problem *p);
/* Values-only global max, NCHW, on the same blocks (7x7 and 14x14 planes). */
void sp_avx2_global_max_nchw_blocks(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_global_max_nchw_blocks(const sp_problem *p);

/* Lp (p = 1, 2), stochastic, adaptive avg/max and masked mean/max (lp.c, stochastic.c,
 * adaptive.c, masked.c): NCHW units are planes, NHWC units output rows, masked units (b, d). */
void sp_avx2_nchw_lp_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nchw_lp_gather(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nhwc_lp(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nchw_lp_rows(const sp_problem *p);
int sp_avx2_accepts_nchw_lp_gather(const sp_problem *p);
int sp_avx2_accepts_nhwc_lp(const sp_problem *p);
void sp_avx2_nchw_stochastic_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nchw_stochastic_gather(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nhwc_stochastic(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nchw_stochastic_rows(const sp_problem *p);
int sp_avx2_accepts_nchw_stochastic_gather(const sp_problem *p);
void sp_avx2_nchw_adaptive_1x1(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nchw_adaptive_rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nchw_adaptive_gather(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx2_nchw_adaptive_avg(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nchw_adaptive_avg(const sp_problem *p);
void sp_avx2_nchw_adaptive_planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nchw_adaptive_planes(const sp_problem *p);
int sp_avx2_accepts_nchw_adaptive_avg_planes(const sp_problem *p);
void sp_avx2_nhwc_adaptive(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_nchw_adaptive_1x1(const sp_problem *p);
int sp_avx2_accepts_nchw_adaptive_rows(const sp_problem *p);
int sp_avx2_accepts_nchw_adaptive_gather(const sp_problem *p);
int sp_avx2_accepts_nhwc_adaptive(const sp_problem *p);
void sp_avx2_btd_masked(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx2_accepts_btd_masked(const sp_problem *p);

extern const sp_kernel sp_avx2_kernels[];

#endif
