package engine

import (
	"errors"
	"image"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// fakeClock advances 1 ms per reading, so timings are deterministic.
type fakeClock struct{ t float64 }

func (c *fakeClock) now() float64 { c.t++; return c.t }

func loadRGBA(t testing.TB, name string) *image.RGBA {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "assets", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	return rgba
}

func newEngine(t testing.TB, landmarks bool) *Engine {
	t.Helper()
	e := New((&fakeClock{}).now, DefaultParams())
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

func TestFacesOnRealImages(t *testing.T) {
	tests := []struct {
		image string
		faces int // hand count of the people in the picture
	}{
		{"astronaut.png", 1},
		{"pigo-sample.jpg", 1},
		{"chelsea.png", 0},
		{"coffee.png", 0},
		{"brick.png", 0},
	}
	e := newEngine(t, false)
	for _, tc := range tests {
		t.Run(tc.image, func(t *testing.T) {
			img := loadRGBA(t, tc.image)
			feed(t, e, img, FormatRGBA)
			out, err := e.Process(Options{Pupils: true, Candidates: true})
			if err != nil {
				t.Fatal(err)
			}
			var r wire.Result
			if err := wire.Decode(out, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Faces) != tc.faces {
				t.Fatalf("%d faces, want %d: %+v", len(r.Faces), tc.faces, r.Faces)
			}
			if r.Width != img.Rect.Dx() || r.Height != img.Rect.Dy() {
				t.Fatalf("size %dx%d", r.Width, r.Height)
			}
			if tc.faces > 0 && len(r.Candidates) < len(r.Faces) {
				t.Fatalf("%d candidates for %d faces: candidates are the windows before clustering", len(r.Candidates), len(r.Faces))
			}
			for _, f := range r.Faces {
				if !f.HasPupils() {
					t.Fatalf("face %+v: no pupils", f)
				}
				// Both pupils in the upper part of the box, image-left one first.
				for _, p := range []wire.Point{f.Left, f.Right} {
					if p.X < f.X || p.X > f.X+f.W || p.Y < f.Y || p.Y > f.Y+f.H*0.6 {
						t.Fatalf("pupil %v outside the upper face box %+v", p, f)
					}
				}
				if f.Left.X >= f.Right.X {
					t.Fatalf("left pupil %v not left of right %v", f.Left, f.Right)
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
	// The chip samples the photo: the pixel at the chip's centre is the
	// photo's pixel at the template's centre (eye midpoint moved 0.524 eye
	// distances toward the mouth), and the chip is in colour.
	dx, dy := float64(f.Right.X-f.Left.X), float64(f.Right.Y-f.Left.Y)
	cx := float64(f.Left.X+f.Right.X)/2 - 0.524*dy
	cy := float64(f.Left.Y+f.Right.Y)/2 + 0.524*dx
	want := img.RGBAAt(int(cx), int(cy))
	got := chip[4*(75*ChipSide+75):]
	for c, w := range []uint8{want.R, want.G, want.B} {
		if math.Abs(float64(got[c])-float64(w)) > 40 {
			t.Fatalf("chip centre %v, photo at (%.0f,%.0f) %v", got[:3], cx, cy, want)
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
			ids[tr.ID] = true
		}
	}
	if len(ids) != 1 {
		t.Fatalf("IDs %v: one face should keep one ID", ids)
	}
	tr := last.Tracks[0]
	if tr.State != wire.Confirmed || len(tr.Trail) != 13 || tr.AgeMs <= 0 {
		t.Fatalf("track %+v", tr)
	}
	if tr.Trail[12].X <= tr.Trail[0].X {
		t.Fatalf("trail does not follow the face rightward: %v", tr.Trail)
	}
	if last.In != 1 || last.Out != 0 {
		t.Fatalf("in %d out %d, want one left-to-right crossing", last.In, last.Out)
	}
}

func TestBadInput(t *testing.T) {
	e := New((&fakeClock{}).now, DefaultParams())
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.LoadModel(tc.model, tc.b); !errors.Is(err, ErrBadModel) {
				t.Fatalf("got %v, want ErrBadModel", err)
			}
		})
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

// The frame buffer is reused: same-size frames neither allocate nor move it.
func TestFrameBufferReuse(t *testing.T) {
	e := newEngine(t, false)
	a, _ := e.Frame(FormatRGBA, 640, 480)
	allocs := testing.AllocsPerRun(50, func() {
		b, _ := e.Frame(FormatRGBA, 640, 480)
		if &b[0] != &a[0] {
			t.Fatal("buffer moved")
		}
		e.toGray()
		c, _ := e.Frame(FormatGray, 320, 240) // smaller: fits in place
		if &c[0] != &a[0] {
			t.Fatal("smaller frame moved the buffer")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per frame", allocs)
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
		{"find-scene", Options{Pupils: true, Landmarks: true, Chip: true, Candidates: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEngine(b, true)
			feed(b, e, img, FormatGray)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Process(bc.opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
