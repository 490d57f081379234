//go:build goexperiment.simd

#include "textflag.h"

// The GEMM micro-kernels in WebAssembly SIMD128 (gemm_simd_kern.go says
// why they are written out). Each channel is a multiply then an add, in
// channel order, as gemmGo does, so the result is the scalar code's bit for
// bit.
//
// Registers: R0 the splat operand's address, R1 and R2 the two vector
// operands' addresses, R3 the channels left; V0..V7 the accumulators
// (V0,V1 for splat lane 0 times R1 and R2's vectors, V2,V3 for lane 1,
// ...), V8, V9 the vectors of one channel, V10 the splat.

#define ZERO8 \
	I32Const $0 \
	I32x4Splat \
	Tee V0 \
	Tee V1 \
	Tee V2 \
	Tee V3 \
	Tee V4 \
	Tee V5 \
	Tee V6 \
	Set V7

// MAC2(off, acc0, acc1): splat the float at R0+off, acc0 += it*V8,
// acc1 += it*V9.
#define MAC2(off, acc0, acc1) \
	Get R0 \
	I32WrapI64 \
	F32Load $off \
	F32x4Splat \
	Tee V10 \
	Get V8 \
	F32x4Mul \
	Get acc0 \
	F32x4Add \
	Set acc0 \
	Get V10 \
	Get V9 \
	F32x4Mul \
	Get acc1 \
	F32x4Add \
	Set acc1

// DOT runs the channel loop: R3 channels of 4 floats each from R0, R1, R2.
#define DOT \
	Block \
	Loop \
	Get R3 \
	I64Eqz \
	BrIf $1 \
	Get R1 \
	I32WrapI64 \
	V128Load $0 \
	Set V8 \
	Get R2 \
	I32WrapI64 \
	V128Load $0 \
	Set V9 \
	MAC2(0, V0, V1) \
	MAC2(4, V2, V3) \
	MAC2(8, V4, V5) \
	MAC2(12, V6, V7) \
	Get R0 \
	I64Const $16 \
	I64Add \
	Set R0 \
	Get R1 \
	I64Const $16 \
	I64Add \
	Set R1 \
	Get R2 \
	I64Const $16 \
	I64Add \
	Set R2 \
	Get R3 \
	I64Const $1 \
	I64Sub \
	Set R3 \
	Br $0 \
	End \
	End

// STORE(v): store v at the address in R12, then step R12 by 16 bytes.
#define STORE(v) \
	Get R12 \
	I32WrapI64 \
	Get v \
	V128Store $0 \
	Get R12 \
	I64Const $16 \
	I64Add \
	Set R12

// ROW(v0, v1): store v0 at R12 and v1 at R12+R7, then step R12 by R6.
#define ROW(v0, v1) \
	Get R12 \
	I32WrapI64 \
	Get v0 \
	V128Store $0 \
	Get R12 \
	Get R7 \
	I64Add \
	I32WrapI64 \
	Get v1 \
	V128Store $0 \
	Get R12 \
	Get R6 \
	I64Add \
	Set R12

// func dot4x8(s, v0, v1 *float32, c int, acc *[32]float32)
//
// acc[8r+j] = Σ_ch s[4ch+r]·v0[4ch+j], acc[8r+4+j] = Σ_ch s[4ch+r]·v1[4ch+j]
// over the c channels.
TEXT ·dot4x8(SB), NOSPLIT, $0-40
	I64Load s+0(FP)
	Set R0
	I64Load v0+8(FP)
	Set R1
	I64Load v1+16(FP)
	Set R2
	I64Load c+24(FP)
	Set R3
	ZERO8
	DOT
	I64Load acc+32(FP)
	Set R12
	STORE(V0)
	STORE(V1)
	STORE(V2)
	STORE(V3)
	STORE(V4)
	STORE(V5)
	STORE(V6)
	STORE(V7)
	RET

// func gemmPairs(out, a, b0, b1 *float32, c, kb, ldo, ldb int)
//
// gemmSIMD's 4x8 blocks for kb blocks of four rows and one pair of column
// blocks: a holds the kb blocks one after the other (c channels of four
// rows each), b0 and b1 the two column blocks; row r of block i goes to
// out + (4i+r)·ldo (its first four columns) and ldb bytes further (the
// next four). ldo and ldb are in bytes.
TEXT ·gemmPairs(SB), NOSPLIT, $0-64
	I64Load out+0(FP)
	Set R4
	I64Load a+8(FP)
	Set R0
	I64Load b0+16(FP)
	Set R9
	I64Load b1+24(FP)
	Set R10
	I64Load c+32(FP)
	Set R11
	I64Load kb+40(FP)
	Set R5
	I64Load ldo+48(FP)
	Set R6
	I64Load ldb+56(FP)
	Set R7
	Block
	Loop
	Get R5
	I64Eqz
	BrIf $1
	Get R9
	Set R1
	Get R10
	Set R2
	Get R11
	Set R3
	ZERO8
	DOT
	Get R4
	Set R12
	ROW(V0, V1)
	ROW(V2, V3)
	ROW(V4, V5)
	ROW(V6, V7)
	Get R12
	Set R4
	Get R5
	I64Const $1
	I64Sub
	Set R5
	Br $0
	End
	End
	RET
