/* NHWC 3x3 stride-2 max: src/tmpl/nhwc_3x3s2.h at AVX-512's width. Max only: avg / sum on
 * the same scheme measured level with AVX2's in the default sweep (0.77-1.04). */
#include "vec.h"

#include "../tmpl/nhwc_3x3s2.h"

SPV_GRID_ENTRY(sp_avx512_nhwc_3x3s2, walk_max)

int sp_avx512_accepts_nhwc_3x3s2(const sp_problem *p) { return takes_3x3s2(p) && p->op == SIMDPOOL_MAX; }
