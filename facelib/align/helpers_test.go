package align

import (
	"image"
	"image/color"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/facewatch/facewatch/internal/fixture"

	"github.com/facewatch/facewatch/facelib/detect"
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

var (
	imgMu    sync.Mutex
	imgCache = map[string]*image.RGBA{}
	grayMemo = map[*image.RGBA]detect.Gray{}
)

// loadRGBA decodes a test image into an *image.RGBA with origin (0, 0). The
// result is cached and shared: callers must not modify it.
func loadRGBA(t testing.TB, name string) *image.RGBA {
	t.Helper()
	imgMu.Lock()
	defer imgMu.Unlock()
	if m, ok := imgCache[name]; ok {
		return m
	}
	out := fixture.MustRGBA(t, name)
	imgCache[name] = out
	return out
}

// grayOf returns detect.GrayFrom(m), once per image.
func grayOf(m *image.RGBA) detect.Gray {
	imgMu.Lock()
	defer imgMu.Unlock()
	if g, ok := grayMemo[m]; ok {
		return g
	}
	g := detect.GrayFrom(m, nil)
	grayMemo[m] = g
	return g
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

func newChip(size int) *image.RGBA { return image.NewRGBA(image.Rect(0, 0, size, size)) }

func colorToYCbCr(r, g, b uint8) (uint8, uint8, uint8) { return color.RGBToYCbCr(r, g, b) }
