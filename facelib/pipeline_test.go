package facelib_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/facelib/embed"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/internal/fixture"
)

func loadImage(t testing.TB, name string) image.Image {
	t.Helper()
	return fixture.MustDecode(t, name)
}

var (
	pipeOnce sync.Once
	pipeErr  error
	models   facelib.Models
)

// newPipeline returns a pipeline with the bundled models. Loading the
// embedding weights is the slow part, so the parsed bytes are shared.
func newPipeline(t testing.TB) *facelib.Pipeline {
	t.Helper()
	pipeOnce.Do(func() { models = assets.Models() })
	p, err := facelib.New(facelib.Options{Models: models})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewErrors(t *testing.T) {
	good := assets.Models()
	tests := []struct {
		name string
		edit func(m *facelib.Models)
		want error
	}{
		{"no face finder", func(m *facelib.Models) { m.FaceFinder = nil }, facelib.ErrNoModels},
		{"truncated face finder", func(m *facelib.Models) { m.FaceFinder = m.FaceFinder[:1000] }, detect.ErrBadCascade},
		{"truncated pupil locator", func(m *facelib.Models) { m.PupilLocator = m.PupilLocator[:77] }, align.ErrBadCascade},
		{"truncated weights", func(m *facelib.Models) { m.EmbedWeights = m.EmbedWeights[:len(m.EmbedWeights)/2] }, embed.ErrBadModel},
		{"garbage manifest", func(m *facelib.Models) { m.EmbedManifest = []byte("{not json") }, embed.ErrBadModel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good
			tt.edit(&m)
			p, err := facelib.New(facelib.Options{Models: m})
			if !errors.Is(err, tt.want) || p != nil {
				t.Fatalf("New = %v, %v; want error %v", p, err, tt.want)
			}
		})
	}
}

func TestDetectWithoutOptionalModels(t *testing.T) {
	p, err := facelib.New(facelib.Options{Models: facelib.Models{FaceFinder: assets.FaceFinder()}})
	if err != nil {
		t.Fatal(err)
	}
	if p.CanAlign() || p.CanEmbed() {
		t.Fatal("pipeline claims models it was not given")
	}
	img := loadImage(t, "astronaut.png")
	faces, err := p.Detect(img)
	if err != nil || len(faces) != 1 {
		t.Fatalf("Detect = %d faces, %v; want 1", len(faces), err)
	}
	if _, err := p.Align(img, faces[0]); !errors.Is(err, facelib.ErrNoModels) {
		t.Fatalf("Align without pupil model: %v, want ErrNoModels", err)
	}
	if _, err := p.Embed(image.NewRGBA(image.Rect(0, 0, 150, 150))); !errors.Is(err, facelib.ErrNoModels) {
		t.Fatalf("Embed without weights: %v, want ErrNoModels", err)
	}
}

func TestDetectBadImages(t *testing.T) {
	p := newPipeline(t)
	for _, img := range []image.Image{nil, image.NewRGBA(image.Rect(0, 0, 0, 10))} {
		if _, err := p.Detect(img); !errors.Is(err, facelib.ErrBadImage) {
			t.Errorf("Detect(%v) error = %v, want ErrBadImage", img, err)
		}
	}
}

