package embed

import (
	"os"
	"testing"
)

// BenchmarkStage times each stage of the forward pass on its own (single
// thread): preprocessing, every convolution layer (named as in the weights
// manifest, with its algorithm), pooling and the head. Their sum is about
// BenchmarkEmbed.
func BenchmarkStage(b *testing.B) {
	manifest, err := os.ReadFile("../../assets/models/face_recognition_model-weights_manifest.json")
	if err != nil {
		b.Fatal(err)
	}
	weights, err := os.ReadFile("../../assets/models/face_recognition_model.bin")
	if err != nil {
		b.Fatal(err)
	}
	m, err := Load(manifest, weights)
	if err != nil {
		b.Fatal(err)
	}
	w := m.NewWorkspace()
	pix := make([]byte, 4*ChipSize*ChipSize)
	for i := range pix {
		pix[i] = byte(i * 7)
	}
	w.preprocess(pix, 4*ChipSize)
	w.forward() // fill every buffer with real activations
	kinds := map[convKind]string{kindDirect: "direct", kindWino4: "F4x4", kindWino2: "F2x2", kindWino6: "F6x6", kindWino54: "F5x5_4x4"}
	b.Run("preprocess", func(b *testing.B) {
		for b.Loop() {
			w.preprocess(pix, 4*ChipSize)
		}
	})
	run := func(c *conv, ep epilogue) {
		b.Run(c.name+"/"+kinds[c.kind], func(b *testing.B) {
			for b.Loop() {
				w.conv(c, w.a, ep)
			}
		})
	}
	// Inputs are whatever the buffers hold; timing does not depend on values.
	st := m.stem
	b.Run(st.name+"/"+kinds[st.kind], func(b *testing.B) {
		for b.Loop() {
			w.conv(st, w.in, epilogue{dst: w.stem, dh: st.outH, dw: st.outW, relu: true})
		}
	})
	b.Run("maxpool", func(b *testing.B) {
		for b.Loop() {
			maxPool3s2(w.a, w.stem, w.row, st.cout, st.outH, st.outW, (st.outH-3)/2+1)
		}
	})
	for _, blk := range m.blocks {
		for _, c := range []*conv{blk.conv1, blk.conv2} {
			run(c, epilogue{dst: w.t, dh: c.outH, dw: c.outW, relu: true})
		}
	}
	b.Run("head", func(b *testing.B) {
		for b.Loop() {
			w.head(2)
		}
	})
}
