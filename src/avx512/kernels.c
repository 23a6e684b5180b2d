/* The AVX-512 variant's kernel list. The planner prefers this variant (rank 30) over AVX2
 * (rank 20) wherever it has a kernel, so a kernel is listed only where it measured clearly
 * faster than AVX2; elsewhere AVX2 is chosen automatically. On Zen 4, where 512-bit ops are
 * double-pumped, the wins come from masks (tails, padding, compares into k registers instead
 * of blends), fewer instructions per output and in-lane shuffles, not from wider ALUs.
 *
 * avx2 time / avx512 time (median of per-sample ratios, 41 interleaved samples, 1 thread,
 * batch 1, f32, AMD EPYC Zen 4, against src/avx2 as of commit 584e158; two runs):
 *   kept                                        removed (AVX2 is chosen there)
 *   nchw max 3x3s2p1 C64 112²     idx only      nchw 2x2s2 max/avg C64..C512   0.58-1.34 (mixed)
 *     with indices                1.08-1.35     nchw avg 3x3s1p1 C192 28²      0.17-0.32
 *   nchw max 2x2s1 C64 56², indices 1.39-1.44    nchw avg generic 5x5s2p2       0.98
 *   nhwc max 2x2s2 C64 224²       1.01-1.06     nhwc avg 2x2s2 C64..C256       0.70-0.98
 *     C128 112² / C256 56²        1.13-1.23     nhwc avg 3x3s1p1 C192 28²      0.48-0.55
 *     C512 28² / 14²              1.13-1.46     nchw global avg C2048 7²       0.94-1.10
 *     3x3s2p1 C64 112²            1.37-1.41     nchw global sum C512 14²       0.88-1.00
 *     with indices                1.21-1.49     masked mean [8,128,768] etc.   1.00-1.08
 *   global max C2048 7² nchw      1.03-1.12, with indices 1.40-1.49
 *   global max C2048 7² nhwc      1.38-1.50, with indices 1.33-1.47
 *   nhwc adaptive max 7 C512 14², 6 C256 13²   1.19-1.44, with indices 1.36
 *   masked max [8,128,768] [32,64,384] [1,512,1024]   1.21-1.24, 1.02
 *
 * Issue #3 (bench medians, same run, avx2 / avx512; min-of-15 interleaved A/B where noted):
 *   kept: nhwc_3x3s1 (values-only max, avg, sum) against AVX2's port of the same scheme
 *         (A/B): max C192 28², C256 56², C512 14² / 7², C64 56² 1.37-1.56; avg 1.02-1.28
 *   kept: nhwc_3x3s2 (values-only max; not C % 512 == 0) against AVX2's port
 *         (A/B): max C64 112², C128 112², C256 56², C64 56², C768 14² 1.27-1.46 (and 1.2-1.4
 *         over this variant's nhwc_generic); default sweep max 1.13-1.31.
 *   removed: nhwc_3x3s2 avg / sum: A/B 1.02-1.20, but the default sweep (same run) gave
 *         0.77-1.04 on C64 224², C128 112², C256 56², C64 112²: not a clear win.
 *   removed: global avg / sum nhwc: once both add pixel rows into the output (global.c),
 *         AVX2 is level (0.97-1.03, A/B), so AVX2's is chosen.
 *   removed: nhwc_2x2s2 max (whole windows): level with AVX2's nhwc_2x2s2 in the default
 *         sweep (0.89-1.04); the values-only nhwc_generic entry leaves those windows to AVX2
 *         (this variant's generic kernel is 17-23% slower there) and keeps them for indices.
 *   global max nhwc values-only, rows into the output: 1.17-1.40 over AVX2's channel walk.
 *   kept: nhwc_2x2s2 values-only max (nhwc_2x2s2.c), a dedicated kernel (the entry removed
 *         above was this variant's generic kernel): NaN record in opmask-chained compares
 *         (6 per 64 channels, AVX2's spends 24 ops), plus a prefetch 4 KiB ahead on inputs
 *         of 8 MB or more. Bench, 1 thread, three sets of 5 runs, median of the medians:
 *         C64 224^2 97-100% of the paired roofline (AVX2 89-93%; without the prefetch 87-92%,
 *         level with AVX2), avx2/avx512 1.13-1.15; C128 112^2 1.06-1.13, C256 56^2
 *         1.03-1.13, C512 28^2 1.06-1.11, C512 14^2 1.00-1.08.
 *   removed: nhwc_2x2s2 avg / sum on the same kernel (AVX2's pair sums, same prefetch): avg
 *         C64 224^2 1.04 (95 -> 101% of the roofline), C128 112^2 to C512 14^2 0.94-1.03
 *         (5 runs): not a clear win over AVX2's, which is chosen there.
 *
 * nhwc_generic avg / sum (session 8), only where AVX2 has no specialised kernel either (the
 *   3x3 s2 windows the template leaves, C % 512 == 0; 5x5, 2x2 s1, padded 2x2 s2, 3x3 s2 p0,
 *   dilated): the max walk's taps with adds, 128 channels (8 zmm) a block, since 4 left the add
 *   chains latency-bound (C512 14^2 3x3 s2 5812 -> 5402 ns). This machine, bench, 1 thread:
 *   avg 3x3 s2 p1, 3 runs, avx2 -> avx512 (oneDNN, same runs): C512 28^2 34.8 -> 28.7 us (33.2),
 *   14^2 7.19 -> 5.40 (5.90), 7^2 2.16 -> 1.36 (1.91), C2048 7^2 8.82 -> 6.43 (7.29), so
 *   1.18-1.59x, and ahead of oneDNN where it was 1.03-1.22x behind us before. --full, 56^2 to
 *   7^2, avg and sum, k2s1p0/p1, k2s2p1, k3s2p0, k5s1p2: 0.98-1.07 at 56^2 / 28^2 (memory-bound)
 *   but 5x5 1.56-1.87, 14^2 / 7^2 1.09-1.61.
 * nhwc_generic values-only max (session 8): plain vmaxps(t, m) under the NaN watch (nan_watch.h's
 *   MXCSR invalid flag) per output row, a row that saw NaN redone with the exact step and the
 *   slice's later rows run exact, 8 zmm a block (4: 1.03-1.19 against 1.04-1.27). Bench, max
 *   3x3 s2 p1, 1 thread, 2 runs, before -> after: C512 28^2 31.8 / 33.9 -> 30.5 / 30.7 us
 *   (1.04, 1.10), 14^2 6.70 / 6.90 -> 5.26 / 5.59 (1.27, 1.24), 7^2 1.70 / 1.71 -> 1.34 / 1.38
 *   (1.27, 1.24), C2048 7^2 7.67 / 7.43 -> 6.40 / 5.90 (1.20, 1.26). --data nan (1 in 64):
 *   1.24-1.45x the uniform time, about 1.1-1.25x the old exact walk's; inf 0.98-1.00x.
 * global max NCHW values-only (session 8): on the planes global_sum.c takes, its sixteen-plane
 *   blocks with vmaxps for the adds and -inf fills, NaN by the watch (a block that raised it
 *   settles each plane by vector searches: its last NaN, else its maximum), a zero maximum's
 *   sign from the first zero. It had run a plane at a time (unaligned loads, a horizontal
 *   reduce per plane) at 21-34% of the paired roofline. Bench, 1 thread, 3 runs, old -> new
 *   (avx2, oneDNN same runs): C2048 7^2 11.1 -> 3.05-3.17 us, 80-84% (13.1-13.6, 18.0-18.8);
 *   C512 7^2 2.80 -> 0.80-0.82 (3.2-3.3, 4.9-5.0); C512 14^2 7.10 -> 2.76-3.14, 75-85% (7.5-7.9,
 *   16.5-16.9). --data: nan 0.9-2.6x, zeros 1.25-2.6x, inf 1.0-1.5x the new uniform time, all
 *   below the old uniform time (a scalar scan of each settled plane had been 33-53x).
 * nchw_3x3s2 values-only max, rows of 65-224 columns, padding <= 1 (nchw_3x3s2.c: H of each
 *   input row in zmm registers, two rows per output row): against AVX2's nchw_3x3s2 (s2_max_lin),
 *   C64 112^2 1.27x (bench, 6 runs, same-run medians 70.6 -> 56.1 us, 77 -> 98% of the
 *   roofline; in-process A/B 1.28-1.37 on uniform, ReLU-like and all-zero planes), C64 224^2
 *   1.12x (425 -> 370 us, 90 -> 108%), C64 80^2 1.51, 150^2 1.30, 200^2 1.26, padding 0
 *   1.29-1.35 (in-process A/B). Rows of up to 64 columns (AVX2's register-resident
 *   s2_middle_nv) and over 224 are not taken: not measured.
 * Since the bench's tensors are 64-byte aligned (8a7682e), default sweep of fb27b6d, same run:
 *   nhwc_3x3s2 max 1.27-1.68, nhwc_3x3s1 max 1.37-1.63 / avg 1.12-1.97 / sum 1.21, nhwc
 *   generic max 1.00-1.75, global max nhwc 0.91-1.20 and nchw 1.00-1.05, adaptive max 1.26,
 *   masked max 1.42. nhwc_3x3s2 avg / sum (one template with AVX2's now) re-measured: 0.83-1.22
 *   avg, 0.99-1.11 sum (--full, 3 runs): still not a clear win, still AVX2's.
 *
 * nchw_2x2s2 values-only max and avg, whole windows, rows of 49-112 outputs (nchw_2x2s2.c: the
 *   upper row's pairs in zmm registers, both rows read in address order). The generic AVX-512
 *   path for these windows had measured 0.58-1.34 (mixed, above), so AVX2 kept them and the
 *   generic entries still exclude them (sp_avx512_avx2_special; indices stay there). Bench,
 *   1 thread, two sets of 4 runs, median of medians, avx2 -> avx512 (% of the paired roofline):
 *   C128 112^2 max 127.8 -> 103.7 us / 129.0 -> 105.1 us (91 -> 105%, 90 -> 110%), 1.23 both
 *   sets; avg 1.23 / 1.34 (88 -> 107%, 83 -> 105%). C64 224^2 (prefetch 4 KiB ahead, inputs of
 *   8 MB or more, as nhwc_2x2s2.c; without it 97-99%): both at the roofline, level: max 0.98 /
 *   0.86 (106 vs 106%, 101 vs 99%; 1.07 in a 224-only A/B of 4 rounds), avg 1.08 / 1.02
 *   (101-107% both). Rows of 48 outputs or fewer (56^2 and below) stay with AVX2's flat loop
 *   over the slice: this kernel measured 0.50-1.01 there (one run).
 *
 * nhwc_3x3s2 max on an Intel Xeon (AVX-512 F/BW/VL, 2 MB L2 per core), unchanged since
 *   b4b4e0c: the target (max 3x3 s2 p1 C64 112^2 NHWC >= 95% of the paired roofline;
 *   89% on Zen 4) is met as it stands. Bench `--op max --layout nhwc --size 112,56,224
 *   --threads 1 --no-peers --benchmark_repetitions=3`, 4 separate runs, median of the medians
 *   (% of the paired roofline, range): C64 112^2 142.4 us, 104.8% (100.1-107.3); C128 112^2
 *   288.0 us, 102.7% (101.8-106.4); C256 56^2 147.1 us, 102.9% (99.8-108.9); C64 224^2
 *   556.1 us, 102.5% (101.5-105.5). AVX2's port, same runs: 97.9-107.1%. Each input byte is
 *   read once (the row buffer) and the time is the read-once pass's, so fewer ops per output
 *   (not tried) could not show in these cases on this machine.
 *   Tried, not kept: a software prefetch 4 KiB ahead of every line of the four new rows (as
 *   nhwc_2x2s2.c), on every input size: slower in all four cases (avx512 / avx2 time in the
 *   same run 1.04-1.10 with it, 0.93-1.01 without; 93.2-97.9% of the roofline against
 *   100.0-105.8%; two runs each, alternated).
 *
 * nchw_2x2s2_narrow values-only max, whole windows, rows of up to 17 columns (Intel Xeon,
 *   AVX-512 F/BW/VL, 2 MB L2; nchw_2x2s2_narrow.c: the slice as one sequence of row pairs, two
 *   per step, four vpermt2ps, prefetch 2 KiB ahead, NaN check per 256 row pairs, a linear walk
 *   for even H). Bench, 1 thread, 4 runs, same-run medians of the medians, avx2 -> avx512 (% of
 *   the paired roofline):
 *     C512 14^2   7290 -> 5517 ns  1.32x  (51.5 -> 68.1%)
 *     C512 7^2    2727 -> 1762 ns  1.55x  (31.3 -> 48.5%)
 *     C2048 7^2  10765 -> 7004 ns  1.54x  (32.0 -> 49.2%)
 *   (still short of the 85% at 14^2: about 10 cycles per step of two row pairs where
 *   the port count says 6-7; aligned loads, fewer compares, unrolling moved it under 10%).
 *   In-process A/B over square maps of ~400 KB, two runs: W 2..17 1.11-1.72 (W 16 1.11-1.12,
 *   W 9 and 12 1.19-1.20, odd W <= 8 1.5-1.7).
 *   Session 6 (h8), toward the 85%; no kernel change kept. Where the time goes, from
 *   microbenchmarks on this Xeon at ~3.7 GHz: the step is compute-bound, not bandwidth-bound.
 *   The loads and stores of C512 14^2 with no arithmetic run in 3.1 us (51 cycles per 16 row
 *   pairs). The kernel's step loop costs the same in L1 (C16, 12 KB) as at C512. Its four
 *   masked 14-float loads at a 56-byte stride cost ~6.4 cycles a step on their own: masked
 *   zmm loads issue at one per cycle even when aligned, ~1.5 cycles when split. Unmasked
 *   aligned loads take 0.6 cycles.
 *   In the harness below, unmasked loads made the kernel slower, not faster (0.60x at
 *   C512, 0.75x in L1).
 *   Harness: an in-process A/B of the kernel functions, min of 20 calls per sample, 41
 *   samples, median ratio old/new, C512 14^2, 4 runs. Tried, none kept:
 *     flat walk on the 64-byte grid (16 row pairs = 28 aligned loads, 28 vpermt2ps + 14 vmaxps
 *       pair maxima, 24 vpermt2ps (10 merge-masked, 3 sources) + 7 vmaxps to 7 aligned
 *       stores), NaN by vcmpps:                        1.007-1.014 (L1, C16 / C32: 0.98-1.00)
 *     the same, NaN by fmadd(v0, v1, acc) off port 5:  1.063-1.084 (L1 1.13-1.18); but
 *       inputs near 1e-20 (products go subnormal) ran 27x slower (139 us, microcode
 *       assists), so it cannot ship. With acc starting at 2^100 no result is subnormal
 *       (1e-20 inputs: 1.01), but then it measured only 1.025-1.027. fmadd(v, 0, acc) per
 *       vector: 0.86.
 *     flat + prefetch of every line 2 / 4 KiB ahead: 0.99 / 0.94-0.97; stores one period
 *       late: 0.95; pair maxima through masked stores into upper / lower row buffers
 *       (no vertical shuffles): 1.4x (L1) to 1.6-2.2x (C512) slower than the flat walk
 *       (microbenchmark).
 *     this kernel with fmadd NaN check 0.98-1.02, unmasked stores but the last 0.99, prefetch
 *       4 KiB 1.00.
 *   Port count for the flat walk: 52 vpermt2ps a period (6.5 a step) against 32 plus 16
 *   compares here. It measured 71 cycles a period in L1 and 78-83 at C512, against this
 *   kernel's 87-90: the shuffles it adds eat what the aligned loads save. Getting to 85%
 *   (~72 cycles a period at C512) needs a NaN check off port 5 that cannot hit subnormal
 *   assists, and fewer than ~2 shuffles per output vector in the vertical stage.
 *   Session 7: rows of 14 with even H now run nchw_2x2s2_w14.c (16 row pairs a period, whole
 *   aligned loads and stores, pairs by a 64-bit shift off port 5). Why: a microbenchmark of
 *   just the memory traffic of C512 14^2 took 2.5 us with aligned loads, 3.9 with the row-stride
 *   loads, 4.2 with aligned loads and 14-float stores at a 56-byte stride: split lines, not
 *   arithmetic, held the row-pair steps (and h8's aligned flat walk, which kept the shuffles
 *   on port 5). Figures, C512 14^2 max, 1 thread:
 *     bench, same process, 6 runs: avx2 5362-5554 ns (66-70%), avx512 4712-4928 ns (76-79%),
 *       avx2/avx512 1.12-1.17
 *     public API, best of 200, 3 runs: avx2/avx512 1.09-1.12
 *     the period function alone (harness, quiet runs): 4.33-4.47 us (83-86% of 3718 ns)
 *     gcc's generic tuning folded each load into the shift, the max and the compare (three
 *     reads per vector): 1.2x slower until an empty asm pinned one load each.
 *   Tried in the period, in-process A/B against it: P vectors all by shift 0.96, other mixes
 *     0.98-1.00, NaN check by fmadd off port 5 0.98-1.00, prefetch 256 / 1024 floats 1.00;
 *     later, prefetch of every other line, none, or prefetchw of the output 0.998-1.005 (the
 *     hardware prefetchers keep this aligned stream fed).
 *   Then: the loop cost about the same in L1 as in L2; in L1, dropping the gathers made it 1.3x
 *     faster, dropping the compares changed nothing. The third-vector merge-masked vpermps
 *     became a blend (flex ports) before a single vpermt2ps, since the lanes used of the first
 *     and third vectors never coincide, and half the P vectors take the two-permute pairs:
 *     in-process A/B 1.068 (C512), 1.04 (L1). Bench, same process, 4 runs: avx2 4994-5344 ns,
 *     avx512 4066-4443 ns (81.3-85.2%), avx2/avx512 1.20-1.23.
 *   Session 8: the NaN check became MXCSR's invalid flag (vmaxps raises it on any NaN operand,
 *     never on inf), which drops 14 port-5 compares a period, and the shift-packed P vectors a
 *     merge-masked vmaxps in place of their vpermt2ps (pairs interleaved). In-process A/B: L1
 *     1.20-1.22, C512 1.03-1.12; bench, 5 runs: avx512 4086-4273 ns (85.0-91.8%), avx2/avx512
 *     1.28-1.30. Prefetch 256..3072 floats ahead against 512: 0.97-1.03, noise; now memory-bound
 *     (the period costs 15 ns in L1, 18-19 ns at C512).
 *   Avg takes the same periods with adds, then fmadd by 0.25 from +0 (narrow avg had left width
 *     14 to AVX2): bench C512 14^2, 3 runs, avx2 4496-4612 ns (79-82%), avx512 4016-4162 ns
 *     (85-91%), avx2/avx512 1.08-1.12.
 * nchw_2x2s2_narrow avg (same steps, pair sums, fmadd by 0.25 from +0), only on widths 3, 5, 7,
 *   10, 11, 13, 14 (in-process A/B 1.12-1.22; the others 0.92-1.09 stay with AVX2). Bench, as
 *   above, 4 runs:
 *     C512 14^2   5936 -> 5396 ns  1.10x  (63.1 -> 69.1%)
 *     C512 7^2    1936 -> 1688 ns  1.15x  (44.1 -> 50.7%)
 *     C2048 7^2   7675 -> 6705 ns  1.14x  (44.9 -> 51.4%)
 *   Rows of 17 to 97 columns as 16-column segments (a second load one column on for the odd
 *   columns, one vpermt2ps per 16 outputs): max 28^2 0.68-0.79, 56^2 0.93-0.99, not kept.
 * Session 6: AVX2's nchw_2x2s2 short-row path gained a 2 KiB prefetch (src/avx2/kernels.c), and
 *   against it the two kernels below no longer paid their way. Public-API harness, C about
 *   400K/W^2 planes (~1.6 MB in), W = H, best of 200 runs, median of 3, avx2/avx512 time:
 *   max W 18-32: 0.93-1.01 (13 of 15 below 1), so nchw_2x2s2_mid was removed; narrow max W 3-8:
 *   1.08-1.59, W 9-17: 0.90-1.08 (two runs), so narrow now takes max up to W 8; narrow avg:
 *   W 3 1.20, 5 1.05, 7 1.00 (bench C512/C2048 7^2 1.03-1.04), 10-14 0.88-0.97, so avg keeps
 *   only 3, 5 and 7. Bench, same process, 3 runs: avg C512 14^2 AVX2 4758 ns against narrow
 *   5388; max C512 14^2 5536 against 5513; max C512 28^2 37573 against mid's 41453.
 * nchw_2x2s2_mid (removed in session 6, see above) values-only max, whole windows, rows of 18-32 columns (Intel Xeon, AVX-512
 *   F/BW/VL, 2 MB L2; nchw_2x2s2_mid.c: each row one full and one masked zmm, two vpermt2ps
 *   per row, horizontal then vertical vmaxps, one masked store per row pair, flat walk over the
 *   slice's row pairs, prefetch 4 KiB ahead). Bench `--op max,avg --layout nchw --size 28,56
 *   --threads 1 --no-peers --no-plots --format csv`, 5 runs, median of the same-run medians,
 *   avx2 -> avx512 (% of the paired roofline), ratio median [range]:
 *     C512 28^2   32561 -> 29076 ns  1.135x [1.10-1.14]  (86.4 -> 99.9%; 84.6-88.8 -> 97.7-102.4)
 *   (56^2, AVX2's in both columns, 100.7-100.9%.) Prefetch distance, same command (--size 28),
 *   builds alternated, 4 rounds each, avx2 / avx512 time in the same run: 2 KiB 1.06-1.10,
 *   4 KiB 1.09-1.13, 8 KiB 1.08-1.15 (level with 4 KiB, kept 4), none 0.90-0.92 (80-84% of the
 *   roofline): the 2 MB tensor pair sits at the L2's edge and the hardware prefetchers alone
 *   do not keep up. Avg on the same steps (pair sums, fmadd by 0.25 from +0), 6 runs:
 *   0.997-1.055, median 1.01 against AVX2's (already 91-95%): not a clear win, not kept.
 *   Every width taken, in-process A/B (public API, plans for both variants, min of 20 runs per
 *   sample, 41 interleaved samples, square maps of ~1.6 MB, values-only max), avx2 / avx512
 *   median [range]: W 18-23 1.20-1.25 [1.13-1.27], 25-27 1.18-1.21, 28 1.13 [1.06-1.32], 29-31
 *   1.15-1.18 [1.07-1.23], W 24 1.05 [1.02-1.11] and W 32 1.04 [1.02-1.07] (AVX2's rows of whole
 *   vectors): all kept.
 * global avg / sum, both layouts (global_sum.c), re-measured on an Intel Xeon (AVX-512, 2 MB
 *   L2), where AVX2's ran at 53-72% of the roofline (the "level with AVX2" above was Zen 4).
 *   NCHW reads sixteen planes at a time on one aligned vector grid; NHWC sums 256 channels in
 *   registers down all pixel rows. Bench --op global_avg --size 7,14, 1 thread, 5 runs, median
 *   of the same-run medians, avx2 -> avx512 (% of the paired roofline), ratio median [range]:
 *     nchw C2048 7^2  4403 -> 3471 ns (57 -> 74%) 1.27 [1.25-1.29]
 *     nchw C512 7^2   1137 -> 884 ns  (56 -> 73%) 1.29 [1.27-1.34]
 *     nchw C512 14^2  4517 -> 2570 ns (53 -> 94%) 1.76 [1.75-1.76]
 *     nhwc C2048 7^2  3518 -> 2714 ns (72 -> 94%) 1.29 [1.29-1.30]
 *     nhwc C512 7^2    906 -> 678 ns  (71 -> 95%) 1.33 [1.33-1.37]
 *     nhwc C512 14^2  3508 -> 2642 ns (69 -> 91%) 1.33 [1.32-1.36]
 *   --full 28^2 to 224^2 (one run): 1.00-1.08 nchw, 1.00-1.37 nhwc, all at 96-102%.
 *   NCHW planes under 169 floats other than 6x6, 7x7, 8x8, 10x10 (constant pieces: 1.20, 1.27,
 *   1.10-1.20, 1.84 in direct A/B) are declined (AVX2's: the runtime-mask path measured
 *   0.23-0.98 there; 4x4 and 5x5 with constant pieces level). NHWC with C < 128 sums in 2-4
 *   chains (C8 28^2 0.59 -> 1.57 in A/B). Tensors 16 bytes past a 64-byte boundary (A/B): NHWC
 *   1.30-1.35 (vectors start at the boundary), NCHW 13x13 up 1.12-1.25 (shifted grid), but
 *   NCHW 6x6 to 10x10 0.83-0.96 (split loads; see global_sum.c for what was tried).
 *   Issue 3 (global avg C2048 7^2 NCHW >= 85% of the roofline): NCHW 6x6, 7x7 and 10x10 now
 *   read each row once in address order (block_rows in global_sum.c: one running vector per
 *   plane, merge-masked adds at the shared rows, the tree's levels as planes complete, 4
 *   blocks side by side for 7x7 and 2 for the others so the masks are shared, 1/hw in the
 *   final fma). Bench --op global_avg --layout nchw --size 7,14 --threads 1 --no-peers
 *   --benchmark_repetitions=3, 4 runs, median of the medians (% of the paired roofline):
 *     nchw C2048 7^2  3352-3464 ns (72-74%) -> 2919 ns (87.5%; runs 83.8-88.5)
 *     nchw C512 7^2    856-883 ns (73-75%)  ->  735 ns (86.1%; runs 84.7-87.4)
 *     nchw C512 14^2  unchanged (91.1-93.5%)
 *   Direct A/B against the previous kernel (same process, 41 interleaved samples, min of
 *   20): C2048 7x7 1.19, C512 7x7 1.19, 6x6 1.18, 10x10 1.09; at 16 bytes past a boundary
 *   7x7 1.14, 6x6 1.08, 10x10 1.05; global_sum 7x7 1.19. 8x8 and 14x14 with rows measured
 *   level or 0.96, so they keep the per-plane pieces. Steps (A/B, C2048 7x7): rows with
 *   both boundary pieces as masked loads 0.92 (a second load of a line in flight from L2
 *   costs about what a port-0/5 op does: 15 such loads took 6% off a plain 49-load
 *   stream), one load per row 1.00, tree levels as planes complete 1.06 (the same tree at
 *   the block's end 1.09 against 1.17 with everything else in place), fma for the divide
 *   1.09, two blocks side by side 1.13, next row absorbing the boundary's upper lanes 1.17,
 *   four blocks 1.19. Tried, not kept (on the pieces kernel): prefetcht0 1-8 KiB ahead on
 *   every line 0.70 (on a plain 49-load stream 0.91), masks loaded from memory (kmovw k,
 *   m16) instead of mov + kmovw 0.94.
 * nchw_3x3s1 values-only max and avg, 3x3 s1 p1 on rows of 9-64 columns (nchw_3x3s1.c: each
 *   input row's horizontal result once, valignd taps, the last two rows' in zmm registers,
 *   planes read in address order). Intel Xeon, bench `--op max,avg --layout nchw --size
 *   56,28,14,7 --threads 1 --no-peers --format csv`, 4 separate runs, median of the medians,
 *   avx2 -> avx512 (% of the paired roofline), median of the per-run ratios (range):
 *   max C192 28^2 36.4 -> 17.0 us (43 -> 94%) 2.17 (2.11-2.17); C256 56^2 280.4 -> 216.3 us
 *   (78 -> 101%) 1.30 (1.29-1.33); C512 14^2 19.4 -> 12.7 us (47 -> 71%) 1.53 (1.48-1.54).
 *   avg C192 28^2 24.3 -> 17.6 us (64 -> 83%) 1.39 (1.37-1.40); C256 56^2 343.4 -> 224.6 us
 *   (64 -> 97%) 1.53 (1.51-1.53); C512 14^2 19.1 -> 12.0 us (47 -> 75%) 1.61 (1.55-1.64).
 *   Planes of up to 9 rows of 7 (C512 7^2) as flat runs of up to 4 vectors (one row per vector
 *   measured max 5.60 -> 6.06 us against AVX2's small8, avg level), 4 more runs, same command:
 *   max 5.76 -> 4.91 us (38 -> 45%) 1.15 (1.14-1.19); avg 6.86 -> 4.79 us (32 -> 46%) 1.43
 *   (1.39-1.46). The other cases in those runs: max 2.12 / 1.29 / 1.55, avg 1.39 / 1.53 / 1.62.
 *   Tried, not kept: every tap by a (masked) unaligned load instead of valignd, 1.3x slower at
 *   14^2 and 28^2 (split lines; the loads bound it); two output rows sharing the combine of
 *   their common rows (3 combines for 2 rows), max C192 28^2 17.0 -> 19.0 us, others level.
 * NaN redo (2026-11-23, h16): nchw_2x2s2_narrow redoes a chunk whose record fired with its own
 *   row-pair steps made NaN-exact and stays exact while chunks see NaN; nchw_3x3s2_small redoes
 *   a NaN plane from the same loads with NaN-exact steps (both had handed the work to the
 *   generic or stem kernel). Bench `--data uniform,nan,inf`, old build and new alternately,
 *   4-5 runs, time over uniform on 1-in-64 NaN data: narrow C512 7^2 13.8 -> 1.4, C2048 7^2
 *   13.9 -> 1.3, C512 14^2 11.8 -> 1.6; small C512 7^2 25.4 -> 1.8, C2048 7^2 27.2 -> 1.8,
 *   14^2 9.1 -> 2.0, 28^2 5.6 -> 1.8; inf unchanged (~1.0); uniform new/old 0.96-1.02 per set,
 *   over 9-14 runs each 0.99-1.00 (narrow) and 1.02 (small C512 7^2). Table in bench/README.md.
 * nchw_3x3s2_small (nchw_3x3s2_small.c), values-only max and avg, 3x3 s2 (pad <= 1) on rows of
 *   up to 32 columns, on the Intel Xeon: groups of rows in two zmm, H and V by vpermt2ps, a
 *   whole 7x7 plane in registers. Before it AVX2's nchw_3x3s2 ran these at 10-30% of the
 *   roofline (C2048 7^2: ~52 cycles per plane, row by row on 8-lane vectors of which 4 lanes
 *   are used). Bench `--op max,avg --layout nchw --size 28,14,7 --threads 1 --no-peers`,
 *   4 separate runs, median of the medians, avx2 -> avx512 (% of the paired roofline), ratio
 *   (per-run range):
 *     max C512 7^2   10.26 ->  2.23 us (10.3 -> 47.3%)  4.60 (4.58-4.64)
 *     max C2048 7^2  40.86 ->  8.14 us (10.2 -> 51.5%)  5.02 (5.00-5.04)
 *     max C512 14^2  12.84 -> 11.43 us (29.4 -> 33.0%)  1.12 (1.12-1.13)
 *     max C512 28^2  44.65 -> 40.85 us (68.2 -> 80.5%)  1.09 (1.08-1.11)
 *     avg C512 7^2    9.52 ->  2.05 us (11.1 -> 51.5%)  4.64 (4.63-4.73)
 *     avg C2048 7^2  37.82 ->  7.45 us (11.1 -> 56.5%)  5.08 (5.06-5.19)
 *     avg C512 14^2  12.68 -> 11.47 us (29.8 -> 32.8%)  1.11 (1.10-1.12)
 *     avg C512 28^2  44.42 -> 41.46 us (69.0 -> 79.0%)  1.07 (1.07-1.08)
 *   Other widths, timed by a direct harness (plan forced to avx2 / avx512, C such that the input
 *   is ~400 KB, median of 41 samples of 20 runs, two runs): max W 5, 8 4.1-4.3, W 9-32
 *   1.13-1.45; avg W 5, 8 4.7-4.9, W 9-20 1.10-1.54, W 24-32 0.82-1.00 -- so avg is taken on rows
 *   of up to 20 columns only (C512 28^2 avg, 1.07 above, goes back to AVX2). Tried, not kept: the
 *   taps from unaligned loads (x-1, x, x+1) and one compaction permute, 1.3-1.8x slower (most
 *   loads split a cache line); the AVX-512 stem kernel (nchw_3x3s2.c) on rows of 1-4 vectors:
 *   7^2 and 14^2 level or slower than AVX2, 28^2 1.13x. The 14^2 and 28^2 cases are still
 *   far from the roofline: the H stage costs ~5 cycles per group of rows (3 vpermt2ps, a
 *   compare and 2 vmaxps, all on ports 0 and 5), the V stage ~6 per output vector.
 * Tensors 16 bytes past a 64-byte boundary (views, slices; bench --offset 16), NHWC with C a
 *   multiple of 16: every pixel shares the misalignment, so each pixel's channel walk starts
 *   with one masked vector up to the boundary and every later load is aligned (h6). Bench
 *   medians, 1 thread, auto variant, 3 alternated runs each against main 0f05171, ns:
 *   nhwc_generic max 3x3s2p1 C512 28^2 46895 -> 33996 (0.72), 14^2 10722 -> 7239 (0.68),
 *     7^2 2544 -> 1828 (0.72), C2048 7^2 11893 -> 7846 (0.66); aligned (--offset 0)
 *     0.96-0.99; offset/aligned was 1.35-1.59, now 0.99-1.09.
 *   nhwc_2x2s2 max C512 28^2 30807 -> 23466 (0.76), 14^2 4947 -> 3598 (0.73), 7^2 921 -> 674
 *     (0.73), C2048 7^2 3667 -> 2596 (0.71); aligned 0.94-1.01; offset/aligned was 1.20-1.42,
 *     now 0.90-1.06.
 *   Not taken: the same masked head in src/tmpl/nhwc_3x3s1.h / nhwc_3x3s2.h (h6's 094c66e):
 *   3x3 s1 at --offset 16 went 0.43-0.61x main's time, but aligned tensors ran 0.93-1.08x
 *   (C512 avg 14^2 4-8% slower in every run set) and AVX2's aligned 0.97-1.09.
 *   Taken for 3x3 s1 (h14): the head as a whole vector from the grid boundary before the
 *   pixel (only its stores masked), from 64 channels on (AVX2: 32-byte grid, 96 on), in a
 *   function of its own beside the aligned walk, which compiles as before (a head behind a
 *   branch in the one body cost aligned 3-7%, AVX2's 4-10%). 1 thread, bench `--op avg,max
 *   --layout nhwc --size 56,28,14 --threads 1 --no-peers`, medians of 3 (before) and 4 (after)
 *   runs alternating --offset 0 / 16, us, offset 16 before -> after (after's offset/aligned):
 *     avx512 avg C192 28^2 37.56 -> 19.10 (1.11), C512 14^2 29.50 -> 11.79 (1.05),
 *            C256 56^2 310.6 -> 222.9 (1.02); max 37.85 -> 21.07 (1.12), 30.21 -> 13.64
 *            (1.12), 314.2 -> 225.9 (1.03)
 *     avx2   avg 36.59 -> 23.68 (1.13), 24.93 -> 15.87 (1.10), 344.7 -> 250.0 (1.02);
 *            max 40.50 -> 29.57 (1.08), 26.99 -> 20.33 (1.12), 346.6 -> 248.8 (1.00)
 *   Aligned, bench after/before 0.97-1.03 (3x3 s2, unchanged code, 0.95-1.01 in the same runs);
 *   in-process A/B both load orders, 21 rounds, 2 sets: avx512 0.985-1.043, avx2 0.985-1.041,
 *   C512 14^2 avg 0.995-1.013. Harness A/B at 16 bytes off by C (28^2, avg/max): avx512 C64
 *   0.83, with a head C48 0.91-1.02 and C32 1.22-1.32 (so none below 64); avx2 with a head
 *   C64 0.85 avg but 1.03-1.06 max (none below 96), C96 0.65 / 0.88.
 *   Taken for 3x3 s2 (h15): the same head (src/tmpl/nhwc_grid.h, shared with 3x3 s1), max's
 *   row maxima buffer laid on the input's grid, and on rows inside the image the head's loads
 *   unmasked (a blend less per load; against the masked head 0.92-0.99 avx512, avx2 avg
 *   0.94-1.00, max 0.98-1.02; in 3x3 s1 the same was avx512 0.96-1.01, avx2 0.97-1.02: not
 *   taken there). In-process A/B against main bbbe969 (both libraries, 15 alternating rounds,
 *   4 processes, 2 in each load order, medians; bits equal), 3x3 s2 p1 at 16 bytes off, us
 *   old -> new (new/old; offset/aligned old -> new):
 *     avx512 max C192 28^2 11.97 -> 8.67 (0.73; 1.65 -> 1.19), C384 14^2 6.28 -> 4.42 (0.71;
 *            1.58 -> 1.11), C192 14^2 2.97 -> 2.27 (0.76; 1.49 -> 1.15), C128 28^2 7.94 ->
 *            5.96 (0.74; 1.58 -> 1.19), C96 56^2 24.75 -> 18.87 (0.77; 1.49 -> 1.16), C256
 *            56^2 158.7 -> 141.1 (0.89; 1.16 -> 1.02), C128 112^2 306.2 -> 284.3 (0.93; 1.08
 *            -> 1.01), C64 112^2 148.6 -> 136.7 (0.93; 1.08 -> 1.00)
 *     avx2   max C192 28^2 15.56 -> 12.52 (0.81; 1.40 -> 1.12), C384 14^2 8.67 -> 7.07 (0.82;
 *            1.36 -> 1.08), C192 14^2 0.88, C128 28^2 0.89, C96 56^2 0.95, C256 56^2 0.97,
 *            C128 112^2 0.95; avg C192 28^2 0.85 (1.33 -> 1.11), C384 14^2 0.85 (1.24 ->
 *            1.05), C192 14^2 0.88, C128 28^2 0.91, C96 56^2 0.96, C256 56^2 0.97, C128
 *            112^2 0.93
 *   Aligned new/old 0.99-1.02 (C96 56^2 noisy, 0.94-1.08 by process); 3x3 s1, whose code only
 *   moved, C256 56^2 and C512 14^2 0.99-1.01 (C192 28^2 noisy, 0.87-1.17 by process). What is
 *   left at 16 bytes off is the head: one more step per pixel (C / W + 1 steps, two of them
 *   partial). Threshold as for s1: avx2 from C64 (not 96) ran C64 28^2 / 14^2 1.03-1.12
 *   slower (one A/B process).
 */
