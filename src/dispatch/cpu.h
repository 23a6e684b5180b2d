#ifndef SP_CPU_H
#define SP_CPU_H

/* ISA bits a variant may require. */
#define SP_ISA_AVX2 0x1u   /* AVX2 + FMA, OS saves YMM */
#define SP_ISA_AVX512 0x2u /* AVX-512 F + BW + VL, OS saves ZMM and opmask */
#define SP_ISA_NEON 0x4u   /* aarch64 Advanced SIMD */

/* The ISA bits this CPU and OS support (computed once). */
unsigned sp_cpu_isa(void);

#endif
