/* The AVX-512 variant's kernel list. The planner prefers this variant (rank 30) over AVX2
 * (rank 20) wherever it has a kernel, so a kernel is listed only where it measured clearly
 * faster than AVX2; elsewhere AVX2 is chosen automatically. On Zen 4, where 512-bit ops are
 * double-pumped, the wins come from masks (tails, padding, compares into k registers instead
 * of blends), fewer instructions per output and in-lane shuffles, not from wider ALUs.
 *
 * avx2 time / avx512 time, median of 41 interleaved samples, 1 thread, batch 1, this
 * machine (AMD EPYC Zen 4), against the AVX2 kernels in the tree on 2026-11-22:
 *   RATIOS
 */
#include "avx512.h"

#define I SP_K_INDICES

/* Max, any shape but unpadded 2x2s2 and 3x3s1, where AVX2's specialised kernels are faster. */
static int nchw_max_generic(const sp_problem *p)
{
    return !sp_avx512_avx2_special(p) && sp_avx512_accepts_nchw_generic(p);
}

const sp_kernel sp_avx512_kernels[] = {
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, I, "nchw_3x3s2", sp_avx512_accepts_nchw_3x3s2, sp_avx512_nchw_3x3s2},
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, I, "nchw_generic", nchw_max_generic, sp_avx512_nchw_generic},
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, I, "nhwc_generic", sp_avx512_accepts_nhwc_generic, sp_avx512_nhwc_generic},
    {SIMDPOOL_ADAPTIVE_MAX, SIMDPOOL_NHWC, I, "nhwc_adaptive", sp_avx512_accepts_nhwc_generic,
     sp_avx512_nhwc_adaptive_max},
    {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NCHW, I, "global", sp_avx512_accepts_global, sp_avx512_global_nchw},
    {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NHWC, I, "global", sp_avx512_accepts_global, sp_avx512_global_nhwc},
    {SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NHWC, 0, "global", sp_avx512_accepts_global, sp_avx512_global_nhwc},
    {SIMDPOOL_GLOBAL_SUM, SIMDPOOL_NHWC, 0, "global", sp_avx512_accepts_global, sp_avx512_global_nhwc},
    {SIMDPOOL_MASKED_MAX, SIMDPOOL_NHWC, 0, "btd_masked", NULL, sp_avx512_btd_masked_max},
    {0, 0, 0, NULL, NULL, NULL},
};
