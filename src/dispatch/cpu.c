/* Run-time CPU detection: x86 cpuid + xgetbv (the OS must save the wide registers), aarch64
 * getauxval. */
#include "cpu.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "simdpool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static unsigned detect(void)
{
    unsigned a, b, c, d, isa = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx) return 0;
    uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx2 = (b >> 5) & 1;
    int avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1;
    if (avx2 && fma) isa |= SP_ISA_AVX2;
    if ((isa & SP_ISA_AVX2) && avx512f && avx512bw && avx512vl && (xcr0 & 0xe6) == 0xe6)
        isa |= SP_ISA_AVX512;
    return isa;
}

static void model(char *buf, size_t n)
{
    unsigned r[12] = {0}, a, b, c, d;
    if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
        for (unsigned i = 0; i < 3; i++) __get_cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
        char s[49];
        memcpy(s, r, 48);
        s[48] = 0;
        const char *t = s;
        while (*t == ' ') t++;
        snprintf(buf, n, "%s", t);
        size_t l = strlen(buf);
        while (l && buf[l - 1] == ' ') buf[--l] = 0;
    } else {
        snprintf(buf, n, "x86");
    }
}
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
static unsigned detect(void) { return (getauxval(AT_HWCAP) & HWCAP_ASIMD) ? SP_ISA_NEON : 0; }
static void model(char *buf, size_t n)
{
    unsigned long midr = 0;
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1", "r");
    if (f) {
        if (fscanf(f, "%lx", &midr) != 1) midr = 0;
        fclose(f);
    }
    snprintf(buf, n, "aarch64 midr=%lx", midr);
}
#else
static unsigned detect(void) { return 0; }
static void model(char *buf, size_t n) { snprintf(buf, n, "generic"); }
#endif

/* Detection is idempotent, so a benign race on first use only repeats the work. */
static unsigned isa_cache;
static int isa_done;

unsigned sp_cpu_isa(void)
{
    if (!__atomic_load_n(&isa_done, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&isa_cache, detect(), __ATOMIC_RELAXED);
        __atomic_store_n(&isa_done, 1, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&isa_cache, __ATOMIC_RELAXED);
}

const char *simdpool_cpu_features(void)
{
    static _Thread_local char buf[64];
    unsigned isa = sp_cpu_isa();
    snprintf(buf, sizeof buf, "%s%s%s%s", isa ? "" : "none",
             isa & SP_ISA_AVX2 ? "avx2 fma " : "", isa & SP_ISA_AVX512 ? "avx512f avx512bw avx512vl " : "",
             isa & SP_ISA_NEON ? "asimd " : "");
    size_t l = strlen(buf);
    if (l && buf[l - 1] == ' ') buf[l - 1] = 0;
    return buf;
}

const char *simdpool_cpu_model(void)
{
    static _Thread_local char buf[80];
    model(buf, sizeof buf);
    return buf;
}
