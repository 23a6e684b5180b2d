/* The AVX-512 (F, BW, VL) variant: kernel entry points and the accept rules the table uses. */
#ifndef SP_AVX512_H
#define SP_AVX512_H
#include "../core/kernel.h"

/* NCHW windowed max: units are planes. */
void sp_avx512_nchw_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx512_nchw_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nchw_generic(const sp_problem *p);
int sp_avx512_avx2_special(const sp_problem *p); /* unpadded 2x2s2, 3x3s1 */
int sp_avx512_accepts_nchw_3x3s2(const sp_problem *p);
/* NCHW 3x3 stride 2, padding <= 1, values-only max on rows of 65..224 columns (nchw_3x3s2.c). */
void sp_avx512_nchw_3x3s2_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nchw_3x3s2_max(const sp_problem *p);
/* NCHW 3x3 stride 2, values-only max and avg on rows of up to 32 columns (nchw_3x3s2_small.c). */
void sp_avx512_nchw_3x3s2_small(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nchw_3x3s2_small(const sp_problem *p);

/* NCHW 3x3 stride 1, padding 1, rows of up to 64 columns: values-only max and avg (nchw_3x3s1.c). */
void sp_avx512_nchw_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nchw_3x3s1(const sp_problem *p);

/* NCHW 2x2 stride 2, whole windows, rows of 49..112 outputs: values-only max and avg (nchw_2x2s2.c). */
void sp_avx512_nchw_2x2s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nchw_2x2s2(const sp_problem *p);
/* The same, rows of up to 17 columns: values-only max, avg on some widths (nchw_2x2s2_narrow.c). */
void sp_avx512_nchw_2x2s2_narrow(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nchw_2x2s2_narrow(const sp_problem *p);
/* Values-only max of `periods` runs of 16 row pairs of 14 columns (448 inputs, 112 outputs);
 * returns the lanes of its ordered compares that held (all set when no NaN was read). */
uint16_t sp_avx512_max2x2s2_w14(const float *in, float *out, int64_t periods);
void sp_avx512_avg2x2s2_w14(const float *in, float *out, int64_t periods);

/* NHWC windowed and adaptive max: units are output rows n*OH + oh. */
void sp_avx512_nhwc_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx512_nhwc_adaptive_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nhwc_generic(const sp_problem *p);
/* NHWC 3x3 stride 1, padding <= 1: values-only max, avg, sum (nhwc_3x3s1.c). */
void sp_avx512_nhwc_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nhwc_3x3s1(const sp_problem *p);
/* NHWC 3x3 stride 2, padding <= 1: values-only max (nhwc_3x3s2.c). */
void sp_avx512_nhwc_3x3s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nhwc_3x3s2(const sp_problem *p);
/* NHWC 2x2 stride 2 without padding: values-only max (nhwc_2x2s2.c). */
void sp_avx512_nhwc_2x2s2_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_nhwc_2x2s2_max(const sp_problem *p);

/* Global max, both layouts: units are (n, c) pairs. */
void sp_avx512_global_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx512_global_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_global(const sp_problem *p);
/* Global avg / sum (global_sum.c): NCHW planes of 16 floats or more, NHWC any. */
void sp_avx512_global_sum_nchw(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
void sp_avx512_global_sum_nhwc(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
int sp_avx512_accepts_global_sum_nchw(const sp_problem *p);
/* Values-only global max, NCHW, on the same blocks (where sp_avx512_accepts_global_sum_nchw). */
void sp_avx512_global_max_nchw_blocks(const sp_problem *p, const sp_args *a, size_t begin, size_t end);

/* Masked sequence max over [B, T, D]: units are (b, d) pairs. */
void sp_avx512_btd_masked_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end);

extern const sp_kernel sp_avx512_kernels[];

#endif
