/* The AVX2 variant's kernel list: specialised NCHW shapes first, then the generic kernels.
 * Ops not listed here (lp, stochastic, adaptive, masked) fall back to scalar. */
#include "avx2.h"

#define I SP_K_INDICES
#define NCHW_OPS(name, acc, fn)                                                                   \
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, I, name, acc, fn},                                             \
    {SIMDPOOL_AVG, SIMDPOOL_NCHW, 0, name, acc, fn},                                             \
    {SIMDPOOL_SUM, SIMDPOOL_NCHW, 0, name, acc, fn}

const sp_kernel sp_avx2_kernels[] = {
    NCHW_OPS("nchw_2x2s2", sp_avx2_accepts_nchw_2x2s2, sp_avx2_nchw_2x2s2),
    NCHW_OPS("nchw_3x3s2", sp_avx2_accepts_nchw_3x3s2, sp_avx2_nchw_3x3s2),
    NCHW_OPS("nchw_3x3s1", sp_avx2_accepts_nchw_3x3s1, sp_avx2_nchw_3x3s1),
    NCHW_OPS("nchw_generic", sp_avx2_accepts_nchw_generic, sp_avx2_nchw_generic),
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, I, "nhwc_generic", sp_avx2_accepts_nhwc_generic, sp_avx2_nhwc_generic},
    {SIMDPOOL_AVG, SIMDPOOL_NHWC, 0, "nhwc_generic", sp_avx2_accepts_nhwc_generic, sp_avx2_nhwc_generic},
    {SIMDPOOL_SUM, SIMDPOOL_NHWC, 0, "nhwc_generic", sp_avx2_accepts_nhwc_generic, sp_avx2_nhwc_generic},
    {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NCHW, I, "global", sp_avx2_accepts_global, sp_avx2_global_nchw},
    {SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NCHW, 0, "global", sp_avx2_accepts_global, sp_avx2_global_nchw},
    {SIMDPOOL_GLOBAL_SUM, SIMDPOOL_NCHW, 0, "global", sp_avx2_accepts_global, sp_avx2_global_nchw},
    {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NHWC, I, "global", sp_avx2_accepts_global, sp_avx2_global_nhwc},
    {SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NHWC, 0, "global", sp_avx2_accepts_global, sp_avx2_global_nhwc},
    {SIMDPOOL_GLOBAL_SUM, SIMDPOOL_NHWC, 0, "global", sp_avx2_accepts_global, sp_avx2_global_nhwc},
    {0, 0, 0, NULL, NULL, NULL},
};
