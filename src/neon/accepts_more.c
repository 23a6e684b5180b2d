/* Accept rules for the lp / stochastic / adaptive / masked kernels. Plain C, no intrinsics:
 * the planner calls them before its CPU check, so in the SIMDe build they must not be
 * compiled with -mavx2 (see meson.build). */
#include "neon.h"

/* p = 1 and p = 2 need no powf per tap; other p stay with scalar. */
int SP_NEON_NAME(accepts_lp)(const sp_problem *p) { return p->p == 1.0f || p->p == 2.0f; }
