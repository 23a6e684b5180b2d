/* Shared by every NEON source. The same files build two ways:
 *   - natively on aarch64 with <arm_neon.h> (variant "neon");
 *   - on x86-64 through SIMDe's <simde/arm/neon.h> with -mavx2 -mfma (variant "neon-simde"),
 *     so the NEON code is tested on the development machine.
 *
 * NaN mode: SIMDE_FAST_NANS is deliberately NOT defined. Our max must pick exactly what the
 * scalar reference picks (the last NaN in row-major order; otherwise the first maximum, so -0
 * and +0 keep whichever came first). vmaxq_f32 cannot give that on either platform: FMAX
 * returns a default/quieted NaN and orders -0 < +0, and x86 maxps returns its second operand
 * on NaN. So no kernel uses vmaxq_f32; the max is a compare and a select (sp_take below),
 * whose IEEE semantics SIMDe maps one to one onto cmpps/blendv. With nothing in our code
 * depending on SIMDe's NaN fix-ups, FAST_NANS would buy no speed and would silently change
 * any future use of vmaxq/vminq under SIMDe, so the exact (default) mode stays. */
#ifndef SP_NEON_H
#define SP_NEON_H

#include <stdint.h>

#include "../core/kernel.h"

#ifdef SP_NEON_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/arm/neon.h>
#define SP_NEON_NAME(x) sp_neon_simde_##x
#else
#include <arm_neon.h>
#define SP_NEON_NAME(x) sp_neon_##x
#endif

#define SP_AI static inline __attribute__((always_inline))

/* The scalar max rule as a lane mask: the new tap t replaces the running m when t > m or t is
 * NaN. Applied to taps in row-major order it reproduces the reference exactly, indices too.
 * It is also associative when the left operand covers the earlier taps, which is what lets
 * kernels combine per-row results and then rows (never columns first). */
SP_AI uint32x4_t sp_take(float32x4_t m, float32x4_t t)
{
    return vornq_u32(vcgtq_f32(t, m), vceqq_f32(t, t));
}

SP_AI float32x4_t sp_max(float32x4_t m, float32x4_t t) { return vbslq_f32(sp_take(m, t), t, m); }

SP_AI float32x4_t sp_maxi(float32x4_t m, float32x4_t t, int32x4_t *mi, int32x4_t ti)
{
    uint32x4_t k = sp_take(m, t);
    *mi = vbslq_s32(k, ti, *mi);
    return vbslq_f32(k, t, m);
}

/* IEEE division: vdivq_f32 is A64-only and SIMDe 0.7.4 lacks it, so the SIMDe build divides
 * lane by lane (gcc turns this into divps); both round exactly like the scalar s / div. */
SP_AI float32x4_t sp_div(float32x4_t a, float32x4_t b)
{
#if defined(__aarch64__) && !defined(SP_NEON_SIMDE)
    return vdivq_f32(a, b);
#else
    float x[4], y[4];
    vst1q_f32(x, a);
    vst1q_f32(y, b);
    for (int i = 0; i < 4; i++) x[i] /= y[i];
    return vld1q_f32(x);
#endif
}

/* Partial vectors for tails: NEON has no masked loads, so n < 4 lanes go one by one and
 * nothing outside [ptr, ptr + n) is touched. */
SP_AI float32x4_t sp_load_part(const float *ptr, int n, float fill)
{
    float32x4_t v = vdupq_n_f32(fill);
    v = vld1q_lane_f32(ptr, v, 0);
    if (n > 1) v = vld1q_lane_f32(ptr + 1, v, 1);
    if (n > 2) v = vld1q_lane_f32(ptr + 2, v, 2);
    return v;
}

SP_AI void sp_store_part(float *ptr, float32x4_t v, int n)
{
    if (n >= 4) {
        vst1q_f32(ptr, v);
        return;
    }
    vst1q_lane_f32(ptr, v, 0);
    if (n > 1) vst1q_lane_f32(ptr + 1, v, 1);
    if (n > 2) vst1q_lane_f32(ptr + 2, v, 2);
}

/* int32 lane indices widened to the API's int64 (kernels with indices accept H*W <= INT32_MAX). */
SP_AI void sp_store_idx(int64_t *ptr, int32x4_t v, int n)
{
    int64x2_t lo = vmovl_s32(vget_low_s32(v)), hi = vmovl_s32(vget_high_s32(v));
    if (n >= 4) {
        vst1q_s64(ptr, lo);
        vst1q_s64(ptr + 2, hi);
        return;
    }
    vst1q_lane_s64(ptr, lo, 0);
    if (n > 1) vst1q_lane_s64(ptr + 1, lo, 1);
    if (n > 2) vst1q_lane_s64(ptr + 2, hi, 0);
}

/* Kernels (one file each family). */
void SP_NEON_NAME(nchw_2x2s2_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_2x2s2_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_2x2s2_avg)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_3x3s2_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_3x3s2_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_3x3s2_avg)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_3x3s1_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_3x3s1_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_3x3s1_avg)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_generic_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_generic_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_generic_avg)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nhwc_3x3s1)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
int SP_NEON_NAME(accepts_nhwc_3x3s1)(const sp_problem *p);
void SP_NEON_NAME(nhwc_3x3s2)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
int SP_NEON_NAME(accepts_nhwc_3x3s2)(const sp_problem *p);
void SP_NEON_NAME(nhwc_generic_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nhwc_generic_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nhwc_generic_avg)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(global_nchw_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(global_nchw_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(global_nchw_sum)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(global_nhwc_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(global_nhwc_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(global_nhwc_sum)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nhwc_lp)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nhwc_stochastic)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nhwc_adaptive)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(btd_masked)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
int SP_NEON_NAME(accepts_lp)(const sp_problem *p);
void SP_NEON_NAME(nchw_adaptive_1x1)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_adaptive_k)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
int SP_NEON_NAME(accepts_nchw_adaptive_1x1)(const sp_problem *p);
int SP_NEON_NAME(accepts_nchw_adaptive_k)(const sp_problem *p);
void SP_NEON_NAME(nchw_adaptive_planes)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_lp)(const sp_problem *p, const sp_args *a, size_t b, size_t e);
void SP_NEON_NAME(nchw_stochastic)(const sp_problem *p, const sp_args *a, size_t b, size_t e);

/* Four taps at columns q[0], q[sw], q[2sw], q[3sw]. SW is the stride as a compile-time
 * constant (1..4: one de-interleaving load) or 0 (any stride: lane loads sw apart). */
SP_AI float32x4_t sp_ld_cols(const float *q, const int SW, int64_t sw)
{
    switch (SW) {
    case 1: return vld1q_f32(q);
    case 2: return vld2q_f32(q).val[0];
    case 3: return vld3q_f32(q).val[0];
    case 4: return vld4q_f32(q).val[0];
    default: {
        float32x4_t v = vld1q_dup_f32(q);
        v = vld1q_lane_f32(q + sw, v, 1);
        v = vld1q_lane_f32(q + 2 * sw, v, 2);
        return vld1q_lane_f32(q + 3 * sw, v, 3);
    }
    }
}

#endif
