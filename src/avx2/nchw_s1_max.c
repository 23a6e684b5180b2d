/* NCHW values-only max, stride 1, dilation 1, kh, kw <= 7, padding at most half the kernel
 * (3x3 s1 p1, the YOLO SPPF 5x5 s1 p2): separable, in strips of 8 output columns.
 *
 * A strip walks the plane's rows once: each row's kw-tap horizontal max (8 outputs) enters a
 * register window of the last kh row results, and each output row is the vertical max of
 * that window. Padded rows enter as -inf (a -inf tap never changes the result's bits: it only
 * wins against another -inf). Nothing is stored and reloaded: an earlier version that kept
 * the row results in a ring buffer in memory ran at half this speed on 28x28 planes.
 *
 * Both reductions visit taps in order with vmaxps(later, acc), which keeps the earlier value
 * on ties: the horizontal step keeps each row's first maximum and the vertical step the first
 * row holding it, i.e. the first maximum in row-major order, -0/+0 included, exactly the
 * reference. Only NaN differs (vmaxps drops a NaN later operand), so the horizontal step
 * records an unordered compare of its first and last taps (over all strips these cover every
 * column) and a plane that saw a NaN is redone with the reference's step (sp_maxnan), which
 * in the same separable order yields the last NaN in row-major order. */
#include "simd.h"

#define MAXK 7

/* Interior strips load straight from the row; in the first and last strips, the taps that
 * reach into the padding or past the row (bit j of part) are masked to the row and read -inf
 * outside it. */
SP_INLINE __m256 hmax(const float *r, const __m256i *mk, unsigned part, int64_t KW, int edge, int exact,
                      __m256 *nan)
{
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
#define TAP(j)                                                                                                 \
    (edge && (part >> (j) & 1u)                                                                                \
         ? _mm256_blendv_ps(ninf, _mm256_maskload_ps(r + (j), mk[j]), _mm256_castsi256_ps(mk[j]))             \
         : _mm256_loadu_ps(r + (j)))
    __m256 first = TAP(0), m = first, v = first;
    for (int64_t j = 1; j < KW; j++) {
        v = TAP(j);
        m = exact ? sp_maxnan(m, v) : _mm256_max_ps(v, m);
    }
#undef TAP
    if (!exact) *nan = _mm256_or_ps(*nan, _mm256_cmp_ps(first, v, _CMP_UNORD_Q));
    return m;
}

/* Shifts row result h into the window and, once output row oh exists (oh >= 0), writes the
 * window's vertical max to it (n lanes from o0 in row 0). */
SP_INLINE void push(__m256 *win, __m256 h, int64_t KH, int64_t oh, float *o0, int64_t OW, int64_t n, int exact)
{
    for (int64_t i = 0; i + 1 < KH; i++) win[i] = win[i + 1];
    win[KH - 1] = h;
    if (oh < 0) return;
    float *o = o0 + oh * OW;
    __m256 m = win[0];
    for (int64_t i = 1; i < KH; i++) m = exact ? sp_maxnan(m, win[i]) : _mm256_max_ps(win[i], m);
    if (n == 8)
        _mm256_storeu_ps(o, m);
    else
        _mm256_maskstore_ps(o, sp_mask(n), m);
}

/* Output columns x .. x+n-1 of a plane. */
SP_INLINE void strip(const sp_problem *p, const float *in, float *out, int64_t x, int64_t n, int64_t KH, int64_t KW,
                     int exact, __m256 *nan)
{
    const int64_t H = p->h, W = p->w, OW = p->ow, pt = p->pt, pb = p->pb, c0 = x - p->pl;
    const int edge = c0 < 0 || c0 + 7 + KW - 1 > W - 1 || n < 8;
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    __m256i mk[MAXK];
    __m256 win[MAXK];
    unsigned part = 0;
    for (int64_t j = 0; j < KW; j++) {
        mk[j] = edge ? _mm256_andnot_si256(sp_mask(-(c0 + j)), sp_mask(W - (c0 + j))) : _mm256_setzero_si256();
        if (c0 + j < 0 || c0 + j + 8 > W) part |= 1u << j;
    }
    for (int64_t i = 0; i < KH; i++) win[i] = ninf;
    for (int64_t i = 0; i < pt; i++) push(win, ninf, KH, -1, out, OW, n, exact);
    /* Output row oh is complete after input row oh - pt + KH - 1 (pad rows counted). */
    const int64_t d = pt - KH + 1;
    const float *r = in + c0;
    if (edge) {
        for (int64_t ih = 0; ih < H; ih++, r += W)
            push(win, hmax(r, mk, part, KW, 1, exact, nan), KH, ih + d, out + x, OW, n, exact);
    } else {
        for (int64_t ih = 0; ih < H; ih++, r += W)
            push(win, hmax(r, mk, part, KW, 0, exact, nan), KH, ih + d, out + x, OW, n, exact);
    }
    for (int64_t ih = H; ih < H + pb; ih++) push(win, ninf, KH, ih + d, out + x, OW, n, exact);
}

