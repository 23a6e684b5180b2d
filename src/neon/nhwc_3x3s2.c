/* NHWC 3x3 stride-2 max/avg/sum: src/tmpl/nhwc_3x3s2.h at NEON's width. */
#include "vec.h"

#include "../tmpl/nhwc_3x3s2.h"

SPV_GRID_ENTRY(SP_NEON_NAME(nhwc_3x3s2), walk_ops)
