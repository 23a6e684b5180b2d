/* NHWC 3x3 stride-2 max/avg/sum: src/tmpl/nhwc_3x3s2.h at NEON's width. */
#include "vec.h"

#include "../tmpl/nhwc_3x3s2.h"

void SP_NEON_NAME(nhwc_3x3s2)(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    switch (p->op) {
    case SIMDPOOL_MAX: run(p, a, begin, end, OP_MAX); break;
    case SIMDPOOL_AVG: run(p, a, begin, end, OP_AVG); break;
    default: run(p, a, begin, end, OP_SUM); break;
    }
}
