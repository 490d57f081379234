//go:build goexperiment.simd

#include "textflag.h"

// The GEMM micro-kernels for amd64 (AVX2 and FMA, which simdKernels checks
// before any of this runs): gemm_simd_wasm.s's loops with VFMADD231PS and
// broadcasts from memory. The archsimd kernel (gemmPairVec) computes the
// same fused multiply-adds in the same order, but the compiler copies the
// broadcast before each fused multiply-add (its form overwrites a
// multiplicand) and spills around the loop; these loops run about twice as
// fast (BenchmarkGemm) and give the same result bit for bit.
//
// Registers: SI the splat operand, AX and BX the two vector operands, CX
// the channels left; X0..X7 the accumulators (X0,X1 for splat lane 0 times
// AX and BX's vectors, X2,X3 for lane 1, ...), X8, X9 the vectors of one
// channel, X10..X13 the splats.

#define ZERO8 \
	VXORPS X0, X0, X0 \
	VXORPS X1, X1, X1 \
	VXORPS X2, X2, X2 \
	VXORPS X3, X3, X3 \
	VXORPS X4, X4, X4 \
	VXORPS X5, X5, X5 \
	VXORPS X6, X6, X6 \
	VXORPS X7, X7, X7

// CHANNEL does one channel: four splats of SI times the vectors at AX and
// BX into the accumulators, then steps SI, AX and BX by 16 bytes.
#define CHANNEL \
	VMOVUPS (AX), X8 \
	VMOVUPS (BX), X9 \
	VBROADCASTSS (SI), X10 \
	VFMADD231PS X8, X10, X0 \
	VFMADD231PS X9, X10, X1 \
	VBROADCASTSS 4(SI), X11 \
	VFMADD231PS X8, X11, X2 \
	VFMADD231PS X9, X11, X3 \
	VBROADCASTSS 8(SI), X12 \
	VFMADD231PS X8, X12, X4 \
	VFMADD231PS X9, X12, X5 \
	VBROADCASTSS 12(SI), X13 \
	VFMADD231PS X8, X13, X6 \
	VFMADD231PS X9, X13, X7 \
	ADDQ $16, SI \
	ADDQ $16, AX \
	ADDQ $16, BX

// func dot4x8(s, v0, v1 *float32, c int, acc *[32]float32)
TEXT ·dot4x8(SB), NOSPLIT, $0-40
	MOVQ s+0(FP), SI
	MOVQ v0+8(FP), AX
	MOVQ v1+16(FP), BX
	MOVQ c+24(FP), CX
	MOVQ acc+32(FP), DI
	ZERO8
	TESTQ CX, CX
	JZ dotstore
dotloop:
	// dot4x8 streams the weights of the 128- and 256-channel layers (about
	// 33 MB per embedding, read once): fetching 2 KB ahead measured about
	// 0.5 ms faster per embedding than the hardware prefetch alone.
	PREFETCHT0 2048(AX)
	PREFETCHT0 2048(BX)
	CHANNEL
	DECQ CX
	JNZ dotloop
dotstore:
	VMOVUPS X0, (DI)
	VMOVUPS X1, 16(DI)
	VMOVUPS X2, 32(DI)
	VMOVUPS X3, 48(DI)
	VMOVUPS X4, 64(DI)
	VMOVUPS X5, 80(DI)
	VMOVUPS X6, 96(DI)
	VMOVUPS X7, 112(DI)
	VZEROUPPER
	RET

// func gemmPairs(out, a, b0, b1 *float32, c, kb, ldo, ldb int)
TEXT ·gemmPairs(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b0+16(FP), R8
	MOVQ b1+24(FP), R9
	MOVQ c+32(FP), R10
	MOVQ kb+40(FP), R11
	MOVQ ldo+48(FP), R12
	MOVQ ldb+56(FP), R13
	TESTQ R11, R11
	JZ pairsdone
pairsblock:
	MOVQ R8, AX
	MOVQ R9, BX
	MOVQ R10, CX
	ZERO8
pairsloop:
	CHANNEL
	DECQ CX
	JNZ pairsloop
	VMOVUPS X0, (DI)
	VMOVUPS X1, (DI)(R13*1)
	ADDQ R12, DI
	VMOVUPS X2, (DI)
	VMOVUPS X3, (DI)(R13*1)
	ADDQ R12, DI
	VMOVUPS X4, (DI)
	VMOVUPS X5, (DI)(R13*1)
	ADDQ R12, DI
	VMOVUPS X6, (DI)
	VMOVUPS X7, (DI)(R13*1)
	ADDQ R12, DI
	DECQ R11
	JNZ pairsblock
pairsdone:
	VZEROUPPER
	RET
