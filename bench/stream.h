#ifndef SPB_STREAM_H
#define SPB_STREAM_H
#include <stddef.h>

/* The roofline of a pooling case: read in[0, nin) once and write out[0, nout) once, in
 * interleaved blocks as a pooling kernel would, with the widest vectors this CPU has and no
 * other work, on `threads` threads. */
void spb_stream(const float *in, size_t nin, float *out, size_t nout, int threads);

#endif
