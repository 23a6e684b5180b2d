/* Bad input: every case returns its status and a message naming the field, and leaves the
 * output (and indices) exactly as they were. Also: unaligned buffers work, and tuning files
 * that are garbage, truncated or from another CPU are rejected without a crash. */
#define _DEFAULT_SOURCE
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define OUT_N 4096
static float out_buf[OUT_N];
static int64_t idx_buf[OUT_N];
static float in_buf[1 << 16];

static void fill_sentinel(void)
{
    for (int i = 0; i < OUT_N; i++) out_buf[i] = -777.0f, idx_buf[i] = -777;
}
static int untouched(void)
{
    for (int i = 0; i < OUT_N; i++)
        if (out_buf[i] != -777.0f || idx_buf[i] != -777) return 0;
    return 1;
}

/* Plans and runs d on small valid buffers; expects status want and a message containing key. */
static void expect_fail(const char *what, simdpool_desc d, simdpool_status want, const char *key)
{
    fill_sentinel();
    simdpool_status s = simdpool_pool(&d, NULL, in_buf, (const uint8_t *)in_buf, out_buf,
                                      d.op == SIMDPOOL_MAX ? idx_buf : NULL);
    const char *msg = simdpool_last_error();
    TU_CHECK(s == want, "%s: status %d (%s), want %d", what, s, msg, want);
    TU_CHECK(!key || strstr(msg, key), "%s: message \"%s\" does not name \"%s\"", what, msg, key);
    TU_CHECK(untouched(), "%s: output was written on error", what);
    simdpool_plan *p = (simdpool_plan *)&d; /* must be reset to NULL */
    s = simdpool_plan_create(&d, NULL, &p);
    TU_CHECK(s == want && p == NULL, "%s: plan_create status %d, plan %p", what, s, (void *)p);
}

static simdpool_desc base(simdpool_op op)
{
    simdpool_desc d = simdpool_desc_default(op, SIMDPOOL_NCHW, 1, 2, 8, 8);
    if (op <= SIMDPOOL_STOCHASTIC) d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 2;
    return d;
}

typedef struct field {
    const char *name;
    size_t off;
    int64_t lo; /* smallest valid value */
} field;

#define F(x, lo) {#x, offsetof(simdpool_desc, x), lo}
static const field fields[] = {
    F(n, 1), F(c, 1), F(h, 1), F(w, 1), F(kernel_h, 1), F(kernel_w, 1), F(stride_h, 1),
    F(stride_w, 1), F(dilation_h, 1), F(dilation_w, 1), F(pad_top, 0), F(pad_bottom, 0),
    F(pad_left, 0), F(pad_right, 0),
};

static void field_matrix(void)
{
    for (int op = SIMDPOOL_MAX; op <= SIMDPOOL_SUM; op++)
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            const int64_t bad[] = {fields[f].lo - 1, -1, INT64_MIN, INT64_MAX, (int64_t)INT_MAX + 1};
            for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
                if (bad[b] >= fields[f].lo && bad[b] <= INT_MAX) continue;
                simdpool_desc d = base((simdpool_op)op);
                *(int64_t *)((char *)&d + fields[f].off) = bad[b];
                char what[96];
                snprintf(what, sizeof what, "%s %s = %lld", simdpool_op_name((simdpool_op)op), fields[f].name,
                         (long long)bad[b]);
                /* too large: overflow; too small: a parameter error; either names the field */
                simdpool_status want = bad[b] < fields[f].lo ? SIMDPOOL_ERR_PARAM : SIMDPOOL_ERR_OVERFLOW;
                expect_fail(what, d, want, fields[f].name);
            }
        }
}

