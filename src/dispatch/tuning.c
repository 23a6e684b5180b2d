/* Tuning files: written by `simdpool-bench --tune`, read by the planner.
 *
 *   simdpool-tuning 1
 *   cpu <simdpool_cpu_model()>
 *   isa <simdpool_cpu_features()>
 *   <class> = <variant>          one line per class, e.g. "max nchw k2x2s2x2 mem = avx2"
 *
 * A file that is malformed, names an unknown or unusable variant, or was made on another CPU
 * is rejected whole: choices measured elsewhere are not evidence for this machine. */
#include "tuning.h"

#include <stdio.h>
#include <string.h>

#include "../core/error.h"

/* Inputs up to this size stay in a typical per-core L2 while they are pooled. */
#define SP_L2_BYTES (1u << 20)

void sp_problem_class(const sp_problem *p, char *buf, size_t n)
{
    size_t bytes = (size_t)(p->n * p->c * p->h * p->w) * sizeof(float);
    const char *size = bytes <= SP_L2_BYTES ? "l2" : "mem";
    if (p->op <= SIMDPOOL_STOCHASTIC)
        snprintf(buf, n, "%s %s k%lldx%llds%lldx%lld %s", simdpool_op_name(p->op),
                 simdpool_layout_name(p->layout), (long long)p->kh, (long long)p->kw,
                 (long long)p->sh, (long long)p->sw, size);
    else
        snprintf(buf, n, "%s %s - %s", simdpool_op_name(p->op), simdpool_layout_name(p->layout), size);
}

static void chomp(char *s)
{
    size_t l = strlen(s);
    while (l && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' ')) s[--l] = 0;
}

/* Parses the whole file; on success, if want is non-NULL, *found gets its variant (or NULL). */
static simdpool_status parse(const char *path, const char *want, const sp_variant **found)
{
    FILE *f = fopen(path, "r");
    if (!f) return sp_fail(SIMDPOOL_ERR_TUNING, "tuning file %s: cannot open", path);
    char line[512];
    int ln = 0;
    simdpool_status s = SIMDPOOL_OK;
    if (found) *found = NULL;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (!strchr(line, '\n') && !feof(f)) {
            s = sp_fail(SIMDPOOL_ERR_TUNING, "tuning file %s:%d: line too long", path, ln);
            break;
        }
        chomp(line);
        if (ln == 1) {
            if (strcmp(line, "simdpool-tuning 1")) {
                s = sp_fail(SIMDPOOL_ERR_TUNING, "tuning file %s:1: not a simdpool tuning file (\"%.40s\")", path, line);
                break;
            }
            continue;
        }
        if (ln == 2) {
            if (strncmp(line, "cpu ", 4) || strcmp(line + 4, simdpool_cpu_model())) {
                s = sp_fail(SIMDPOOL_ERR_TUNING, "tuning file %s:2: made on \"%.80s\", this CPU is \"cpu %s\"",
                            path, line, simdpool_cpu_model());
                break;
            }
            continue;
        }
        if (ln == 3) {
            if (strncmp(line, "isa ", 4) || strcmp(line + 4, simdpool_cpu_features())) {
                s = sp_fail(SIMDPOOL_ERR_TUNING, "tuning file %s:3: made for \"%.80s\", this CPU has \"isa %s\"",
                            path, line, simdpool_cpu_features());
                break;
            }
            continue;
        }
        if (!line[0] || line[0] == '#') continue;
        char *eq = strstr(line, " = ");
        char op[32], layout[16], kern[48], size[8], extra[2];
        if (!eq || sscanf(line, "%31s %15s %47s %7s %1s", op, layout, kern, size, extra) != 5 ||
            extra[0] != '=') {
            s = sp_fail(SIMDPOOL_ERR_TUNING, "tuning file %s:%d: expected \"<op> <layout> <kernel> <size> = <variant>\"", path, ln);
            break;
        }
        *eq = 0;
        const char *vname = eq + 3;
        int op_ok = 0;
        for (int i = 0; i < SIMDPOOL_OP_COUNT; i++) op_ok |= !strcmp(op, simdpool_op_name((simdpool_op)i));
        if (!op_ok || (strcmp(layout, "nchw") && strcmp(layout, "nhwc")) ||
            (strcmp(size, "l2") && strcmp(size, "mem"))) {
            s = sp_fail(SIMDPOOL_ERR_TUNING, "tuning file %s:%d: unknown class \"%s\"", path, ln, line);
            break;
        }
        const sp_variant *v = sp_variant_find(vname);
        if (!v || !sp_variant_usable(v)) {
            s = sp_fail(SIMDPOOL_ERR_TUNING, "tuning file %s:%d: variant \"%s\" is %s", path, ln, vname,
                        v ? "not supported by this CPU" : "unknown");
            break;
        }
        if (want && found && !*found && !strcmp(line, want)) *found = v;
    }
    if (s == SIMDPOOL_OK && ln < 3)
        s = sp_fail(SIMDPOOL_ERR_TUNING, "tuning file %s: truncated (%d lines, need a 3-line header)", path, ln);
    fclose(f);
    if (s != SIMDPOOL_OK && found) *found = NULL;
    return s;
}

simdpool_status simdpool_tuning_check(const char *path)
{
    if (!path) return sp_fail(SIMDPOOL_ERR_NULL, "path is NULL");
    return parse(path, NULL, NULL);
}

static int warned;

const sp_variant *sp_tuning_lookup(const char *path, const sp_problem *p)
{
    char cls[128];
    const sp_variant *v;
    sp_problem_class(p, cls, sizeof cls);
    if (parse(path, cls, &v) != SIMDPOOL_OK) {
        if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
            fprintf(stderr, "simdpool: ignoring %s; using the default choice\n", simdpool_last_error());
        return NULL;
    }
    return v;
}
