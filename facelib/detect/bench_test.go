package detect_test

import (
	"fmt"
	"image"
	"math"
	"testing"

	"github.com/facewatch/facewatch/facelib/detect"
)

// BenchmarkDetect runs Detect on a 640x480 frame (four faces) at several
// MinSize values; BenchmarkPigo runs raw pigo (RunCascade +
// ClusterDetections) with the same parameters for comparison.
func BenchmarkDetect(b *testing.B) {
	c := cascade(b)
	g := frame640(b)
	for _, minSize := range []int{40, 60, 100} {
		b.Run(fmt.Sprintf("MinSize=%d", minSize), func(b *testing.B) {
			p := detect.DefaultParams()
			p.MinSize = minSize
			d, err := detect.New(c, p)
			if err != nil {
				b.Fatal(err)
			}
			dst, _ := d.Detect(g, nil)
			b.ResetTimer()
			for b.Loop() {
				dst, _ = d.Detect(g, dst)
			}
			b.ReportMetric(float64(len(dst)), "faces")
		})
	}
}

func BenchmarkPigo(b *testing.B) {
	pg := unpackPigo(b)
	g := frame640(b)
	for _, minSize := range []int{40, 60, 100} {
		b.Run(fmt.Sprintf("MinSize=%d", minSize), func(b *testing.B) {
			p := detect.DefaultParams()
			p.MinSize = minSize
			var n int
			for b.Loop() {
				_, clusters := pigoRun(pg, g, p)
				n = len(clusters)
			}
			b.ReportMetric(float64(n), "clusters")
		})
	}
}

func BenchmarkCandidates(b *testing.B) {
	g := frame640(b)
	d, err := detect.New(cascade(b), detect.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	dst, _ := d.Candidates(g, nil)
	for b.Loop() {
		dst, _ = d.Candidates(g, dst)
	}
}

func BenchmarkParseCascade(b *testing.B) {
	data := assetsFaceFinder()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := detect.ParseCascade(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGrayFrom(b *testing.B) {
	src := decode(b, "faceapi-sample6.jpg") // *image.YCbCr
	r := image.Rect(0, 0, 640, 480)
	rgba := image.NewRGBA(r)
	scaleImage(rgba, src)
	nrgba := &image.NRGBA{Pix: rgba.Pix, Stride: rgba.Stride, Rect: r}
	ycc := src.(*image.YCbCr).SubImage(r)
	buf := make([]uint8, 640*480)
	for _, tc := range []struct {
		name string
		img  image.Image
	}{{"RGBA", rgba}, {"NRGBA", nrgba}, {"YCbCr", ycc}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(640 * 480)
			for b.Loop() {
				_ = detect.GrayFrom(tc.img, buf)
			}
		})
	}
	b.Run("RGBA-raw", func(b *testing.B) {
		b.SetBytes(640 * 480)
		for b.Loop() {
			if _, err := detect.GrayFromRGBA(rgba.Pix, 640, 480, rgba.Stride, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRotated compares, on the 640x480 frame with DefaultParams,
// upright Detect, one DetectRotated scan at 15° and 45°, and the
// DefaultAngles sweep (7 scans).
func BenchmarkRotated(b *testing.B) {
	g := frame640(b)
	d, err := detect.New(cascade(b), detect.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]detect.Face, 0, 64)
	for _, tc := range []struct {
		name string
		run  func() ([]detect.Face, error)
	}{
		{"Detect", func() ([]detect.Face, error) { return d.Detect(g, dst) }},
		{"DetectRotated=15deg", func() ([]detect.Face, error) { return d.DetectRotated(g, 15*math.Pi/180, dst) }},
		{"DetectRotated=45deg", func() ([]detect.Face, error) { return d.DetectRotated(g, 45*math.Pi/180, dst) }},
		{"DetectAngles=Default", func() ([]detect.Face, error) { return d.DetectAngles(g, detect.DefaultAngles(), dst) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var err error
			if dst, err = tc.run(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = tc.run()
			}
			b.ReportMetric(float64(len(dst)), "faces")
		})
	}
}
