/* Accept rules for the lp / stochastic / adaptive / masked kernels. Plain C, no intrinsics:
 * the planner calls them before its CPU check, so in the SIMDe build they must not be
 * compiled with -mavx2 (see meson.build). */
#include "neon.h"

/* p = 1 and p = 2 need no powf per tap; other p stay with scalar. */
int SP_NEON_NAME(accepts_lp)(const sp_problem *p) { return p->p == 1.0f || p->p == 2.0f; }

/* Adaptive NCHW: whole planes (output 1 x 1), or windows kh x kw at stride kh x kw with
 * kw <= 4 (the de-interleaving loads go up to vld4). Both keep positions in int32 lanes. */
int SP_NEON_NAME(accepts_nchw_adaptive_1x1)(const sp_problem *p)
{
    return p->oh == 1 && p->ow == 1 && p->h * p->w <= INT32_MAX;
}
int SP_NEON_NAME(accepts_nchw_adaptive_k)(const sp_problem *p)
{
    return p->h % p->oh == 0 && p->w % p->ow == 0 && p->w / p->ow <= 4 && p->h * p->w <= INT32_MAX;
}

/* NHWC 3x3 stride 1 and 2 (src/tmpl). */
#include "../tmpl/accepts.h"
int SP_NEON_NAME(accepts_nhwc_3x3s1)(const sp_problem *p) { return sp_tmpl_accepts_nhwc_3x3s1(p); }
int SP_NEON_NAME(accepts_nhwc_3x3s2)(const sp_problem *p)
{
    return sp_tmpl_takes_nhwc_3x3s2(p) && (p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG || p->op == SIMDPOOL_SUM);
}
