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
