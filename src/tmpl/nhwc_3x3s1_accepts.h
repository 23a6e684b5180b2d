/* What src/tmpl/nhwc_3x3s1.h takes, as plain C: NEON's SIMDe build compiles its accept rules
 * without ISA flags (the planner calls them before its CPU check), so the rule lives apart
 * from the kernel. */
#ifndef SP_TMPL_NHWC_3X3S1_ACCEPTS_H
#define SP_TMPL_NHWC_3X3S1_ACCEPTS_H

#include "../core/kernel.h"

#define SP_3X3S1_OWMAX 1024 /* avg: output widths with precomputed reciprocal divisors */

static inline int sp_tmpl_accepts_nhwc_3x3s1(const sp_problem *p)
{
    return p->kh == 3 && p->kw == 3 && p->sh == 1 && p->sw == 1 && p->dh == 1 && p->dw == 1 && p->pt <= 1 &&
           p->pb <= 1 && p->pl <= 1 && p->pr <= 1 && p->ow <= SP_3X3S1_OWMAX &&
           (p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG || p->op == SIMDPOOL_SUM);
}

#endif
