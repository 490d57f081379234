//go:build goexperiment.simd && (amd64 || wasm)

package embed

import "simd/archsimd"

// gemmSIMD is gemmGo with archsimd.Float32x4 vectors: the same operands,
// layout and result (on wasm bit for bit: a multiply then an add, in the
// same order over C; on amd64 a fused multiply-add, within float32
// rounding of it).
//
// The micro-kernel keeps a 4x8 block of out (4 rows k, two packed blocks of
// 4 columns t) in eight vector accumulators. Per channel it loads the two
// b vectors (4 columns each) and broadcasts the four a values (4 rows), so
// 8 multiply-adds cost 2 loads and 4 broadcasts; with the operands that is
// 14 live vectors, inside the 16 vector registers of amd64 (AVX) and of the
// x86 code V8 generates for wasm SIMD128. A 4x4 block finishes an odd
// number of column blocks. gemmPair and gemmBlock (gemm_simd_kern.go) run
// the same kernels written in Go's assembler, and these archsimd ones for
// what the assembly does not cover.
//
// Column block tb of row k starts at out[k*ldo+tb*ldb], its four columns
// ldt apart: gemmGo's layout is ldb = 4*ldt; the Winograd layers pass
// ldt = 1 so each accumulator is one vector store, and the output
// transform loads four tiles' values as one vector (see winograd_simd.go).
func gemmSIMD(out, a, b []float32, K, C, T, ldo, ldb, ldt int) {
	n := C * 4
	tb := 0
	for ; tb+2 <= T/4; tb += 2 {
		gemmPair(out[tb*ldb:], a[:K*C], b[tb*n:tb*n+2*n], K, C, ldo, ldb, ldt)
	}
	if tb < T/4 {
		gemmBlock(out[tb*ldb:], a[:K*C], b[tb*n:tb*n+n], K, C, ldo, ldt)
	}
}

// gemmPairVec is gemmSIMD for one pair of column blocks (b holds the two,
// one after the other; out starts at the first one's column 0), with the
// 4x8 kernel in archsimd.
func gemmPairVec(out, a, b []float32, K, C, ldo, ldb, ldt int) {
	n := C * 4
	b0 := b[:n]
	b1 := b[n : 2*n]
	for kb := 0; kb < K/4; kb++ {
		ap := a[kb*n : kb*n+n]
		p0, p1 := b0, b1
		var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x4
		for len(ap) >= 8 && len(p0) >= 8 && len(p1) >= 8 {
			x0 := archsimd.LoadFloat32x4Array((*[4]float32)(p0[0:4]))
			x1 := archsimd.LoadFloat32x4Array((*[4]float32)(p1[0:4]))
			v0, v1, v2, v3 := bcast4((*[4]float32)(ap[0:4]))
			c00 = v0.MulAdd(x0, c00)
			c01 = v0.MulAdd(x1, c01)
			c10 = v1.MulAdd(x0, c10)
			c11 = v1.MulAdd(x1, c11)
			c20 = v2.MulAdd(x0, c20)
			c21 = v2.MulAdd(x1, c21)
			c30 = v3.MulAdd(x0, c30)
			c31 = v3.MulAdd(x1, c31)
			x0 = archsimd.LoadFloat32x4Array((*[4]float32)(p0[4:8]))
			x1 = archsimd.LoadFloat32x4Array((*[4]float32)(p1[4:8]))
			v0, v1, v2, v3 = bcast4((*[4]float32)(ap[4:8]))
			c00 = v0.MulAdd(x0, c00)
			c01 = v0.MulAdd(x1, c01)
			c10 = v1.MulAdd(x0, c10)
			c11 = v1.MulAdd(x1, c11)
			c20 = v2.MulAdd(x0, c20)
			c21 = v2.MulAdd(x1, c21)
			c30 = v3.MulAdd(x0, c30)
			c31 = v3.MulAdd(x1, c31)
			ap, p0, p1 = ap[8:], p0[8:], p1[8:]
		}
		for len(ap) >= 4 && len(p0) >= 4 && len(p1) >= 4 {
			x0 := archsimd.LoadFloat32x4Array((*[4]float32)(p0[0:4]))
			x1 := archsimd.LoadFloat32x4Array((*[4]float32)(p1[0:4]))
			v0, v1, v2, v3 := bcast4((*[4]float32)(ap[0:4]))
			c00 = v0.MulAdd(x0, c00)
			c01 = v0.MulAdd(x1, c01)
			c10 = v1.MulAdd(x0, c10)
			c11 = v1.MulAdd(x1, c11)
			c20 = v2.MulAdd(x0, c20)
			c21 = v2.MulAdd(x1, c21)
			c30 = v3.MulAdd(x0, c30)
			c31 = v3.MulAdd(x1, c31)
			ap, p0, p1 = ap[4:], p0[4:], p1[4:]
		}
		k := kb * 4
		storeRow4(out, k*ldo, ldt, c00)
		storeRow4(out, k*ldo+ldb, ldt, c01)
		storeRow4(out, (k+1)*ldo, ldt, c10)
		storeRow4(out, (k+1)*ldo+ldb, ldt, c11)
		storeRow4(out, (k+2)*ldo, ldt, c20)
		storeRow4(out, (k+2)*ldo+ldb, ldt, c21)
		storeRow4(out, (k+3)*ldo, ldt, c30)
		storeRow4(out, (k+3)*ldo+ldb, ldt, c31)
	}
}

// gemmBlockVec is gemmSIMD for a single column block (b holds it; out
// starts at its column 0), with a 4x4 kernel in archsimd.
func gemmBlockVec(out, a, bt []float32, K, C, ldo, ldt int) {
	n := C * 4
	bt = bt[:n]
	for kb := 0; kb < K/4; kb++ {
		ap := a[kb*n : kb*n+n]
		p0 := bt
		var c0, c1, c2, c3 archsimd.Float32x4
		for len(ap) >= 4 && len(p0) >= 4 {
			x0 := archsimd.LoadFloat32x4Array((*[4]float32)(p0[0:4]))
			v0, v1, v2, v3 := bcast4((*[4]float32)(ap[0:4]))
			c0 = v0.MulAdd(x0, c0)
			c1 = v1.MulAdd(x0, c1)
			c2 = v2.MulAdd(x0, c2)
			c3 = v3.MulAdd(x0, c3)
			ap, p0 = ap[4:], p0[4:]
		}
		k := kb * 4
		storeRow4(out, k*ldo, ldt, c0)
		storeRow4(out, (k+1)*ldo, ldt, c1)
		storeRow4(out, (k+2)*ldo, ldt, c2)
		storeRow4(out, (k+3)*ldo, ldt, c3)
	}
}

// storeRow4 stores v's four lanes at out[o], out[o+ld], out[o+2ld],
// out[o+3ld]: one vector store when they are adjacent.
func storeRow4(out []float32, o, ld int, v archsimd.Float32x4) {
	if ld == 1 {
		v.StoreArray((*[4]float32)(out[o : o+4]))
		return
	}
	var t [4]float32
	v.StoreArray(&t)
	r := out[o : o+3*ld+1 : o+3*ld+1]
	r[0], r[ld], r[2*ld], r[3*ld] = t[0], t[1], t[2], t[3]
}
