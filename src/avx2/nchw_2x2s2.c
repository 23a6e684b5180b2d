/* NCHW 2x2 stride 2, no padding (ceil mode allowed): the ResNet/VGG downsampling case.
 *
 * After ncnn's pooling_2x2: two input rows give 16 columns per 8 outputs; an in-lane shuffle
 * splits even and odd columns, the horizontal pair is combined first and the two rows
 * after, which keeps the reference's row-major tap order (the max step is associative
 * over ordered groups). Values-only max uses plain vmaxps, exact whenever no NaN is
 * present (vmaxps(v, m) is the reference's step then, ties and zeros included), and
 * records unordered compares (the short rows: MXCSR's invalid flag instead); an output row
 * that saw a NaN is recomputed by the exact row template. The row tail reads and writes whole vectors when the extra lanes stay inside
 * the tensor (input) or inside this slice's later outputs (output), which later rows
 * overwrite; otherwise it masks. */
#include "nchw_row.h"

/* Prefetch distance in input rows: the next row pair. Two interleaved row streams get about
 * half the DRAM bandwidth of one stream without it on the machine we measured. */
#define PF 2
typedef struct bounds {
    const float *in_end; /* end of the whole input tensor */
    float *out_end;      /* end of this slice's outputs */
    int64_t *idx_end;
} bounds;

SP_INLINE __m256 unperm2(__m256 v) { return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8)); }

/* 16 columns from x: plain loads if they stay in the tensor and any extra columns only feed
 * discarded lanes (clean), else masked to the row with fill beyond it. */
SP_INLINE void load16(const float *r, int64_t x, int64_t w, int clean, const bounds *b, __m256 fill,
                      __m256 *lo, __m256 *hi)
{
    if (x + 16 <= w || (clean && r + x + 16 <= b->in_end)) {
        *lo = _mm256_loadu_ps(r + x);
        *hi = _mm256_loadu_ps(r + x + 8);
        return;
    }
    __m256i m0 = sp_mask(w - x), m1 = sp_mask(w - x - 8);
    *lo = _mm256_blendv_ps(fill, _mm256_maskload_ps(r + x, m0), _mm256_castsi256_ps(m0));
    *hi = _mm256_blendv_ps(fill, _mm256_maskload_ps(r + x + 8, m1), _mm256_castsi256_ps(m1));
}

SP_INLINE void store8(float *dst, __m256 v, int64_t n, const bounds *b)
{
    if (n == 8 || dst + 8 <= b->out_end)
        _mm256_storeu_ps(dst, v);
    else
        _mm256_maskstore_ps(dst, sp_mask(n), v);
}

SP_INLINE void store8_idx(int64_t *dst, __m256i v, int64_t n, const bounds *b)
{
    sp_store_idx(dst, v, dst + 8 <= b->idx_end ? 8 : n);
}

/* 8 outputs from columns x .. x+15 of both rows: values-only max (op OP_MAX) or sums scaled
 * by mul (OP_AVG) / not (OP_SUM). half: only outputs 0..3 are wanted, from columns x .. x+7. */
