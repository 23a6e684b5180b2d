/* The same-run roofline. Plain C that gcc vectorises; target_clones builds an AVX-512, an
 * AVX2 and a baseline copy and picks one at load time, so the roofline uses the same vector
 * width as the best kernel could, without intrinsics in the bench. */
#include "stream.h"

#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define SPB_STR(x) #x
#define SPB_PRAGMA(x) _Pragma(SPB_STR(x))
#ifdef _OPENMP
#define SPB_OMP(x) SPB_PRAGMA(omp x)
#else
#define SPB_OMP(x)
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SPB_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SPB_CLONES
#endif

/* Output block: small enough that the input it needs streams through L1 once. */
#define SPB_BLOCK 2048

/* GNU vector extension (no intrinsics): each target clone lowers it to its widest registers. */
typedef uint32_t spb_v16 __attribute__((vector_size(64)));

/* An unaligned load, as a macro: a function returning a 64-byte vector would have an
 * ABI that differs between the clones. */
#define SPB_OR_LOAD(acc, p)                                                                      \
    do {                                                                                         \
        spb_v16 v_;                                                                              \
        memcpy(&v_, (p), sizeof v_);                                                             \
        (acc) |= v_;                                                                             \
    } while (0)

/* OR-reduces the input block (integer OR has one-cycle latency, so the loop is load-bound,
 * not add-latency-bound) and fills the output block with the result: the output depends on
 * every input byte, so no load can be dropped. */
SPB_CLONES static void block(const float *in, size_t nin, float *out, size_t nout)
{
    spb_v16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    uint32_t r = 0;
    size_t i = 0;
    /* Peel to a 64-byte boundary: a wide load that straddles two cache lines costs two. */
    for (; i < nin && ((uintptr_t)(in + i) & 63); i++) {
        uint32_t v;
        memcpy(&v, in + i, sizeof v);
        r |= v;
    }
    for (; i + 64 <= nin; i += 64) {
        SPB_OR_LOAD(a0, in + i);
        SPB_OR_LOAD(a1, in + i + 16);
        SPB_OR_LOAD(a2, in + i + 32);
        SPB_OR_LOAD(a3, in + i + 48);
    }
    for (; i + 16 <= nin; i += 16) SPB_OR_LOAD(a0, in + i);
    a0 |= a1 | a2 | a3;
    for (int j = 0; j < 16; j++) r |= a0[j];
    for (; i < nin; i++) {
        uint32_t v;
        memcpy(&v, in + i, sizeof v);
        r |= v;
    }
    r &= 0x3f7fffffu; /* keep it a finite float */
    spb_v16 fill = {0};
    fill += r;
    size_t k = 0;
    for (; k < nout && ((uintptr_t)(out + k) & 63); k++) memcpy(out + k, &r, sizeof r);
    for (; k + 16 <= nout; k += 16) memcpy(out + k, &fill, sizeof fill);
    for (; k < nout; k++) memcpy(out + k, &r, sizeof r);
}

static void blocks(const float *in, size_t nin, float *out, size_t nout, long b0, long b1, long nb)
{
    for (long b = b0; b < b1; b++) {
        size_t o0 = (size_t)b * SPB_BLOCK, o1 = o0 + SPB_BLOCK < nout ? o0 + SPB_BLOCK : nout;
        /* The input share of each block is proportional, so every input byte is read once. */
        size_t i0 = (size_t)((double)nin * (double)o0 / (double)nout);
        size_t i1 = b == nb - 1 ? nin : (size_t)((double)nin * (double)o1 / (double)nout);
        block(in + i0, i1 - i0, out + o0, o1 - o0);
    }
}

void spb_stream(const float *in, size_t nin, float *out, size_t nout, int threads)
{
    if (nout == 0) {
        block(in, nin, out, 0);
        return;
    }
    long nb = (long)((nout + SPB_BLOCK - 1) / SPB_BLOCK);
    if (threads > nb) threads = (int)nb;
    /* One thread never enters a parallel region: its fixed cost would dominate small cases. */
    if (threads <= 1) {
        blocks(in, nin, out, nout, 0, nb, nb);
        return;
    }
    SPB_OMP(parallel num_threads(threads))
    {
        int t = 0, nt = 1;
#ifdef _OPENMP
        t = omp_get_thread_num();
        nt = omp_get_num_threads();
#endif
        blocks(in, nin, out, nout, nb * t / nt, nb * (t + 1) / nt, nb);
    }
}
