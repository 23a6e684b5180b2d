/* NHWC 3x3 stride-1 max/avg/sum: src/tmpl/nhwc_3x3s1.h at NEON's vector width. */
#include "vec.h"

#include "../tmpl/nhwc_3x3s1.h"
