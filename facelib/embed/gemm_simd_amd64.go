//go:build goexperiment.simd

package embed

// On amd64 the archsimd kernels compile to tight AVX loops as they are.

func gemmPair(out, a, b []float32, K, C, ldo, ldb, ldt int) {
	gemmPairVec(out, a, b, K, C, ldo, ldb, ldt)
}

func gemmBlock(out, a, b []float32, K, C, ldo, ldt int) {
	gemmBlockVec(out, a, b, K, C, ldo, ldt)
}
