/* Adaptive average, NCHW, any window sizes: separable. For each output row the window's input
 * rows are summed column by column into a small buffer (contiguous vector adds), then each
 * output sums its columns of the buffer. The gather path (adaptive.c) reads every tap with a
 * gather and runs at scalar speed; here the input is read once, in order. The sum's order
 * differs from the reference's row-major walk, so results are equal within the rounding bound
 * the checker allows for sums, not bit for bit (and where a partial sum overflows in one
 * order but not the other, one gives inf and the other a finite mean). Output columns are taken in chunks whose
 * input span fits the buffer, so no allocation is needed; accepts() caps the window width and
 * the output size. */
#include "simd_more.h"

#define SEP_BUF 1024 /* input columns per chunk */

/* buf[0, n) = sum over rows [y0, y1) of row[x], the rows W apart. */
static void column_sums(const float *row, int64_t W, int64_t rows, int64_t n, float *buf)
{
    int64_t x = 0;
    for (; x + 32 <= n; x += 32) {
        const float *r = row + x;
        /* from +0, as the reference's sum: a window of -0 averages to +0 */
        const __m256 z = _mm256_setzero_ps();
        __m256 s0 = _mm256_add_ps(z, _mm256_loadu_ps(r)), s1 = _mm256_add_ps(z, _mm256_loadu_ps(r + 8));
        __m256 s2 = _mm256_add_ps(z, _mm256_loadu_ps(r + 16)), s3 = _mm256_add_ps(z, _mm256_loadu_ps(r + 24));
        for (int64_t y = 1; y < rows; y++) {
            r += W;
            s0 = _mm256_add_ps(s0, _mm256_loadu_ps(r));
            s1 = _mm256_add_ps(s1, _mm256_loadu_ps(r + 8));
            s2 = _mm256_add_ps(s2, _mm256_loadu_ps(r + 16));
            s3 = _mm256_add_ps(s3, _mm256_loadu_ps(r + 24));
        }
        _mm256_storeu_ps(buf + x, s0);
        _mm256_storeu_ps(buf + x + 8, s1);
        _mm256_storeu_ps(buf + x + 16, s2);
        _mm256_storeu_ps(buf + x + 24, s3);
    }
    for (; x < n; x += 8) {
        const float *r = row + x;
        __m256 s = _mm256_add_ps(_mm256_setzero_ps(), sp_load(r, n - x));
        for (int64_t y = 1; y < rows; y++) s = _mm256_add_ps(s, sp_load(r += W, n - x));
        _mm256_storeu_ps(buf + x, s); /* buf has 8 floats of slack: masked stores are slow on AMD */
    }
}

/* out[i] = (b[2i] + b[2i+1]) / d for i < n: the common 2-wide windows (14 -> 7, 56 -> 28). */
static void pair_avgs(const float *b, float *out, int64_t n, float d)
{
    int64_t i = 0;
    const __m256 dv = _mm256_set1_ps(d);
    for (; i + 8 <= n; i += 8) {
        const __m256 lo = _mm256_loadu_ps(b + 2 * i), hi = _mm256_loadu_ps(b + 2 * i + 8);
        const __m256 e = _mm256_shuffle_ps(lo, hi, 0x88), o = _mm256_shuffle_ps(lo, hi, 0xDD);
        const __m256 s = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_add_ps(e, o)), 0xD8));
        _mm256_storeu_ps(out + i, _mm256_div_ps(s, dv));
    }
    /* Scalar, not a masked store: vmaskmovps stores are slow on AMD, and with a 7-wide row
     * (14 -> 7) the tail is the whole row: 28 us against 60 us for C512 (bench --full). */
    for (; i < n; i++) out[i] = (b[2 * i] + b[2 * i + 1]) / d;
}

/* out[i] = (b[4i] + ... + b[4i+3]) / d for i < n: 4-wide windows (28 -> 7). Two rounds of
 * pairwise adds leave windows 0,2,4,6,1,3,5,7 in the lanes; one permute puts them in order. */
static void quad_avgs(const float *b, float *out, int64_t n, float d)
{
    int64_t i = 0;
    const __m256 dv = _mm256_set1_ps(d);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (; i + 8 <= n; i += 8) {
        const float *q = b + 4 * i;
        const __m256 ab = _mm256_hadd_ps(_mm256_loadu_ps(q), _mm256_loadu_ps(q + 8));
        const __m256 cd = _mm256_hadd_ps(_mm256_loadu_ps(q + 16), _mm256_loadu_ps(q + 24));
        const __m256 s = _mm256_permutevar8x32_ps(_mm256_hadd_ps(ab, cd), order);
        _mm256_storeu_ps(out + i, _mm256_div_ps(s, dv));
    }
    for (; i < n; i++) out[i] = ((b[4 * i] + b[4 * i + 1]) + (b[4 * i + 2] + b[4 * i + 3])) / d;
}

/* out[i] = (b[kw*i] + ... + b[kw*i + kw-1]) / d for the first multiple of 8 below n, kw a
 * multiple of 8 (56 -> 7, 112 -> 7): each window's vectors are added, and one transpose of
 * eight windows' sums lets seven adds finish them together. Returns how many were done. */