SP_INLINE void vec2hs(const float *r0, const float *r1, float *out, int64_t x, int op, __m256 mul, __m256 *nn, int half,
                      int sum)
{
    __m256 a0 = _mm256_loadu_ps(r0 + x), a1 = half ? a0 : _mm256_loadu_ps(r0 + x + 8);
    __m256 b0 = _mm256_loadu_ps(r1 + x), b1 = half ? b0 : _mm256_loadu_ps(r1 + x + 8);
    __m256 r;
    if (op == OP_MAX && sum) {
        /* No record: the caller watches MXCSR's invalid flag (nan_watch.h), which every column's
         * vmaxps raises on a NaN and none on +-inf. (A sum of the three columns the chain can
         * lose took three adds and raised false alarms on +inf meeting -inf, 2-4.5x.) */
        __asm__("" : "+x"(a0), "+x"(a1), "+x"(b0), "+x"(b1)); /* one load each: gcc loaded them twice */
        const __m256 ea = _mm256_shuffle_ps(a0, a1, 0x88), oa = _mm256_shuffle_ps(a0, a1, 0xDD);
        const __m256 eb = _mm256_shuffle_ps(b0, b1, 0x88), ob = _mm256_shuffle_ps(b0, b1, 0xDD);
        r = _mm256_max_ps(_mm256_max_ps(ob, eb), _mm256_max_ps(oa, ea));
    } else if (op == OP_MAX) {
        __m256 ha = _mm256_max_ps(_mm256_shuffle_ps(a0, a1, 0xDD), _mm256_shuffle_ps(a0, a1, 0x88));
        __m256 hb = _mm256_max_ps(_mm256_shuffle_ps(b0, b1, 0xDD), _mm256_shuffle_ps(b0, b1, 0x88));
        *nn = _mm256_or_ps(*nn, _mm256_or_ps(_mm256_cmp_ps(a0, a1, _CMP_UNORD_Q), _mm256_cmp_ps(b0, b1, _CMP_UNORD_Q)));
        r = _mm256_max_ps(hb, ha);
    } else {
        /* Sums start from +0, as the reference's (a window of -0 gives +0): the scale is a
         * power of two, so r * mul + 0 in one rounding is r * mul but for the sign of zero. */
        r = _mm256_hadd_ps(_mm256_add_ps(a0, b0), _mm256_add_ps(a1, b1));
        r = op == OP_AVG ? _mm256_fmadd_ps(r, mul, _mm256_setzero_ps()) : _mm256_add_ps(r, _mm256_setzero_ps());
    }
    _mm256_storeu_ps(out, unperm2(r));
}
SP_INLINE void vec2h(const float *r0, const float *r1, float *out, int64_t x, int op, __m256 mul, __m256 *nn, int half)
{
    vec2hs(r0, r1, out, x, op, mul, nn, half, 0);
}
SP_INLINE void vec2(const float *r0, const float *r1, float *out, int64_t x, int op, __m256 mul, __m256 *nn)
{
    vec2h(r0, r1, out, x, op, mul, nn, 0);
}

/* Wide rows in address order: row r0 whole, its horizontal pairs kept in hb, then row r1,
 * so the input is read as one stream (r1 follows r0 in memory). Side by side the two rows
 * are two streams, which the hardware prefetchers followed poorly even with software
 * prefetch (as in nchw_3x3.c's s2_max_lin). Max keeps the reference's row-major order
 * (pairs first, then rows); sums add the pairs first, within the rounding bound. Bench
 * medians, 6 interleaved rounds against the side-by-side loop: C64 224^2 max 1067 -> 314 us,
 * avg 795 -> 309 us (the old loop was ~30-40% of the roofline in most runs); C128 112^2
 * (rows in L2) max 0.98x, avg 1.13x. */
enum { LIN_MAX = 256 };
SP_INLINE void lin2(const float *r0, const float *r1, float *out, int64_t nv, int op, __m256 mul, __m256 *nan)
{
    float hb[8 * LIN_MAX];
    __m256 nn = *nan;
    for (int64_t j = 0; j < nv; j++) {
        const __m256 a0 = _mm256_loadu_ps(r0 + 16 * j), a1 = _mm256_loadu_ps(r0 + 16 * j + 8);
        __m256 h;
        if (op == OP_MAX) {
            h = _mm256_max_ps(_mm256_shuffle_ps(a0, a1, 0xDD), _mm256_shuffle_ps(a0, a1, 0x88));
            nn = _mm256_or_ps(nn, _mm256_cmp_ps(a0, a1, _CMP_UNORD_Q));
        } else {
            h = _mm256_hadd_ps(a0, a1);
        }
        _mm256_storeu_ps(hb + 8 * j, h);
    }
    for (int64_t j = 0; j < nv; j++) {
        const __m256 b0 = _mm256_loadu_ps(r1 + 16 * j), b1 = _mm256_loadu_ps(r1 + 16 * j + 8);
        const __m256 ha = _mm256_loadu_ps(hb + 8 * j);
        __m256 r;
        if (op == OP_MAX) {
            const __m256 h = _mm256_max_ps(_mm256_shuffle_ps(b0, b1, 0xDD), _mm256_shuffle_ps(b0, b1, 0x88));
            nn = _mm256_or_ps(nn, _mm256_cmp_ps(b0, b1, _CMP_UNORD_Q));
            r = _mm256_max_ps(h, ha);
        } else {
            r = _mm256_add_ps(ha, _mm256_hadd_ps(b0, b1));
            r = op == OP_AVG ? _mm256_fmadd_ps(r, mul, _mm256_setzero_ps()) : _mm256_add_ps(r, _mm256_setzero_ps());
        }
        _mm256_storeu_ps(out + 8 * j, unperm2(r));
    }
    *nan = nn;
}

