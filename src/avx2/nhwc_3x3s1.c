/* NHWC 3x3 stride-1 avg / sum, separable: for one output row and a block of channels, the
 * column sums V(x) over the window's in-bounds input rows are formed once per input column
 * and rolled along the row, so each output costs one column sum (up to three loads and two
 * adds), two adds and a multiply by the window's reciprocal divisor, instead of nine loads.
 * Padding columns and rows contribute zero and are never read. */
#include "simd.h"

enum { OP_SUM, OP_AVG };

/* Sum over input rows [y0, y1) of column x, NV vectors of channels (last one nl lanes). */
SP_INLINE void colsum(const float *img, int64_t y0, int64_t y1, int64_t x, int64_t w, int64_t C, int NV, int64_t nl,
                      __m256 *v)
{
    for (int k = 0; k < NV; k++) v[k] = _mm256_setzero_ps();
    if (x < 0 || x >= w) return;
    for (int64_t y = y0; y < y1; y++) {
        const float *s = img + (y * w + x) * C;
        for (int k = 0; k < NV; k++)
            v[k] = _mm256_add_ps(v[k], k == NV - 1 ? sp_load(s + 8 * k, nl) : _mm256_loadu_ps(s + 8 * k));
    }
}

SP_INLINE void row_block(const sp_problem *p, const float *img, float *out, int64_t y0, int64_t y1, int64_t rows,
                         int op, int NV, int64_t nl, const float *invs)
{
    const int64_t w = p->w, C = p->c, OW = p->ow, pl = p->pl;
    __m256 a[4], b[4], c[4];
    colsum(img, y0, y1, -pl, w, C, NV, nl, a);
    colsum(img, y0, y1, -pl + 1, w, C, NV, nl, b);
    for (int64_t ow = 0; ow < OW; ow++) {
        const int64_t x = ow - pl;
        colsum(img, y0, y1, x + 2, w, C, NV, nl, c);
        float inv = 1.0f;
        if (op == OP_AVG && invs) {
            inv = invs[ow];
        } else if (op == OP_AVG) {
            int64_t d = p->divisor_override ? p->divisor_override : rows * sp_div_cols(p, x);
            inv = d ? 1.0f / (float)d : 0.0f; /* divisor 0: no tap inside, the reference gives 0 */
        }
        for (int k = 0; k < NV; k++) {
            __m256 s = _mm256_add_ps(_mm256_add_ps(a[k], b[k]), c[k]);
            if (op == OP_AVG) s = _mm256_mul_ps(s, _mm256_set1_ps(inv));
            sp_store(out + ow * C + 8 * k, s, k == NV - 1 ? nl : 8);
            a[k] = b[k];
            b[k] = c[k];
        }
    }
}

SP_INLINE void rows_s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op)
{
    const int64_t C = p->c, h = p->h;
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *img = a->in + n * h * p->w * C;
        const int64_t hs = oh - p->pt;
        const int64_t y0 = hs < 0 ? 0 : hs, y1 = hs + 3 < h ? hs + 3 : h;
        const int64_t rows = op == OP_AVG && !p->divisor_override ? sp_div_rows(p, hs) : 0;
        float *out = a->out + (int64_t)u * p->ow * C;
        /* The reciprocal divisors of this row, shared by every channel block. */
        float invs_buf[512];
        const float *invs = NULL;
        if (op == OP_AVG && p->ow <= 512) {
            for (int64_t ow = 0; ow < p->ow; ow++) {
                int64_t d = p->divisor_override ? p->divisor_override : rows * sp_div_cols(p, ow - p->pl);
                invs_buf[ow] = d ? 1.0f / (float)d : 0.0f;
            }
            invs = invs_buf;
        }
        int64_t c = 0;
        for (; c + 32 <= C; c += 32) row_block(p, img + c, out + c, y0, y1, rows, op, 4, 8, invs);
        for (; c + 8 <= C; c += 8) row_block(p, img + c, out + c, y0, y1, rows, op, 1, 8, invs);
        if (c < C) row_block(p, img + c, out + c, y0, y1, rows, op, 1, C - c, invs);
    }
}

void sp_avx2_nhwc_3x3s1(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_AVG)
        rows_s1(p, a, begin, end, OP_AVG);
    else
        rows_s1(p, a, begin, end, OP_SUM);
}

int sp_avx2_accepts_nhwc_3x3s1(const sp_problem *p)
{
    return p->kh == 3 && p->kw == 3 && p->sh == 1 && p->sw == 1 && p->dh == 1 && p->dw == 1 &&
           (p->op == SIMDPOOL_AVG || p->op == SIMDPOOL_SUM);
}
