# simdpool-bench's pictures, drawn from the data files the bench writes into its output folder:
#   gbps_<op>_<layout>_<params>.dat  size, roofline GB/s, then GB/s per variant (NaN = not run)
#   heat.dat                         % of roofline, one row per 1-thread case, one column per variant
# The bench runs this itself; to redraw by hand:
#   gnuplot -e "dir='bench-out'; panels='max_nchw_k2s2p0 avg_nhwc_k2s2p0'; heat_rows=80" bench/plots.gp
if (!exists("dir")) dir = "bench-out"
if (!exists("panels")) panels = "max_nchw_k2s2p0 max_nhwc_k2s2p0 avg_nchw_k2s2p0 avg_nhwc_k2s2p0"
if (!exists("heat_rows")) heat_rows = 60

set datafile missing "NaN"
# Nine distinct colours (gnuplot's default set has eight, and its eighth is the roofline's black).
array lc[9] = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4", "#999999"]
do for [i = 1:9] { set linetype i linecolor rgb lc[i] linewidth 1.5 pointtype 7 pointsize 0.7 }
set linetype cycle 9
set termoption noenhanced

# ---- GB/s against spatial size, one panel per op/layout/window ----
np = words(panels)
if (np > 0) {
    ncol = np <= 2 ? np : (np <= 4 ? 2 : 4)
    nrow = int((np + ncol - 1) / ncol)
    set terminal pngcairo size 520*ncol, 420*nrow + 40 font "sans,9" noenhanced
    set output dir . "/gbps.png"
    set multiplot layout nrow, ncol title "GB/s (input + output bytes / median time) against input size, batch 1, 1 thread. Dashed: the same-run roofline" font "sans,11"
    set logscale xy 2
    set xrange [6:260]
    set xtics ("7" 7, "14" 14, "28" 28, "56" 56, "112" 112, "224" 224)
    set xlabel "input H = W (channels as in real networks: 512@7 .. 64@224)"
    set ylabel "GB/s"
    set grid
    set key outside bottom center horizontal font "sans,8" samplen 2
    do for [i = 1:np] {
        p = word(panels, i)
        f = dir . "/gbps_" . p . ".dat"
        set title p font "sans,10"
        stats f using 1 nooutput
        # A variant with no data in this panel (a peer of the other layout) is skipped, with a warning.
        plot f using 1:2 with lines dashtype 2 linewidth 2 linecolor rgb "black" title "roofline", \
             for [c = 3:STATS_columns] f using 1:c with linespoints linetype (c - 2) title columnheader(c)
    }
    unset multiplot
    unset logscale
    unset xrange
    unset xtics
    set xtics
    unset xlabel
    unset ylabel
    unset grid
}

# ---- heat map: % of roofline per case and variant ----
set terminal pngcairo size 1000, 140 + 15*heat_rows font "sans,8" noenhanced
set output dir . "/heat.png"
set title "% of the same-run roofline (read input once + write output once), 1 thread, batch 1. Higher is better" font "sans,10"
set palette defined (0 "#b2182b", 25 "#ef8a62", 50 "#fddbc7", 75 "#d1e5f0", 90 "#67a9cf", 100 "#2166ac")
set cbrange [0:100]
set cblabel "% of roofline (clipped at 100)"
set yrange [heat_rows - 0.5:-0.5]
set xtics rotate by -30 offset 0,0 font "sans,9"
set ytics font "sans,8"
set xtics scale 0
set ytics scale 0
set tics out nomirror
set bmargin 7
unset key
plot dir . "/heat.dat" matrix rowheaders columnheaders using 1:2:($3 > 100 ? 100 : $3) with image, \
     dir . "/heat.dat" matrix rowheaders columnheaders using 1:2:($3 == $3 ? sprintf("%.0f", $3) : "") with labels font "sans,7"
