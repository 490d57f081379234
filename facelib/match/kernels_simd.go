//go:build goexperiment.simd && (amd64 || wasm)

package match

import (
	"runtime"

	"simd/archsimd"
)

// simdKernels reports whether the archsimd kernels run: always on js/wasm
// (SIMD128), on amd64 where the CPU has AVX.
var simdKernels = runtime.GOARCH == "wasm" || cpuHasAVX()

// sqDistArr is sqDistArrGo with Float32x4 vectors: lane j is the scalar
// code's accumulator s_j (components 8i+j and 8i+j+4), summed the same
// way, so the result is the same bit for bit.
func sqDistArr(x, y *[Dim]float32) float32 {
	if !simdKernels {
		return sqDistArrGo(x, y)
	}
	var s archsimd.Float32x4
	for i := 0; i < Dim; i += 8 {
		lo := ld4(x, i).Sub(ld4(y, i))
		hi := ld4(x, i+4).Sub(ld4(y, i+4))
		s = s.Add(lo.Mul(lo).Add(hi.Mul(hi)))
	}
	return hsum(s)
}

// dotArr is dotArrGo with Float32x4 vectors, in the same way.
func dotArr(x, y *[Dim]float32) float32 {
	if !simdKernels {
		return dotArrGo(x, y)
	}
	var s archsimd.Float32x4
	for i := 0; i < Dim; i += 8 {
		s = s.Add(ld4(x, i).Mul(ld4(y, i)).Add(ld4(x, i+4).Mul(ld4(y, i+4))))
	}
	return hsum(s)
}

func ld4(x *[Dim]float32, i int) archsimd.Float32x4 {
	return archsimd.LoadFloat32x4Array((*[4]float32)(x[i : i+4]))
}

// hsum is (s0 + s1) + (s2 + s3), as the scalar kernels end.
func hsum(s archsimd.Float32x4) float32 {
	var t [4]float32
	s.StoreArray(&t)
	return (t[0] + t[1]) + (t[2] + t[3])
}
