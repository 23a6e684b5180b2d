/* Descriptor validation and PyTorch's output-size rule, shared by every variant. */
#include "shape.h"

#include <math.h>

#include "error.h"

/* Every size and parameter is capped so that all index arithmetic in the kernels
 * (products of two fields, sums of a few) stays far from int64 overflow. */
#define SP_FIELD_MAX INT64_C(0x7fffffff)

static const char *const op_names[SIMDPOOL_OP_COUNT] = {
    "max", "avg", "sum", "lp", "stochastic", "global_max", "global_avg", "global_sum",
    "adaptive_avg", "adaptive_max", "masked_mean", "masked_max",
};

const char *simdpool_op_name(simdpool_op op)
{
    return (unsigned)op < SIMDPOOL_OP_COUNT ? op_names[op] : "unknown";
}

const char *simdpool_layout_name(simdpool_layout l)
{
    return l == SIMDPOOL_NCHW ? "nchw" : l == SIMDPOOL_NHWC ? "nhwc" : "unknown";
}

simdpool_desc simdpool_desc_default(simdpool_op op, simdpool_layout layout, int64_t n, int64_t c,
                                    int64_t h, int64_t w)
{
    simdpool_desc d = {0};
    d.op = op;
    d.layout = layout;
    d.n = n; d.c = c; d.h = h; d.w = w;
    d.kernel_h = d.kernel_w = 1;
    d.stride_h = d.stride_w = 1;
    d.dilation_h = d.dilation_w = 1;
    d.count_include_pad = 1;
    d.p = 2.0f;
    d.stochastic_mode = SIMDPOOL_STOCHASTIC_TRAIN;
    d.out_h = d.out_w = 1;
    d.masked_max_fill = -1e9f;
    return d;
}

static simdpool_status check_range(const char *field, int64_t v, int64_t lo)
{
    if (v < lo)
        return sp_fail(SIMDPOOL_ERR_PARAM, "%s = %lld: must be >= %lld", field, (long long)v,
                       (long long)lo);
    if (v > SP_FIELD_MAX)
        return sp_fail(SIMDPOOL_ERR_OVERFLOW, "%s = %lld: larger than the supported maximum %lld",
                       field, (long long)v, (long long)SP_FIELD_MAX);
    return SIMDPOOL_OK;
}

#define CHECK(field, v, lo)                                                                      \
    do {                                                                                         \
        simdpool_status s_ = check_range(field, v, lo);                                          \
        if (s_ != SIMDPOOL_OK) return s_;                                                        \
    } while (0)

/* PyTorch's pooling_output_shape_pad_lr. */
static int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t pa, int64_t pb, int64_t d, int ceil)
{
    int64_t num = in + pa + pb - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
    int64_t q = num >= 0 ? num / s : -((-num + s - 1) / s); /* floor division */
    int64_t o = q + 1;
    if (ceil && (o - 1) * s >= in + pa) --o;
    return o;
}

static simdpool_status check_pad(const char *field, int64_t pad, int64_t k, int64_t d)
{
    CHECK(field, pad, 0);
    int64_t eff = d * (k - 1) + 1;
    if (pad > eff / 2)
        return sp_fail(SIMDPOOL_ERR_PARAM,
                       "%s = %lld: padding must be at most half the effective kernel size (%lld)",
                       field, (long long)pad, (long long)(eff / 2));
    return SIMDPOOL_OK;
}

static simdpool_status mul_size(size_t *acc, int64_t v, const char *what)
{
    if (__builtin_mul_overflow(*acc, (size_t)v, acc))
        return sp_fail(SIMDPOOL_ERR_OVERFLOW, "the %s size overflows size_t", what);
    return SIMDPOOL_OK;
}

simdpool_status sp_buffer_elems(const sp_problem *p, size_t *in_elems, size_t *out_elems)
{
    simdpool_status s;
    size_t in = 1, out = 1;
    if ((s = mul_size(&in, p->n, "input")) || (s = mul_size(&in, p->c, "input")) ||
        (s = mul_size(&in, p->h, "input")) || (s = mul_size(&in, p->w, "input")) ||
        (s = mul_size(&out, p->n, "output")) || (s = mul_size(&out, p->c, "output")) ||
        (s = mul_size(&out, p->oh, "output")) || (s = mul_size(&out, p->ow, "output")))
        return s;
    /* Byte sizes (float and int64 indices) must fit too, and every element index must fit int64. */
    size_t bytes;
    if (__builtin_mul_overflow(in, sizeof(int64_t), &bytes) || in > (size_t)INT64_MAX / 8)
        return sp_fail(SIMDPOOL_ERR_OVERFLOW, "the input byte size overflows size_t");
    if (__builtin_mul_overflow(out, sizeof(int64_t), &bytes) || out > (size_t)INT64_MAX / 8)
        return sp_fail(SIMDPOOL_ERR_OVERFLOW, "the output byte size overflows size_t");
    if (in_elems) *in_elems = in;
    if (out_elems) *out_elems = out;
    return SIMDPOOL_OK;
}

