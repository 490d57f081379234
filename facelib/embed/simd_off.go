//go:build !(goexperiment.simd && (amd64 || wasm))

package embed

// simdKernels reports whether this build runs the archsimd kernels; this
// one is the plain Go build (see simd_on.go).
const simdKernels = false

func gemm(out, a, b []float32, K, C, T, ldo, ldt int) {
	gemmGo(out, a, b, K, C, T, ldo, ldt)
}

func (w *Workspace) winoInSIMD(lo, hi int) bool      { return false }
func (w *Workspace) winoGemmOutSIMD(lo, hi int) bool { return false }
