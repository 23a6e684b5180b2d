#ifndef SP_SHAPE_H
#define SP_SHAPE_H
#include "kernel.h"

/* Validates a descriptor and fills the problem (output size included). Writes *p only on success. */
simdpool_status sp_problem_from_desc(const simdpool_desc *d, sp_problem *p);
/* Element counts of the input and output buffers; fails on size_t overflow. */
simdpool_status sp_buffer_elems(const sp_problem *p, size_t *in_elems, size_t *out_elems);

#endif
