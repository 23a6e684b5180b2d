/* NHWC 3x3 stride-2 max/avg/sum: src/tmpl/nhwc_3x3s2.h at AVX2's width. */
#include "vec.h"

#include "../tmpl/nhwc_3x3s2.h"

SPV_GRID_ENTRY(sp_avx2_nhwc_3x3s2, walk_ops)

int sp_avx2_accepts_nhwc_3x3s2(const sp_problem *p)
{
    return takes_3x3s2(p) && (p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG || p->op == SIMDPOOL_SUM);
}
