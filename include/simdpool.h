/*
 * simdpool: fast, PyTorch-exact 2-D pooling for CPUs.
 *
 * Usage: fill a simdpool_desc (start from simdpool_desc_default), make a plan once
 * (validation, output shape and kernel choice happen there), run it as often as you like
 * on different buffers, from any number of threads at once, then destroy it.
 *
 *   simdpool_desc d = simdpool_desc_default(SIMDPOOL_MAX, SIMDPOOL_NCHW, n, c, h, w);
 *   d.kernel_h = d.kernel_w = 3; d.stride_h = d.stride_w = 2; d.pad_top = d.pad_left = 1; ...
 *   simdpool_plan *p;
 *   if (simdpool_plan_create(&d, NULL, &p) != SIMDPOOL_OK) puts(simdpool_last_error());
 *   simdpool_run(p, in, out, NULL);
 *   simdpool_plan_destroy(p);
 *
 * Tensors are dense f32. NCHW: in[n][c][h][w]; NHWC: in[n][h][w][c]. Outputs use the same
 * layout with (OH, OW) in place of (H, W). Argmax indices are int64 in the output's layout,
 * holding h*W + w inside the (n, c) plane of the input, as PyTorch does.
 * Global ops produce [N, C] (the same bytes as N x C x 1 x 1 in either layout).
 * Masked ops read x[B, T, D] (n = B, h = T, c = D; w must be 1) and a uint8 mask[B, T] of
 * 0/1, and produce [B, D].
 * All semantics (output size, NaN, ties, divisors) are listed in README.md.
 */
#ifndef SIMDPOOL_H
#define SIMDPOOL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(SIMDPOOL_SHARED_BUILD)
#define SIMDPOOL_API __declspec(dllexport)
#elif defined(__GNUC__)
#define SIMDPOOL_API __attribute__((visibility("default")))
#else
#define SIMDPOOL_API
#endif

typedef enum simdpool_op {
    SIMDPOOL_MAX = 0,      /* max over the window; optional argmax indices */
    SIMDPOOL_AVG,          /* average; count_include_pad and divisor_override apply */
    SIMDPOOL_SUM,          /* plain sum of the in-bounds taps */
    SIMDPOOL_LP,           /* PyTorch lp_pool2d: (sum x^p * kh*kw / count)^(1/p) */
    SIMDPOOL_STOCHASTIC,   /* Zeiler & Fergus; non-negative input; see stochastic_mode */
    SIMDPOOL_GLOBAL_MAX,   /* over all H*W; optional indices */
    SIMDPOOL_GLOBAL_AVG,
    SIMDPOOL_GLOBAL_SUM,
    SIMDPOOL_ADAPTIVE_AVG, /* to out_h x out_w, PyTorch's window rule */
    SIMDPOOL_ADAPTIVE_MAX, /* optional indices */
    SIMDPOOL_MASKED_MEAN,  /* [B,T,D] x mask[B,T] -> [B,D] */
    SIMDPOOL_MASKED_MAX,
    SIMDPOOL_OP_COUNT
} simdpool_op;

typedef enum simdpool_layout { SIMDPOOL_NCHW = 0, SIMDPOOL_NHWC = 1, SIMDPOOL_LAYOUT_COUNT } simdpool_layout;

typedef enum simdpool_stochastic_mode {
    SIMDPOOL_STOCHASTIC_TRAIN = 0, /* pick one tap with probability a_i / sum(a) */
    SIMDPOOL_STOCHASTIC_INFER = 1  /* sum(a^2) / sum(a), 0 when the sum is 0 */
} simdpool_stochastic_mode;

typedef enum simdpool_status {
    SIMDPOOL_OK = 0,
    SIMDPOOL_ERR_NULL = -1,        /* a required pointer is NULL */
    SIMDPOOL_ERR_PARAM = -2,       /* a descriptor field is out of range (message names it) */
    SIMDPOOL_ERR_OVERFLOW = -3,    /* a buffer size does not fit in size_t / int64 */
    SIMDPOOL_ERR_OVERLAP = -4,     /* input and output (or indices) buffers overlap */
    SIMDPOOL_ERR_INPUT = -5,       /* the data itself is invalid (negative for stochastic, mask not 0/1) */
    SIMDPOOL_ERR_UNSUPPORTED = -6, /* a requested variant or ISA is not available on this CPU */
    SIMDPOOL_ERR_NOMEM = -7,
    SIMDPOOL_ERR_TUNING = -8       /* a tuning file was malformed or made on another CPU */
} simdpool_status;

typedef struct simdpool_desc {
    simdpool_op op;
    simdpool_layout layout;
    int64_t n, c, h, w;
    int64_t kernel_h, kernel_w;
    int64_t stride_h, stride_w;
    int64_t pad_top, pad_bottom, pad_left, pad_right;
    int64_t dilation_h, dilation_w;
    int ceil_mode;
    int count_include_pad;    /* avg only; PyTorch's default is 1 */
    int64_t divisor_override; /* avg only; 0 = none */
    float p;                  /* Lp norm, > 0 and finite */
    uint64_t seed;            /* stochastic */
    simdpool_stochastic_mode stochastic_mode;
    int64_t out_h, out_w;     /* adaptive ops: the requested output size */
    float masked_max_fill;    /* masked max: value of a fully masked row (default -1e9, as sentence-transformers) */
} simdpool_desc;

