/* The AVX2 variant's kernel list: specialised NCHW shapes first, then the generic kernels.
 * Cases no entry accepts (e.g. lp with p other than 1 or 2) fall back to scalar.
 *
 * Measurement log (Intel Xeon, AVX-512 machine, 1 thread, bench avx2 column, medians of separate
 * processes against the previous build run alternately, % of the same-run roofline):
 * - nhwc_3x3s1 on tensors 4-28 bytes past a 32-byte boundary, C a multiple of 8 and >= 96
 *   (2026-11-22, h14): the channel walk starts on the input's 32-byte grid (a head vector
 *   loaded whole from the boundary before the pixel, stores masked), so no ymm load splits a
 *   cache line. Bench --offset 16 before -> after, us: avg C192 28^2 36.59 -> 23.68, C512
 *   14^2 24.93 -> 15.87, C256 56^2 344.7 -> 250.0; max 40.50 -> 29.57, 26.99 -> 20.33,
 *   346.6 -> 248.8; aligned level (details in src/avx512/kernels.c).
 * - nhwc_3x3s2 the same (2026-11-23, h15, src/tmpl/nhwc_grid.h): in-process A/B at 16 bytes
 *   off, 4 processes, medians, new/old: max C192 28^2 0.81, C384 14^2 0.82, C192 14^2 0.88,
 *   C128 28^2 0.89, C96 56^2 0.95, C256 56^2 0.97, C128 112^2 0.95; avg 0.85, 0.85, 0.88,
 *   0.91, 0.96, 0.97, 0.93; aligned 0.99-1.02 (details in src/avx512/kernels.c).
 * - nhwc_2x2s2, each tap loaded once and the NaN record as fmadds, later adds (2026-11-22, `--op max,avg
 *   --layout nhwc --size 28,14,7 --benchmark_repetitions=3`, 3-5 rounds): max C512 14^2
 *   4646 -> 3712 ns (1.25x, 81% -> 102%), C512 7^2 848 -> 696, C2048 7^2 3281 -> 2674,
 *   C512 28^2 26959 -> 25339 (noisy, level or better); 56^2-224^2 level (2 rounds). Avg
 *   C512 14^2 4312 -> 3547 (87% -> 106%) and 7^2 1.2x too, though its loop is the same code
 *   instruction for instruction: it only moved, so take avg's gain as placement luck.
 * - nchw_2x2s2 short rows (OW <= 32, even H: 7^2..56^2), a prefetch of the row pair 2 KiB
 *   ahead and the NaN record as one fmadd per vector, later adds (2026-11-22, `--op max,avg --layout nchw
 *   --size 28,14,7`, 2 rounds x 3 reps, medians): max C512 14^2 7290 -> 5470 ns (51% -> 69%),
 *   28^2 32678 -> 28335 (90% -> 101%), 7^2 2728 -> 2352, C2048 7^2 10766 -> 9291; avg (the
 *   prefetch only) 14^2 5940 -> 4744 (63% -> 80%), 28^2 29440 -> 27706, 7^2 1.1x. 4 KiB ahead
 *   measured level with 2 KiB. 56^2-224^2 level (1 round). 14^2 stays short of 85%: a loop
 *   of one load, one store and the two prefetches per row pair alone takes ~3.6 us there
 *   (harness, C512 14^2), so the L2 -> L1 stream, not the 10 vector ops per row pair, sets
 *   most of the time; row loads split lines (aligned loads, wrong results: 5.2 -> 4.8 us).
 * - Both NaN records above first used fmadds (t1 * t2 + t3, and sums of their products). On
 *   max C512 2x2 s2 with taps of 1e-20 and every third one 0, the products are subnormal and
 *   the kernels ran 20-28x (NCHW) and 26-45x (NHWC, 28^2-7^2) their uniform-data time
 *   (harness: best of 300 runs, avx2 plan, public API). With adds instead no cliff is left
 *   (0.97-1.08x, also with subnormal inputs), at some cost on uniform data, same harness:
 *   NHWC 14^2 3704 -> 3923-3932 ns, 7^2 703 -> 753-776, NCHW 14^2 4838 -> 4987-5005; the
 *   kernels before this session took 4656 and 7158 there.
 * - global_sum (global avg / sum; global_sum.c), ahead of "global" (global.c), which keeps max.
 *   The ceiling here: an OR-reduce over 400 KB in L2 with ymm loads runs at 0.83-0.84 of the
 *   same loop with zmm loads (standalone, 2 runs, 2871-2896 against 2374-2419 ns), and the
 *   bench's roofline is the zmm one, so ~85% is about all a ymm kernel can show on these maps.
 *   Bench `--op global_avg --layout nchw,nhwc --size 7,14 --threads 1 --no-peers --no-plots
 *   --format csv --benchmark_repetitions=3`, 4 runs, median of the medians (% of the paired
 *   roofline, range); old = the "global" kernel in this column at 18:05 the same day (one run):
 *     nchw C2048 7^2  4350 -> 3282 ns (59 -> 77.0%, 76.5-78.0)   avx512 global_sum 3468 (73.7%)
 *     nchw C512 7^2   1139 -> 846 ns  (56 -> 75.8%, 72.5-76.8)   avx512 882 (72.7%)
 *     nchw C512 14^2  4511 -> 2938 ns (54 -> 82.1%, 79.7-83.7)   avx512 2575 (93.7%)
 *     nhwc C2048 7^2  3531 -> 3254 ns (72 -> 78.4%, 76.0-78.6)   avx512 2583 (98.3%)
 *     nhwc C512 7^2    907 -> 761 ns  (71 -> 84.2%, 81.7-84.4)   avx512 666 (96.2%)
 *     nhwc C512 14^2  3507 -> 2972 ns (69 -> 81.1%, 78.8-81.4)   avx512 2511 (96.2%)
 *   Same-process A/B (standalone harness calling both kernels, 21 interleaved rounds of 50
 *   calls, median; 64-byte aligned tensors, 3 runs), old / new time: nchw C2048 7^2 1.35-1.36,
 *   C512 7^2 1.36-1.37, C512 14^2 1.41; nhwc C2048 7^2 1.07-1.09, C512 7^2 1.12-1.13, C512
 *   14^2 1.16. Tensors 16 bytes past a 64-byte boundary: nchw 0.99-1.01, nhwc 1.05-1.07.
 *   Other shapes (one run): nchw 6x6 1.30, 10x10 1.50 (taken); 8x8 0.99 (whole vectors per
 *   plane, no gain) and maps without constant pieces 0.13-0.41 (runtime loops per plane
 *   group) are left to "global". nhwc C128 7^2 1.42, C256 14^2 1.16, C128 28^2 1.14, C1024
 *   1x1 and C2048 2x2 level (taken from C = 128); below 128 channels "global" stays.
 *   Then whole blocks in address order, the vector shared by two planes loaded once and split
 *   by two blends (block_seq; gcc had folded that load into both blends), same bench command,
 *   4 runs, median of the medians (range), before -> after, same session:
 *     nchw C2048 7^2  3282 -> 3160 ns (77.0 -> 80.9%, 80.8-81.0)  avx2/avx512 time 0.91
 *     nchw C512 7^2    846 -> 818 ns  (75.8 -> 78.4%, 77.0-78.7)  0.93
 *     nchw C512 14^2  2938 -> 2911 ns (82.1 -> 82.9%, 82.8-83.0)  1.13
 *   (harness A/B: 6x6 to 14x14 2.5-5%). So AVX2's NCHW sums now beat AVX-512's global_sum at
 *   7x7 in this bench. Bit-identity over slices: a standalone check ran 160 random problems
 *   (6x6-14x14, C 128-427, N 1-3, 0-15 floats off alignment) whole and cut into random
 *   slices of 1-40 units: identical (and 80 mismatches with the partial path's chains changed).
 *   NCHW maps added (constant pieces, harness A/B against "global", 15 rounds, 2 runs,
 *   aligned / 16 bytes off): 4x4 1.09-1.29 / 1.31, 5x5 1.35 / 1.18, 9x9 1.84-1.94 / 1.40,
 *   12x12 1.18-1.20 / 1.19, 13x13 1.74-1.76 / 1.22 (6x6 1.36-1.44 / 1.03, 10x10 1.58-1.62);
 *   8x8 0.90-0.99 (whole vectors per plane: nothing to gain) and maps without constant pieces
 *   0.2-0.55 stay with "global". Each map's function on its own 64-byte boundary: with the
 *   cases inlined into one switch the bench's C2048 7^2 went 3160 -> 3347 ns (80.9 -> 76.4%,
 *   4 runs each; the same code in-process level). Bench (4 runs, same command) after:
 *     nchw C2048 7^2 3184 ns (78.2%, 77.1-80.2), avx2/avx512 time 0.92; C512 7^2 815 ns
 *     (77.6%) 0.94; C512 14^2 2897 ns (83.2%) 1.14; nhwc C2048 7^2 3230 ns (77.4%), C512 7^2
 *     754 ns (83.7%), C512 14^2 2935 ns (81.3%) (a noisier host in this set: ranges 3-6 points).
 *   NHWC on a misaligned tensor: the channels before the first 64-byte line (1-15) are now a
 *   block of their own read from x (the walk had started d floats before x, forming an address
 *   before the tensor for its first pixel: undefined in C, masked lanes or not). Harness A/B
 *   against "global", 15 rounds: 16 bytes off C2048 7^2 1.06, C512 7^2 1.07, C512 14^2 1.11,
 *   C128 7^2 1.20, C200 7^2 1.08; 8 bytes off C512 7^2 1.08, C200 7^2 1.26; aligned unchanged
 *   (no head). A head reaching 112 channels on (one block, unaligned loads) was 0.93-0.96.
 *   Tried, not kept: a software prefetch of the rows 2-8 ahead (nhwc, 0.68-0.94x) or of the
 *   blocks 1-4 ahead (nchw, 0.55-0.84x); storing each block's sums at once instead of after
 *   the next block's loads (4K aliasing: the sums come late): nchw 7^2 about 3-5% slower;
 *   the eight planes' pieces interleaved (G planes x A chains) instead of in address order:
 *   gcc's scheduler put them back in plane order, level.
 * - nchw_2x2s2 short rows on unusual data (2026-11-22 21:20, bench `--data`, max C512 7^2-56^2,
 *   avx2 column): their NaN record, a running sum over the whole slice, also fires on +inf
 *   meeting -inf (1 in 64 +-inf: 2.0-4.5x the uniform time), and one NaN anywhere sends every
 *   row of the slice through the exact loop again (1 in 64 NaN: 2.8-10x; scalar 1.0x on both).
 *   Tried, not kept (library A/B, 4-6 alternating runs, --benchmark_repetitions=3, medians):
 *   (a) the records as two compares and two ORs (vec2hs sum = 0): inf 1.00x, but uniform
 *   1.04-1.08x slower (C2048 7^2 9449 -> 10060 ns, C512 14^2 5580 -> 5834). (b) The sum kept;
 *   after it fires, each row's window columns scanned for a NaN and only such rows redone by
 *   row_kernel: nan C512 7^2 7.1 -> 4.2x, C2048 7^2 8.9 -> 4.8x, 14^2 9.2 -> 6.5x, 28^2/56^2
 *   level; inf 4.5 -> 2.8x (the scan costs a second read); but uniform 7^2 1.09x slower
 *   (2295 -> 2499 ns, 6 runs, ranges apart; also with the redo marked cold): gcc allocated
 *   the inlined planes2 differently. With the redo taking (p, a, first row, last row) only,
 *   uniform was level (6 runs: 0.99-1.01x, 7^2 1.06x, noisy) but the gain shrank and turned:
 *   nan 7^2 7.3 -> 5.2x, C2048 7^2 8.9 -> 6.2x, 14^2 level, 28^2 6.4 -> 8.0x and 56^2
 *   2.9 -> 3.3x (the exact row template per NaN row is slower than the body2/row2 loop it
 *   replaced on rows of 14-28 outputs); inf 4.5 -> 3.1-3.2x at 7^2, 0.9-0.97x of the old time
 *   on 14^2-56^2. Not a clear win. Tests caught the redo switched off (variants and
 *   bench-data failed), so the change was correct as far as they go.
 *   Session 8: the record is gone; short_rows watches MXCSR's invalid flag (nan_watch.h), which
 *   every column's vmaxps raises on NaN and none on +-inf. Bench, 3 runs, old -> new medians:
 *   C512 7^2 2193 -> 1979 ns (1.11x), C2048 7^2 8400 -> 7641 (1.10x), C512 14^2 5386 -> 4856
 *   (1.11x), 28^2 1.03x, C256 56^2 1.01x; --data inf 1.00-1.05x (was 2.0-4.5x); nan unchanged
 *   (2.9-10x: one NaN still sends the slice's rows through the exact loop).
 * - global max NCHW values-only on 7x7 and 14x14 planes (session 8, h17): global_sum.c's
 *   eight-plane blocks with vmaxps for the adds, -inf fills and a shuffle + vmaxps tree for
 *   the hadds; NaN by the MXCSR watch (nan_watch.h, shared with AVX-512), one watch per four
 *   blocks, a block run that raised it settling each plane by vector searches (its last NaN,
 *   else its maximum), a zero maximum's sign from the first zero. It had run a plane at a time
 *   (global.c max_nchw) at 18-31% of the paired roofline. Bench `--op global_max --layout nchw
 *   --size 14,7 --threads 1 --no-plots --format csv`, 3 runs each, alternating, medians, old ->
 *   new (same-run avx512, oneDNN NCHW, oneDNN nChw16c): C2048 7^2 11907 -> 3524 ns (3.38x,
 *   19.2 -> 66.0%; 2817, 16983, 4878), C512 7^2 3201 -> 896 (3.57x, 19 -> 66%; 774, 4405,
 *   1331), C512 14^2 7443 -> 2765 (2.69x, 29 -> 80%; 2597, 16389, 6086). --data, one kind a
 *   run, against the new uniform: inf 1.0x, nan (1 in 64) 2.6-2.7x, zeros 2.1-2.6x, all under
 *   the old uniform time (0.57-0.74x). Other maps stay with max_nchw: a constant map per size
 *   is compiled again for max (clang -O1 ASan+UBSan on this file: 42.6 s CPU before, 48.7-49.5 s
 *   now; a copy of the partial block per map and a per-block tail loop made it 51.7-55.5).
 *   Tried, level within noise (3-4 alternating runs): a watch per block (C2048 7^2 3640-3860
 *   in a noisier set), the four blocks unrolled, the checks left out altogether (3420).
 *   Still short of the sums' ~78% at 7^2 (C2048 7^2 avg 3268 ns in the same session). */
