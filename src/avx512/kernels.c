/* The AVX-512 variant's kernel list: specialised NCHW shapes first, then the generic kernels.
 * Ops not listed here (lp, stochastic, adaptive, masked) fall back to scalar. */
#include "avx512.h"

#define I SP_K_INDICES
#define NCHW_OPS(name, acc, fn)                                                                   \
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, I, name, acc, fn},                                             \
    {SIMDPOOL_AVG, SIMDPOOL_NCHW, 0, name, acc, fn},                                             \
    {SIMDPOOL_SUM, SIMDPOOL_NCHW, 0, name, acc, fn}
#define BOTH_GLOBAL(op, flags)                                                                    \
    {op, SIMDPOOL_NCHW, flags, "global", sp_avx512_accepts_global, sp_avx512_global_nchw},       \
    {op, SIMDPOOL_NHWC, flags, "global", sp_avx512_accepts_global, sp_avx512_global_nhwc}

const sp_kernel sp_avx512_kernels[] = {
    NCHW_OPS("nchw_2x2s2", sp_avx512_accepts_nchw_2x2s2, sp_avx512_nchw_2x2s2),
    NCHW_OPS("nchw_3x3s2", sp_avx512_accepts_nchw_3x3s2, sp_avx512_nchw_3x3s2),
    NCHW_OPS("nchw_3x3s1", sp_avx512_accepts_nchw_3x3s1, sp_avx512_nchw_3x3s1),
    NCHW_OPS("nchw_generic", sp_avx512_accepts_nchw_generic, sp_avx512_nchw_generic),
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, I, "nhwc_generic", sp_avx512_accepts_nhwc_generic, sp_avx512_nhwc_generic},
    {SIMDPOOL_AVG, SIMDPOOL_NHWC, 0, "nhwc_generic", sp_avx512_accepts_nhwc_generic, sp_avx512_nhwc_generic},
    {SIMDPOOL_SUM, SIMDPOOL_NHWC, 0, "nhwc_generic", sp_avx512_accepts_nhwc_generic, sp_avx512_nhwc_generic},
    BOTH_GLOBAL(SIMDPOOL_GLOBAL_MAX, I),
    BOTH_GLOBAL(SIMDPOOL_GLOBAL_AVG, 0),
    BOTH_GLOBAL(SIMDPOOL_GLOBAL_SUM, 0),
    {0, 0, 0, NULL, NULL, NULL},
};