static void specific(void)
{
    simdpool_desc d = base(SIMDPOOL_MAX);
    d.pad_top = 2;
    expect_fail("padding over half the kernel", d, SIMDPOOL_ERR_PARAM, "pad_top");
    d = base(SIMDPOOL_MAX);
    d.kernel_h = d.kernel_w = 3;
    d.dilation_h = 2;
    d.pad_top = 3; /* effective kernel 5: at most 2 */
    expect_fail("padding over half the dilated kernel", d, SIMDPOOL_ERR_PARAM, "pad_top");
    d = base(SIMDPOOL_MAX);
    d.h = 1;
    d.kernel_h = 3;
    expect_fail("output height below 1", d, SIMDPOOL_ERR_PARAM, "output height");
    d = base(SIMDPOOL_AVG);
    d.w = 2;
    d.kernel_w = 5;
    d.pad_left = d.pad_right = 1;
    expect_fail("output width below 1", d, SIMDPOOL_ERR_PARAM, "output width");
    d = base(SIMDPOOL_MAX);
    d.n = d.c = d.h = d.w = INT_MAX;
    expect_fail("N*C*H*W overflows size_t", d, SIMDPOOL_ERR_OVERFLOW, "overflow");
    d.n = 1;
    d.c = (int64_t)1 << 30, d.h = (int64_t)1 << 30, d.w = 16;
    expect_fail("byte size overflows", d, SIMDPOOL_ERR_OVERFLOW, "size");
    d = base(SIMDPOOL_MAX);
    d.op = (simdpool_op)99;
    expect_fail("op out of range", d, SIMDPOOL_ERR_PARAM, "op");
    d = base(SIMDPOOL_MAX);
    d.op = (simdpool_op)-1;
    expect_fail("negative op", d, SIMDPOOL_ERR_PARAM, "op");
    d = base(SIMDPOOL_MAX);
    d.layout = (simdpool_layout)7;
    expect_fail("layout out of range", d, SIMDPOOL_ERR_PARAM, "layout");
    d = base(SIMDPOOL_AVG);
    d.divisor_override = -1;
    expect_fail("negative divisor override", d, SIMDPOOL_ERR_PARAM, "divisor_override");
    d = base(SIMDPOOL_LP);
    d.pad_top = 1;
    expect_fail("lp with padding", d, SIMDPOOL_ERR_PARAM, "pad");
    d = base(SIMDPOOL_LP);
    d.dilation_w = 2;
    expect_fail("lp with dilation", d, SIMDPOOL_ERR_PARAM, "dilation");
    const float ps[] = {0.0f, -1.0f, INFINITY, NAN};
    for (int i = 0; i < 4; i++) {
        d = base(SIMDPOOL_LP);
        d.p = ps[i];
        expect_fail("lp p not finite and positive", d, SIMDPOOL_ERR_PARAM, "p =");
    }
    d = base(SIMDPOOL_STOCHASTIC);
    d.stochastic_mode = (simdpool_stochastic_mode)5;
    expect_fail("stochastic mode", d, SIMDPOOL_ERR_PARAM, "stochastic_mode");
    d = base(SIMDPOOL_ADAPTIVE_AVG);
    d.out_h = 0;
    expect_fail("adaptive out_h 0", d, SIMDPOOL_ERR_PARAM, "out_h");
    d = base(SIMDPOOL_ADAPTIVE_MAX);
    d.out_w = -3;
    expect_fail("adaptive out_w negative", d, SIMDPOOL_ERR_PARAM, "out_w");
    d = base(SIMDPOOL_MASKED_MEAN);
    expect_fail("masked with w != 1", d, SIMDPOOL_ERR_PARAM, "w = 8");
}

