/* What the templates take, as plain C: NEON's SIMDe build compiles its accept rules without
 * ISA flags (the planner calls them before its CPU check), so the rules live apart from the
 * kernels. */
#ifndef SP_TMPL_ACCEPTS_H
#define SP_TMPL_ACCEPTS_H

#include "../core/kernel.h"
#include "divisors.h"


/* Whole 2x2 stride-2 windows: no leading padding and no window past the input (ceil mode), so
 * every divisor is 4; a divisor override is left to the generic kernels. The AVX2 and AVX-512
 * 2x2 s2 kernels take these (plus their own limits). */
static inline int sp_tmpl_whole_2x2s2(const sp_problem *p)
{
    return p->kh == 2 && p->kw == 2 && p->sh == 2 && p->sw == 2 && p->dh == 1 && p->dw == 1 && p->pt == 0 &&
           p->pl == 0 && 2 * p->oh <= p->h && 2 * p->ow <= p->w && !p->divisor_override;
}

static inline int sp_tmpl_accepts_nhwc_3x3s1(const sp_problem *p)
{
    return p->kh == 3 && p->kw == 3 && p->sh == 1 && p->sw == 1 && p->dh == 1 && p->dw == 1 && p->pt <= 1 &&
           p->pb <= 1 && p->pl <= 1 && p->pr <= 1 && p->ow <= SP_TMPL_OWMAX &&
           (p->op == SIMDPOOL_MAX || p->op == SIMDPOOL_AVG || p->op == SIMDPOOL_SUM);
}



/* src/tmpl/nhwc_3x3s2.h, for any op: not where C is a multiple of 512 (pixels 2 KiB apart or a
 * multiple of that put a block's loads into one or two L1 sets, and C512 14x14 / C2048 7x7
 * ran 1.2-1.6x slower than the generic kernel, which loads 9 taps at a time). */
static inline int sp_tmpl_takes_nhwc_3x3s2(const sp_problem *p)
{
    return p->c % 512 != 0 && p->kh == 3 && p->kw == 3 && p->sh == 2 && p->sw == 2 && p->dh == 1 && p->dw == 1 &&
           p->pt <= 1 && p->pb <= 1 && p->pl <= 1 && p->pr <= 1 && (p->op != SIMDPOOL_AVG || p->ow <= SP_TMPL_OWMAX);
}

#endif
