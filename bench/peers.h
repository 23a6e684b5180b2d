/* Other libraries timed on the same cases. Each is compiled only when meson finds it. */
#ifndef SPB_PEERS_H
#define SPB_PEERS_H

#include <stddef.h>

#include "simdpool.h"

typedef struct spb_peer {
    void (*run)(struct spb_peer *p);
    /* Writes the result in d's layout (dense, [N,C] for global ops) to out. */
    void (*result)(struct spb_peer *p, float *out);
    void (*destroy)(struct spb_peer *p);
    int exclude_pad; /* the peer's avg divides by the in-bounds taps only */
} spb_peer;

/* NULL when the peer cannot do this case; why says what it refused. in must stay valid;
 * out (dense, d's layout) is where the peer writes when it works in place. */
#ifdef SPB_HAVE_ONEDNN
/* blocked: oneDNN's native nChw16c (AVX-512) or nChw8c layout, reordered outside the timing. */
spb_peer *spb_onednn_create(const simdpool_desc *d, int blocked, int threads, const float *in,
                            float *out, char *why, size_t n);
const char *spb_onednn_blocked_name(void);
#endif
#ifdef SPB_HAVE_XNNPACK
spb_peer *spb_xnnpack_create(const simdpool_desc *d, int threads, const float *in, float *out,
                             char *why, size_t n);
#endif

#endif
