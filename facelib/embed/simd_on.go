//go:build goexperiment.simd && (amd64 || wasm)

package embed

import (
	"runtime"
)

// simdKernels reports whether the archsimd kernels run. Under
// GOEXPERIMENT=simd they are compiled for js/wasm (SIMD128, which every
// engine that runs this build supports: a browser without it cannot even
// compile the module, so the page loads the scalar build there) and amd64,
// where they need AVX2 and FMA at run time; without them the scalar code
// runs.
var simdKernels = runtime.GOARCH == "wasm" || cpuHasAVX2FMA()

func gemm(out, a, b []float32, K, C, T, ldo, ldt int) {
	if simdKernels {
		gemmSIMD(out, a, b, K, C, T, ldo, 4*ldt, ldt)
		return
	}
	gemmGo(out, a, b, K, C, T, ldo, ldt)
}