#include "avx512.h"
#include "../tmpl/accepts.h"

#define I SP_K_INDICES

/* Values-only: whole 2x2 s2 windows go to nhwc_2x2s2. */
static int nhwc_max_generic_values(const sp_problem *p)
{
    return !sp_tmpl_whole_2x2s2(p) && sp_avx512_accepts_nhwc_generic(p);
}

/* Stride 1, dilation 1, kernels up to 7 with padding up to half: where AVX2's separable
 * nchw_s1_max (values-only) runs, it is 3.5-9x faster than this generic kernel. */
static int avx2_s1(const sp_problem *p)
{
    return p->sh == 1 && p->sw == 1 && p->dh == 1 && p->dw == 1 && p->kh <= 7 && p->kw <= 7 &&
           p->pt <= p->kh / 2 && p->pb <= p->kh / 2 && p->pl <= p->kw / 2 && p->pr <= p->kw / 2;
}

/* Max with indices: any shape but unpadded 2x2s2 and 3x3s1, where AVX2's specialised kernels
 * are faster, and the stride-1 kernels from 3x3 up, where AVX2's nchw_generic is about 1.5x
 * faster (2x2 stride 1 stays here: 1.39-1.44x over AVX2's generic). */
static int nchw_max_generic_indices(const sp_problem *p)
{
    return !sp_avx512_avx2_special(p) && !(avx2_s1(p) && (p->kh >= 3 || p->kw >= 3)) &&
           sp_avx512_accepts_nchw_generic(p);
}

