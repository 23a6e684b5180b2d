/* NHWC Lp pooling for p = 1 and p = 2 (other p need powf per tap and stay with scalar; the
 * accept rule says so): PyTorch's (avg_pool(x^p) * kh*kw)^(1/p), the average taken over the
 * taps inside the input. A unit is one output row (n, oh); channels go 16 at a time (four
 * independent accumulators), then 4, then the last C % 4 lane by lane, so nothing outside
 * the tensor is touched. Taps are visited in row-major order (square, then add, never fused)
 * and finished with the reference's divide, multiply and square root, so the results equal
 * scalar's. */
#include "neon_more.h"

SP_AI void block(const sp_problem *p, const float *img, const sp_nwin *w, const int V, int nl, const int SQ,
                 float32x4_t count, float32x4_t kk, float *o)
{
    float32x4_t s[4];
    for (int v = 0; v < V; v++) s[v] = vdupq_n_f32(0.0f);
    for (int64_t y = w->y0; y < w->y1; y += w->dy) {
        for (int64_t x = w->x0; x < w->x1; x += w->dx) {
            const float *q = img + (y * p->w + x) * p->c;
            for (int v = 0; v < V; v++) {
                float32x4_t t = sp_ld(q + 4 * v, nl);
                s[v] = vaddq_f32(s[v], SQ ? vmulq_f32(t, t) : t);
            }
        }
    }
    for (int v = 0; v < V; v++) {
        float32x4_t r = vmulq_f32(sp_div(s[v], count), kk);
        sp_store_part(o + 4 * v, SQ ? sp_sqrt(r) : r, nl);
    }
}

SP_AI void rows(const sp_problem *p, const sp_args *a, size_t begin, size_t end, const int SQ)
{
    const int64_t C = p->c;
    const float32x4_t kk = vdupq_n_f32((float)(p->kh * p->kw));
    for (size_t u = begin; u < end; u++) {
        const int64_t n = (int64_t)u / p->oh, oh = (int64_t)u % p->oh;
        const float *img = a->in + n * p->h * p->w * C;
        sp_nwin w;
        sp_nwin_rows(p, oh, &w);
        for (int64_t ow = 0; ow < p->ow; ow++) {
            sp_nwin_cols(p, ow, &w);
            const float32x4_t count = vdupq_n_f32((float)sp_nwin_taps(&w));
            float *o = a->out + ((int64_t)u * p->ow + ow) * C;
            int64_t c = 0;
            for (; c + 16 <= C; c += 16) block(p, img + c, &w, 4, 4, SQ, count, kk, o + c);
            for (; c + 4 <= C; c += 4) block(p, img + c, &w, 1, 4, SQ, count, kk, o + c);
            if (c < C) block(p, img + c, &w, 1, (int)(C - c), SQ, count, kk, o + c);
        }
    }
}

void SP_NEON_NAME(nhwc_lp)(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->p == 2.0f)
        rows(p, a, begin, end, 1);
    else
        rows(p, a, begin, end, 0);
}
