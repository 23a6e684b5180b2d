/* The scalar variant: every (op, layout) slot, indices included. It is the reference that
 * every other variant is tested against, and the fallback for slots they leave empty. */
#include "scalar.h"

#define I SP_K_INDICES
#define BOTH(op, flags, name, fn_nchw, fn_nhwc)                                                   \
    {op, SIMDPOOL_NCHW, flags, "nchw_" name, NULL, fn_nchw},                                     \
    {op, SIMDPOOL_NHWC, flags, "nhwc_" name, NULL, fn_nhwc}

const sp_kernel sp_scalar_kernels[] = {
    BOTH(SIMDPOOL_MAX, I, "generic", sp_scalar_window_nchw, sp_scalar_window_nhwc),
    BOTH(SIMDPOOL_AVG, 0, "generic", sp_scalar_window_nchw, sp_scalar_window_nhwc),
    BOTH(SIMDPOOL_SUM, 0, "generic", sp_scalar_window_nchw, sp_scalar_window_nhwc),
    BOTH(SIMDPOOL_LP, 0, "generic", sp_scalar_window_nchw, sp_scalar_window_nhwc),
    BOTH(SIMDPOOL_STOCHASTIC, 0, "generic", sp_scalar_window_nchw, sp_scalar_window_nhwc),
    BOTH(SIMDPOOL_GLOBAL_MAX, I, "global", sp_scalar_global, sp_scalar_global),
    BOTH(SIMDPOOL_GLOBAL_AVG, 0, "global", sp_scalar_global, sp_scalar_global),
    BOTH(SIMDPOOL_GLOBAL_SUM, 0, "global", sp_scalar_global, sp_scalar_global),
    BOTH(SIMDPOOL_ADAPTIVE_AVG, 0, "adaptive", sp_scalar_adaptive_nchw, sp_scalar_adaptive_nhwc),
    BOTH(SIMDPOOL_ADAPTIVE_MAX, I, "adaptive", sp_scalar_adaptive_nchw, sp_scalar_adaptive_nhwc),
    /* Masked ops always run as NHWC ([B, T, D]); the planner normalises the layout. */
    {SIMDPOOL_MASKED_MEAN, SIMDPOOL_NHWC, 0, "btd_masked", NULL, sp_scalar_masked},
    {SIMDPOOL_MASKED_MAX, SIMDPOOL_NHWC, 0, "btd_masked", NULL, sp_scalar_masked},
    {0, 0, 0, NULL, NULL, NULL},
};