/* The branch-free body of a row with both input rows present: full vectors whose 16 columns
 * lie in the row. Values-only max (op OP_MAX) or sums scaled by mul (OP_AVG) / not (OP_SUM). */
SP_INLINE int64_t body2(const float *r0, const float *r1, float *out, int64_t OW, int64_t w, int op, __m256 mul,
                        __m256 *nan, const bounds *b)
{
    __m256 nn = *nan;
    int64_t nfull = OW / 8;
    if (nfull * 16 > w) nfull--; /* the last full vector would read column w */
    int64_t ow0 = 0, x = 0;
    if (w >= 64 && nfull <= LIN_MAX) {
        lin2(r0, r1, out, nfull, op, mul, &nn);
        ow0 = nfull * 8;
        x = nfull * 16;
    } else {
        for (; ow0 < nfull * 8; ow0 += 8, x += 16) vec2(r0, r1, out + ow0, x, op, mul, &nn);
    }
    /* A narrow last vector still takes this path when its extra columns stay inside the tensor
     * and feed only discarded lanes (no ceil-mode overhang) and its extra outputs belong to
     * later rows of this slice, which rewrite them. */
    if (ow0 < OW && 2 * OW <= w && r1 + x + 16 <= b->in_end && out + ow0 + 8 <= b->out_end) {
        vec2(r0, r1, out + ow0, x, op, mul, &nn);
        ow0 = OW;
    }
    *nan = nn;
    return ow0;
}

/* Short rows prefetch the row pair SR_AHEAD floats (2 KiB) ahead, as AVX-512's narrow kernel:
 * the hardware prefetchers alone left C512 14^2 at 51% of the roofline, 28^2 at 90% (4 KiB
 * measured level with 2 KiB; see kernels.c). Prefetches never fault past the tensor. */
#define SR_AHEAD 512
/* Output rows [k0, k1) of the flat sequence, NV whole vectors each (0: one vector from 8
 * columns, for rows of up to 4 outputs); returns nonzero if the values-only max saw a NaN (or
 * an extra lane did: the caller then redoes the rows exactly). */
SP_INLINE int short_rows(const float *in, float *out, int64_t np, int64_t OH, int64_t skip, int64_t w, int64_t OW,
                         int NV, int op, __m256 mul)
{
    __m256 nan = _mm256_setzero_ps();
    const unsigned csr = op == OP_MAX ? sp_nan_watch() : 0;
    const float *r0 = in;
    float *o = out;
    /* np planes of OH rows; skip: input left after a plane's last row pair (odd heights). */
    for (int64_t u = 0; u < np; u++, r0 += skip)
        for (int64_t k = 0; k < OH; k++, r0 += 2 * w, o += OW) {
            _mm_prefetch((const char *)(r0 + SR_AHEAD), _MM_HINT_T0);
            for (int j = 1; j < 2 * NV; j++) _mm_prefetch((const char *)(r0 + SR_AHEAD + 16 * j), _MM_HINT_T0);
            if (NV == 0)
                vec2hs(r0, r0 + w, o, 0, op, mul, &nan, 1, 1);
            else
                for (int j = 0; j < NV; j++) vec2hs(r0, r0 + w, o + 8 * j, 16 * j, op, mul, &nan, 0, 1);
        }
    (void)nan;
    return op == OP_MAX && sp_nan_seen(csr);
}

