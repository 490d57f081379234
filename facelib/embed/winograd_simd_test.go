//go:build goexperiment.simd && (amd64 || wasm)

package embed

import (
	"math/rand/v2"
	"os"
	"testing"
)

func loadInternal(t testing.TB) *Model {
	t.Helper()
	manifest, err := os.ReadFile("../../assets/models/face_recognition_model-weights_manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	weights, err := os.ReadFile("../../assets/models/face_recognition_model.bin")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(manifest, weights)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWinogradSIMDMatchesScalar checks the vector input and output
// transforms against the scalar ones, bit for bit, on every 8x8-tile layer
// of the real network (edge tiles, padding tiles, the stem's F(5x5,4x4) and
// the blocks' F(6x6,3x3)), with random activations and the three epilogues
// (ReLU, residual, plain).
func TestWinogradSIMDMatchesScalar(t *testing.T) {
	if !simdKernels {
		t.Skip("CPU lacks AVX2+FMA: the scalar kernels run")
	}
	m := loadInternal(t)
	rng := rand.New(rand.NewPCG(3, 4))
	convs := []*conv{m.stem}
	for _, b := range m.blocks {
		convs = append(convs, b.conv1, b.conv2)
	}
	tested := map[int]int{}
	for _, c := range convs {
		if c.wa == 0 {
			continue // a direct layer
		}
		tested[c.wa]++
		n := c.wa * c.wa
		x := make([]float32, c.cin*c.inH*c.inW)
		for i := range x {
			x[i] = rng.Float32()*4 - 2
		}
		want := make([]float32, n*c.cin*c.tpad)
		got := make([]float32, len(want))
		if c.wa != 8 {
			continue // scalar transforms only
		}
		winoIn8(want, x, c, 0, c.cin)
		winoIn8SIMD(got, x, c, 0, c.cin)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: input transform V[%d] = %v, scalar %v", c.name, i, got[i], want[i])
			}
		}
		// M in the scalar layout [k][t][ξ] and the vector one [k][t/4][ξ][4].
		ms := make([]float32, n*c.cout*c.tpad)
		mv := make([]float32, len(ms))
		for k := range c.cout {
			for tt := range c.tpad {
				for xi := range n {
					v := rng.Float32()*4 - 2
					ms[(k*c.tpad+tt)*n+xi] = v
					mv[k*c.tpad*n+(tt/4)*4*n+xi*4+tt%4] = v
				}
			}
		}
		size := c.cout * c.outH * c.outW
		res := make([]float32, size)
		for i := range res {
			res[i] = rng.Float32()*4 - 2
		}
		bias := make([]float32, c.cout)
		for i := range bias {
			bias[i] = rng.Float32() - 0.5
		}
		for _, mode := range []string{"relu", "residual", "plain"} {
			ew := epilogue{dst: make([]float32, size), dh: c.outH, dw: c.outW, bias: bias, relu: mode == "relu"}
			eg := ew
			eg.dst = make([]float32, size)
			if mode == "residual" {
				ew.res, eg.res = res, res
			}
			if c.kind == kindWino54 {
				winoOut85(ms, c, &ew, 0, c.cout)
			} else {
				winoOut8(ms, c, &ew, 0, c.cout)
			}
			winoOut8SIMD(mv, c, &eg, 0, c.cout, c.wm)
			for i := range ew.dst {
				if eg.dst[i] != ew.dst[i] {
					t.Fatalf("%s %s: output[%d] = %v, scalar %v", c.name, mode, i, eg.dst[i], ew.dst[i])
				}
			}
		}
	}
	if tested[8] < 2 {
		t.Fatalf("Winograd layers by tile size: %v; want the 8x8-tile ones", tested)
	}
}

// BenchmarkKernels times the forward pass with the vector kernels and, in
// the same binary and run, with the scalar ones, so the two can be compared
// under the same load.
func BenchmarkKernels(b *testing.B) {
	if !simdKernels {
		b.Skip("CPU lacks AVX2+FMA: the scalar kernels run")
	}
	m := loadInternal(b)
	w := m.NewWorkspace()
	pix := make([]byte, 4*ChipSize*ChipSize)
	for i := range pix {
		pix[i] = byte(i * 7)
	}
	defer func() { simdKernels = true }()
	for _, on := range []bool{true, false} {
		name := "scalar"
		if on {
			name = "simd"
		}
		b.Run(name, func(b *testing.B) {
			simdKernels = on
			for b.Loop() {
				if _, err := w.EmbedPixels(pix, 4*ChipSize); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
