/* Eight POSIX threads at once: each makes and runs its own plans for random problems, and all
 * of them run four shared plans; every output is checked against scalar. Run under
 * ThreadSanitizer in CI (with OpenMP off: libgomp is not instrumented). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { THREADS = 8, SHARED = 4, ROUNDS = 40 };

typedef struct shared_case {
    simdpool_plan *plan;
    size_t in_n, out_n;
    float *in, *want;
} shared_case;

static shared_case shared[SHARED];
static int bad[THREADS];

static int exact_op(simdpool_op op) { return op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX; }

static simdpool_desc random_desc(uint64_t *s)
{
    static const simdpool_op ops[] = {SIMDPOOL_MAX, SIMDPOOL_AVG, SIMDPOOL_SUM, SIMDPOOL_GLOBAL_MAX,
                                      SIMDPOOL_GLOBAL_AVG, SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_ADAPTIVE_MAX};
    simdpool_op op = ops[tu_range(s, 0, 6)];
    simdpool_desc d = simdpool_desc_default(op, (simdpool_layout)tu_range(s, 0, 1), tu_range(s, 1, 2),
                                            tu_range(s, 1, 24), tu_range(s, 4, 20), tu_range(s, 4, 20));
    d.kernel_h = d.kernel_w = tu_range(s, 2, 3);
    d.stride_h = d.stride_w = tu_range(s, 1, 2);
    d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = tu_range(s, 0, 1);
    d.out_h = d.out_w = 3;
    return d;
}

static int compare(simdpool_op op, const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(tu_same(a[i], b[i]) || (!exact_op(op) && fabsf(a[i] - b[i]) <= 1e-5f * (1 + fabsf(a[i]))))) return 0;
    return 1;
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    uint64_t s = 1000 + (uint64_t)id;
    simdpool_options one = {1, NULL, NULL}, ref = {1, "scalar", NULL};
    for (int r = 0; r < ROUNDS; r++) {
        simdpool_desc d = random_desc(&s);
        simdpool_plan *p, *q;
        if (simdpool_plan_create(&d, &one, &p) || simdpool_plan_create(&d, &ref, &q)) {
            bad[id]++;
            continue;
        }
        size_t in_n = simdpool_input_elems(p), out_n = simdpool_output_elems(p);
        float *in = malloc(in_n * 4), *y = malloc(out_n * 4), *z = malloc(out_n * 4);
        for (size_t i = 0; i < in_n; i++) in[i] = (float)tu_uniform(&s);
        simdpool_run(p, in, y, NULL);
        simdpool_run(q, in, z, NULL);
        bad[id] += !compare(d.op, z, y, out_n);
        free(in), free(y), free(z);
        simdpool_plan_destroy(p);
        simdpool_plan_destroy(q);
        const shared_case *c = &shared[r % SHARED];
        float *o = malloc(c->out_n * 4);
        simdpool_run(c->plan, c->in, o, NULL);
        bad[id] += !compare(SIMDPOOL_AVG, c->want, o, c->out_n);
        free(o);
    }
    return NULL;
}

int main(void)
{
    uint64_t s = 99;
    simdpool_options one = {1, NULL, NULL}, ref = {1, "scalar", NULL};
    for (int i = 0; i < SHARED; i++) {
        simdpool_desc d = random_desc(&s);
        simdpool_plan *q;
        TU_CHECK(!simdpool_plan_create(&d, &one, &shared[i].plan) && !simdpool_plan_create(&d, &ref, &q), "plan: %s",
                 simdpool_last_error());
        shared[i].in_n = simdpool_input_elems(q);
        shared[i].out_n = simdpool_output_elems(q);
        shared[i].in = malloc(shared[i].in_n * 4);
        shared[i].want = malloc(shared[i].out_n * 4);
        for (size_t k = 0; k < shared[i].in_n; k++) shared[i].in[k] = (float)tu_uniform(&s);
        simdpool_run(q, shared[i].in, shared[i].want, NULL);
        simdpool_plan_destroy(q);
    }
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        TU_CHECK(bad[i] == 0, "thread %d: %d outputs differ from scalar", i, bad[i]);
    }
    for (int i = 0; i < SHARED; i++) {
        simdpool_plan_destroy(shared[i].plan);
        free(shared[i].in), free(shared[i].want);
    }
    return tu_finish("test_concurrency");
}