static void run_errors(void)
{
    simdpool_desc d = base(SIMDPOOL_MAX);
    simdpool_plan *p;
    TU_CHECK(simdpool_plan_create(NULL, NULL, &p) == SIMDPOOL_ERR_NULL && !p, "NULL desc");
    TU_CHECK(simdpool_plan_create(&d, NULL, NULL) == SIMDPOOL_ERR_NULL, "NULL plan pointer");
    TU_CHECK(simdpool_plan_create(&d, NULL, &p) == SIMDPOOL_OK, "valid plan: %s", simdpool_last_error());
    fill_sentinel();
    TU_CHECK(simdpool_run(NULL, in_buf, out_buf, NULL) == SIMDPOOL_ERR_NULL, "NULL plan");
    TU_CHECK(simdpool_run(p, NULL, out_buf, NULL) == SIMDPOOL_ERR_NULL && strstr(simdpool_last_error(), "in"), "NULL in");
    TU_CHECK(simdpool_run(p, in_buf, NULL, NULL) == SIMDPOOL_ERR_NULL && strstr(simdpool_last_error(), "out"), "NULL out");
    /* in is 128 floats; out is 32 floats */
    TU_CHECK(simdpool_run(p, out_buf, out_buf + 100, idx_buf) == SIMDPOOL_ERR_OVERLAP, "in/out overlap");
    TU_CHECK(simdpool_run(p, out_buf + 10, out_buf, idx_buf) == SIMDPOOL_ERR_OVERLAP, "out/in overlap");
    TU_CHECK(simdpool_run(p, in_buf, out_buf, (int64_t *)(void *)(out_buf + 8)) == SIMDPOOL_ERR_OVERLAP, "indices/out overlap");
    TU_CHECK(simdpool_run(p, in_buf, out_buf, (int64_t *)(void *)(in_buf + 8)) == SIMDPOOL_ERR_OVERLAP, "indices/in overlap");
    TU_CHECK(simdpool_run_masked(p, in_buf, (const uint8_t *)in_buf, out_buf) == SIMDPOOL_ERR_PARAM, "run_masked on max");
    TU_CHECK(untouched(), "run errors wrote the output");
    simdpool_plan_destroy(p);

    d = base(SIMDPOOL_AVG);
    simdpool_plan_create(&d, NULL, &p);
    TU_CHECK(simdpool_run(p, in_buf, out_buf, idx_buf) == SIMDPOOL_ERR_PARAM && strstr(simdpool_last_error(), "indices"),
             "indices for avg: %s", simdpool_last_error());
    TU_CHECK(untouched(), "indices-for-avg error wrote the output");
    simdpool_plan_destroy(p);

    /* Data errors are found before anything is written. */
    d = base(SIMDPOOL_STOCHASTIC);
    float x[128];
    for (int i = 0; i < 128; i++) x[i] = 1.0f;
    x[127] = -0.5f;
    fill_sentinel();
    TU_CHECK(simdpool_pool(&d, NULL, x, NULL, out_buf, NULL) == SIMDPOOL_ERR_INPUT &&
                 strstr(simdpool_last_error(), "in[127]"), "stochastic negative input: %s", simdpool_last_error());
    x[127] = NAN;
    TU_CHECK(simdpool_pool(&d, NULL, x, NULL, out_buf, NULL) == SIMDPOOL_ERR_INPUT, "stochastic NaN input");
    TU_CHECK(untouched(), "stochastic error wrote the output");
    d = simdpool_desc_default(SIMDPOOL_MASKED_MAX, SIMDPOOL_NCHW, 2, 4, 3, 1);
    uint8_t mask[6] = {1, 0, 1, 1, 2, 0};
    TU_CHECK(simdpool_pool(&d, NULL, x, mask, out_buf, NULL) == SIMDPOOL_ERR_INPUT &&
                 strstr(simdpool_last_error(), "mask[4]"), "mask value 2: %s", simdpool_last_error());
    TU_CHECK(simdpool_pool(&d, NULL, x, NULL, out_buf, NULL) == SIMDPOOL_ERR_NULL, "NULL mask");
    TU_CHECK(simdpool_pool(&d, NULL, x, mask, out_buf, idx_buf) == SIMDPOOL_ERR_PARAM, "indices for masked");
    simdpool_plan_create(&d, NULL, &p);
    TU_CHECK(simdpool_run(p, x, out_buf, NULL) == SIMDPOOL_ERR_PARAM, "simdpool_run on a masked op");
    simdpool_plan_destroy(p);
    TU_CHECK(untouched(), "mask errors wrote the output");

    simdpool_options o = {0, "no-such-isa", NULL};
    d = base(SIMDPOOL_MAX);
    TU_CHECK(simdpool_plan_create(&d, &o, &p) == SIMDPOOL_ERR_PARAM && strstr(simdpool_last_error(), "no-such-isa"),
             "unknown variant: %s", simdpool_last_error());
    o.variant = NULL;
    o.threads = -1;
    TU_CHECK(simdpool_plan_create(&d, &o, &p) == SIMDPOOL_ERR_PARAM, "negative threads");
    for (int v = 0; v < simdpool_variant_count(); v++) {
        if (simdpool_variant_supported(v)) continue;
        simdpool_options ov = {0, simdpool_variant_name(v), NULL};
        TU_CHECK(simdpool_plan_create(&d, &ov, &p) == SIMDPOOL_ERR_UNSUPPORTED && strstr(simdpool_last_error(), "lacks"),
                 "variant %s on a CPU without it: %s", simdpool_variant_name(v), simdpool_last_error());
    }
    setenv("SIMDPOOL_ISA", "bogus", 1);
    TU_CHECK(simdpool_plan_create(&d, NULL, &p) == SIMDPOOL_ERR_PARAM && strstr(simdpool_last_error(), "SIMDPOOL_ISA"),
             "SIMDPOOL_ISA=bogus: %s", simdpool_last_error());
    setenv("SIMDPOOL_ISA", "scalar", 1);
    TU_CHECK(simdpool_plan_create(&d, NULL, &p) == SIMDPOOL_OK && !strncmp(simdpool_plan_variant(p), "scalar/", 7),
             "SIMDPOOL_ISA=scalar gave %s", p ? simdpool_plan_variant(p) : "?");
    simdpool_plan_destroy(p);
    unsetenv("SIMDPOOL_ISA");
}

