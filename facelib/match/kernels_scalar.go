//go:build !(goexperiment.simd && (amd64 || wasm))

package match

// simdKernels reports whether the archsimd kernels run; this is the plain
// Go build (see kernels_simd.go).
const simdKernels = false

func sqDistArr(x, y *[Dim]float32) float32 { return sqDistArrGo(x, y) }

func dotArr(x, y *[Dim]float32) float32 { return dotArrGo(x, y) }
