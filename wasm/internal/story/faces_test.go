package story

import (
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/internal/fixture"
)

var (
	modelsOnce sync.Once
	models     *facelib.Pipeline
	modelsErr  error
)

// realModels loads the bundled cascades and weights once per test run.
func realModels(t testing.TB) *facelib.Pipeline {
	t.Helper()
	modelsOnce.Do(func() {
		models, modelsErr = facelib.New(facelib.Options{Models: assets.Models()})
	})
	if modelsErr != nil {
		t.Fatal(modelsErr)
	}
	return models
}

func testdata(name string) string { return filepath.Join("..", "..", "..", "assets", "testdata", name) }

func loadRGBA(t testing.TB, name string) *image.RGBA {
	t.Helper()
	return fixture.MustRGBA(t, name)
}

// onGrey places img, scaled by s (nearest neighbour), at (x, y) on a
// 640x480 grey frame: the way the fake camera shows the test faces.
func onGrey(img *image.RGBA, s float64, x, y int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, 640, 480))
	draw.Draw(out, out.Bounds(), &image.Uniform{color.RGBA{0x8c, 0x8c, 0x8c, 255}}, image.Point{}, draw.Src)
	w, h := int(float64(img.Bounds().Dx())*s), int(float64(img.Bounds().Dy())*s)
	for j := 0; j < h && y+j < 480; j++ {
		for i := 0; i < w && x+i < 640; i++ {
			out.Set(x+i, y+j, img.At(int(float64(i)/s), int(float64(j)/s)))
		}
	}
	return out
}

func truth(t *testing.T, file string) []fixture.Face {
	t.Helper()
	faces, ok := fixture.MustTruth(t).Faces(file)
	if !ok {
		t.Fatalf("%s not in truth.json", file)
	}
	return faces
}

func iou(a image.Rectangle, b [4]float64) float64 { return fixture.IoU(a, b) }