/* One plane; returns nonzero if the fast pass saw a NaN (its outputs are then to be redone).
 * A partial last strip overlaps the previous one when the row has 8 outputs or more. */
SP_INLINE int plane_max(const sp_problem *p, const float *in, float *out, int64_t KH, int64_t KW, int exact)
{
    const int64_t OW = p->ow;
    __m256 nan = _mm256_setzero_ps();
    int64_t x = 0;
    for (; x + 8 <= OW; x += 8) strip(p, in, out, x, 8, KH, KW, exact, &nan);
    if (x < OW) {
        if (OW >= 8)
            strip(p, in, out, OW - 8, 8, KH, KW, exact, &nan);
        else
            strip(p, in, out, 0, OW, KH, KW, exact, &nan);
    }
    return !exact && !_mm256_testz_ps(nan, nan);
}

/* 3x3 with left and right padding 1 on rows of at most 8 NV columns (7x7 .. 14x14 maps): NV
 * loads per input row give all three taps by lane rotations (the padding lanes read -inf),
 * and output rows are stored whole. A store of fewer than 8 outputs spills into the next
 * output row or plane, which is written after it; only a store that would leave the slice is
 * masked (masked stores cost ~19 cycles on Zen 4 and were most of a 7x7 plane's time). Taps
 * and rows combine in the strips' order with vmaxps(later, earlier): the same bits, the same
 * NaN redo. Only NV = 2 runs here (9 to 16 columns); NV = 1 runs as small8 below. */
SP_INLINE void small_planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int NV)
{
    const int64_t H = p->h, W = p->w, OW = p->ow, hw = H * W, ohw = p->oh * OW, pt = p->pt;
    const float *in_end = a->in + p->n * p->c * hw;
    float *out_end = a->out + (int64_t)end * ohw;
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    const __m256i in0 = sp_mask(W), in1 = sp_mask(W - 8);
    const __m256i rotr = _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6), rotl = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
    for (size_t u = begin; u < end; u++) {
        const float *r = a->in + (int64_t)u * hw;
        float *po = a->out + (int64_t)u * ohw, *o = po;
        __m256 nan = _mm256_setzero_ps(), w0[2] = {ninf, ninf}, w1[2] = {ninf, ninf}, h[2];
        for (int64_t ih = 0; ih < H; ih++, r += W) {
            __m256 lo, hi = ninf;
            if (NV == 1) {
                lo = r + 8 <= in_end ? _mm256_loadu_ps(r) : _mm256_maskload_ps(r, in0);
                lo = _mm256_blendv_ps(ninf, lo, _mm256_castsi256_ps(in0));
                nan = _mm256_or_ps(nan, _mm256_cmp_ps(lo, lo, _CMP_UNORD_Q));
            } else {
                lo = _mm256_loadu_ps(r);
                hi = r + 16 <= in_end ? _mm256_loadu_ps(r + 8) : _mm256_maskload_ps(r + 8, in1);
                hi = _mm256_blendv_ps(ninf, hi, _mm256_castsi256_ps(in1));
                nan = _mm256_or_ps(nan, _mm256_cmp_ps(lo, hi, _CMP_UNORD_Q));
            }
            const __m256 lr = _mm256_permutevar8x32_ps(lo, rotr), ll = _mm256_permutevar8x32_ps(lo, rotl);
            const __m256 hl = _mm256_permutevar8x32_ps(hi, rotl);
            h[0] = _mm256_max_ps(_mm256_blend_ps(ll, NV == 1 ? ninf : hl, 0x80),
                                 _mm256_max_ps(lo, _mm256_blend_ps(lr, ninf, 0x01)));
            if (NV == 2)
                h[1] = _mm256_max_ps(_mm256_blend_ps(hl, ninf, 0x80),
                                     _mm256_max_ps(hi, _mm256_blend_ps(_mm256_permutevar8x32_ps(hi, rotr), lr, 0x01)));
            if (ih + pt >= 2) {
                for (int j = 0; j < NV; j++) {
                    const __m256 m = _mm256_max_ps(h[j], _mm256_max_ps(w1[j], w0[j]));
                    if (j < NV - 1 || o + 8 * NV <= out_end)
                        _mm256_storeu_ps(o + 8 * j, m);
                    else
                        _mm256_maskstore_ps(o + 8 * j, sp_mask(OW - 8 * j), m);
                }
                o += OW;
            }
            for (int j = 0; j < NV; j++) {
                w0[j] = w1[j];
                w1[j] = h[j];
            }
        }
        if (p->pb) /* the last window's third row is padding, -inf, which changes nothing */
            for (int j = 0; j < NV; j++) {
                const __m256 m = _mm256_max_ps(w1[j], w0[j]);
                if (j < NV - 1 || o + 8 * NV <= out_end)
                    _mm256_storeu_ps(o + 8 * j, m);
                else
                    _mm256_maskstore_ps(o + 8 * j, sp_mask(OW - 8 * j), m);
            }
        if (!_mm256_testz_ps(nan, nan)) plane_max(p, a->in + (int64_t)u * hw, po, 3, 3, 1);
    }
}

