#define _DEFAULT_SOURCE
#include "util.h"

#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int tu_failures, tu_checks;

void *tu_alloc(tu_buf *b, size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data = (bytes + page - 1) / page * page;
    if (!data) data = page;
    b->map_len = data + page;
    b->map = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b->map == MAP_FAILED) {
        perror("mmap");
        _exit(2);
    }
    char *guard = (char *)b->map + data;
    if (mprotect(guard, page, PROT_NONE)) {
        perror("mprotect");
        _exit(2);
    }
    b->p = guard - bytes;
    return b->p;
}

void tu_free(tu_buf *b)
{
    if (b->map) munmap(b->map, b->map_len);
    b->map = b->p = NULL;
}

uint64_t tu_rand(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

double tu_uniform(uint64_t *s) { return (double)(tu_rand(s) >> 11) * (1.0 / 9007199254740992.0); }

int64_t tu_range(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(tu_rand(s) % (uint64_t)(hi - lo + 1));
}

int tu_same(float a, float b)
{
    if (isnan(a) && isnan(b)) return 1;
    uint32_t x, y;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    return x == y;
}

int tu_finish(const char *name)
{
    printf("%s: %d checks, %d failures\n", name, tu_checks, tu_failures);
    return tu_failures ? 1 : 0;
}
