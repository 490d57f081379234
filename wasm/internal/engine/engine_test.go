package engine

import (
	"errors"
	"image"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"runtime"
	"testing"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/internal/fixture"
	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// fakeClock advances a fixed step per reading (1 ms by default), so timings
// and the tracker's frame times are deterministic.
type fakeClock struct{ t, step float64 }

func (c *fakeClock) now() float64 {
	if c.step == 0 {
		c.step = 1
	}
	c.t += c.step
	return c.t
}

func loadRGBA(t testing.TB, name string) *image.RGBA {
	t.Helper()
	return fixture.MustRGBA(t, name)
}

func newEngine(t testing.TB, landmarks bool) *Engine {
	t.Helper()
	e := New((&fakeClock{}).now)
	if err := e.LoadModel("facefinder", assets.FaceFinder()); err != nil {
		t.Fatal(err)
	}
	if err := e.LoadModel("puploc", assets.PupilLocator()); err != nil {
		t.Fatal(err)
	}
	if landmarks {
		for n, b := range assets.Landmarks() {
			if err := e.LoadModel(n, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e
}

// feed copies img into the engine's frame buffer in the given format.
func feed(t testing.TB, e *Engine, img *image.RGBA, f Format) {
	t.Helper()
	w, h := img.Rect.Dx(), img.Rect.Dy()
	buf, err := e.Frame(f, w, h)
	if err != nil {
		t.Fatal(err)
	}
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := range w {
			p := row[4*x : 4*x+4]
			switch f {
			case FormatRGBA:
				copy(buf[4*(y*w+x):], p)
			case FormatBGRA:
				copy(buf[4*(y*w+x):], []byte{p[2], p[1], p[0], p[3]})
			case FormatGray:
				buf[y*w+x] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
			}
		}
	}
}

// iou compares a face from the wire with a labelled box.
func iou(a wire.Face, b [4]float64) float64 {
	return fixture.IoU(image.Rect(int(a.X), int(a.Y), int(a.X+a.W), int(a.Y+a.H)), b)
}

// The worker finds the labelled faces and their eyes, and nothing in the
// photos without faces.
func TestFacesOnRealImages(t *testing.T) {
	labels := fixture.MustTruth(t)
	e := newEngine(t, false)
	for _, name := range []string{"astronaut.png", "pigo-sample.jpg", "chelsea.png", "coffee.png", "brick.png", "rocket.jpg"} {
		t.Run(name, func(t *testing.T) {
			want, ok := labels.Faces(name)
			if !ok {
				t.Fatalf("%s not labelled", name)
			}
			img := loadRGBA(t, name)
			feed(t, e, img, FormatRGBA)
			out, err := e.Process(Options{Pupils: true, Candidates: true})
			if err != nil {
				t.Fatal(err)
			}
			var r wire.Result
			if err := wire.Decode(out, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Faces) != len(want) {
				t.Fatalf("%d faces, labelled %d: %+v", len(r.Faces), len(want), r.Faces)
			}
			if len(want) > 0 && len(r.Candidates) <= len(r.Faces) {
				t.Fatalf("%d candidates for %d faces: candidates are the windows before clustering", len(r.Candidates), len(r.Faces))
			}
			for i, l := range want {
				f := r.Faces[i]
				if v := iou(f, l.Box); v < 0.5 {
					t.Fatalf("face %+v vs label %v: IoU %.2f", f, l.Box, v)
				}
				if l.EyeL == nil {
					continue
				}
				dist := l.EyeR[0] - l.EyeL[0]
				for _, c := range []struct {
					got   wire.Point
					label [2]float64
				}{{f.Left, *l.EyeL}, {f.Right, *l.EyeR}} {
					dx, dy := float64(c.got.X)-c.label[0], float64(c.got.Y)-c.label[1]
					if !f.HasPupils() || math.Hypot(dx, dy) > 0.25*dist {
						t.Fatalf("pupil %v, labelled %v (eye distance %.0f)", c.got, c.label, dist)
					}
				}
			}
		})
	}
}

// The Y plane path (what a camera's VideoFrame gives), the RGBA path
// (ImageData) and the BGRA path must see the same image.
func TestFormatsAgree(t *testing.T) {
	img := loadRGBA(t, "astronaut.png")
	var ref []wire.Face
	for _, f := range []Format{FormatRGBA, FormatBGRA, FormatGray} {
		e := newEngine(t, false)
		feed(t, e, img, f)
		if _, err := e.Process(Options{}); err != nil {
			t.Fatal(err)
		}
		faces := append([]wire.Face(nil), e.Result().Faces...)
		if ref == nil {
			ref = faces
			continue
		}
		if len(faces) != len(ref) || faces[0].X != ref[0].X || faces[0].Y != ref[0].Y || faces[0].W != ref[0].W {
			t.Fatalf("format %d: %+v, RGBA gave %+v", f, faces, ref)
		}
	}
}

func TestLandmarksAndChip(t *testing.T) {
	e := newEngine(t, true)
	img := loadRGBA(t, "astronaut.png")
	feed(t, e, img, FormatRGBA)
	if _, err := e.Process(Options{Pupils: true, Landmarks: true, Chip: true, Still: true}); err != nil {
		t.Fatal(err)
	}
	r := e.Result()
	if len(r.Faces) != 1 {
		t.Fatalf("%d faces", len(r.Faces))
	}
	f := r.Faces[0]
	if len(f.Landmarks) != 15 {
		t.Fatalf("%d landmarks, want pigo's 15", len(f.Landmarks))
	}
	for _, p := range f.Landmarks {
		if p.X < f.X || p.X > f.X+f.W || p.Y < f.Y || p.Y > f.Y+f.H*1.1 {
			t.Fatalf("landmark %v far outside the face %+v", p, f)
		}
	}
	if r.Flags&wire.FlagChip == 0 || r.Flags&wire.FlagStill == 0 {
		t.Fatalf("flags %b", r.Flags)
	}
	chip, ok := e.Chip()
	if !ok || len(chip) != ChipSide*ChipSide*4 {
		t.Fatalf("chip %d bytes, ok %v", len(chip), ok)
	}
	// The chip samples the photo through facelib/align's transform: around
	// the chip's centre and the template's eye positions, chip and photo
	// agree (3x3 means, so a pupil's sharp edge cannot decide it).
	tr := align.ChipTransform(align.Point{X: float64(f.Left.X), Y: float64(f.Left.Y)},
		align.Point{X: float64(f.Right.X), Y: float64(f.Right.Y)}, ChipSide, align.ChipPadding)
	inv := tr.Inverse()
	tl, trEye := align.TemplateEyes(ChipSide, align.ChipPadding)
	mean := func(pix []byte, stride int, x, y float64, c int) float64 {
		s := 0.0
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				s += float64(pix[(int(y+0.5)+dy)*stride+4*(int(x+0.5)+dx)+c])
			}
		}
		return s / 9
	}
	for _, p := range []align.Point{{X: 75, Y: 75}, tl, trEye} {
		q := inv.Apply(p)
		for c := range 3 {
			got, want := mean(chip, 4*ChipSide, p.X, p.Y, c), mean(img.Pix, img.Stride, q.X, q.Y, c)
			if math.Abs(got-want) > 25 {
				t.Fatalf("chip at %v channel %d: %.0f; photo at %v: %.0f", p, c, got, q, want)
			}
		}
	}
	colour := 0
	for i := 0; i < len(chip); i += 4 {
		if chip[i] != chip[i+1] || chip[i+1] != chip[i+2] {
			colour++
		}
	}
	if colour < len(chip)/8 {
		t.Fatalf("only %d colour pixels: chip from an RGBA frame should be in colour", colour)
	}
}

// A face sliding across a wider frame keeps its ID, grows a trail and is
// counted crossing the middle line.
func TestTrackingAcrossFrames(t *testing.T) {
	face := loadRGBA(t, "astronaut.png")
	sub := face.SubImage(image.Rect(96, 0, 352, 256)).(*image.RGBA) // the head
	const w, h = 640, 320
	e := newEngine(t, false)
	e.now = (&fakeClock{step: 5}).now // about 30 frames a second: 6 readings per frame
	frame := image.NewRGBA(image.Rect(0, 0, w, h))
	ids := map[int]bool{}
	var last *wire.Result
	for step := 0; step <= 12; step++ {
		draw.Draw(frame, frame.Rect, image.NewUniform(image.Black), image.Point{}, draw.Src)
		x := 20 + step*30
		draw.Draw(frame, image.Rect(x, 30, x+256, 286), sub, sub.Rect.Min, draw.Src)
		feed(t, e, frame, FormatRGBA)
		if _, err := e.Process(Options{Track: true}); err != nil {
			t.Fatal(err)
		}
		last = e.Result()
		if len(last.Faces) != 1 {
			t.Fatalf("step %d: %d faces", step, len(last.Faces))
		}
		for _, tr := range last.Tracks {
			if tr.State == wire.Confirmed {
				ids[tr.ID] = true
			}
		}
	}
	if len(ids) != 1 {
		t.Fatalf("IDs %v: one face should keep one ID", ids)
	}
	tr := last.Tracks[0]
	if tr.State != wire.Confirmed || len(tr.Trail) < 10 || tr.AgeMs < 300 {
		t.Fatalf("track %+v", tr)
	}
	if tr.Trail[len(tr.Trail)-1].X <= tr.Trail[0].X+200 {
		t.Fatalf("trail does not follow the face rightward: %v", tr.Trail)
	}
	if last.In != 1 || last.Out != 0 {
		t.Fatalf("in %d out %d, want one left-to-right crossing", last.In, last.Out)
	}
}

func TestBadInput(t *testing.T) {
	e := New((&fakeClock{}).now)
	if _, err := e.Process(Options{}); !errors.Is(err, ErrNoModel) {
		t.Fatalf("no model: %v", err)
	}
	ff := assets.FaceFinder()
	tests := []struct {
		name  string
		model string
		b     []byte
	}{
		{"empty", "facefinder", nil},
		{"truncated", "facefinder", ff[:len(ff)/3]},
		{"truncated puploc", "puploc", assets.PupilLocator()[:100]},
		{"unknown name", "resnet", ff},
		{"unknown lps name", "lp99", ff},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.LoadModel(tc.model, tc.b); !errors.Is(err, ErrBadModel) {
				t.Fatalf("got %v, want ErrBadModel", err)
			}
		})
	}
	if err := e.LoadModel(ModelEmbedManifest, assets.EmbedManifest()); err != nil {
		t.Fatalf("manifest alone: %v (the network loads once both files are in)", err)
	}
	if err := e.LoadModel(ModelEmbedWeights, assets.EmbedWeights()[:1000]); !errors.Is(err, ErrBadModel) {
		t.Fatalf("truncated weights: %v", err)
	}
	if e.HasEmbed() {
		t.Fatal("network loaded from truncated weights")
	}
	for _, sz := range [][2]int{{0, 10}, {10, -1}, {MaxSide + 1, 10}} {
		if _, err := e.Frame(FormatGray, sz[0], sz[1]); !errors.Is(err, ErrFrameSize) {
			t.Fatalf("size %v: %v", sz, err)
		}
	}
	if _, err := e.Frame(Format(9), 10, 10); !errors.Is(err, ErrFormat) {
		t.Fatalf("format: %v", err)
	}
}

