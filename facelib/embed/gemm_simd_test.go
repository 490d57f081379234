//go:build goexperiment.simd && (amd64 || wasm)

package embed

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestGemmSIMDMatchesScalar runs the archsimd GEMM against the plain Go one
// on every shape class the network uses (even and odd numbers of column
// blocks, channel counts with and without a remainder of the 8-way unroll,
// strided and contiguous output). Under wasm the two must agree bit for bit
// (a multiply then an add in the same order); on amd64 the vector code
// fuses them, so it must agree to float32 rounding.
func TestGemmSIMDMatchesScalar(t *testing.T) {
	if !simdKernels {
		t.Skip("CPU lacks AVX2+FMA: the scalar kernels run")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range []struct{ K, C, T, ldt int }{
		{4, 1, 4, 1}, {4, 3, 8, 1}, {8, 12, 12, 1}, {32, 27, 20, 36},
		{64, 64, 44, 64}, {128, 130, 16, 1}, {16, 9, 4, 16},
	} {
		a := make([]float32, s.K*s.C, s.K*s.C+packSlack)
		b := make([]float32, s.T*s.C)
		for i := range a {
			a[i] = rng.Float32()*2 - 1
		}
		for i := range b {
			b[i] = rng.Float32()*2 - 1
		}
		ldo := s.T * s.ldt
		want := make([]float32, s.K*ldo)
		got := make([]float32, s.K*ldo)
		gemmGo(want, a, b, s.K, s.C, s.T, ldo, s.ldt)
		gemmSIMD(got, a, b, s.K, s.C, s.T, ldo, 4*s.ldt, s.ldt)
		for i := range want {
			d := math.Abs(float64(got[i] - want[i]))
			if runtime.GOARCH == "wasm" && got[i] != want[i] || d > 1e-5*float64(s.C) {
				t.Fatalf("%+v: out[%d] = %v, scalar %v", s, i, got[i], want[i])
			}
		}
	}
}

// BenchmarkGemm times both GEMMs on one ξ plane of each kind of layer the
// network runs, with the layouts the layers use: the stem and the 32- and
// 64-channel F(6x6,3x3) layers (column blocks 4·64 apart, four adjacent
// columns), the 128- and 256-channel F(4x4)/F(2x2) ones (one column block,
// columns 36 and 16 apart) and a strided direct layer (im2col, 1152 rows).
func BenchmarkGemm(b *testing.B) {
	for _, s := range []struct {
		name            string
		K, C, T, ldb, l int
	}{
		{"stem", 32, 12, 228, 256, 1}, {"wino32", 32, 32, 36, 256, 1}, {"wino64", 64, 64, 12, 256, 1},
		{"wino128", 128, 128, 4, 144, 36}, {"wino256", 256, 256, 4, 64, 16}, {"direct256", 256, 1152, 12, 4, 1},
	} {
		a := make([]float32, s.K*s.C, s.K*s.C+packSlack)
		bb := make([]float32, s.T*s.C)
		ldo := s.T / 4 * s.ldb
		out := make([]float32, s.K*ldo)
		for i := range a {
			a[i] = float32(i%7) - 3
		}
		for i := range bb {
			bb[i] = float32(i%5) - 2
		}
		for _, k := range []struct {
			name string
			fn   func()
		}{
			{"go", func() { gemmGo(out, a, bb, s.K, s.C, s.T, ldo, s.ldb/4) }},
			{"simd", func() { gemmSIMD(out, a, bb, s.K, s.C, s.T, ldo, s.ldb, s.l) }},
		} {
			b.Run(s.name+"/"+k.name, func(b *testing.B) {
				for b.Loop() {
					k.fn()
				}
				b.ReportMetric(float64(s.K*s.C*s.T)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
			})
		}
	}
}
