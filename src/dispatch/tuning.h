#ifndef SP_TUNING_H
#define SP_TUNING_H
#include <stddef.h>

#include "registry.h"

/* The class a tuning file keys on: "<op> <layout> k<KH>x<KW>s<SH>x<SW> <l2|mem>", with "-"
 * for the kernel part of ops that have no window. */
void sp_problem_class(const sp_problem *p, char *buf, size_t n);

/* The variant the tuning file names for p's class, or NULL (no entry, or a bad file: then the
 * reason is printed to stderr once per process). */
const sp_variant *sp_tuning_lookup(const char *path, const sp_problem *p);

#endif
