/* The NEON variant's kernel list (native "neon" on aarch64, "neon-simde" on x86-64).
 * Within an (op, layout) the planner takes the first entry that accepts: specialised shapes
 * first, values-only before the matching indices kernel (which also runs values-only if
 * handed no index buffer). Cases no entry accepts (lp with p other than 1 or 2, which needs
 * powf per tap, as on AVX2) fall back to scalar, and the plan's name says so. Index kernels
 * keep indices in int32 lanes, hence the H*W bound. */
#include "neon.h"

static int idx32(const sp_problem *p) { return p->h * p->w <= INT32_MAX; }

static int unit_dil(const sp_problem *p) { return p->dh == 1 && p->dw == 1; }

static int is_2x2s2(const sp_problem *p)
{
    return p->kh == 2 && p->kw == 2 && p->sh == 2 && p->sw == 2 && unit_dil(p);
}
static int is_3x3s2(const sp_problem *p)
{
    return p->kh == 3 && p->kw == 3 && p->sh == 2 && p->sw == 2 && unit_dil(p);
}
static int is_3x3s1(const sp_problem *p)
{
    return p->kh == 3 && p->kw == 3 && p->sh == 1 && p->sw == 1 && unit_dil(p);
}
static int is_2x2s2_i(const sp_problem *p) { return is_2x2s2(p) && idx32(p); }
static int is_3x3s2_i(const sp_problem *p) { return is_3x3s2(p) && idx32(p); }
static int is_3x3s1_i(const sp_problem *p) { return is_3x3s1(p) && idx32(p); }

#define NC SIMDPOOL_NCHW
#define NH SIMDPOOL_NHWC
#define I SP_K_INDICES
#define K(op, lay, flags, name, acc, fn) {op, lay, flags, name, acc, SP_NEON_NAME(fn)}

