/* The one list of variants. Tests and benchmarks walk it, so a variant registered here is
 * checked against scalar and timed without edits elsewhere. Each ISA folder exports one
 * kernel list; its meson.build defines SP_HAVE_<ISA> when the folder is built. */
#include "registry.h"

#include <string.h>

#include "../scalar/scalar.h"
#include "cpu.h"

#ifdef SP_HAVE_AVX2
extern const sp_kernel sp_avx2_kernels[];
#endif
#ifdef SP_HAVE_AVX512
extern const sp_kernel sp_avx512_kernels[];
#endif
#ifdef SP_HAVE_NEON
extern const sp_kernel sp_neon_kernels[];
#endif
#ifdef SP_HAVE_NEON_SIMDE
extern const sp_kernel sp_neon_simde_kernels[];
#endif

static const sp_variant variants[] = {
    {"scalar", 0, 0, sp_scalar_kernels},
#ifdef SP_HAVE_AVX2
    {"avx2", SP_ISA_AVX2, 20, sp_avx2_kernels},
#endif
#ifdef SP_HAVE_AVX512
    {"avx512", SP_ISA_AVX2 | SP_ISA_AVX512, 30, sp_avx512_kernels},
#endif
#ifdef SP_HAVE_NEON
    {"neon", SP_ISA_NEON, 20, sp_neon_kernels},
#endif
#ifdef SP_HAVE_NEON_SIMDE
    /* NEON source through SIMDe's AVX2 backend: kept for testing the NEON code on x86, never
     * preferred over native AVX2. */
    {"neon-simde", SP_ISA_AVX2, 10, sp_neon_simde_kernels},
#endif
};

int sp_variant_count(void) { return (int)(sizeof variants / sizeof variants[0]); }

const sp_variant *sp_variant_get(int i)
{
    return i >= 0 && i < sp_variant_count() ? &variants[i] : NULL;
}

const sp_variant *sp_variant_find(const char *name)
{
    for (int i = 0; i < sp_variant_count(); i++)
        if (!strcmp(variants[i].name, name)) return &variants[i];
    return NULL;
}

int sp_variant_usable(const sp_variant *v) { return (sp_cpu_isa() & v->isa) == v->isa; }

const sp_kernel *sp_variant_kernel(const sp_variant *v, const sp_problem *p, int indices)
{
    for (const sp_kernel *k = v->kernels; k->fn; k++) {
        if (k->op != p->op || k->layout != p->layout) continue;
        if (indices && !(k->flags & SP_K_INDICES)) continue;
        if (!indices && (k->flags & SP_K_INDICES_ONLY)) continue;
        if (k->accepts && !k->accepts(p)) continue;
        return k;
    }
    return NULL;
}

int simdpool_variant_count(void) { return sp_variant_count(); }

const char *simdpool_variant_name(int i)
{
    const sp_variant *v = sp_variant_get(i);
    return v ? v->name : NULL;
}

int simdpool_variant_supported(int i)
{
    const sp_variant *v = sp_variant_get(i);
    return v ? sp_variant_usable(v) : 0;
}
