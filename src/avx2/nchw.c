/* NCHW windowed max / avg / sum, vectorised over 8 output columns of one output row.
 *
 * One row template serves every shape (after oneDNN's jit_uni_pool_kernel): the vertical
 * taps are clipped to the input once per output row, the columns split into vectors whose
 * every tap is inside the input (no bounds checks, plain loads) and edge vectors (left
 * padding, right padding, ceil-mode overhang) that use masked loads. Specialised
 * entry points call the same template with constant kernel, stride and dilation so the
 * compiler unrolls the taps and picks the cheapest loads; the hottest shapes have their
 * own loops in nchw_2x2s2.c and nchw_3x3.c. Max walks the taps in row-major order with the reference's
 * step (sp_maxnan), so values, NaN and tie behaviour, and indices match scalar exactly. */
#include "nchw_row.h"

SP_INLINE void planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int64_t KH,
                      int64_t KW, int64_t SW, int64_t DH, int64_t DW)
{
    const int op = p->op == SIMDPOOL_MAX ? OP_MAX : p->op == SIMDPOOL_AVG ? OP_AVG : OP_SUM;
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    for (size_t u = begin; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            float *out = a->out + (int64_t)u * ohw + oh * p->ow;
            int64_t *idx = a->idx ? a->idx + (int64_t)u * ohw + oh * p->ow : NULL;
            /* Separate instances per op so the tap loop carries no op test. */
            if (op == OP_MAX && idx)
                row_kernel(p, plane, out, idx, oh, OP_MAX, KH, KW, SW, DH, DW);
            else if (op == OP_MAX)
                row_kernel(p, plane, out, NULL, oh, OP_MAX, KH, KW, SW, DH, DW);
            else if (op == OP_AVG)
                row_kernel(p, plane, out, NULL, oh, OP_AVG, KH, KW, SW, DH, DW);
            else
                row_kernel(p, plane, out, NULL, oh, OP_SUM, KH, KW, SW, DH, DW);
        }
    }
}

void sp_avx2_nchw_generic(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    planes(p, a, begin, end, p->kh, p->kw, p->sw, p->dh, p->dw);
}

/* Lane positions and flat indices are int32: the padded plane must fit with room to spare. */
int sp_avx2_accepts_nchw_generic(const sp_problem *p)
{
    int64_t hh = p->h + p->pt + p->pb + p->kh * p->dh + p->sh * 8;
    int64_t ww = p->w + p->pl + p->pr + p->kw * p->dw + p->sw * 16;
    return hh < (INT64_C(1) << 30) / ww;
}

static int square(const sp_problem *p, int64_t k, int64_t s)
{
    return p->kh == k && p->kw == k && p->sh == s && p->sw == s && p->dh == 1 && p->dw == 1 &&
           sp_avx2_accepts_nchw_generic(p);
}

int sp_avx2_accepts_nchw_2x2s2(const sp_problem *p)
{
    return square(p, 2, 2) && !p->pt && !p->pb && !p->pl && !p->pr;
}
int sp_avx2_accepts_nchw_3x3s2(const sp_problem *p) { return square(p, 3, 2); }
int sp_avx2_accepts_nchw_3x3s1(const sp_problem *p) { return square(p, 3, 1); }
