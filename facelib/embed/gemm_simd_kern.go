//go:build goexperiment.simd && (amd64 || wasm)

package embed

// The GEMM's channel loops are written in Go's assembler for both targets
// (gemm_simd_amd64.s, gemm_simd_wasm.s); the archsimd kernels in
// gemm_simd.go compute the same sums in the same order and finish what the
// assembly does not cover (strided columns, an odd last row block).
//
// Under wasm the compiler routes every loop back-edge through the
// function's block dispatcher, and V8 then moves and spills the
// accumulators around it on every pass: the archsimd 4x8 kernel ran at
// 4–7 G multiply-adds per second under node, the assembly loop (one wasm
// loop, the accumulators in locals) at 10–17. On amd64 the compiler copies
// each broadcast before its fused multiply-add (the instruction overwrites
// a multiplicand) and spills around the loop; the assembly uses
// VFMADD231PS and broadcasts from memory.

// dot4x8 sets acc[8r+j] = Σ_ch s[4ch+r]·v0[4ch+j] and
// acc[8r+4+j] = Σ_ch s[4ch+r]·v1[4ch+j] over c channels.
//
//go:noescape
func dot4x8(s, v0, v1 *float32, c int, acc *[32]float32)

// gemmPairs runs the 4x8 kernel for kb row blocks of a (one after the
// other) against the column blocks b0 and b1, storing row r of block i at
// out + (4i+r)·ldo and its second four columns ldb bytes further (ldo and
// ldb in bytes; the four columns of a block adjacent).
//
//go:noescape
func gemmPairs(out, a, b0, b1 *float32, c, kb, ldo, ldb int)

func gemmPair(out, a, b []float32, K, C, ldo, ldb, ldt int) {
	if ldt != 1 || K < 4 || C < 1 {
		gemmPairVec(out, a, b, K, C, ldo, ldb, ldt)
		return
	}
	n := C * 4
	a = a[:K/4*n]
	b = b[:2*n]
	// The kernel writes up to out[(K-1)*ldo+ldb+3]; the slice panics here if
	// out is shorter, before any memory is touched.
	out = out[:(K-1)*ldo+ldb+4]
	gemmPairs(&out[0], &a[0], &b[0], &b[n], C, K/4, 4*ldo, 4*ldb)
}

// gemmBlock computes a single column block with the same kernel, roles
// swapped: the vectors are two row blocks of a (eight rows), the splats
// the block's four columns, so each pass gives out[k..k+8][t..t+4]; an odd
// last row block runs the archsimd 4x4 kernel.
func gemmBlock(out, a, b []float32, K, C, ldo, ldt int) {
	if C < 1 {
		gemmBlockVec(out, a, b, K, C, ldo, ldt)
		return
	}
	n := C * 4
	b = b[:n]
	var acc [32]float32
	kb := 0
	for ; kb+2 <= K/4; kb += 2 {
		a0 := a[kb*n : kb*n+n]
		a1 := a[kb*n+n : kb*n+2*n]
		dot4x8(&b[0], &a0[0], &a1[0], C, &acc)
		o := out[kb*4*ldo : kb*4*ldo+7*ldo+3*ldt+1]
		for t := range 4 {
			for j := range 8 {
				o[j*ldo+t*ldt] = acc[8*t+j]
			}
		}
	}
	if kb < K/4 {
		gemmBlockVec(out[kb*4*ldo:], a[kb*n:], b, 4, C, ldo, ldt)
	}
}