static int64_t octs_avgs(const float *b, float *out, int64_t n, int64_t kw, float d)
{
    int64_t i = 0;
    const __m256 dv = _mm256_set1_ps(d);
    for (; i + 8 <= n; i += 8) {
        __m256 v[8];
        for (int l = 0; l < 8; l++) {
            const float *q = b + (i + l) * kw;
            v[l] = _mm256_loadu_ps(q);
            for (int64_t x = 8; x < kw; x += 8) v[l] = _mm256_add_ps(v[l], _mm256_loadu_ps(q + x));
        }
        sp_transpose8(v);
        const __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(v[0], v[1]), _mm256_add_ps(v[2], v[3])),
                                       _mm256_add_ps(_mm256_add_ps(v[4], v[5]), _mm256_add_ps(v[6], v[7])));
        _mm256_storeu_ps(out + i, _mm256_div_ps(s, dv));
    }
    return i;
}

/* Windows that tile the plane (H = kh*OH, W = kw*OW) and a buffer that holds every output
 * row's column sums: the rows' sums lie end to end, so the windows of the whole plane are
 * consecutive runs of kw, and the horizontal pass runs once over OH*OW outputs instead of
 * once per 7-wide row (28 -> 7 spent more on the per-row set-up than on the adds). */
static void tiled_plane(const sp_problem *p, const float *in, float *out, float *buf)
{
    const int64_t W = p->w, kh = p->h / p->oh, kw = W / p->ow, n = p->oh * p->ow;
    for (int64_t oh = 0; oh < p->oh; oh++) column_sums(in + oh * kh * W, W, kh, W, buf + oh * W);
    /* kh * kw is below 2^24 (accepts()), exact in float: one rounding, as the reference's
     * s / (float)count. */
    const float d = (float)(kh * kw);
    int64_t i = 0;
    if (kw == 2) {
        pair_avgs(buf, out, n, d);
        return;
    }
    if (kw == 4) {
        quad_avgs(buf, out, n, d);
        return;
    }
    if (kw % 8 == 0) i = octs_avgs(buf, out, n, kw, d);
    for (; i < n; i++) {
        float s = 0.0f;
        for (int64_t x = 0; x < kw; x++) s += buf[i * kw + x];
        out[i] = s / d;
    }
}

static void plane(const sp_problem *p, const sp_ageo *g, const float *in, float *out, float *buf)
{
    const int64_t W = p->w, OW = p->ow;
    const int uniform2 = W == 2 * OW;
    for (int64_t oh = 0; oh < p->oh; oh++) {
        const int64_t y0 = g->y0[oh], rows = g->y1[oh] - y0;
        float *o = out + oh * OW;
        for (int64_t o0 = 0, o1; o0 < OW; o0 = o1) {
            o1 = g->next[o0];
            const int64_t xs = g->x0[o0];
            column_sums(in + y0 * W + xs, W, rows, g->x1[o1 - 1] - xs, buf);
            if (uniform2) {
                pair_avgs(buf, o + o0, o1 - o0, (float)(rows * 2));
                continue;
            }
            /* rows * width is below 2^24 (accepts()), exact in float: one rounding, as the
             * reference's s / (float)count. */
            for (int64_t ow = o0; ow < o1; ow++) {
                float s = 0.0f;
                for (int64_t x = g->x0[ow]; x < g->x1[ow]; x++) s += buf[x - xs];
                o[ow] = s / ((float)rows * (float)(g->x1[ow] - g->x0[ow]));
            }
        }
    }
}

void sp_avx2_nchw_adaptive_avg(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    /* 1 x 1 windows (VGG's 7x7 -> 7x7) are a copy: x / 1 = 0 + x, -0 becoming +0 as in the
     * reference's sum from 0. The planes are contiguous, so one flat loop does them all. */
    if (p->h == p->oh && p->w == p->ow) {
        const float *x = a->in + (int64_t)begin * hw;
        float *y = a->out + (int64_t)begin * hw;
        const int64_t n = (int64_t)(end - begin) * hw;
        int64_t i = 0;
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_setzero_ps(), _mm256_loadu_ps(x + i)));
        if (i < n) sp_store(y + i, _mm256_add_ps(_mm256_setzero_ps(), sp_load(x + i, n - i)), n - i);
        return;
    }
    float buf[SEP_BUF + 8];
    sp_ageo g;
    sp_ageo_init(p, &g, SEP_BUF, SP_AGEO);
    const int tiled = p->h % p->oh == 0 && p->w % p->ow == 0 && p->oh * p->w <= SEP_BUF;
    for (size_t u = begin; u < end; u++) {
        if (tiled)
            tiled_plane(p, a->in + (int64_t)u * hw, a->out + (int64_t)u * ohw, buf);
        else
            plane(p, &g, a->in + (int64_t)u * hw, a->out + (int64_t)u * ohw, buf);
    }
}

/* The widest window, ceil(W / OW) + 1 columns, must fit the buffer (and a 2-wide chunk's span
 * is even, so pair_avgs never straddles a chunk). */
int sp_avx2_accepts_nchw_adaptive_avg(const sp_problem *p)
{
    return p->oh <= SP_AGEO && p->ow <= SP_AGEO && p->w / p->ow + 2 <= SEP_BUF &&
           (p->h / p->oh + 2) * (p->w / p->ow + 2) < (1 << 24) && p->h < INT32_MAX && p->w < INT32_MAX;
}
