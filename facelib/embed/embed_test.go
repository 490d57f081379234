package embed_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/embed"
	"github.com/facewatch/facewatch/facelib/match"
)

const (
	modelDir = "../../assets/models"
	chipDir  = "../../assets/testdata/chips"
)

var (
	modelOnce sync.Once
	model     *embed.Model
	modelErr  error
)

func readModelFiles(tb testing.TB) (manifest, weights []byte) {
	tb.Helper()
	manifest, err := os.ReadFile(filepath.Join(modelDir, "face_recognition_model-weights_manifest.json"))
	if err != nil {
		tb.Fatal(err)
	}
	weights, err = os.ReadFile(filepath.Join(modelDir, "face_recognition_model.bin"))
	if err != nil {
		tb.Fatal(err)
	}
	return manifest, weights
}

func loadModel(tb testing.TB) *embed.Model {
	tb.Helper()
	modelOnce.Do(func() {
		manifest, weights := readModelFiles(tb)
		model, modelErr = embed.Load(manifest, weights)
	})
	if modelErr != nil {
		tb.Fatal(modelErr)
	}
	return model
}

type golden struct {
	Backend string `json:"backend"`
	Chips   []struct {
		File       string    `json:"file"`
		SHA256     string    `json:"sha256"`
		Descriptor []float64 `json:"descriptor"`
	} `json:"chips"`
}

func readGolden(tb testing.TB) golden {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(chipDir, "golden.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		tb.Fatal(err)
	}
	if len(g.Chips) < 5 {
		tb.Fatalf("golden.json has %d chips, want at least 5", len(g.Chips))
	}
	return g
}