/* small_planes for rows of at most 8 columns, written for one vector: the NV = 1 instance of
 * small_planes ran 15% slower on 7x7 maps (5.6 vs 4.8 us for C512). */
static void small8(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t H = p->h, W = p->w, OW = p->ow, hw = H * W, ohw = p->oh * OW, pt = p->pt;
    const float *in_end = a->in + p->n * p->c * hw;
    float *out_end = a->out + (int64_t)end * ohw;
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    const __m256i inrow = sp_mask(W);
    const __m256i prev = _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6), next = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7);
    for (size_t u = begin; u < end; u++) {
        const float *r = a->in + (int64_t)u * hw;
        float *po = a->out + (int64_t)u * ohw, *o = po;
        __m256 nan = _mm256_setzero_ps(), w0 = ninf, w1 = ninf;
        for (int64_t ih = 0; ih < H; ih++, r += W) {
            __m256 v = r + 8 <= in_end ? _mm256_loadu_ps(r) : _mm256_maskload_ps(r, inrow);
            v = _mm256_blendv_ps(ninf, v, _mm256_castsi256_ps(inrow));
            nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
            const __m256 t0 = _mm256_blend_ps(_mm256_permutevar8x32_ps(v, prev), ninf, 0x01);
            const __m256 t2 = _mm256_blend_ps(_mm256_permutevar8x32_ps(v, next), ninf, 0x80);
            const __m256 h = _mm256_max_ps(t2, _mm256_max_ps(v, t0));
            if (ih + pt >= 2) {
                const __m256 m = _mm256_max_ps(h, _mm256_max_ps(w1, w0));
                if (o + 8 <= out_end)
                    _mm256_storeu_ps(o, m);
                else
                    _mm256_maskstore_ps(o, sp_mask(OW), m);
                o += OW;
            }
            w0 = w1;
            w1 = h;
        }
        if (p->pb) { /* the last window's third row is padding, -inf, which changes nothing */
            const __m256 m = _mm256_max_ps(w1, w0);
            if (o + 8 <= out_end)
                _mm256_storeu_ps(o, m);
            else
                _mm256_maskstore_ps(o, sp_mask(OW), m);
        }
        if (!_mm256_testz_ps(nan, nan)) plane_max(p, a->in + (int64_t)u * hw, po, 3, 3, 1);
    }
}

static __attribute__((noinline)) void small2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    small_planes(p, a, begin, end, 2);
}

SP_INLINE void planes(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int64_t KH, int64_t KW)
{
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    for (size_t u = begin; u < end; u++) {
        const float *in = a->in + (int64_t)u * hw;
        float *out = a->out + (int64_t)u * ohw;
        if (plane_max(p, in, out, KH, KW, 0)) plane_max(p, in, out, KH, KW, 1);
    }
}

int sp_avx2_accepts_nchw_s1_max(const sp_problem *p)
{
    return p->op == SIMDPOOL_MAX && p->layout == SIMDPOOL_NCHW && p->sh == 1 && p->sw == 1 && p->dh == 1 &&
           p->dw == 1 && p->kh >= 1 && p->kh <= MAXK && p->kw >= 1 && p->kw <= MAXK && p->pt <= p->kh / 2 &&
           p->pb <= p->kh / 2 && p->pl <= p->kw / 2 && p->pr <= p->kw / 2 &&
           p->oh == p->h + p->pt + p->pb - p->kh + 1 && p->ow == p->w + p->pl + p->pr - p->kw + 1 && p->oh > 0 &&
           p->ow > 0;
}

/* Square kernels get constant sizes so the tap and window loops unroll into registers. */
void sp_avx2_nchw_s1_max(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    const int64_t k = p->kh == p->kw ? p->kh : 0;
    switch (k) {
    case 2: planes(p, a, begin, end, 2, 2); break;
    case 3:
        if (p->pl == 1 && p->pr == 1 && p->w <= 8)
            small8(p, a, begin, end);
        else if (p->pl == 1 && p->pr == 1 && p->w <= 16)
            small2(p, a, begin, end);
        else
            planes(p, a, begin, end, 3, 3);
        break;
    case 5: planes(p, a, begin, end, 5, 5); break;
    case 7: planes(p, a, begin, end, 7, 7); break;
    default: planes(p, a, begin, end, p->kh, p->kw); break;
    }
}
