/* XNNPACK (libxnnpack-dev, 2022) as a peer: NHWC only, operators created and set up before
 * the timing; threads come from a pthreadpool. Its average pooling divides by the in-bounds
 * taps (PyTorch's count_include_pad=0), so its result is checked against that reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <pthreadpool.h>
#include <xnnpack.h>

#include "peers.h"

typedef struct xnn {
    spb_peer base;
    xnn_operator_t op;
    pthreadpool_t pool;
} xnn;

static int initialised;

static void run(spb_peer *p)
{
    xnn *x = (xnn *)p;
    xnn_run_operator(x->op, x->pool);
}

static void result(spb_peer *p, float *out)
{
    (void)p; /* XNNPACK writes the dense NHWC output in place */
    (void)out;
}

static void destroy(spb_peer *p)
{
    xnn *x = (xnn *)p;
    if (!x) return;
    if (x->op) xnn_delete_operator(x->op);
    if (x->pool) pthreadpool_destroy(x->pool);
    free(x);
}

spb_peer *spb_xnnpack_create(const simdpool_desc *d, int threads, const float *in, float *out,
                             char *why, size_t n)
{
    if (d->layout != SIMDPOOL_NHWC) {
        snprintf(why, n, "XNNPACK pools NHWC only");
        return NULL;
    }
    int global = d->op == SIMDPOOL_GLOBAL_MAX || d->op == SIMDPOOL_GLOBAL_AVG;
    if (!(d->op == SIMDPOOL_MAX || d->op == SIMDPOOL_AVG || global)) {
        snprintf(why, n, "XNNPACK has no %s pooling", simdpool_op_name(d->op));
        return NULL;
    }
    if (!global && (d->ceil_mode || d->divisor_override || (d->op == SIMDPOOL_AVG && (d->dilation_h != 1 || d->dilation_w != 1)))) {
        snprintf(why, n, "case uses options the XNNPACK peer does not map");
        return NULL;
    }
    if (!initialised) {
        if (xnn_initialize(NULL) != xnn_status_success) {
            snprintf(why, n, "xnn_initialize failed (CPU not supported?)");
            return NULL;
        }
        initialised = 1;
    }
    xnn *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    if (threads > 1 && !(x->pool = pthreadpool_create((size_t)threads))) {
        snprintf(why, n, "pthreadpool_create failed");
        goto fail;
    }
    size_t c = (size_t)d->c;
    enum xnn_status s;
    if (d->op == SIMDPOOL_GLOBAL_AVG) {
        s = xnn_create_global_average_pooling_nwc_f32(c, c, c, -INFINITY, INFINITY, 0, &x->op);
        if (s == xnn_status_success)
            s = xnn_setup_global_average_pooling_nwc_f32(x->op, (size_t)d->n, (size_t)(d->h * d->w), in, out, x->pool);
    } else if (d->op == SIMDPOOL_AVG) {
        s = xnn_create_average_pooling2d_nhwc_f32(
            (uint32_t)d->pad_top, (uint32_t)d->pad_right, (uint32_t)d->pad_bottom, (uint32_t)d->pad_left,
            (uint32_t)d->kernel_h, (uint32_t)d->kernel_w, (uint32_t)d->stride_h, (uint32_t)d->stride_w,
            c, c, c, -INFINITY, INFINITY, 0, &x->op);
        if (s == xnn_status_success)
            s = xnn_setup_average_pooling2d_nhwc_f32(x->op, (size_t)d->n, (size_t)d->h, (size_t)d->w, in, out, x->pool);
    } else {
        /* Global max is a max pooling whose window is the whole map. */
        uint32_t kh = global ? (uint32_t)d->h : (uint32_t)d->kernel_h;
        uint32_t kw = global ? (uint32_t)d->w : (uint32_t)d->kernel_w;
        uint32_t sh = global ? 1 : (uint32_t)d->stride_h, sw = global ? 1 : (uint32_t)d->stride_w;
        uint32_t dh = global ? 1 : (uint32_t)d->dilation_h, dw = global ? 1 : (uint32_t)d->dilation_w;
        uint32_t pt = global ? 0 : (uint32_t)d->pad_top, pb = global ? 0 : (uint32_t)d->pad_bottom;
        uint32_t pl = global ? 0 : (uint32_t)d->pad_left, pr = global ? 0 : (uint32_t)d->pad_right;
        s = xnn_create_max_pooling2d_nhwc_f32(pt, pr, pb, pl, kh, kw, sh, sw, dh, dw, c, c, c,
                                              -INFINITY, INFINITY, 0, &x->op);
        if (s == xnn_status_success)
            s = xnn_setup_max_pooling2d_nhwc_f32(x->op, (size_t)d->n, (size_t)d->h, (size_t)d->w, in, out, x->pool);
    }
    if (s != xnn_status_success) {
        snprintf(why, n, "XNNPACK refused the case (status %d)", (int)s);
        goto fail;
    }
    x->base.run = run;
    x->base.result = result;
    x->base.destroy = destroy;
    x->base.exclude_pad = d->op == SIMDPOOL_AVG;
    return &x->base;
fail:
    destroy(&x->base);
    return NULL;
}
