//go:build goexperiment.simd && (amd64 || wasm)

package match

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelsSIMDMatchScalar checks the vector distance and dot product
// against the scalar kernels bit for bit, on random rows and on extreme
// ones (huge, tiny, zero, negative zero).
func TestKernelsSIMDMatchScalar(t *testing.T) {
	if !simdKernels {
		t.Skip("CPU lacks AVX: the scalar kernels run")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var x, y [Dim]float32
	for n := range 2000 {
		for i := range x {
			switch n % 4 {
			case 0:
				x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			case 1:
				x[i], y[i] = float32(rng.NormFloat64()*1e18), float32(rng.NormFloat64()*1e-18)
			case 2:
				x[i], y[i] = 0, float32(math.Copysign(0, -1))
			default:
				x[i], y[i] = float32(rng.Float64()), x[i]
			}
		}
		if a, b := sqDistArr(&x, &y), sqDistArrGo(&x, &y); math.Float32bits(a) != math.Float32bits(b) {
			t.Fatalf("case %d: sqDist %v, scalar %v", n, a, b)
		}
		if a, b := dotArr(&x, &y), dotArrGo(&x, &y); math.Float32bits(a) != math.Float32bits(b) {
			t.Fatalf("case %d: dot %v, scalar %v", n, a, b)
		}
	}
}