// readChip decodes a chip PNG into an *image.RGBA and returns its sha256.
func readChip(tb testing.TB, name string) (*image.RGBA, string) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(chipDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(b)
	f, err := os.Open(filepath.Join(chipDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	return rgba, hex.EncodeToString(sum[:])
}

// compare returns the largest absolute difference and the cosine similarity.
func compare(got embed.Descriptor, want []float64) (maxAbs, cosine float64) {
	var dot, ng, nw float64
	for i, w := range want {
		g := float64(got[i])
		maxAbs = max(maxAbs, math.Abs(g-w))
		dot += g * w
		ng += g * g
		nw += w * w
	}
	return maxAbs, dot / math.Sqrt(ng*nw)
}

// TestParity checks the Go forward pass against face-api's FaceRecognitionNet
// on tfjs (tools/golden.mjs) for every committed chip.
func TestParity(t *testing.T) {
	m := loadModel(t)
	g := readGolden(t)
	if g.Backend != "cpu" {
		t.Errorf("golden backend %q, want cpu", g.Backend)
	}
	ws := m.NewWorkspace()
	wsThreads := m.NewWorkspace(embed.WithThreads(3))
	worst := 0.0
	for _, c := range g.Chips {
		t.Run(c.File, func(t *testing.T) {
			img, sum := readChip(t, c.File)
			if sum != c.SHA256 {
				t.Fatalf("chip changed since golden.json was written (sha256 %s, golden has %s): run node tools/golden.mjs", sum, c.SHA256)
			}
			if len(c.Descriptor) != embed.Dim {
				t.Fatalf("golden descriptor has %d values", len(c.Descriptor))
			}
			for name, w := range map[string]*embed.Workspace{"single": ws, "threads": wsThreads} {
				d, err := w.Embed(img)
				if err != nil {
					t.Fatal(err)
				}
				maxAbs, cos := compare(d, c.Descriptor)
				worst = max(worst, maxAbs)
				if maxAbs > 1e-4 || cos < 0.99999 {
					t.Errorf("%s: max |Δ| %.3g, cosine %.8f; want ≤ 1e-4 and ≥ 0.99999", name, maxAbs, cos)
				}
			}
		})
	}
	t.Logf("worst max |Δ| over %d chips: %.3g", len(g.Chips), worst)
}

// TestEmbedStride checks that a chip inside a larger image (non-zero origin,
// wider stride) and the raw-pixel entry point give bit-identical results.
func TestEmbedStride(t *testing.T) {
	m := loadModel(t)
	g := readGolden(t)
	chip, _ := readChip(t, g.Chips[0].File)
	ws := m.NewWorkspace()
	want, err := ws.Embed(chip)
	if err != nil {
		t.Fatal(err)
	}
	big := image.NewRGBA(image.Rect(-7, -3, 200, 170))
	at := image.Rect(11, 5, 11+embed.ChipSize, 5+embed.ChipSize)
	draw.Draw(big, at, chip, image.Point{}, draw.Src)
	cases := []struct {
		name string
		run  func() (embed.Descriptor, error)
	}{
		{"SubImage", func() (embed.Descriptor, error) { return ws.Embed(big.SubImage(at).(*image.RGBA)) }},
		{"EmbedPixels", func() (embed.Descriptor, error) {
			return ws.EmbedPixels(big.Pix[big.PixOffset(at.Min.X, at.Min.Y):], big.Stride)
		}},
		{"Model.Embed", func() (embed.Descriptor, error) { return m.Embed(chip) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.run()
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("descriptor differs from the plain chip's")
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	ws := loadModel(t).NewWorkspace()
	full := make([]byte, 4*embed.ChipSize*embed.ChipSize)
	cases := []struct {
		name string
		run  func() (embed.Descriptor, error)
	}{
		{"nil image", func() (embed.Descriptor, error) { return ws.Embed(nil) }},
		{"too small", func() (embed.Descriptor, error) { return ws.Embed(image.NewRGBA(image.Rect(0, 0, 149, 150))) }},
		{"too large", func() (embed.Descriptor, error) { return ws.Embed(image.NewRGBA(image.Rect(0, 0, 150, 151))) }},
		{"empty", func() (embed.Descriptor, error) { return ws.Embed(&image.RGBA{}) }},
		{"short pixels", func() (embed.Descriptor, error) { return ws.EmbedPixels(full[:len(full)-1], 4*embed.ChipSize) }},
		{"narrow stride", func() (embed.Descriptor, error) { return ws.EmbedPixels(full, 4*embed.ChipSize-4) }},
		{"stride overruns", func() (embed.Descriptor, error) { return ws.EmbedPixels(full, 4*embed.ChipSize+4) }},
		{"nil pixels", func() (embed.Descriptor, error) { return ws.EmbedPixels(nil, 4*embed.ChipSize) }},
		{"huge stride", func() (embed.Descriptor, error) { return ws.EmbedPixels(full, math.MaxInt/100) }},
		{"max stride", func() (embed.Descriptor, error) { return ws.EmbedPixels(full, math.MaxInt) }},
		{"negative stride", func() (embed.Descriptor, error) { return ws.EmbedPixels(full, -4*embed.ChipSize) }},
		{"pixels shorter than bounds", func() (embed.Descriptor, error) {
			return ws.Embed(&image.RGBA{Pix: full[:100], Stride: 4 * embed.ChipSize, Rect: image.Rect(0, 0, 150, 150)})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.run(); !errors.Is(err, embed.ErrBadInput) {
				t.Errorf("err = %v, want ErrBadInput", err)
			}
		})
	}
	if _, err := ws.EmbedPixels(full, 4*embed.ChipSize); err != nil {
		t.Errorf("exact-size buffer: %v", err)
	}
}

// TestNoAllocs checks the per-face path allocates nothing, single-threaded
// and with helper goroutines.
func TestNoAllocs(t *testing.T) {
	m := loadModel(t)
	chip, _ := readChip(t, readGolden(t).Chips[0].File)
	for _, threads := range []int{1, 2} {
		ws := m.NewWorkspace(embed.WithThreads(threads))
		if _, err := ws.Embed(chip); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(3, func() { _, _ = ws.Embed(chip) }); n != 0 {
			t.Errorf("threads %d: %v allocations per embedding, want 0", threads, n)
		}
	}
}

// TestConcurrent embeds from several goroutines through Model.Embed's pool and
// per-goroutine workspaces; every result must equal the sequential one.
func TestConcurrent(t *testing.T) {
	m := loadModel(t)
	g := readGolden(t)
	var chips []*image.RGBA
	var want []embed.Descriptor
	ws := m.NewWorkspace()
	for _, c := range g.Chips[:3] {
		img, _ := readChip(t, c.File)
		d, err := ws.Embed(img)
		if err != nil {
			t.Fatal(err)
		}
		chips, want = append(chips, img), append(want, d)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := m.NewWorkspace()
			for j := range chips {
				k := (i + j) % len(chips)
				var d embed.Descriptor
				var err error
				if i%2 == 0 {
					d, err = m.Embed(chips[k])
				} else {
					d, err = own.Embed(chips[k])
				}
				if err != nil || d != want[k] {
					errs <- "goroutine result differs"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestPeakHeap measures the Go heap of a loaded model and workspace while
// embedding; the browser build must stay well inside 64 MB.
func TestPeakHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a second model")
	}
	manifest, weights := readModelFiles(t)
	chip, _ := readChip(t, readGolden(t).Chips[0].File)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m, err := embed.Load(manifest, weights)
	if err != nil {
		t.Fatal(err)
	}
	ws := m.NewWorkspace()
	if _, err := ws.Embed(chip); err != nil {
		t.Fatal(err)
	}
	// Embedding allocates nothing (TestNoAllocs), so the heap while
	// embedding is the live model and workspace.
	runtime.GC()
	runtime.ReadMemStats(&after)
	live := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	total := after.TotalAlloc - before.TotalAlloc
	t.Logf("model + workspace live while embedding: %.1f MB (Load, NewWorkspace and Embed allocated %.1f MB in total)",
		float64(live)/(1<<20), float64(total)/(1<<20))
	if live > 64<<20 {
		t.Errorf("model + workspace hold %d bytes, want ≤ 64 MB", live)
	}
	runtime.KeepAlive(ws)
	runtime.KeepAlive(m)
}

func TestDescriptorNormalized(t *testing.T) {
	m := loadModel(t)
	g := readGolden(t)
	for _, c := range g.Chips {
		img, _ := readChip(t, c.File)
		d, err := m.Embed(img)
		if err != nil {
			t.Fatal(err)
		}
		var want float64
		for _, v := range c.Descriptor {
			want += v * v
		}
		want = math.Sqrt(want)
		if got := float64(d.Norm()); math.Abs(got-want) > 1e-4 {
			t.Errorf("%s: Norm %v, golden norm %v", c.File, got, want)
		}
		u, err := d.Normalized()
		if err != nil {
			t.Fatal(err)
		}
		if n := u.Norm(); math.Abs(float64(n)-1) > 1e-6 {
			t.Errorf("%s: Normalized has norm %v", c.File, n)
		}
	}
	var zero embed.Descriptor
	if _, err := zero.Normalized(); !errors.Is(err, match.ErrBadEmbedding) {
		t.Errorf("zero descriptor normalised: %v, want match.ErrBadEmbedding", err)
	}
}

// TestThreadsStop checks that a dropped Workspace's helper goroutines end.
func TestThreadsStop(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("WithThreads starts no goroutines under wasm")
	}
	m := loadModel(t)
	chip, _ := readChip(t, readGolden(t).Chips[0].File)
	// Workspaces of earlier tests may still be stopping their helpers:
	// count once the number has settled.
	before := runtime.NumGoroutine()
	for range 50 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n >= before {
			break
		}
		before = n
	}
	func() {
		ws := m.NewWorkspace(embed.WithThreads(4))
		if _, err := ws.Embed(chip); err != nil {
			t.Fatal(err)
		}
		if n := runtime.NumGoroutine(); n < before+3 {
			t.Fatalf("%d goroutines with a 4-thread workspace, had %d before", n, before)
		}
	}()
	for range 50 {
		runtime.GC()
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines after the workspace was dropped, want ≤ %d", runtime.NumGoroutine(), before)
}
