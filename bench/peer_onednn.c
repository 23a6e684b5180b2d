/* oneDNN 2.6 (libdnnl-dev) as a peer: pooling_v2 forward inference in nchw, nhwc or the
 * blocked layout its JIT prefers. Primitives are made before the timing, as a framework would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "peers.h"

typedef struct onednn {
    spb_peer base;
    dnnl_primitive_t prim, back;          /* back: blocked dst -> plain, for checking */
    dnnl_memory_t src, dst, plain_src, plain_dst;
    dnnl_exec_arg_t args[2];
} onednn;

static dnnl_engine_t engine;
static dnnl_stream_t stream;

const char *spb_onednn_blocked_name(void)
{
    /* oneDNN's AVX-512 kernels work on 16-channel blocks, its AVX2 ones on 8. */
    return strstr(simdpool_cpu_features(), "avx512f") ? "nChw16c" : "nChw8c";
}

static void run(spb_peer *p)
{
    onednn *o = (onednn *)p;
    dnnl_primitive_execute(o->prim, stream, 2, o->args);
    dnnl_stream_wait(stream);
}

static void result(spb_peer *p, float *out)
{
    onednn *o = (onednn *)p;
    if (!o->back) return; /* plain layouts write to out directly */
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, o->dst}, {DNNL_ARG_TO, o->plain_dst}};
    dnnl_memory_set_data_handle(o->plain_dst, out);
    dnnl_primitive_execute(o->back, stream, 2, a);
    dnnl_stream_wait(stream);
}

static void destroy(spb_peer *p)
{
    onednn *o = (onednn *)p;
    if (!o) return;
    if (o->prim) dnnl_primitive_destroy(o->prim);
    if (o->back) dnnl_primitive_destroy(o->back);
    dnnl_memory_t m[4] = {o->src, o->dst, o->plain_src, o->plain_dst};
    for (int i = 0; i < 4; i++)
        if (m[i]) dnnl_memory_destroy(m[i]);
    free(o);
}

