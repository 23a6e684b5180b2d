/* The spv_* vocabulary the width-generic templates in src/tmpl are written in, for NEON:
 * 4 floats; a tail is a lane count (no masked loads: partial vectors go lane by lane).
 * The "fast" max is already the exact step (a compare and a select, see neon.h: vmaxq_f32
 * orders -0 < +0 and quiets NaN), so the NaN record is empty and never asks for a redo. */
#ifndef SP_NEON_VEC_H
#define SP_NEON_VEC_H

#include <math.h>

#include "neon.h"

#define SP_INLINE SP_AI
#define SPV_W 4
#ifdef SP_NEON_SIMDE
#define SPV_NREGS 16 /* SIMDe's vectors live in x86's 16 ymm registers */
#else
#define SPV_NREGS 32
#endif
#define SPV_FN(name) SP_NEON_NAME(name)
#define SPV_NAN_CHAINS 1
#define SPV_NO_ACCEPTS /* in accepts_more.c, built without ISA flags */
typedef float32x4_t spv;
typedef int spv_k; /* tail lanes: 1..3 (4 for whole vectors) */
typedef int spv_nan;

SP_AI spv spv_set1(float x) { return vdupq_n_f32(x); }
SP_AI spv spv_loadu(const float *p) { return vld1q_f32(p); }
SP_AI spv spv_load_pad(spv pad, const float *p, spv_k n)
{
    spv v = vld1q_lane_f32(p, pad, 0);
    if (n > 1) v = vld1q_lane_f32(p + 1, v, 1);
    if (n > 2) v = vld1q_lane_f32(p + 2, v, 2);
    if (n > 3) v = vld1q_lane_f32(p + 3, v, 3);
    return v;
}
SP_AI void spv_storeu(float *p, spv v) { vst1q_f32(p, v); }
/* One tap of a row that may lie in the padding (in_row = 0: pad); plain: the caller knows
 * the row is inside and the vector whole. */
SP_AI spv spv_load_row(spv pad, const float *p, int in_row, int plain, int tail, spv_k n)
{
    if (!plain && !in_row) return pad;
    return tail ? spv_load_pad(pad, p, n) : spv_loadu(p);
}
SP_AI void spv_store_k(float *p, spv_k n, spv v) { sp_store_part(p, v, n); }
SP_AI spv_k spv_k_tail(int64_t n) { return n >= 4 ? 4 : (int)n; }
SP_AI spv spv_add(spv a, spv b) { return vaddq_f32(a, b); }
SP_AI spv spv_mul(spv a, spv b) { return vmulq_f32(a, b); }
/* spv_max(v, m) stands for the step from m to the new tap v. */
SP_AI spv spv_max(spv v, spv m) { return sp_max(m, v); }
SP_AI spv spv_maxnan(spv m, spv v) { return sp_max(m, v); }
SP_AI spv_nan spv_nan_none(void) { return 0; }
SP_AI spv_nan spv_nan_acc(spv_nan acc, spv a, spv b)
{
    (void)a, (void)b;
    return acc;
}
SP_AI int spv_nan_any(spv_nan a, spv_nan b) { return a | b; }

#endif