/* One output row; returns nonzero if the values-only max saw a NaN. */
SP_INLINE int row2(const sp_problem *p, const float *plane, float *out, int64_t *idx, int64_t oh, int op,
                   const bounds *b)
{
    const int64_t w = p->w, OW = p->ow, y = 2 * oh;
    const float *r0 = plane + y * w, *r1 = r0 + w;
    const int two = y + 1 < p->h;
    /* Without a ceil-mode column overhang every real lane has both columns in the row. */
    const int clean = 2 * OW <= w;
    const __m256 fill = op == OP_MAX ? _mm256_set1_ps(-INFINITY) : _mm256_setzero_ps();
    __m256 nan = _mm256_setzero_ps(), scale = _mm256_set1_ps(1.0f), rdiv = scale;
    int use_div = 0;
    if (op == OP_AVG) {
        float d = p->divisor_override ? (float)p->divisor_override : (float)(two ? 4 : 2);
        /* Powers of two have exact reciprocals: multiply; otherwise divide, as the reference. */
        use_div = d != 1.0f && d != 2.0f && d != 4.0f && d != 8.0f;
        rdiv = _mm256_set1_ps(d);
        scale = _mm256_set1_ps(1.0f / d);
    }
    /* Permuted lane order of the shuffles, for indices: lane k holds output perm[k]. */
    const __m256i pcol = _mm256_setr_epi32(0, 2, 8, 10, 4, 6, 12, 14);
    int64_t ow0 = 0;
    if (two && !idx && (op != OP_AVG || (!use_div && !p->divisor_override)))
        ow0 = body2(r0, r1, out, OW, w, op, scale, &nan, b);
    for (; ow0 < OW; ow0 += 8) {
        const int64_t n = OW - ow0 < 8 ? OW - ow0 : 8, x = 2 * ow0;
        __m256 a0, a1, b0, b1;
        _mm_prefetch((const char *)(r0 + PF * w + x), _MM_HINT_T0);
        _mm_prefetch((const char *)(r1 + PF * w + x), _MM_HINT_T0);
        load16(r0, x, w, clean, b, fill, &a0, &a1);
        __m256 ea = _mm256_shuffle_ps(a0, a1, 0x88), oa = _mm256_shuffle_ps(a0, a1, 0xDD), r;
        if (op == OP_MAX && !idx) {
            r = _mm256_max_ps(oa, ea);
            nan = _mm256_or_ps(nan, _mm256_cmp_ps(a0, a1, _CMP_UNORD_Q));
            if (two) {
                load16(r1, x, w, clean, b, fill, &b0, &b1);
                __m256 hb = _mm256_max_ps(_mm256_shuffle_ps(b0, b1, 0xDD), _mm256_shuffle_ps(b0, b1, 0x88));
                r = _mm256_max_ps(hb, r);
                nan = _mm256_or_ps(nan, _mm256_cmp_ps(b0, b1, _CMP_UNORD_Q));
            }
            store8(out + ow0, unperm2(r), n, b);
        } else if (op == OP_MAX) {
            const __m256i c0 = _mm256_add_epi32(pcol, _mm256_set1_epi32((int)(y * w + x)));
            const __m256i one = _mm256_set1_epi32(1);
            __m256 t = sp_takes(ea, oa);
            r = _mm256_blendv_ps(ea, oa, t);
            __m256i ri = _mm256_add_epi32(c0, _mm256_and_si256(one, _mm256_castps_si256(t)));
            if (two) {
                load16(r1, x, w, clean, b, fill, &b0, &b1);
                __m256 eb = _mm256_shuffle_ps(b0, b1, 0x88), ob = _mm256_shuffle_ps(b0, b1, 0xDD);
                __m256 tb = sp_takes(eb, ob);
                __m256 hb = _mm256_blendv_ps(eb, ob, tb);
                __m256i hi = _mm256_add_epi32(_mm256_add_epi32(c0, _mm256_set1_epi32((int)w)),
                                              _mm256_and_si256(one, _mm256_castps_si256(tb)));
                __m256 t2 = sp_takes(r, hb);
                r = _mm256_blendv_ps(r, hb, t2);
                ri = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(ri), _mm256_castsi256_ps(hi), t2));
            }
            store8(out + ow0, unperm2(r), n, b);
            store8_idx(idx + ow0, _mm256_permute4x64_epi64(ri, 0xD8), n, b);
        } else {
            if (two) {
                load16(r1, x, w, clean, b, fill, &b0, &b1);
                a0 = _mm256_add_ps(a0, b0);
                a1 = _mm256_add_ps(a1, b1);
            }
            r = unperm2(_mm256_add_ps(_mm256_hadd_ps(a0, a1), _mm256_setzero_ps())); /* sums start from +0 */
            if (op == OP_AVG) {
                if (n == 8 && x + 16 <= w && !p->divisor_override) {
                    r = use_div ? _mm256_div_ps(r, rdiv) : _mm256_mul_ps(r, scale);
                } else {
                    /* Ceil-mode overhang: the last output may have one column. */
                    __m256i s = _mm256_add_epi32(_mm256_mullo_epi32(sp_iota(), _mm256_set1_epi32(2)),
                                                 _mm256_set1_epi32((int)x));
                    __m256i cols = _mm256_min_epi32(
                        _mm256_max_epi32(_mm256_sub_epi32(_mm256_set1_epi32((int)w), s), _mm256_setzero_si256()),
                        _mm256_set1_epi32(2));
                    cols = _mm256_max_epi32(cols, _mm256_set1_epi32(1)); /* lanes past n: any nonzero */
                    __m256 dv = p->divisor_override ? _mm256_set1_ps((float)p->divisor_override)
                                                    : _mm256_cvtepi32_ps(_mm256_mullo_epi32(cols, _mm256_set1_epi32(two ? 2 : 1)));
                    r = _mm256_div_ps(r, dv);
                }
            }
            store8(out + ow0, r, n, b);
        }
    }
    return op == OP_MAX && !idx && !_mm256_testz_ps(nan, nan);
}