#define TRY(call)                                                                                \
    do {                                                                                         \
        dnnl_status_t s_ = (call);                                                               \
        if (s_ != dnnl_success) {                                                                \
            snprintf(why, n, "oneDNN %s: %s", #call, dnnl_status2str(s_));                       \
            goto fail;                                                                           \
        }                                                                                        \
    } while (0)

/* Reorders from -> to once (used for the blocked input, outside the timing). */
static dnnl_status_t reorder_once(dnnl_memory_t from, const dnnl_memory_desc_t *fmd, dnnl_memory_t to,
                                  const dnnl_memory_desc_t *tmd, dnnl_primitive_t *keep)
{
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t r;
    dnnl_status_t s = dnnl_reorder_primitive_desc_create(&pd, fmd, engine, tmd, engine, NULL);
    if (s != dnnl_success) return s;
    s = dnnl_primitive_create(&r, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) return s;
    if (keep) {
        *keep = r;
        return dnnl_success;
    }
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    s = dnnl_primitive_execute(r, stream, 2, a);
    dnnl_stream_wait(stream);
    dnnl_primitive_destroy(r);
    return s;
}

spb_peer *spb_onednn_create(const simdpool_desc *d, int blocked, int threads, const float *in,
                            float *out, char *why, size_t n)
{
    onednn *o = NULL;
    dnnl_primitive_desc_t pd = NULL;
    int global = d->op == SIMDPOOL_GLOBAL_MAX || d->op == SIMDPOOL_GLOBAL_AVG;
    if (!(d->op == SIMDPOOL_MAX || d->op == SIMDPOOL_AVG || global)) {
        snprintf(why, n, "oneDNN has no %s pooling", simdpool_op_name(d->op));
        return NULL;
    }
    if (!global && (d->ceil_mode || d->dilation_h != 1 || d->dilation_w != 1 || d->divisor_override)) {
        snprintf(why, n, "case uses options the oneDNN peer does not map");
        return NULL;
    }
#ifdef _OPENMP
    /* oneDNN's OpenMP runtime sizes its parallel regions from this. */
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    if (!engine) {
        TRY(dnnl_engine_create(&engine, dnnl_cpu, 0));
        TRY(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    }
    int64_t oh, ow;
    if (simdpool_output_shape(d, &oh, &ow) != SIMDPOOL_OK) {
        snprintf(why, n, "%s", simdpool_last_error());
        return NULL;
    }
    dnnl_dims_t sdims = {d->n, d->c, d->h, d->w}, ddims = {d->n, d->c, oh, ow};
    dnnl_dims_t kernel = {d->kernel_h, d->kernel_w}, strides = {d->stride_h, d->stride_w};
    dnnl_dims_t dil = {0, 0}, pl = {d->pad_top, d->pad_left};
    /* oneDNN's output size is (in + pl + pr - k) / s + 1; PyTorch's floor rule drops the
     * columns a window would start in the right padding, so pr is what makes the two agree
     * (it may be negative, which oneDNN accepts for pooling). */
    dnnl_dims_t pr = {(oh - 1) * d->stride_h + d->kernel_h - d->h - d->pad_top,
                      (ow - 1) * d->stride_w + d->kernel_w - d->w - d->pad_left};
    if (global) {
        kernel[0] = d->h, kernel[1] = d->w;
        strides[0] = strides[1] = 1;
        pl[0] = pl[1] = pr[0] = pr[1] = 0;
    }
    dnnl_format_tag_t plain = d->layout == SIMDPOOL_NCHW ? dnnl_nchw : dnnl_nhwc;
    if (global) plain = dnnl_nchw; /* [N,C,1,1] is the same bytes either way */
    dnnl_format_tag_t blk = strcmp(spb_onednn_blocked_name(), "nChw16c") ? dnnl_nChw8c : dnnl_nChw16c;
    dnnl_format_tag_t sin = d->layout == SIMDPOOL_NCHW ? dnnl_nchw : dnnl_nhwc;
    dnnl_memory_desc_t smd, dmd, psmd, pdmd;
    TRY(dnnl_memory_desc_init_by_tag(&psmd, 4, sdims, dnnl_f32, sin));
    TRY(dnnl_memory_desc_init_by_tag(&pdmd, 4, ddims, dnnl_f32, plain));
    TRY(dnnl_memory_desc_init_by_tag(&smd, 4, sdims, dnnl_f32, blocked ? blk : sin));
    TRY(dnnl_memory_desc_init_by_tag(&dmd, 4, ddims, dnnl_f32, blocked ? blk : plain));

    dnnl_alg_kind_t alg = d->op == SIMDPOOL_MAX || d->op == SIMDPOOL_GLOBAL_MAX ? dnnl_pooling_max
                          : d->count_include_pad || global ? dnnl_pooling_avg_include_padding
                                                           : dnnl_pooling_avg_exclude_padding;
    dnnl_pooling_v2_desc_t desc;
    TRY(dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, alg, &smd, &dmd, strides,
                                          kernel, dil, pl, pr));
    o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    TRY(dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL));
    TRY(dnnl_primitive_create(&o->prim, pd));
    if (blocked) {
        TRY(dnnl_memory_create(&o->plain_src, &psmd, engine, (void *)in));
        TRY(dnnl_memory_create(&o->plain_dst, &pdmd, engine, out));
        TRY(dnnl_memory_create(&o->src, &smd, engine, DNNL_MEMORY_ALLOCATE));
        TRY(dnnl_memory_create(&o->dst, &dmd, engine, DNNL_MEMORY_ALLOCATE));
        TRY(reorder_once(o->plain_src, &psmd, o->src, &smd, NULL));
        TRY(reorder_once(o->dst, &dmd, o->plain_dst, &pdmd, &o->back));
    } else {
        TRY(dnnl_memory_create(&o->src, &smd, engine, (void *)in));
        TRY(dnnl_memory_create(&o->dst, &dmd, engine, out));
    }
    dnnl_primitive_desc_destroy(pd);
    o->args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, o->src};
    o->args[1] = (dnnl_exec_arg_t){DNNL_ARG_DST, o->dst};
    o->base.run = run;
    o->base.result = result;
    o->base.destroy = destroy;
    o->base.exclude_pad = alg == dnnl_pooling_avg_exclude_padding;
    return &o->base;
fail:
    if (pd) dnnl_primitive_desc_destroy(pd);
    destroy(o ? &o->base : NULL);
    return NULL;
}
