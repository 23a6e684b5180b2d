/* Input data kinds (--data). The sweep's own data is `uniform`; the others exist to expose
 * performance cliffs that uniform data hides: a kernel whose arithmetic makes subnormal
 * results (an fmadd on tiny inputs) takes a microcode assist per instruction on x86 and ran
 * 20-45x slower in one session's attempt, and a NaN or infinity can send a kernel down a
 * slow path. Each kind is timed as its own case, beside uniform in the same process. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

static const char *const names[SPB_DATA_COUNT] = {"uniform", "tiny", "subnormal", "zeros", "nan", "inf"};

const char *spb_data_name(spb_data k) { return k >= 0 && k < SPB_DATA_COUNT ? names[k] : "?"; }

const char *spb_data_kinds(void) { return "uniform, tiny, subnormal, zeros, nan, inf"; }

int spb_data_parse(const char *list, spb_data *kinds, char *bad, size_t nbad)
{
    int n = 0;
    for (const char *p = list;;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        int k = 0;
        while (k < SPB_DATA_COUNT && (strlen(names[k]) != l || strncmp(p, names[k], l))) k++;
        if (k == SPB_DATA_COUNT) {
            snprintf(bad, nbad, "%.*s", (int)l, p);
            return -1;
        }
        int seen = 0;
        for (int i = 0; i < n; i++) seen |= kinds[i] == (spb_data)k;
        if (!seen) kinds[n++] = (spb_data)k;
        if (!e) break;
        p = e + 1;
    }
    return n;
}

/* splitmix64: the extra random bits (signs, which elements are special) come from here, not
 * from the uniform generator's low bits, whose periods are short. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

void spb_data_fill(spb_data kind, float *v, size_t n)
{
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++) {
        /* uniform: the generator the sweep has always used, so its figures stay comparable. */
        s = s * 6364136223846793005u + 1442695040888963407u;
        const float u = (float)(s >> 40) * (1.0f / 16777216.0f);
        const uint64_t r = mix(i);
        const float sign = r & 1 ? -1.0f : 1.0f;
        const int rare = (r >> 1 & 63) == 0; /* 1 element in 64 */
        switch (kind) {
        case SPB_DATA_TINY: /* normal, but products of two (and fmadds on them) are subnormal */
            v[i] = sign * ldexpf(0.5f + u, -66); /* 0.7e-20 .. 2e-20 */
            break;
        case SPB_DATA_SUBNORMAL: /* subnormal themselves (FLT_MIN is 1.2e-38) */
            v[i] = sign * ldexpf(0.5f + u, -133); /* 0.46e-40 .. 1.4e-40 */
            break;
        case SPB_DATA_ZEROS:
            v[i] = sign * 0.0f;
            break;
        case SPB_DATA_NAN:
            v[i] = rare ? NAN : u;
            break;
        case SPB_DATA_INF:
            v[i] = rare ? sign * INFINITY : u;
            break;
        default:
            v[i] = u;
        }
    }
}