/* Values-only: also leaves every window nchw_s1_max takes to AVX2. */
static int nchw_max_generic_values(const sp_problem *p)
{
    return nchw_max_generic_indices(p) && !avx2_s1(p);
}

/* Avg / sum: only the windows AVX2's specialised NHWC kernels leave to its generic one. */
static int nhwc_sum_generic(const sp_problem *p)
{
    return !sp_tmpl_whole_2x2s2(p) && !sp_tmpl_accepts_nhwc_3x3s1(p) && !sp_tmpl_takes_nhwc_3x3s2(p) &&
           sp_avx512_accepts_nhwc_generic(p);
}

const sp_kernel sp_avx512_kernels[] = {
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, 0, "nchw_2x2s2_narrow", sp_avx512_accepts_nchw_2x2s2_narrow, sp_avx512_nchw_2x2s2_narrow},
    {SIMDPOOL_AVG, SIMDPOOL_NCHW, 0, "nchw_2x2s2_narrow", sp_avx512_accepts_nchw_2x2s2_narrow, sp_avx512_nchw_2x2s2_narrow},
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, 0, "nchw_2x2s2", sp_avx512_accepts_nchw_2x2s2, sp_avx512_nchw_2x2s2},
    {SIMDPOOL_AVG, SIMDPOOL_NCHW, 0, "nchw_2x2s2", sp_avx512_accepts_nchw_2x2s2, sp_avx512_nchw_2x2s2},
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, 0, "nchw_3x3s1", sp_avx512_accepts_nchw_3x3s1, sp_avx512_nchw_3x3s1},
    {SIMDPOOL_AVG, SIMDPOOL_NCHW, 0, "nchw_3x3s1", sp_avx512_accepts_nchw_3x3s1, sp_avx512_nchw_3x3s1},
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, 0, "nchw_3x3s2_small", sp_avx512_accepts_nchw_3x3s2_small, sp_avx512_nchw_3x3s2_small},
    {SIMDPOOL_AVG, SIMDPOOL_NCHW, 0, "nchw_3x3s2_small", sp_avx512_accepts_nchw_3x3s2_small, sp_avx512_nchw_3x3s2_small},
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, 0, "nchw_3x3s2", sp_avx512_accepts_nchw_3x3s2_max, sp_avx512_nchw_3x3s2_max},
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, I | SP_K_INDICES_ONLY, "nchw_3x3s2", sp_avx512_accepts_nchw_3x3s2, sp_avx512_nchw_3x3s2},
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, I, "nchw_generic", nchw_max_generic_values, sp_avx512_nchw_generic},
    {SIMDPOOL_MAX, SIMDPOOL_NCHW, I | SP_K_INDICES_ONLY, "nchw_generic", nchw_max_generic_indices,
     sp_avx512_nchw_generic},
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, 0, "nhwc_3x3s1", sp_avx512_accepts_nhwc_3x3s1, sp_avx512_nhwc_3x3s1},
    {SIMDPOOL_AVG, SIMDPOOL_NHWC, 0, "nhwc_3x3s1", sp_avx512_accepts_nhwc_3x3s1, sp_avx512_nhwc_3x3s1},
    {SIMDPOOL_SUM, SIMDPOOL_NHWC, 0, "nhwc_3x3s1", sp_avx512_accepts_nhwc_3x3s1, sp_avx512_nhwc_3x3s1},
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, 0, "nhwc_2x2s2", sp_avx512_accepts_nhwc_2x2s2_max, sp_avx512_nhwc_2x2s2_max},
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, 0, "nhwc_3x3s2", sp_avx512_accepts_nhwc_3x3s2, sp_avx512_nhwc_3x3s2},
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, I, "nhwc_generic", nhwc_max_generic_values, sp_avx512_nhwc_generic},
    {SIMDPOOL_MAX, SIMDPOOL_NHWC, I | SP_K_INDICES_ONLY, "nhwc_generic", sp_avx512_accepts_nhwc_generic,
     sp_avx512_nhwc_generic},
    {SIMDPOOL_AVG, SIMDPOOL_NHWC, 0, "nhwc_generic", nhwc_sum_generic, sp_avx512_nhwc_generic},
    {SIMDPOOL_SUM, SIMDPOOL_NHWC, 0, "nhwc_generic", nhwc_sum_generic, sp_avx512_nhwc_generic},
    {SIMDPOOL_ADAPTIVE_MAX, SIMDPOOL_NHWC, I, "nhwc_adaptive", sp_avx512_accepts_nhwc_generic,
     sp_avx512_nhwc_adaptive_max},
    {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NCHW, I, "global", sp_avx512_accepts_global, sp_avx512_global_nchw},
    {SIMDPOOL_GLOBAL_MAX, SIMDPOOL_NHWC, I, "global", sp_avx512_accepts_global, sp_avx512_global_nhwc},
    {SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NCHW, 0, "global_sum", sp_avx512_accepts_global_sum_nchw, sp_avx512_global_sum_nchw},
    {SIMDPOOL_GLOBAL_SUM, SIMDPOOL_NCHW, 0, "global_sum", sp_avx512_accepts_global_sum_nchw, sp_avx512_global_sum_nchw},
    {SIMDPOOL_GLOBAL_AVG, SIMDPOOL_NHWC, 0, "global_sum", NULL, sp_avx512_global_sum_nhwc},
    {SIMDPOOL_GLOBAL_SUM, SIMDPOOL_NHWC, 0, "global_sum", NULL, sp_avx512_global_sum_nhwc},
    {SIMDPOOL_MASKED_MAX, SIMDPOOL_NHWC, 0, "btd_masked", NULL, sp_avx512_btd_masked_max},
    {0, 0, 0, NULL, NULL, NULL},
};