typedef struct simdpool_options {
    int threads;           /* 0 = OpenMP's default (OMP_NUM_THREADS); 1 = no threading */
    const char *variant;   /* NULL = best for this CPU; else a name from simdpool_variant_name() */
    const char *tuning_file; /* NULL = $SIMDPOOL_TUNING if set */
} simdpool_options;

typedef struct simdpool_plan simdpool_plan;

/* Defaults: kernel 1, stride 1, padding 0, dilation 1, floor mode, count_include_pad 1, p 2. */
SIMDPOOL_API simdpool_desc simdpool_desc_default(simdpool_op op, simdpool_layout layout,
                                                 int64_t n, int64_t c, int64_t h, int64_t w);

/* Validates d, computes the output shape and picks kernels. On error *plan is set to NULL and
 * simdpool_last_error() names the offending field and its value. opts may be NULL. */
SIMDPOOL_API simdpool_status simdpool_plan_create(const simdpool_desc *d, const simdpool_options *opts,
                                                  simdpool_plan **plan);
SIMDPOOL_API void simdpool_plan_destroy(simdpool_plan *plan);

/* Output spatial size (1 x 1 for global ops, T=1 x 1 for masked ops) and element count. */
SIMDPOOL_API simdpool_status simdpool_output_dims(const simdpool_plan *plan, int64_t *out_h, int64_t *out_w);
SIMDPOOL_API size_t simdpool_output_elems(const simdpool_plan *plan);
SIMDPOOL_API size_t simdpool_input_elems(const simdpool_plan *plan);

/* Runs the plan. indices may be NULL; it may be non-NULL only for max, global max and
 * adaptive max. Buffers need no alignment. On any error nothing is written. */
SIMDPOOL_API simdpool_status simdpool_run(const simdpool_plan *plan, const float *in, float *out,
                                          int64_t *indices);
/* Masked ops take the mask here (uint8 [B, T], values 0 or 1). */
SIMDPOOL_API simdpool_status simdpool_run_masked(const simdpool_plan *plan, const float *in,
                                                 const uint8_t *mask, float *out);

/* One call: plan, run, destroy. mask is used by masked ops only. */
SIMDPOOL_API simdpool_status simdpool_pool(const simdpool_desc *d, const simdpool_options *opts,
                                           const float *in, const uint8_t *mask, float *out,
                                           int64_t *indices);

/* The shape query without a plan. */
SIMDPOOL_API simdpool_status simdpool_output_shape(const simdpool_desc *d, int64_t *out_h, int64_t *out_w);

/* TensorFlow/Keras padding: same = 1 gives 'SAME' (output = ceil(in / stride), the extra pad
 * at the bottom/right), same = 0 gives 'VALID' (no padding). Fills the four pad fields. */
SIMDPOOL_API simdpool_status simdpool_tf_padding(simdpool_desc *d, int same);

/* Names: the plan's variant and kernel, e.g. "avx2/nchw_2x2s2"; a variant that has no kernel
 * for the case runs the best lower-ranked one that has, and says so: "avx512->avx2/nchw_2x2s2",
 * "avx2->scalar/nchw_generic". */
SIMDPOOL_API const char *simdpool_plan_variant(const simdpool_plan *plan);
/* The kernel used when indices are requested (may differ from the values-only one). */
SIMDPOOL_API const char *simdpool_plan_variant_indices(const simdpool_plan *plan);

/* The problem class a tuning file keys on, e.g. "max nchw k2x2s2x2 l2" (see README.md). */
SIMDPOOL_API const char *simdpool_plan_class(const simdpool_plan *plan);
/* Checks a tuning file: OK, or SIMDPOOL_ERR_TUNING with the reason in simdpool_last_error().
 * Plans given a bad file (in options or $SIMDPOOL_TUNING) print that reason to stderr once
 * and use the default choice. */
SIMDPOOL_API simdpool_status simdpool_tuning_check(const char *path);

/* Registered variants, in registry order; supported = this CPU and OS can run it. */
SIMDPOOL_API int simdpool_variant_count(void);
SIMDPOOL_API const char *simdpool_variant_name(int i);
SIMDPOOL_API int simdpool_variant_supported(int i);
/* The CPU features found at run time, e.g. "avx2 fma avx512f avx512bw avx512vl". */
SIMDPOOL_API const char *simdpool_cpu_features(void);
SIMDPOOL_API const char *simdpool_cpu_model(void);

/* The message of the last error on this thread ("" if none). */
SIMDPOOL_API const char *simdpool_last_error(void);
SIMDPOOL_API const char *simdpool_status_string(simdpool_status s);
SIMDPOOL_API const char *simdpool_op_name(simdpool_op op);
SIMDPOOL_API const char *simdpool_layout_name(simdpool_layout l);

#ifdef __cplusplus
}
#endif
#endif
