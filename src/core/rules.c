/* Semantic rules that every variant must share bit for bit. */
#include "kernel.h"

static int64_t taps_inside(int64_t start, int64_t k, int64_t d, int64_t lo, int64_t hi)
{
    int64_t n = 0;
    for (int64_t i = 0; i < k; i++) {
        int64_t x = start + i * d;
        n += x >= lo && x < hi;
    }
    return n;
}

int64_t sp_avg_divisor(const sp_problem *p, int64_t hs, int64_t ws)
{
    if (p->divisor_override) return p->divisor_override;
    if (p->count_include_pad)
        return taps_inside(hs, p->kh, p->dh, -p->pt, p->h + p->pb) *
               taps_inside(ws, p->kw, p->dw, -p->pl, p->w + p->pr);
    return taps_inside(hs, p->kh, p->dh, 0, p->h) * taps_inside(ws, p->kw, p->dw, 0, p->w);
}

/* splitmix64's finaliser: a good 64-bit mixer, cheap enough to run per output. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

float sp_stochastic_uniform(uint64_t seed, int64_t n, int64_t c, int64_t oh, int64_t ow)
{
    uint64_t h = mix64(seed + UINT64_C(0x9e3779b97f4a7c15));
    h = mix64(h ^ (uint64_t)n);
    h = mix64(h ^ (uint64_t)c);
    h = mix64(h ^ (uint64_t)oh);
    h = mix64(h ^ (uint64_t)ow);
    return (float)(h >> 40) * (1.0f / 16777216.0f); /* 24 bits: exact in float, < 1 */
}