simdpool_status sp_problem_from_desc(const simdpool_desc *d, sp_problem *p)
{
    if (!d) return sp_fail(SIMDPOOL_ERR_NULL, "desc is NULL");
    if ((unsigned)d->op >= SIMDPOOL_OP_COUNT)
        return sp_fail(SIMDPOOL_ERR_PARAM, "op = %d: not a simdpool_op", (int)d->op);
    if ((unsigned)d->layout >= SIMDPOOL_LAYOUT_COUNT)
        return sp_fail(SIMDPOOL_ERR_PARAM, "layout = %d: not a simdpool_layout", (int)d->layout);
    CHECK("n", d->n, 1);
    CHECK("c", d->c, 1);
    CHECK("h", d->h, 1);
    CHECK("w", d->w, 1);

    sp_problem q = {0};
    q.op = d->op;
    q.layout = d->layout;
    q.n = d->n; q.c = d->c; q.h = d->h; q.w = d->w;
    q.kh = q.kw = q.sh = q.sw = q.dh = q.dw = 1;
    q.count_include_pad = d->count_include_pad != 0;
    q.p = d->p;
    q.seed = d->seed;
    q.stochastic_mode = d->stochastic_mode;
    q.fill = d->masked_max_fill;

    switch (d->op) {
    case SIMDPOOL_MAX: case SIMDPOOL_AVG: case SIMDPOOL_SUM: case SIMDPOOL_LP:
    case SIMDPOOL_STOCHASTIC: {
        CHECK("kernel_h", d->kernel_h, 1);
        CHECK("kernel_w", d->kernel_w, 1);
        CHECK("stride_h", d->stride_h, 1);
        CHECK("stride_w", d->stride_w, 1);
        CHECK("dilation_h", d->dilation_h, 1);
        CHECK("dilation_w", d->dilation_w, 1);
        simdpool_status s;
        if ((s = check_pad("pad_top", d->pad_top, d->kernel_h, d->dilation_h)) ||
            (s = check_pad("pad_bottom", d->pad_bottom, d->kernel_h, d->dilation_h)) ||
            (s = check_pad("pad_left", d->pad_left, d->kernel_w, d->dilation_w)) ||
            (s = check_pad("pad_right", d->pad_right, d->kernel_w, d->dilation_w)))
            return s;
        if (d->op == SIMDPOOL_LP) {
            /* PyTorch's lp_pool2d has neither padding nor dilation. */
            if (d->pad_top || d->pad_bottom || d->pad_left || d->pad_right)
                return sp_fail(SIMDPOOL_ERR_PARAM, "pad_* = %lld,%lld,%lld,%lld: lp pooling takes no padding",
                               (long long)d->pad_top, (long long)d->pad_bottom,
                               (long long)d->pad_left, (long long)d->pad_right);
            if (d->dilation_h != 1 || d->dilation_w != 1)
                return sp_fail(SIMDPOOL_ERR_PARAM, "dilation = %lld,%lld: lp pooling takes no dilation",
                               (long long)d->dilation_h, (long long)d->dilation_w);
            if (!(d->p > 0.0f) || isinf(d->p))
                return sp_fail(SIMDPOOL_ERR_PARAM, "p = %g: must be finite and > 0", (double)d->p);
        }
        if (d->op == SIMDPOOL_AVG && d->divisor_override < 0)
            return sp_fail(SIMDPOOL_ERR_PARAM, "divisor_override = %lld: must be >= 0 (0 = none)",
                           (long long)d->divisor_override);
        if (d->op == SIMDPOOL_AVG) CHECK("divisor_override", d->divisor_override, 0);
        if (d->op == SIMDPOOL_STOCHASTIC && d->stochastic_mode != SIMDPOOL_STOCHASTIC_TRAIN &&
            d->stochastic_mode != SIMDPOOL_STOCHASTIC_INFER)
            return sp_fail(SIMDPOOL_ERR_PARAM, "stochastic_mode = %d: not a simdpool_stochastic_mode",
                           (int)d->stochastic_mode);
        q.kh = d->kernel_h; q.kw = d->kernel_w;
        q.sh = d->stride_h; q.sw = d->stride_w;
        q.dh = d->dilation_h; q.dw = d->dilation_w;
        q.pt = d->pad_top; q.pb = d->pad_bottom; q.pl = d->pad_left; q.pr = d->pad_right;
        q.ceil_mode = d->ceil_mode != 0;
        q.divisor_override = d->op == SIMDPOOL_AVG ? d->divisor_override : 0;
        q.oh = out_size(q.h, q.kh, q.sh, q.pt, q.pb, q.dh, q.ceil_mode);
        q.ow = out_size(q.w, q.kw, q.sw, q.pl, q.pr, q.dw, q.ceil_mode);
        if (q.oh < 1)
            return sp_fail(SIMDPOOL_ERR_PARAM,
                           "output height = %lld: below 1 (h = %lld, kernel_h = %lld, dilation_h = %lld, pads %lld/%lld)",
                           (long long)q.oh, (long long)q.h, (long long)q.kh, (long long)q.dh,
                           (long long)q.pt, (long long)q.pb);
        if (q.ow < 1)
            return sp_fail(SIMDPOOL_ERR_PARAM,
                           "output width = %lld: below 1 (w = %lld, kernel_w = %lld, dilation_w = %lld, pads %lld/%lld)",
                           (long long)q.ow, (long long)q.w, (long long)q.kw, (long long)q.dw,
                           (long long)q.pl, (long long)q.pr);
        break;
    }
    case SIMDPOOL_ADAPTIVE_AVG: case SIMDPOOL_ADAPTIVE_MAX:
        CHECK("out_h", d->out_h, 1);
        CHECK("out_w", d->out_w, 1);
        q.oh = d->out_h;
        q.ow = d->out_w;
        break;
    case SIMDPOOL_GLOBAL_MAX: case SIMDPOOL_GLOBAL_AVG: case SIMDPOOL_GLOBAL_SUM:
        q.oh = q.ow = 1;
        q.kh = q.h; q.kw = q.w;
        break;
    case SIMDPOOL_MASKED_MEAN: case SIMDPOOL_MASKED_MAX:
        if (d->w != 1)
            return sp_fail(SIMDPOOL_ERR_PARAM, "w = %lld: masked pooling takes x[B, T, D] as n=B, h=T, c=D, w=1",
                           (long long)d->w);
        q.layout = SIMDPOOL_NHWC; /* [B, T, D] is NHWC with W = 1 */
        q.oh = q.ow = 1;
        break;
    default:
        return sp_fail(SIMDPOOL_ERR_PARAM, "op = %d: not a simdpool_op", (int)d->op);
    }
    simdpool_status s = sp_buffer_elems(&q, NULL, NULL);
    if (s != SIMDPOOL_OK) return s;
    *p = q;
    return SIMDPOOL_OK;
}

