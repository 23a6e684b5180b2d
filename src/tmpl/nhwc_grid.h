/* What the NHWC channel walks of src/tmpl/nhwc_3x3s1.h and nhwc_3x3s2.h share when the input
 * lies off the ISA's vector grid (SPV_GRID bytes, src/avx512/vec.h; NEON defines none): the
 * head of each pixel's walk and the entry point that picks the walk. Included after the ISA's
 * spv_* vocabulary.
 *
 * With C a multiple of the grid's floats every pixel shares the input's misalignment; 16 bytes
 * off, every zmm load (every other ymm load) split two cache lines: 3x3 s1 ran 2.0-2.6x (AVX2
 * 1.4-1.7x) its aligned time on C192 28^2 and C512 14^2, 3x3 s2 1.45-1.65x (AVX2 1.23-1.42x)
 * on C128-C384 28^2 and 14^2 (see src/avx512/kernels.c). There each pixel's walk starts with
 * one vector of the grid, loaded whole from d floats before the pixel (the previous pixel's last
 * channels: inside the tensor, computed and not stored), so the loads after it are aligned; then
 * the whole vectors, then the masked tail of d channels. The tensor's first pixel has nothing
 * before it: there the head is loaded from the pixel itself (C >= W) and its low W - d lanes are
 * stored. Same association per lane, so the bits do not change. One more step per pixel (C / W
 * + 1, two of them partial), which only pays from SPV_GRID_MIN_C channels on. */
#ifndef SP_TMPL_NHWC_GRID_H
#define SP_TMPL_NHWC_GRID_H

#ifdef SPV_GRID
/* Floats past the SPV_GRID-byte boundary before the input where every pixel is that far past
 * one (C a multiple of the grid's floats, from SPV_GRID_MIN_C on), else 0. */
static int64_t grid_head(const sp_problem *p, const float *in)
{
    const uintptr_t m = (uintptr_t)in % SPV_GRID;
    return p->c % (SPV_GRID / 4) == 0 && p->c >= SPV_GRID_MIN_C && m % 4 == 0 ? (int64_t)(m / 4) : 0;
}

/* The head step at a pixel, d = grid_head() > 0: it starts back floats before the pixel and
 * stores the lanes of keep; afterwards the walk goes on at channel W - d. */
SP_INLINE int64_t grid_back(int first, int64_t d) { return first ? 0 : d; }
SP_INLINE spv_k grid_keep(int first, int64_t d) { return first ? spv_k_tail(SPV_W - d) : spv_k_from(d); }

/* entry(p, a, begin, end) runs walk(p, a, begin, end, grid), an SP_INLINE function, with
 * grid = 1 where the input is off the grid (grid_head() > 0). Two noinline copies, so that the
 * aligned walk compiles as it did before the grid: in one function (a branch per pixel, or
 * h6's single-body head) aligned tensors ran 3-10% slower. */
#define SPV_GRID_ENTRY(entry, walk)                                                                          \
    __attribute__((noinline)) static void walk##_plain(const sp_problem *p, const sp_args *a, size_t begin,   \
                                                       size_t end)                                          \
    {                                                                                                         \
        walk(p, a, begin, end, 0);                                                                            \
    }                                                                                                         \
    __attribute__((noinline)) static void walk##_grid(const sp_problem *p, const sp_args *a, size_t begin,    \
                                                      size_t end)                                           \
    {                                                                                                         \
        walk(p, a, begin, end, 1);                                                                            \
    }                                                                                                         \
    void entry(const sp_problem *p, const sp_args *a, size_t begin, size_t end)                               \
    {                                                                                                         \
        if (grid_head(p, a->in))                                                                              \
            walk##_grid(p, a, begin, end);                                                                    \
        else                                                                                                  \
            walk##_plain(p, a, begin, end);                                                                   \
    }
#else
#define SPV_GRID_ENTRY(entry, walk)                                                                          \
    void entry(const sp_problem *p, const sp_args *a, size_t begin, size_t end) { walk(p, a, begin, end, 0); }
#endif

#endif