// TestFacesOnLabelledPhotos runs the gallery extractor on the hand-labelled
// test photos: every face it returns must be a labelled face, most required
// faces must be found, and each comes with a chip and a valid embedding.
func TestFacesOnLabelledPhotos(t *testing.T) {
	m := realModels(t)
	x := NewExtractor()
	tests := []struct {
		file     string
		minFound float64 // share of the required faces
	}{
		{"pigo-sample.jpg", 1},
		{"astronaut.png", 1},
		{"faceapi-sample1.jpg", 0.5},
		{"faceapi-sample3.jpg", 0.5},
	}
	for _, tc := range tests {
		img := loadRGBA(t, tc.file)
		faces, chips, err := x.Faces(m, img.Pix, img.Rect.Dx(), img.Rect.Dy(), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if len(chips) != len(faces)*ChipBytes {
			t.Errorf("%s: %d chip bytes for %d faces", tc.file, len(chips), len(faces))
		}
		want := truth(t, tc.file)
		required, found := 0, 0
		for _, w := range want {
			if w.Optional {
				continue
			}
			required++
			for _, f := range faces {
				if iou(image.Rect(f.X, f.Y, f.X+f.W, f.Y+f.H), w.Box) > 0.3 {
					found++
					break
				}
			}
		}
		for i, f := range faces {
			hit := false
			for _, w := range want {
				hit = hit || iou(image.Rect(f.X, f.Y, f.X+f.W, f.Y+f.H), w.Box) > 0.3
			}
			if !hit {
				t.Errorf("%s: face %d at %+v is not a labelled face", tc.file, i, f)
			}
			if _, err := match.FromSlice(f.Embedding); err != nil {
				t.Errorf("%s: face %d: %v", tc.file, i, err)
			}
			if i > 0 && f.W > faces[i-1].W {
				t.Errorf("%s: faces not largest first", tc.file)
			}
		}
		t.Logf("%s: %d faces returned, %d of %d required faces found", tc.file, len(faces), found, required)
		if float64(found) < tc.minFound*float64(required) {
			t.Errorf("%s: found %d of %d required faces, want at least %.0f%%", tc.file, found, required, 100*tc.minFound)
		}
	}
}

func TestFacesNoFaceAndErrors(t *testing.T) {
	m := realModels(t)
	x := NewExtractor()
	grey := onGrey(image.NewRGBA(image.Rect(0, 0, 1, 1)), 1, 0, 0)
	faces, chips, err := x.Faces(m, grey.Pix, 640, 480, nil)
	if err != nil || len(faces) != 0 || len(chips) != 0 {
		t.Errorf("plain grey frame: %d faces, %d chip bytes, %v; want none", len(faces), len(chips), err)
	}
	bad := []struct {
		name string
		m    *facelib.Pipeline
		pix  []byte
		w, h int
	}{
		{"no models", nil, grey.Pix, 640, 480},
		{"short pixels", m, grey.Pix[:100], 640, 480},
		{"zero size", m, nil, 0, 0},
		{"too wide", m, make([]byte, 4*(MaxSide+1)), MaxSide + 1, 1},
	}
	for _, tc := range bad {
		if _, _, err := x.Faces(tc.m, tc.pix, tc.w, tc.h, nil); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// embedOne returns the largest face's embedding in img.
func embedOne(t *testing.T, x *Extractor, img *image.RGBA) []float32 {
	t.Helper()
	faces, _, err := x.Faces(realModels(t), img.Pix, img.Rect.Dx(), img.Rect.Dy(), nil)
	if err != nil || len(faces) == 0 {
		t.Fatalf("no face (%v)", err)
	}
	return faces[0].Embedding
}

// TestRatesOnRealFaces enrols the pigo sample as it appears in the fake
// camera (two positions and sizes on grey) and searches a gallery of the
// same photo (marked as the visitor's own), the astronaut and the faces of
// two group photos.
func TestRatesOnRealFaces(t *testing.T) {
	m := realModels(t)
	x := NewExtractor()
	pigo := loadRGBA(t, "pigo-sample.jpg")
	you := [][]float32{
		embedOne(t, x, onGrey(pigo, 0.55, 24, 130)),
		embedOne(t, x, onGrey(pigo, 0.6, 300, 120)),
	}
	gallery := []GalleryFace{{ID: "pigo", Mine: true, Embedding: embedOne(t, x, pigo)}}
	for _, file := range []string{"astronaut.png", "faceapi-sample1.jpg", "faceapi-sample3.jpg"} {
		img := loadRGBA(t, file)
		faces, _, err := x.Faces(m, img.Pix, img.Rect.Dx(), img.Rect.Dy(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range faces {
			gallery = append(gallery, GalleryFace{ID: file + "#" + string(rune('a'+i)), Embedding: f.Embedding})
		}
	}
	r, err := Rates(RatesRequest{You: you, Gallery: gallery, Threshold: match.DefaultThreshold})
	if err != nil {
		t.Fatal(err)
	}
	if r.Ranked[0].ID != "pigo" || !r.Ranked[0].Match {
		t.Fatalf("nearest face %+v, want the visitor's own photo, matched", r.Ranked[0])
	}
	if len(r.Genuine) != 2 || len(r.Impostor) != len(gallery)-1 {
		t.Fatalf("%d genuine, %d impostor scores", len(r.Genuine), len(r.Impostor))
	}
	for _, g := range r.Genuine {
		if g >= match.DefaultThreshold {
			t.Errorf("genuine distance %v ≥ 0.6", g)
		}
	}
	// FMR by recount; the nearest stranger is the smallest impostor score.
	imp := append([]float64(nil), r.Impostor...)
	sort.Float64s(imp)
	fm := sort.SearchFloat64s(imp, match.DefaultThreshold)
	if r.FalseMatches != fm || math.Abs(r.FMR-float64(fm)/float64(len(imp))) > 1e-15 || !r.FMRDefined {
		t.Errorf("FMR %v (%d), want %d of %d", r.FMR, r.FalseMatches, fm, len(imp))
	}
	if r.NearestStrangerDistance != imp[0] {
		t.Errorf("nearest stranger at %v, smallest impostor %v", r.NearestStrangerDistance, imp[0])
	}
	t.Logf("genuine %.3f; nearest stranger %s at %.3f; %d strangers", r.Genuine, r.NearestStranger, imp[0], len(imp))
	// Just above the nearest stranger's distance, that stranger is "you".
	r2, err := Rates(RatesRequest{You: you, Gallery: gallery, Threshold: imp[0] + 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	if r2.FalseMatches < 1 {
		t.Errorf("at %v no stranger matched", imp[0]+1e-6)
	}
	for _, c := range r2.Ranked {
		if c.ID == r.NearestStranger && !c.Match {
			t.Errorf("nearest stranger not matched at a threshold above its distance")
		}
	}
	if got := r.GenuineHist.Total + r.ImpostorHist.Total; got != len(gallery)+1 {
		t.Errorf("histograms hold %d scores, want %d", got, len(gallery)+1)
	}
}

func BenchmarkFaces(b *testing.B) {
	m := realModels(b)
	x := NewExtractor()
	img := loadRGBA(b, "faceapi-sample1.jpg")
	var chips []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if _, chips, err = x.Faces(m, img.Pix, img.Rect.Dx(), img.Rect.Dy(), chips[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRates(b *testing.B) {
	req := RatesRequest{Threshold: 0.6}
	for i := range 5 {
		var e [128]float32
		e[0], e[1] = 1, float32(i)*0.01
		req.You = append(req.You, e[:])
	}
	for i := range 100 {
		var e [128]float32
		e[0], e[2] = 1, float32(i)*0.01
		req.Gallery = append(req.Gallery, GalleryFace{ID: string(rune('A' + i)), Embedding: e[:]})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Rates(req); err != nil {
			b.Fatal(err)
		}
	}
}
