/* The reciprocal divisors of the NHWC 3x3 templates' average, plain C. */
#ifndef SP_TMPL_DIVISORS_H
#define SP_TMPL_DIVISORS_H

#include "../core/kernel.h"

#define SP_TMPL_OWMAX 1024 /* output widths the table holds (the templates' accept rules cap avg there) */

/* inv[rows - 1][ow]: 1 / divisor of the window at output column ow (its first input column
 * sw * ow - pl) for each row factor, 1..3 taps, or the override. */
static inline void sp_tmpl_col_recips(const sp_problem *p, int64_t sw, float inv[3][SP_TMPL_OWMAX])
{
    for (int64_t rows = 1; rows <= 3; rows++) {
        for (int64_t ow = 0; ow < p->ow; ow++) {
            const int64_t d = p->divisor_override ? p->divisor_override : rows * sp_div_cols(p, sw * ow - p->pl);
            inv[rows - 1][ow] = d ? 1.0f / (float)d : 0.0f;
        }
    }
}

#endif