SP_INLINE void planes2(const sp_problem *p, const sp_args *a, size_t begin, size_t end, int op, int wi)
{
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    bounds b = {a->in + p->n * p->c * hw, a->out + (int64_t)end * ohw, a->idx ? a->idx + (int64_t)end * ohw : NULL};
    /* Even height: the slice's output rows k read input rows 2k and 2k+1 of one flat sequence,
     * so one loop runs them all without per-plane bookkeeping (small maps are all overhead). */
    if (!wi && p->h == 2 * p->oh && (op != OP_AVG || !p->divisor_override)) {
        const __m256 quarter = _mm256_set1_ps(0.25f);
        int64_t k = (int64_t)begin * p->oh;
        const int64_t ke = (int64_t)end * p->oh;
        /* Short rows (up to 4 vectors, no ceil-mode column) run whole vectors per row with no
         * checks while the loads stay in the tensor and the stores in the slice; extra lanes
         * read the next row and write the next output row, which is computed later. */
        const int64_t nv = p->ow <= 4 ? 0 : (p->ow + 7) / 8, ld = nv ? 16 * nv : 8, st = nv ? 8 * nv : 8;
        if (nv <= 4 && 2 * p->ow <= p->w) {
            int64_t ks = ke; /* rows [k, ks) are safe */
            while (ks > k && (a->in + (2 * ks - 1) * p->w + ld > b.in_end || a->out + (ks - 1) * p->ow + st > b.out_end))
                ks--;
            int nan;
            switch (nv) {
            case 0: nan = short_rows(a->in + 2 * k * p->w, a->out + k * p->ow, 1, ks - k, 0, p->w, p->ow, 0, op, quarter); break;
            case 1: nan = short_rows(a->in + 2 * k * p->w, a->out + k * p->ow, 1, ks - k, 0, p->w, p->ow, 1, op, quarter); break;
            case 2: nan = short_rows(a->in + 2 * k * p->w, a->out + k * p->ow, 1, ks - k, 0, p->w, p->ow, 2, op, quarter); break;
            case 3: nan = short_rows(a->in + 2 * k * p->w, a->out + k * p->ow, 1, ks - k, 0, p->w, p->ow, 3, op, quarter); break;
            default: nan = short_rows(a->in + 2 * k * p->w, a->out + k * p->ow, 1, ks - k, 0, p->w, p->ow, 4, op, quarter); break;
            }
            if (!nan) k = ks; /* else the exact loop below redoes them */
        }
        for (; k < ke; k++) {
            const float *r0 = a->in + k * 2 * p->w;
            float *out = a->out + k * p->ow;
            __m256 nan = _mm256_setzero_ps();
            int64_t ow0 = body2(r0, r0 + p->w, out, p->ow, p->w, op, quarter, &nan, &b);
            if (ow0 < p->ow || (op == OP_MAX && !_mm256_testz_ps(nan, nan))) { /* rare: tensor end, NaN */
                const int64_t u = k / p->oh, oh = k % p->oh;
                if (ow0 >= p->ow || row2(p, a->in + u * hw, out, NULL, oh, op, &b))
                    row_kernel(p, a->in + u * hw, out, NULL, oh, OP_MAX, 2, 2, 2, 1, 1);
            }
        }
        return;
    }
    /* Odd height without a ceil-mode row or column (the last input row is unused): the same
     * short rows in one loop over the planes, skipping each plane's last row. */
    const int64_t nv = p->ow <= 4 ? 0 : (p->ow + 7) / 8, ld = nv ? 16 * nv : 8, st = nv ? 8 * nv : 8;
    const int short_ok = !wi && nv <= 4 && 2 * p->oh <= p->h && 2 * p->ow <= p->w && (op != OP_AVG || !p->divisor_override);
    const __m256 quarter = _mm256_set1_ps(0.25f);
    size_t u = begin;
    if (short_ok) {
        size_t us = end; /* planes [begin, us) are safe */
        while (us > begin && (a->in + (int64_t)(us - 1) * hw + (2 * p->oh - 1) * p->w + ld > b.in_end ||
                              a->out + (int64_t)(us - 1) * ohw + (p->oh - 1) * p->ow + st > b.out_end))
            us--;
        const float *in0 = a->in + (int64_t)begin * hw;
        float *out0 = a->out + (int64_t)begin * ohw;
        const int64_t np = (int64_t)(us - begin), skip = hw - 2 * p->oh * p->w;
        int nan;
        switch (nv) {
        case 0: nan = short_rows(in0, out0, np, p->oh, skip, p->w, p->ow, 0, op, quarter); break;
        case 1: nan = short_rows(in0, out0, np, p->oh, skip, p->w, p->ow, 1, op, quarter); break;
        case 2: nan = short_rows(in0, out0, np, p->oh, skip, p->w, p->ow, 2, op, quarter); break;
        case 3: nan = short_rows(in0, out0, np, p->oh, skip, p->w, p->ow, 3, op, quarter); break;
        default: nan = short_rows(in0, out0, np, p->oh, skip, p->w, p->ow, 4, op, quarter); break;
        }
        if (!nan) u = us; /* else the exact loop below redoes them */
    }
    for (; u < end; u++) {
        const float *plane = a->in + (int64_t)u * hw;
        for (int64_t oh = 0; oh < p->oh; oh++) {
            float *out = a->out + (int64_t)u * ohw + oh * p->ow;
            int64_t *idx = wi ? a->idx + (int64_t)u * ohw + oh * p->ow : NULL;
            if (row2(p, plane, out, idx, oh, op, &b))
                row_kernel(p, plane, out, NULL, oh, OP_MAX, 2, 2, 2, 1, 1);
        }
    }
}

void sp_avx2_nchw_2x2s2(const sp_problem *p, const sp_args *a, size_t begin, size_t end)
{
    if (p->op == SIMDPOOL_MAX) {
        if (a->idx)
            planes2(p, a, begin, end, OP_MAX, 1);
        else
            planes2(p, a, begin, end, OP_MAX, 0);
    } else if (p->op == SIMDPOOL_AVG) {
        planes2(p, a, begin, end, OP_AVG, 0);
    } else {
        planes2(p, a, begin, end, OP_SUM, 0);
    }
}
