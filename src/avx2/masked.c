/* Masked sequence mean / max over x[B, T, D] -> [B, D], vectorised over D.
 *
 * Units are (b, d) pairs, so a slice may start or end in the middle of a sequence. For each
 * sequence the unmasked token positions are first compacted into a list on the stack (no
 * branch per token in the hot loop, and masked tokens are never touched); then each block of
 * up to 64 channels walks that list with eight independent accumulators. Tokens are added in
 * increasing t, one add or max step per token and lane, exactly as the reference does, so
 * mean and max are bit-exact (max starts from -inf with the reference's NaN-sticky step,
 * which takes the first token whatever its value). Sequences longer than the list are done
 * in chunks whose partial results wait in the output row. */
#include "simd_more.h"

enum { LIST = 2048 }; /* token positions per chunk: 8 KiB of stack */

/* Fills list with the unmasked positions in [t0, t1) of mask m; returns how many. */
static int64_t compact(const uint8_t *m, int64_t t0, int64_t t1, int32_t *list)
{
    int64_t k = 0;
    for (int64_t t = t0; t < t1; t++) {
        list[k] = (int32_t)t;
        k += m[t] != 0;
    }
    return k;
}

/* NV vectors of channels (the last with nl lanes) at x (token 0, channel d0) and out. */
SP_INLINE void block(const float *x, int64_t D, const int32_t *list, int64_t k, float *out, int is_max,
                     int first, int NV, int64_t nl)
{
    __m256 acc[8];
    for (int v = 0; v < NV; v++) {
        int64_t n = v == NV - 1 ? nl : 8;
        acc[v] = first ? (is_max ? _mm256_set1_ps(-INFINITY) : _mm256_setzero_ps()) : sp_load(out + 8 * v, n);
    }
    for (int64_t i = 0; i < k; i++) {
        const float *r = x + (int64_t)list[i] * D;
        for (int v = 0; v < NV; v++) {
            __m256 t = v == NV - 1 ? sp_load(r + 8 * v, nl) : _mm256_loadu_ps(r + 8 * v);
            acc[v] = is_max ? sp_maxnan(acc[v], t) : _mm256_add_ps(acc[v], t);
        }
    }
    for (int v = 0; v < NV; v++) sp_store(out + 8 * v, acc[v], v == NV - 1 ? nl : 8);
}

/* Channels [d0, d1) of one sequence. */
SP_INLINE void sequence(const sp_problem *p, const float *x, const uint8_t *m, float *out, int64_t d0, int64_t d1,
                        int is_max)
{
    const int64_t T = p->h, D = p->c;
    int32_t list[LIST];
    int64_t count = 0;
    for (int64_t t0 = 0; t0 < T; t0 += LIST) {
        const int64_t t1 = t0 + LIST < T ? t0 + LIST : T;
        const int64_t k = compact(m, t0, t1, list);
        const int first = count == 0;
        count += k;
        if (k == 0 && !first) continue;
        int64_t d = d0;
        for (; d + 64 <= d1; d += 64) block(x + d, D, list, k, out + d, is_max, first, 8, 8);
        for (; d + 32 <= d1; d += 32) block(x + d, D, list, k, out + d, is_max, first, 4, 8);
        for (; d + 8 <= d1; d += 8) block(x + d, D, list, k, out + d, is_max, first, 1, 8);
        if (d < d1) block(x + d, D, list, k, out + d, is_max, first, 1, d1 - d);
    }
    if (is_max && count == 0) {
        for (int64_t d = d0; d < d1; d++) out[d] = p->fill;
    } else if (!is_max) {
        const __m256 div = _mm256_set1_ps(fmaxf((float)count, 1e-9f));
        for (int64_t d = d0; d < d1; d += 8) {
            int64_t n = d1 - d;
            sp_store(out + d, _mm256_div_ps(sp_load(out + d, n), div), n);
        }
    }
}

SP_INLINE void run(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int is_max)
{
    const int64_t T = p->h, D = p->c;
    for (int64_t u = (int64_t)begin; u < (int64_t)end;) {
        const int64_t b = u / D, d0 = u % D;
        const int64_t d1 = (int64_t)end - b * D < D ? (int64_t)end - b * D : D;
        sequence(p, a->in + b * T * D, a->mask + b * T, a->out + b * D, d0, d1, is_max);
        u = b * D + d1;
    }
}

void sp_avx2_btd_masked(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_MASKED_MAX)
        run(p, a, begin, end, 1);
    else
        run(p, a, begin, end, 0);
}

/* Token positions are kept as int32. */
int sp_avx2_accepts_btd_masked(const sp_problem *p) { return p->h < INT32_MAX; }
