#ifndef SP_REGISTRY_H
#define SP_REGISTRY_H
#include "../core/kernel.h"

typedef struct sp_variant {
    const char *name;
    unsigned isa;            /* SP_ISA_* bits the CPU must have */
    int rank;                /* default preference among supported variants: higher wins */
    const sp_kernel *kernels;
} sp_variant;

int sp_variant_count(void);
const sp_variant *sp_variant_get(int i);
const sp_variant *sp_variant_find(const char *name);
int sp_variant_usable(const sp_variant *v);

/* The first kernel of v that accepts p (with SP_K_INDICES if indices; without indices,
 * entries flagged SP_K_INDICES_ONLY are skipped), or NULL. */
const sp_kernel *sp_variant_kernel(const sp_variant *v, const sp_problem *p, int indices);

#endif