// The frame buffer is reused: same-size frames neither allocate nor move it,
// and a smaller frame fits in place.
func TestFrameBufferReuse(t *testing.T) {
	e := newEngine(t, false)
	a, _ := e.Frame(FormatRGBA, 640, 480)
	if _, err := e.prepare(false); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		b, _ := e.Frame(FormatRGBA, 640, 480)
		if &b[0] != &a[0] {
			t.Fatal("buffer moved")
		}
		if _, err := e.prepare(false); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per frame", allocs)
	}
	c, _ := e.Frame(FormatGray, 320, 240)
	if &c[0] != &a[0] {
		t.Fatal("smaller frame moved the buffer")
	}
}

// The whole live path (detect, pupils, track: what the track scene runs on
// every camera frame) allocates nothing once warm.
func TestLivePathDoesNotAllocate(t *testing.T) {
	e := newEngine(t, false)
	feed(t, e, loadRGBA(t, "astronaut.png"), FormatGray)
	opt := Options{Pupils: true, Track: true, Chip: true, Reid: true}
	for range 40 { // until the trails are full length
		if _, err := e.Process(opt); err != nil {
			t.Fatal(err)
		}
	}
	// Count every allocation over many frames in one run: AllocsPerRun's
	// integer average over several runs would hide one every few frames.
	// Collect first so that finalizers of earlier tests' objects (which
	// may allocate) do not run inside the measurement; AllocsPerRun also
	// holds GOMAXPROCS at 1 while it counts.
	runtime.GC()
	runtime.GC()
	var err error
	n := testing.AllocsPerRun(1, func() {
		for range 100 {
			if _, perr := e.Process(opt); perr != nil && err == nil {
				err = perr
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%v allocations in 100 frames", n)
	}
}

// Step 6: the chip's 128 numbers. The same person in two framings is close,
// a different person is far (face-api's usual threshold is 0.6).
func TestEmbedding(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the recognition network three times")
	}
	e := newEngine(t, false)
	if err := e.LoadModel(ModelEmbedWeights, assets.EmbedWeights()); err != nil {
		t.Fatal(err)
	}
	if err := e.LoadModel(ModelEmbedManifest, assets.EmbedManifest()); err != nil {
		t.Fatal(err)
	}
	describe := func(img *image.RGBA) []float32 {
		feed(t, e, img, FormatRGBA)
		if _, err := e.Process(Options{Pupils: true, Chip: true, Embed: true, Still: true}); err != nil {
			t.Fatal(err)
		}
		d := e.Result().Embedding
		if len(d) != 128 {
			t.Fatalf("%d numbers, want 128", len(d))
		}
		return append([]float32(nil), d...)
	}
	astro := loadRGBA(t, "astronaut.png")
	a := describe(astro)
	b := describe(astro.SubImage(image.Rect(60, 20, 420, 380)).(*image.RGBA)) // cropped: a new framing
	c := describe(loadRGBA(t, "pigo-sample.jpg"))
	dist := func(x, y []float32) float64 {
		s := 0.0
		for i := range x {
			d := float64(x[i] - y[i])
			s += d * d
		}
		return math.Sqrt(s)
	}
	if d := dist(a, b); d > 0.4 {
		t.Fatalf("same photo, two framings: distance %.3f", d)
	}
	if d := dist(a, c); d < 0.6 {
		t.Fatalf("two different people: distance %.3f", d)
	}
}

func BenchmarkProcess(b *testing.B) {
	img := loadRGBA(b, "astronaut.png")
	for _, bc := range []struct {
		name string
		opt  Options
	}{
		{"detect", Options{}},
		{"detect+pupils+track", Options{Pupils: true, Track: true}},
		{"detect+track", Options{Track: true}},
		{"find-scene", Options{Pupils: true, Landmarks: true, Chip: true, Candidates: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEngine(b, true)
			feed(b, e, img, FormatGray)
			for range 40 { // warm up: the first frames size the buffers and fill the trails
				if _, err := e.Process(bc.opt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Process(bc.opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