#include "avx2.h"

#define I SP_K_INDICES
#define NCHW_OPS(name, acc, fn)                                                                   \
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, I, name, acc, fn},                                             \
    {SIMDPOOL_AVG, SIMDPOOL_NCHW, 0, name, acc, fn},                                             \
    {SIMDPOOL_SUM, SIMDPOOL_NCHW, 0, name, acc, fn}

const sp_kernel sp_avx2_kernels[] = {
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, 0, "nchw_s1_max", sp_avx2_accepts_nchw_s1_max, sp_avx2_nchw_s1_max},
    NCHW_OPS("nchw_2x2s2", sp_avx2_accepts_nchw_2x2s2, sp_avx2_nchw_2x2s2),
    NCHW_OPS("nchw_3x3s2", sp_avx2_accepts_nchw_3x3s2, sp_avx2_nchw_3x3s2),
    NCHW_OPS("nchw_3x3s1", sp_avx2_accepts_nchw_3x3s1, sp_avx2_nchw_3x3s1),
    NCHW_OPS("nchw_generic", sp_avx2_accepts_nchw_generic, sp_avx2_nchw_generic),
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, 0, "nhwc_2x2s2", sp_avx2_accepts_nhwc_2x2s2, sp_avx2_nhwc_2x2s2},
    {SIMDPOOL_AVG, SIMDPOOL_NHWC, 0, "nhwc_2x2s2", sp_avx2_accepts_nhwc_2x2s2, sp_avx2_nhwc_2x2s2},
    {SIMDPOOL_SUM, SIMDPOOL_NHWC, 0, "nhwc_2x2s2", sp_avx2_accepts_nhwc_2x2s2, sp_avx2_nhwc_2x2s2},
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, 0, "nhwc_3x3s1", sp_avx2_accepts_nhwc_3x3s1, sp_avx2_nhwc_3x3s1},
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, 0, "nhwc_3x3s2", sp_avx2_accepts_nhwc_3x3s2, sp_avx2_nhwc_3x3s2},
    {SIMDPOOL_AVG, SIMDPOOL_NHWC, 0, "nhwc_3x3s2", sp_avx2_accepts_nhwc_3x3s2, sp_avx2_nhwc_3x3s2},
    {SIMDPOOL_SUM, SIMDPOOL_NHWC, 0, "nhwc_3x3s2", sp_avx2_accepts_nhwc_3x3s2, sp_avx2_nhwc_3x3s2},
    {SIMDPOOL_AVG, SIMDPOOL_NHWC, 0, "nhwc_3x3s1", sp_avx2_accepts_nhwc_3x3s1, sp_avx2_nhwc_3x3s1},
    {SIMDPOOL_SUM, SIMDPOOL_NHWC, 0, "nhwc_3x3s1", sp_avx2_accepts_nhwc_3x3s1, sp_avx2_nhwc_3x3s1},
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, I, "nhwc_generic", sp_avx2_accepts_nhwc_generic, sp_avx2_nhwc_generic},
    {SIMDPOOL_AVG, SIMDPOOL_NHWC, 0, "nhwc_generic", sp_avx2_accepts_nhwc_generic, sp_avx2_nhwc_generic},
    {SIMDPOOL_SUM, SIMDPOOL_NHWC, 0, "nhwc_generic", sp_avx2_accepts_nhwc_generic, sp_avx2_nhwc_generic},
    {SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NCHW, 0, "global_sum", sp_avx2_accepts_global_sum_nchw, sp_avx2_global_sum_nchw},
    {SIMDPOOL_GLOBAL_SUM, SIMDPOOL_NCHW, 0, "global_sum", sp_avx2_accepts_global_sum_nchw, sp_avx2_global_sum_nchw},
    {SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NHWC, 0, "global_sum", sp_avx2_accepts_global_sum_nhwc, sp_avx2_global_sum_nhwc},
    {SIMDPOOL_GLOBAL_SUM, SIMDPOOL_NHWC, 0, "global_sum", sp_avx2_accepts_global_sum_nhwc, sp_avx2_global_sum_nhwc},
    {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NCHW, I, "global", sp_avx2_accepts_global, sp_avx2_global_nchw},
    {SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NCHW, 0, "global", sp_avx2_accepts_global, sp_avx2_global_nchw},
    {SIMDPOOL_GLOBAL_SUM, SIMDPOOL_NCHW, 0, "global", sp_avx2_accepts_global, sp_avx2_global_nchw},
    {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NHWC, I, "global", sp_avx2_accepts_global, sp_avx2_global_nhwc},
    {SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NHWC, 0, "global", sp_avx2_accepts_global, sp_avx2_global_nhwc},
    {SIMDPOOL_GLOBAL_SUM, SIMDPOOL_NHWC, 0, "global", sp_avx2_accepts_global, sp_avx2_global_nhwc},
    {SIMDPOOL_LP, SIMDPOOL_NCHW, 0, "nchw_lp_p1p2_rows", sp_avx2_accepts_nchw_lp_rows, sp_avx2_nchw_lp_rows},
    {SIMDPOOL_LP, SIMDPOOL_NCHW, 0, "nchw_lp_p1p2_gather", sp_avx2_accepts_nchw_lp_gather, sp_avx2_nchw_lp_gather},
    {SIMDPOOL_LP, SIMDPOOL_NHWC, 0, "nhwc_lp_p1p2", sp_avx2_accepts_nhwc_lp, sp_avx2_nhwc_lp},
    {SIMDPOOL_STOCHASTIC, SIMDPOOL_NCHW, 0, "nchw_stochastic_rows", sp_avx2_accepts_nchw_stochastic_rows, sp_avx2_nchw_stochastic_rows},
    {SIMDPOOL_STOCHASTIC, SIMDPOOL_NCHW, 0, "nchw_stochastic_gather", sp_avx2_accepts_nchw_stochastic_gather, sp_avx2_nchw_stochastic_gather},
    {SIMDPOOL_STOCHASTIC, SIMDPOOL_NHWC, 0, "nhwc_stochastic", NULL, sp_avx2_nhwc_stochastic},
    {SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_NCHW, 0, "nchw_adaptive_1x1", sp_avx2_accepts_nchw_adaptive_1x1, sp_avx2_nchw_adaptive_1x1},
    {SIMDPOOL_ADAPTIVE_MAX, SIMDPOOL_NCHW, I, "nchw_adaptive_1x1", sp_avx2_accepts_nchw_adaptive_1x1, sp_avx2_nchw_adaptive_1x1},
    {SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_NCHW, 0, "nchw_adaptive_planes", sp_avx2_accepts_nchw_adaptive_avg_planes, sp_avx2_nchw_adaptive_planes},
    {SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_NCHW, 0, "nchw_adaptive_avg", sp_avx2_accepts_nchw_adaptive_avg, sp_avx2_nchw_adaptive_avg},
    {SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_NCHW, 0, "nchw_adaptive_rows", sp_avx2_accepts_nchw_adaptive_rows, sp_avx2_nchw_adaptive_rows},
    {SIMDPOOL_ADAPTIVE_MAX, SIMDPOOL_NCHW, I, "nchw_adaptive_planes", sp_avx2_accepts_nchw_adaptive_planes, sp_avx2_nchw_adaptive_planes},
    {SIMDPOOL_ADAPTIVE_MAX, SIMDPOOL_NCHW, I, "nchw_adaptive_rows", sp_avx2_accepts_nchw_adaptive_rows, sp_avx2_nchw_adaptive_rows},
    {SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_NCHW, 0, "nchw_adaptive_gather", sp_avx2_accepts_nchw_adaptive_gather, sp_avx2_nchw_adaptive_gather},
    {SIMDPOOL_ADAPTIVE_MAX, SIMDPOOL_NCHW, I, "nchw_adaptive_gather", sp_avx2_accepts_nchw_adaptive_gather, sp_avx2_nchw_adaptive_gather},
    {SIMDPOOL_ADAPTIVE_AVG, SIMDPOOL_NHWC, 0, "nhwc_adaptive", sp_avx2_accepts_nhwc_adaptive, sp_avx2_nhwc_adaptive},
    {SIMDPOOL_ADAPTIVE_MAX, SIMDPOOL_NHWC, I, "nhwc_adaptive", sp_avx2_accepts_nhwc_adaptive, sp_avx2_nhwc_adaptive},
    {SIMDPOOL_MASKED_MEAN, SIMDPOOL_NHWC, 0, "btd_masked", sp_avx2_accepts_btd_masked, sp_avx2_btd_masked},
    {SIMDPOOL_MASKED_MAX, SIMDPOOL_NHWC, 0, "btd_masked", sp_avx2_accepts_btd_masked, sp_avx2_btd_masked},
    {0, 0, 0, NULL, NULL, NULL},
};
