package align

import (
	"image"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"testing"
)

// Test data lives in the module's assets directory; tests read it from disk
// (facelib itself never does I/O).
const assetsDir = "../../assets"

func readAsset(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(assetsDir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("reading test asset: %v", err)
	}
	return b
}

func puplocBytes(t testing.TB) []byte { return readAsset(t, "cascades/puploc") }

func lpsBytes(t testing.TB) map[string][]byte {
	m := make(map[string][]byte)
	for _, n := range LandmarkCascades {
		m[n] = readAsset(t, "cascades/lps/"+n)
	}
	return m
}

// loadRGBA decodes a test image into an *image.RGBA with origin (0, 0).
func loadRGBA(t testing.TB, name string) *image.RGBA {
	t.Helper()
	f, err := os.Open(filepath.Join(assetsDir, "testdata", name))
	if err != nil {
		t.Fatalf("opening test image: %v", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}

// toGray converts with pigo's weights (0.299, 0.587, 0.114).
func toGray(m *image.RGBA) gray {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	g := gray{pix: make([]uint8, w*h), w: w, h: h, stride: w}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p := m.Pix[y*m.Stride+4*x:]
			g.pix[y*w+x] = uint8((0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])) * 257 / 256)
		}
	}
	return g
}