const sp_kernel SP_NEON_NAME(kernels)[] = {
    K(SIMDPOOL_MAX, NC, 0, "nchw_2x2s2", is_2x2s2, nchw_2x2s2_max),
    K(SIMDPOOL_MAX, NC, I, "nchw_2x2s2", is_2x2s2_i, nchw_2x2s2_maxi),
    K(SIMDPOOL_MAX, NC, 0, "nchw_3x3s2", is_3x3s2, nchw_3x3s2_max),
    K(SIMDPOOL_MAX, NC, I, "nchw_3x3s2", is_3x3s2_i, nchw_3x3s2_maxi),
    K(SIMDPOOL_MAX, NC, 0, "nchw_3x3s1", is_3x3s1, nchw_3x3s1_max),
    K(SIMDPOOL_MAX, NC, I, "nchw_3x3s1", is_3x3s1_i, nchw_3x3s1_maxi),
    K(SIMDPOOL_MAX, NC, 0, "nchw_generic", NULL, nchw_generic_max),
    K(SIMDPOOL_MAX, NC, I, "nchw_generic", idx32, nchw_generic_maxi),
    K(SIMDPOOL_AVG, NC, 0, "nchw_2x2s2", is_2x2s2, nchw_2x2s2_avg),
    K(SIMDPOOL_AVG, NC, 0, "nchw_3x3s2", is_3x3s2, nchw_3x3s2_avg),
    K(SIMDPOOL_AVG, NC, 0, "nchw_3x3s1", is_3x3s1, nchw_3x3s1_avg),
    K(SIMDPOOL_AVG, NC, 0, "nchw_generic", NULL, nchw_generic_avg),
    K(SIMDPOOL_SUM, NC, 0, "nchw_2x2s2", is_2x2s2, nchw_2x2s2_avg),
    K(SIMDPOOL_SUM, NC, 0, "nchw_3x3s2", is_3x3s2, nchw_3x3s2_avg),
    K(SIMDPOOL_SUM, NC, 0, "nchw_3x3s1", is_3x3s1, nchw_3x3s1_avg),
    K(SIMDPOOL_SUM, NC, 0, "nchw_generic", NULL, nchw_generic_avg),
    K(SIMDPOOL_MAX, NH, 0, "nhwc_3x3s1", SP_NEON_NAME(accepts_nhwc_3x3s1), nhwc_3x3s1),
    K(SIMDPOOL_MAX, NH, 0, "nhwc_3x3s2", SP_NEON_NAME(accepts_nhwc_3x3s2), nhwc_3x3s2),
    K(SIMDPOOL_AVG, NH, 0, "nhwc_3x3s1", SP_NEON_NAME(accepts_nhwc_3x3s1), nhwc_3x3s1),
    K(SIMDPOOL_AVG, NH, 0, "nhwc_3x3s2", SP_NEON_NAME(accepts_nhwc_3x3s2), nhwc_3x3s2),
    K(SIMDPOOL_SUM, NH, 0, "nhwc_3x3s1", SP_NEON_NAME(accepts_nhwc_3x3s1), nhwc_3x3s1),
    K(SIMDPOOL_SUM, NH, 0, "nhwc_3x3s2", SP_NEON_NAME(accepts_nhwc_3x3s2), nhwc_3x3s2),
    K(SIMDPOOL_MAX, NH, 0, "nhwc_generic", NULL, nhwc_generic_max),
    K(SIMDPOOL_MAX, NH, I, "nhwc_generic", idx32, nhwc_generic_maxi),
    K(SIMDPOOL_AVG, NH, 0, "nhwc_generic", NULL, nhwc_generic_avg),
    K(SIMDPOOL_SUM, NH, 0, "nhwc_generic", NULL, nhwc_generic_avg),
    K(SIMDPOOL_GLOBAL_MAX, NC, 0, "global", NULL, global_nchw_max),
    K(SIMDPOOL_GLOBAL_MAX, NC, I, "global", idx32, global_nchw_maxi),
    K(SIMDPOOL_GLOBAL_AVG, NC, 0, "global", NULL, global_nchw_sum),
    K(SIMDPOOL_GLOBAL_SUM, NC, 0, "global", NULL, global_nchw_sum),
    K(SIMDPOOL_GLOBAL_MAX, NH, 0, "global", NULL, global_nhwc_max),
    K(SIMDPOOL_GLOBAL_MAX, NH, I, "global", idx32, global_nhwc_maxi),
    K(SIMDPOOL_GLOBAL_AVG, NH, 0, "global", NULL, global_nhwc_sum),
    K(SIMDPOOL_GLOBAL_SUM, NH, 0, "global", NULL, global_nhwc_sum),
    K(SIMDPOOL_LP, NH, 0, "nhwc_lp_p1p2", SP_NEON_NAME(accepts_lp), nhwc_lp),
    K(SIMDPOOL_STOCHASTIC, NH, 0, "nhwc_stochastic", NULL, nhwc_stochastic),
    K(SIMDPOOL_ADAPTIVE_AVG, NH, 0, "nhwc_adaptive", NULL, nhwc_adaptive),
    K(SIMDPOOL_ADAPTIVE_MAX, NH, I, "nhwc_adaptive", idx32, nhwc_adaptive),
    K(SIMDPOOL_MASKED_MEAN, NH, 0, "btd_masked", NULL, btd_masked),
    K(SIMDPOOL_MASKED_MAX, NH, 0, "btd_masked", NULL, btd_masked),
    K(SIMDPOOL_ADAPTIVE_AVG, NC, 0, "nchw_adaptive_1x1", SP_NEON_NAME(accepts_nchw_adaptive_1x1), nchw_adaptive_1x1),
    K(SIMDPOOL_ADAPTIVE_MAX, NC, I, "nchw_adaptive_1x1", SP_NEON_NAME(accepts_nchw_adaptive_1x1), nchw_adaptive_1x1),
    K(SIMDPOOL_ADAPTIVE_AVG, NC, 0, "nchw_adaptive_kxk", SP_NEON_NAME(accepts_nchw_adaptive_k), nchw_adaptive_k),
    K(SIMDPOOL_ADAPTIVE_MAX, NC, I, "nchw_adaptive_kxk", SP_NEON_NAME(accepts_nchw_adaptive_k), nchw_adaptive_k),
    K(SIMDPOOL_ADAPTIVE_AVG, NC, 0, "nchw_adaptive_planes", idx32, nchw_adaptive_planes),
    K(SIMDPOOL_ADAPTIVE_MAX, NC, I, "nchw_adaptive_planes", idx32, nchw_adaptive_planes),
    K(SIMDPOOL_LP, NC, 0, "nchw_lp_p1p2", SP_NEON_NAME(accepts_lp), nchw_lp),
    K(SIMDPOOL_STOCHASTIC, NC, 0, "nchw_stochastic", NULL, nchw_stochastic),
    {0, 0, 0, NULL, NULL, NULL},
};
