package align

import (
	"fmt"
	"image"
	"image/draw"
	"math"
	"testing"

	"github.com/facewatch/facewatch/facelib/detect"
)

// BenchmarkLocate measures one face (pigo-sample.jpg, a 225 px box) at 15,
// 31 and 63 perturbations, pupils only and pupils plus 15 landmarks, and at
// 31 perturbations as a face rolled by 30°.
func BenchmarkLocate(b *testing.B) {
	g := detect.GrayFrom(loadRGBA(b, "pigo-sample.jpg"), nil)
	for _, lm := range []bool{false, true} {
		for _, n := range []int{15, 31, 63} {
			name := fmt.Sprintf("pupils/n%d", n)
			if lm {
				name = fmt.Sprintf("landmarks/n%d", n)
			}
			locateBench(b, name, g, detect.Face{Row: 204, Col: 154, Size: 225}, n, lm)
		}
	}
	// A rolled face costs the turned pixel reads (the photo is upright, so
	// the search runs on the same pixels; only the cost is of interest).
	for _, lm := range []bool{false, true} {
		name := "pupils/n31/rolled30"
		if lm {
			name = "landmarks/n31/rolled30"
		}
		locateBench(b, name, g, detect.Face{Row: 204, Col: 154, Size: 225, Angle: math.Pi / 6}, 31, lm)
	}
}

func locateBench(b *testing.B, name string, g detect.Gray, f detect.Face, n int, lm bool) {
	b.Run(name, func(b *testing.B) {
		a := newAligner(b, Options{Perturbations: n, Landmarks: lm, Seed: 1})
		var r Result
		b.ReportAllocs()
		for b.Loop() {
			if err := a.Locate(g, f, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWarp measures one 150x150 chip from a 512x512 image (astronaut,
// eye distance 43 px, so the chip enlarges) and from a 2x enlarged copy
// (eye distance 87 px, the chip shrinks it and supersamples 2x2), per source
// type.
func BenchmarkWarp(b *testing.B) {
	src := loadRGBA(b, "astronaut.png")
	l, r := Point{203.8, 100.9}, Point{246.8, 103.2}
	big := image.NewRGBA(image.Rect(0, 0, 1024, 1024))
	for y := 0; y < 1024; y++ {
		for x := 0; x < 1024; x++ {
			copy(big.Pix[y*big.Stride+4*x:], src.Pix[(y/2)*src.Stride+4*(x/2):][:4])
		}
	}
	nrgba := image.NewNRGBA(src.Rect)
	draw.Draw(nrgba, nrgba.Rect, src, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(src.Rect, image.YCbCrSubsampleRatio420)
	for y := 0; y < 512; y++ {
		for x := 0; x < 512; x++ {
			c := src.RGBAAt(x, y)
			yy, cb, cr := colorToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)] = yy
			ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = cb, cr
		}
	}
	tr := ChipTransform(l, r, ChipSize, ChipPadding)
	tr2 := ChipTransform(Point{2 * l.X, 2 * l.Y}, Point{2 * r.X, 2 * r.Y}, ChipSize, ChipPadding)
	chip := newChip(ChipSize)
	frame := Frame{Pix: src.Pix, Width: 512, Height: 512, Stride: src.Stride}
	cases := []struct {
		name string
		run  func() error
	}{
		{"RGBA", func() error { return tr.Warp(chip, src) }},
		{"Frame", func() error { return tr.WarpFrame(chip, frame) }},
		{"NRGBA", func() error { return tr.Warp(chip, nrgba) }},
		{"YCbCr", func() error { return tr.Warp(chip, ycc) }},
		{"generic", func() error { return tr.Warp(chip, plainImage{src}) }},
		{"RGBA-shrink2x", func() error { return tr2.Warp(chip, big) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseCascade(b *testing.B) {
	data := puplocBytes(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parseCascade(data); err != nil {
			b.Fatal(err)
		}
	}
}