simdpool_status simdpool_output_shape(const simdpool_desc *d, int64_t *out_h, int64_t *out_w)
{
    sp_problem p;
    if (!out_h || !out_w) return sp_fail(SIMDPOOL_ERR_NULL, "out_h or out_w is NULL");
    simdpool_status s = sp_problem_from_desc(d, &p);
    if (s != SIMDPOOL_OK) return s;
    *out_h = p.oh;
    *out_w = p.ow;
    return SIMDPOOL_OK;
}

/* TensorFlow's SAME: out = ceil(in / s); total = max((out-1)*s + eff - in, 0); the odd pixel
 * goes to the bottom/right. */
static void tf_same(int64_t in, int64_t k, int64_t s, int64_t d, int64_t *lo, int64_t *hi)
{
    int64_t eff = d * (k - 1) + 1;
    int64_t out = (in + s - 1) / s;
    int64_t total = (out - 1) * s + eff - in;
    if (total < 0) total = 0;
    *lo = total / 2;
    *hi = total - total / 2;
}

simdpool_status simdpool_tf_padding(simdpool_desc *d, int same)
{
    if (!d) return sp_fail(SIMDPOOL_ERR_NULL, "desc is NULL");
    CHECK("h", d->h, 1);
    CHECK("w", d->w, 1);
    CHECK("kernel_h", d->kernel_h, 1);
    CHECK("kernel_w", d->kernel_w, 1);
    CHECK("stride_h", d->stride_h, 1);
    CHECK("stride_w", d->stride_w, 1);
    CHECK("dilation_h", d->dilation_h, 1);
    CHECK("dilation_w", d->dilation_w, 1);
    if (!same) {
        d->pad_top = d->pad_bottom = d->pad_left = d->pad_right = 0;
        return SIMDPOOL_OK;
    }
    tf_same(d->h, d->kernel_h, d->stride_h, d->dilation_h, &d->pad_top, &d->pad_bottom);
    tf_same(d->w, d->kernel_w, d->stride_w, d->dilation_w, &d->pad_left, &d->pad_right);
    return SIMDPOOL_OK;
}