/* Every op on buffers offset by 4 bytes from any vector alignment. */
static void unaligned(void)
{
    static float big_in[4 * 1024 + 16], big_out[4 * 1024 + 16], ref[4 * 1024];
    for (int i = 0; i < 4 * 1024 + 16; i++) big_in[i] = (float)((i * 37) % 101) - 50.0f;
    uint8_t mask[64];
    for (int i = 0; i < 64; i++) mask[i] = (uint8_t)(i % 3 != 0);
    for (int op = 0; op < SIMDPOOL_OP_COUNT; op++)
        for (int lay = 0; lay < 2; lay++) {
            simdpool_desc d = simdpool_desc_default((simdpool_op)op, (simdpool_layout)lay, 2, 19, 9, 11);
            if (op <= SIMDPOOL_STOCHASTIC) d.kernel_h = d.kernel_w = 3, d.stride_h = d.stride_w = 2;
            if (op == SIMDPOOL_ADAPTIVE_AVG || op == SIMDPOOL_ADAPTIVE_MAX) d.out_h = 4, d.out_w = 3;
            if (op == SIMDPOOL_MASKED_MEAN || op == SIMDPOOL_MASKED_MAX) d.w = 1;
            float *xin = big_in + 1;
            if (op == SIMDPOOL_STOCHASTIC || op == SIMDPOOL_LP)
                for (int i = 0; i < 4 * 1024; i++) xin[i] = fabsf(xin[i]);
            simdpool_options so = {1, "scalar", NULL};
            simdpool_status s1 = simdpool_pool(&d, &so, xin, mask, ref, NULL);
            simdpool_status s2 = simdpool_pool(&d, NULL, xin, mask, big_out + 3, NULL);
            TU_CHECK(s1 == SIMDPOOL_OK && s2 == SIMDPOOL_OK, "unaligned %s: %s", simdpool_op_name((simdpool_op)op),
                     simdpool_last_error());
            int64_t oh, ow;
            simdpool_output_shape(&d, &oh, &ow);
            int64_t n = d.n * d.c * oh * ow;
            int ok = 1;
            for (int64_t i = 0; i < n; i++) ok &= fabsf(ref[i] - big_out[3 + i]) <= 1e-4f * (1 + fabsf(ref[i]));
            TU_CHECK(ok, "unaligned %s %s differs from scalar", simdpool_op_name((simdpool_op)op),
                     simdpool_layout_name((simdpool_layout)lay));
        }
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void tuning_files(void)
{
    char path[] = "/tmp/simdpool_tuning_XXXXXX";
    int fd = mkstemp(path);
    TU_CHECK(fd >= 0, "mkstemp");
    if (fd < 0) return;
    close(fd);
    char good[512];
    snprintf(good, sizeof good, "simdpool-tuning 1\ncpu %s\nisa %s\nmax nchw k2x2s2x2 mem = scalar\n",
             simdpool_cpu_model(), simdpool_cpu_features());
    write_file(path, good);
    TU_CHECK(simdpool_tuning_check(path) == SIMDPOOL_OK, "good tuning file rejected: %s", simdpool_last_error());
    /* a good file steers the plan */
    simdpool_desc d = simdpool_desc_default(SIMDPOOL_MAX, SIMDPOOL_NCHW, 1, 64, 128, 128);
    d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 2;
    simdpool_options o = {1, NULL, path};
    simdpool_plan *p;
    TU_CHECK(simdpool_plan_create(&d, &o, &p) == SIMDPOOL_OK && !strncmp(simdpool_plan_variant(p), "scalar/", 7),
             "tuning file choice not used: %s", p ? simdpool_plan_variant(p) : simdpool_last_error());
    TU_CHECK(!strcmp(simdpool_plan_class(p), "max nchw k2x2s2x2 mem"), "class \"%s\"", simdpool_plan_class(p));
    simdpool_plan_destroy(p);

    const char *bad[] = {
        "",                                                   /* empty */
        "simdpool-tuning 1\n",                                /* truncated */
        "\x01\x02garbage\xff\n\n\n\n",                        /* garbage */
        "simdpool-tuning 1\ncpu Some Other CPU\nisa avx2 fma\nmax nchw k2x2s2x2 mem = scalar\n",
        NULL, /* other isa, filled below */
        NULL, /* bad line, filled below */
        NULL, /* unknown variant, filled below */
    };
    char b4[512], b5[512], b6[512];
    snprintf(b4, sizeof b4, "simdpool-tuning 1\ncpu %s\nisa imaginary512\n", simdpool_cpu_model());
    snprintf(b5, sizeof b5, "simdpool-tuning 1\ncpu %s\nisa %s\nmax nchw = scalar = = =\n", simdpool_cpu_model(),
             simdpool_cpu_features());
    snprintf(b6, sizeof b6, "simdpool-tuning 1\ncpu %s\nisa %s\nmax nchw k2x2s2x2 mem = warp9\n",
             simdpool_cpu_model(), simdpool_cpu_features());
    bad[4] = b4, bad[5] = b5, bad[6] = b6;
    for (int i = 0; i < 7; i++) {
        write_file(path, bad[i]);
        TU_CHECK(simdpool_tuning_check(path) == SIMDPOOL_ERR_TUNING && simdpool_last_error()[0],
                 "bad tuning file %d accepted", i);
        /* a plan still works, with the default choice */
        TU_CHECK(simdpool_plan_create(&d, &o, &p) == SIMDPOOL_OK, "plan with bad tuning file %d failed", i);
        simdpool_plan_destroy(p);
    }
    TU_CHECK(simdpool_tuning_check("/nonexistent/tuning") == SIMDPOOL_ERR_TUNING, "missing tuning file");
    remove(path);
}

int main(void)
{
    field_matrix();
    specific();
    run_errors();
    unaligned();
    tuning_files();
    return tu_finish("test_errors");
}