// TestPipelineLabelledFaces runs detect and align on the labelled photos and
// checks boxes and eyes against the hand labels.
func TestPipelineLabelledFaces(t *testing.T) {
	pipeOnce.Do(func() { models = assets.Models() })
	p, err := facelib.New(facelib.Options{Models: models, Landmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	truth := fixture.MustTruth(t)
	for _, name := range []string{"astronaut.png", "pigo-sample.jpg"} {
		t.Run(name, func(t *testing.T) {
			img := loadImage(t, name)
			faces, err := p.Detect(img)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := truth.Faces(name)
			if len(faces) != len(want) {
				t.Fatalf("%d faces, want %d", len(faces), len(want))
			}
			lf := want[0]
			f := faces[0]
			if v := fixture.IoU(f.Box, lf.Box); v < 0.5 {
				t.Errorf("IoU with the labelled box = %.2f, want ≥ 0.5 (got %v)", v, f.Box)
			}
			iod := math.Hypot(lf.EyeR[0]-lf.EyeL[0], lf.EyeR[1]-lf.EyeL[1])
			for _, c := range []struct {
				got  align.Point
				want *[2]float64
			}{{f.LeftEye, lf.EyeL}, {f.RightEye, lf.EyeR}} {
				if d := math.Hypot(c.got.X-c.want[0], c.got.Y-c.want[1]); d > 0.15*iod {
					t.Errorf("eye at %.1f,%.1f is %.1f px from the label %v (limit %.1f)", c.got.X, c.got.Y, d, c.want, 0.15*iod)
				}
			}
			if !f.EyesFound || len(f.Landmarks) != int(align.NumParts) {
				t.Errorf("EyesFound=%v, %d landmarks; want true, %d", f.EyesFound, len(f.Landmarks), align.NumParts)
			}
		})
	}
}

// TestSubImageCoordinates checks that faces in a sub-image are reported in
// the parent image's coordinates, like every image.Image operation.
func TestSubImageCoordinates(t *testing.T) {
	p := newPipeline(t)
	img := loadImage(t, "astronaut.png").(interface {
		SubImage(image.Rectangle) image.Image
	})
	full, err := p.Detect(img.(image.Image))
	if err != nil || len(full) != 1 {
		t.Fatalf("full image: %d faces, %v", len(full), err)
	}
	sub := img.SubImage(image.Rect(100, 20, 400, 320))
	faces, err := p.Detect(sub)
	if err != nil || len(faces) != 1 {
		t.Fatalf("sub-image: %d faces, %v", len(faces), err)
	}
	a, b := full[0], faces[0]
	if d := math.Hypot(a.LeftEye.X-b.LeftEye.X, a.LeftEye.Y-b.LeftEye.Y); d > 3 {
		t.Errorf("left eye moved %.1f px between full and sub-image: %v vs %v", d, a.LeftEye, b.LeftEye)
	}
	if !b.Box.In(sub.Bounds().Inset(-b.Box.Dx())) || b.Box.Min.X < 100 {
		t.Errorf("sub-image box %v not in parent coordinates (sub-image %v)", b.Box, sub.Bounds())
	}
}

func embedFirstFace(t *testing.T, p *facelib.Pipeline, img image.Image) match.Embedding {
	t.Helper()
	faces, err := p.Detect(img)
	if err != nil || len(faces) == 0 {
		t.Fatalf("no face: %v", err)
	}
	chip, err := p.Align(img, faces[0])
	if err != nil {
		t.Fatal(err)
	}
	e, err := p.Embed(chip)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func recompress(t *testing.T, img image.Image, quality int) image.Image {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	out, err := jpeg.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSameAndDifferentFaces runs the whole chain on real photos: the same
// face after a lossy re-encode and a shift must match at dlib's threshold,
// two different people must not.
func TestSameAndDifferentFaces(t *testing.T) {
	p := newPipeline(t)
	astro := loadImage(t, "astronaut.png")
	a := embedFirstFace(t, p, astro)
	shifted := image.NewRGBA(image.Rect(0, 0, 560, 540))
	draw.Draw(shifted, image.Rect(37, 21, 549, 533), astro, image.Point{}, draw.Src)
	b := embedFirstFace(t, p, recompress(t, shifted, 40))
	c := embedFirstFace(t, p, loadImage(t, "pigo-sample.jpg"))
	same, diff := match.Distance(&a, &b), match.Distance(&a, &c)
	t.Logf("same face: %.3f, different people: %.3f", same, diff)
	if same >= match.DefaultThreshold {
		t.Errorf("same face distance %.3f ≥ threshold %.2f", same, match.DefaultThreshold)
	}
	if diff <= match.DefaultThreshold {
		t.Errorf("different people distance %.3f ≤ threshold %.2f", diff, match.DefaultThreshold)
	}
}

// movingFrames renders n 640x480 frames with the astronaut's head and
// shoulders sliding steadily from left to right.
func movingFrames(t testing.TB, n int) []*image.RGBA {
	src := loadImage(t, "astronaut.png")
	crop := image.Rect(120, 20, 340, 260) // the face with a margin
	frames := make([]*image.RGBA, n)
	for i := range frames {
		f := image.NewRGBA(image.Rect(0, 0, 640, 480))
		draw.Draw(f, f.Bounds(), image.NewUniform(color.Gray{Y: 90}), image.Point{}, draw.Src)
		x := 10 + i*400/n
		y := 120 + int(20*math.Sin(float64(i)/15))
		draw.Draw(f, image.Rect(x, y, x+crop.Dx(), y+crop.Dy()), src, crop.Min, draw.Src)
		frames[i] = f
	}
	return frames
}

// TestTrackRealSequence detects and tracks a face moving across real frames
// and checks it keeps one ID the whole way.
func TestTrackRealSequence(t *testing.T) {
	p := newPipeline(t)
	frames := movingFrames(t, 120)
	ids := map[int]int{}
	var faces []facelib.Face
	for i, fr := range frames {
		var err error
		if faces, err = p.DetectInto(fr, faces); err != nil {
			t.Fatal(err)
		}
		tracks, err := p.Track(faces, time.Duration(i)*time.Second/30)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range tracks {
			ids[tr.ID]++
		}
	}
	if len(ids) != 1 {
		t.Fatalf("track IDs seen: %v, want exactly one", ids)
	}
	for id, n := range ids {
		if n < 110 {
			t.Errorf("track %d present in %d of 120 frames, want ≥ 110", id, n)
		}
	}
}

// TestLiveFrameAllocations checks the per-frame path (detect, locate, track)
// reuses its buffers.
func TestLiveFrameAllocations(t *testing.T) {
	p := newPipeline(t)
	frames := movingFrames(t, 30)
	var faces []facelib.Face
	i := 0
	step := func() {
		var err error
		faces, err = p.DetectInto(frames[i%len(frames)], faces)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Track(faces, time.Duration(i)*time.Second/30); err != nil {
			t.Fatal(err)
		}
		i++
	}
	for j := 0; j < 10; j++ {
		step()
	}
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Errorf("%.1f allocations per frame, want 0", n)
	}
}

func BenchmarkFrame640x480(b *testing.B) {
	p := newPipeline(b)
	frames := movingFrames(b, 30)
	var faces []facelib.Face
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		faces, _ = p.DetectInto(frames[i%len(frames)], faces)
		if _, err := p.Track(faces, time.Duration(i)*time.Second/30); err != nil {
			b.Fatal(err)
		}
	}
}
