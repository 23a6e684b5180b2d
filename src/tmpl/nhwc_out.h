/* What src/tmpl/nhwc_3x3s1.h and nhwc_3x3s2.h share: the op codes and the store of a step's
 * outputs (R rows of NC output columns, one vector of channels each). Included after the ISA's
 * spv_* vocabulary. */
#ifndef SP_TMPL_NHWC_OUT_H
#define SP_TMPL_NHWC_OUT_H

enum { OP_MAX, OP_SUM, OP_AVG };

/* Sums start from +0 as scalar's do (a window of -0 gives +0); avg then scales by the
 * output's reciprocal divisor. Tail steps store only the lanes of km. */
SP_INLINE void store_outs(spv (*o)[2], int R, int NC, int op, float (*inv)[2], float *o0, float *o1,
                          int64_t C, int tail, spv_k km)
{
    for (int r = 0; r < R; r++) {
        for (int i = 0; i < NC; i++) {
            spv t = o[r][i];
            if (op != OP_MAX) t = spv_add(t, spv_set1(0.0f));
            if (op == OP_AVG) t = spv_mul(t, spv_set1(inv[r][i]));
            if (tail)
                spv_store_k((r ? o1 : o0) + i * C, km, t);
            else
                spv_storeu((r ? o1 : o0) + i * C, t);
        }
    }
}

#endif
