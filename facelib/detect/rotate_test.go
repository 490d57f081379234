package detect_test

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"

	"github.com/facewatch/facewatch/facelib/detect"
)

// rollDegrees are the turns the rotation tests apply to the labelled photos
// (turnImage: counter-clockwise on screen for a positive angle, about the
// image centre, on a canvas big enough to keep the corners).
var rollDegrees = []float64{0, 15, -15, 30, -30, 45, -45}

// maxSweepFP bounds the false positives of DetectAngles(DefaultAngles) over
// the 14 labelled photos turned by one angle (measured: 3 to 14), and
// maxSweepMisses the required faces it may miss per turn (measured: at most
// 1 of 18, the face without eye labels).
const (
	maxSweepFP     = 20
	maxSweepMisses = 1
)

// rotatedPhoto is a labelled photo turned by deg degrees, with its labels
// turned the same way.
type rotatedPhoto struct {
	file  string
	deg   float64
	g     detect.Gray
	w, h  int         // the original photo's size (the faces keep their size)
	faces []truthFace // boxes: the labelled square moved to the turned centre
	// eyes[i] is the turned eye pair of faces[i] (nil when not labelled).
	eyes [][2][2]float64
}

var (
	rotMu    sync.Mutex
	rotCache = map[string]*rotatedPhoto{}
)

// turnImage turns src by deg degrees counter-clockwise on screen about its
// centre with Catmull-Rom resampling, on a canvas just big enough for the
// turned corners, left black; points map as rotatePoint says.
func turnImage(src image.Image, deg float64) *image.RGBA {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	b := src.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	w2 := int(math.Ceil(w*math.Abs(cos) + h*math.Abs(sin) - 1e-9))
	h2 := int(math.Ceil(w*math.Abs(sin) + h*math.Abs(cos) - 1e-9))
	dst := image.NewRGBA(image.Rect(0, 0, w2, h2))
	scx, scy := float64(b.Min.X)+w/2, float64(b.Min.Y)+h/2
	dcx, dcy := float64(w2)/2, float64(h2)/2
	m := f64.Aff3{cos, sin, dcx - cos*scx - sin*scy, -sin, cos, dcy + sin*scx - cos*scy}
	xdraw.CatmullRom.Transform(dst, m, src, b, xdraw.Src, nil)
	return dst
}

// rotatePoint returns the mapping of turnImage(img, deg) on
// truth.json coordinates (pixel corners at integers, so pixel centres at
// +0.5): a counter-clockwise turn about the centre of the source into the
// centre of the enlarged destination.
func rotatePoint(src, dst image.Rectangle, deg float64) func(x, y float64) (float64, float64) {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	scx, scy := float64(src.Dx())/2, float64(src.Dy())/2
	dcx, dcy := float64(dst.Dx())/2, float64(dst.Dy())/2
	return func(x, y float64) (float64, float64) {
		x, y = x-scx, y-scy
		return dcx + x*cos + y*sin, dcy - x*sin + y*cos
	}
}

// rotated returns (cached) the labelled photo file turned by deg degrees.
func rotated(t testing.TB, im truthImage, deg float64) *rotatedPhoto {
	t.Helper()
	key := fmt.Sprintf("%s@%v", im.File, deg)
	rotMu.Lock()
	defer rotMu.Unlock()
	if r, ok := rotCache[key]; ok {
		return r
	}
	src := decode(t, im.File)
	out := turnImage(src, deg)
	move := rotatePoint(src.Bounds(), out.Bounds(), deg)
	r := &rotatedPhoto{file: im.File, deg: deg, g: detect.GrayFrom(out, nil), w: src.Bounds().Dx(), h: src.Bounds().Dy()}
	for _, f := range im.Faces {
		cx, cy := move((f.Box[0]+f.Box[2])/2, (f.Box[1]+f.Box[3])/2)
		half := (f.Box[2] - f.Box[0]) / 2
		nf := f
		nf.Box = [4]float64{cx - half, cy - half, cx + half, cy + half}
		var eyes [2][2]float64
		if f.EyeL != nil && f.EyeR != nil {
			eyes[0][0], eyes[0][1] = move(f.EyeL[0], f.EyeL[1])
			eyes[1][0], eyes[1][1] = move(f.EyeR[0], f.EyeR[1])
		}
		r.faces = append(r.faces, nf)
		r.eyes = append(r.eyes, eyes)
	}
	rotCache[key] = r
	return r
}

// labelRoll returns the roll of a turned face from its turned eye labels,
// in radians, and whether it has them.
func (r *rotatedPhoto) labelRoll(i int) (float64, bool) {
	f := r.faces[i]
	if f.EyeL == nil || f.EyeR == nil {
		return 0, false
	}
	e := r.eyes[i]
	return math.Atan2(e[1][1]-e[0][1], e[1][0]-e[0][0]), true
}

// TestDetectAnglesRotatedPhotos turns every labelled photo by 0, ±15°, ±30°
// and ±45° and checks that DetectAngles(DefaultAngles) finds, at every
// turn, every required face whose two eyes are labelled (IoU >= 0.5 with
// the labelled square moved to the turned centre) and all but at most
// maxSweepMisses of the required faces; that a matched face's Angle is
// within 20° of the roll of its turned eye labels; and that the false
// positives stay within maxSweepFP per turn over all 14 photos. Upright-only
// Detect is run alongside for the record.
//
// The one required face without eye labels (faceapi-sample2, looking down,
// one eye under hair) is the one a turn may lose: turned by -30° its box
// comes out 1.6 times too big. A sweep of 7 angles runs 7 scans, so it
// meets about 7 times the false positives of one: on these photos 3 to 14
// per turn at MinScore 5, mostly on the cat (chelsea.png) and the coins,
// scoring 5 to 35, while the weakest true faces score about 7 (see the
// package documentation).
func TestDetectAnglesRotatedPhotos(t *testing.T) {
	c := cascade(t)
	angles := detect.DefaultAngles()
	type tally struct{ required, found, upright, fp int }
	per := map[float64]*tally{}
	for _, deg := range rollDegrees {
		per[deg] = &tally{}
		for _, im := range loadTruth(t) {
			t.Run(fmt.Sprintf("%s/%+.0f°", im.File, deg), func(t *testing.T) {
				r := rotated(t, im, deg)
				d, err := detect.New(c, detect.ParamsFor(r.w, r.h))
				if err != nil {
					t.Fatal(err)
				}
				dets, err := d.DetectAngles(r.g, angles, nil)
				if err != nil {
					t.Fatal(err)
				}
				up, err := d.Detect(r.g, nil)
				if err != nil {
					t.Fatal(err)
				}
				s, matched := match(r.faces, dets)
				su, _ := match(r.faces, up)
				tl := per[deg]
				tl.required += s.required
				tl.found += s.found
				tl.upright += su.found
				tl.fp += s.falsePos
				for i, f := range r.faces {
					if f.Optional {
						continue
					}
					_, eyes := r.labelRoll(i)
					if matched[i] == 0 {
						if eyes {
							t.Errorf("labelled face %d %v not found; detections %v", i, f.Box, dets)
						} else {
							t.Logf("labelled face %d %v (%s) not found; detections %v", i, f.Box, f.Note, dets)
						}
						continue
					}
					if roll, ok := r.labelRoll(i); ok {
						got := dets[matched[i]-1].Angle
						if math.Abs(got-roll) > 20*math.Pi/180 {
							t.Errorf("face %d found at %.0f°, its eyes are rolled %.1f°", i, got*180/math.Pi, roll*180/math.Pi)
						}
					}
				}
				for i := 1; i < len(dets); i++ {
					if dets[i].Score > dets[i-1].Score {
						t.Errorf("detections not sorted by score: %v", dets)
					}
				}
			})
		}
	}
	for _, deg := range rollDegrees {
		tl := per[deg]
		if tl.found < tl.required-maxSweepMisses {
			t.Errorf("turned %+.0f°: %d of %d required faces found, want at least %d", deg, tl.found, tl.required, tl.required-maxSweepMisses)
		}
		if tl.fp > maxSweepFP {
			t.Errorf("turned %+.0f°: %d false positives, want at most %d", deg, tl.fp, maxSweepFP)
		}
		t.Logf("turned %+3.0f°: DetectAngles found %d/%d required faces (Detect alone %d), %d false positives",
			deg, tl.found, tl.required, tl.upright, tl.fp)
	}
}

// TestDetectRotatedZeroIsDetect checks that angle 0 gives exactly Detect's
// faces, on every labelled photo and the 640x480 frame.
func TestDetectRotatedZeroIsDetect(t *testing.T) {
	c := cascade(t)
	imgs := map[string]detect.Gray{"frame640": frame640(t)}
	for _, im := range loadTruth(t) {
		imgs[im.File] = grayOf(t, im.File)
	}
	for name, g := range imgs {
		t.Run(name, func(t *testing.T) {
			d, err := detect.New(c, detect.ParamsFor(g.Width, g.Height))
			if err != nil {
				t.Fatal(err)
			}
			want, err := d.Detect(g, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, zero := range []float64{0, math.Copysign(0, -1)} {
				got, err := d.DetectRotated(g, zero, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("DetectRotated(%v) = %v, Detect = %v", zero, got, want)
				}
				got, err = d.DetectAngles(g, []float64{zero}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("DetectAngles({%v}) = %v, Detect = %v", zero, got, want)
				}
			}
		})
	}
}

// TestDetectRotatedAngleSign checks the sign convention on a photo turned
// clockwise by 30° (imaging.Rotate by -30): the face is found by
// DetectRotated at +30° and not at -30° (60° off), with Angle set to the
// scanned angle and the box centred on the turned label.
func TestDetectRotatedAngleSign(t *testing.T) {
	c := cascade(t)
	var im truthImage
	for _, x := range loadTruth(t) {
		if x.File == "pigo-sample.jpg" {
			im = x
		}
	}
	r := rotated(t, im, -30)
	d, err := detect.New(c, detect.ParamsFor(r.w, r.h))
	if err != nil {
		t.Fatal(err)
	}
	roll, _ := r.labelRoll(0)
	if roll < 25*math.Pi/180 || roll > 35*math.Pi/180 {
		t.Fatalf("turned labels roll %.1f°, want about +30°", roll*180/math.Pi)
	}
	for _, tc := range []struct {
		angle float64
		want  int
	}{{30 * math.Pi / 180, 1}, {-30 * math.Pi / 180, 0}} {
		dets, err := d.DetectRotated(r.g, tc.angle, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := match(r.faces, dets)
		if s.found != tc.want {
			t.Errorf("angle %.0f°: %d of the 1 face found, want %d (detections %v)", tc.angle*180/math.Pi, s.found, tc.want, dets)
		}
		for _, f := range dets {
			if f.Angle != tc.angle {
				t.Errorf("angle %v: face with Angle %v", tc.angle, f.Angle)
			}
		}
	}
}

// TestDetectRotatedAllocs checks DetectRotated and DetectAngles do not
// allocate once the detector has seen the frame size and the angles.
func TestDetectRotatedAllocs(t *testing.T) {
	g := frame640(t)
	d, err := detect.New(cascade(t), detect.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	angles := detect.DefaultAngles()
	dst := make([]detect.Face, 0, 64)
	dst, _ = d.DetectAngles(g, angles, dst)
	var n int
	allocs := testing.AllocsPerRun(3, func() {
		dst, _ = d.DetectAngles(g, angles, dst)
		n = len(dst)
	})
	if allocs != 0 {
		t.Errorf("DetectAngles: %v allocations per call, want 0", allocs)
	}
	if n == 0 {
		t.Error("no faces: the allocation check ran on an empty path")
	}
	// A tracker's angle that changes every frame recomputes a table but
	// does not allocate either, once every table slot has been used.
	a := 0.1
	for range 10 {
		a += 0.01
		dst, _ = d.DetectRotated(g, a, dst)
	}
	allocs = testing.AllocsPerRun(5, func() {
		a += 0.01
		dst, _ = d.DetectRotated(g, a, dst)
	})
	if allocs != 0 {
		t.Errorf("DetectRotated with a new angle each call: %v allocations per call, want 0", allocs)
	}
}

// TestDetectRotatedBadInput checks bad angles and bad images give clear
// errors, and nothing else.
func TestDetectRotatedBadInput(t *testing.T) {
	d, err := detect.New(cascade(t), detect.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	good := frame640(t)
	tests := []struct {
		name   string
		g      detect.Gray
		angles []float64
		want   error
	}{
		{"NaN", good, []float64{math.NaN()}, detect.ErrBadAngle},
		{"+Inf", good, []float64{math.Inf(1)}, detect.ErrBadAngle},
		{"-Inf", good, []float64{math.Inf(-1)}, detect.ErrBadAngle},
		{"huge", good, []float64{1e300}, detect.ErrBadAngle},
		{"past half a turn", good, []float64{math.Pi + 1e-9}, detect.ErrBadAngle},
		{"NaN after a good angle", good, []float64{0.2, math.NaN()}, detect.ErrBadAngle},
		{"no angles", good, nil, detect.ErrBadAngle},
		{"too many angles", good, make([]float64, detect.MaxAngles+1), detect.ErrBadAngle},
		{"bad image", detect.Gray{Width: 10, Height: 10, Stride: 10}, []float64{0.3}, detect.ErrBadImage},
		{"bad image at 0", detect.Gray{Width: 10, Height: 10, Stride: 10}, []float64{0}, detect.ErrBadImage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := d.DetectAngles(tc.g, tc.angles, make([]detect.Face, 3))
			if !errors.Is(err, tc.want) {
				t.Errorf("DetectAngles: err %v, want %v", err, tc.want)
			}
			if len(f) != 0 {
				t.Errorf("DetectAngles returned faces %v with an error", f)
			}
			if len(tc.angles) == 1 {
				f, err := d.DetectRotated(tc.g, tc.angles[0], make([]detect.Face, 3))
				if !errors.Is(err, tc.want) {
					t.Errorf("DetectRotated: err %v, want %v", err, tc.want)
				}
				if len(f) != 0 {
					t.Errorf("DetectRotated returned faces %v with an error", f)
				}
			}
		})
	}
	// Half a turn either way is allowed, and tiny images have no windows.
	for _, a := range []float64{math.Pi, -math.Pi} {
		if _, err := d.DetectRotated(good, a, nil); err != nil {
			t.Errorf("angle %v: %v", a, err)
		}
	}
	if f, err := d.DetectRotated(detect.Gray{Pix: []uint8{1}, Width: 1, Height: 1, Stride: 1}, 0.5, nil); err != nil || len(f) != 0 {
		t.Errorf("1x1 image: %v, %v", f, err)
	}
}

// FuzzDetectRotated feeds arbitrary angles and small images: an error for
// bad ones, faces inside the image otherwise, never a panic.
func FuzzDetectRotated(f *testing.F) {
	f.Add(0.3, uint8(40), uint8(30), uint8(0), []byte{1, 2, 3})
	f.Add(math.NaN(), uint8(64), uint8(64), uint8(3), []byte{200})
	f.Add(-3.14, uint8(255), uint8(1), uint8(9), []byte{})
	f.Add(1e308, uint8(8), uint8(8), uint8(0), []byte{7})
	p := detect.DefaultParams()
	p.MinSize, p.MaxSize = 8, 300
	c, err := detect.ParseCascade(assetsFaceFinder())
	if err != nil {
		f.Fatal(err)
	}
	d, err := detect.New(c, p)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, angle float64, w, h, pad uint8, seed []byte) {
		g := detect.Gray{Width: int(w), Height: int(h), Stride: int(w) + int(pad)}
		if n := (int(h)-1)*g.Stride + int(w); n > 0 {
			g.Pix = make([]uint8, n)
			for i := range g.Pix {
				if len(seed) > 0 {
					g.Pix[i] = seed[i%len(seed)] ^ uint8(i*31)
				}
			}
		}
		faces, err := d.DetectRotated(g, angle, nil)
		if err != nil {
			if !errors.Is(err, detect.ErrBadAngle) && !errors.Is(err, detect.ErrBadImage) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if math.IsNaN(angle) || math.Abs(angle) > detect.MaxAngle {
			t.Fatalf("angle %v accepted", angle)
		}
		for _, fc := range faces {
			if fc.Row < 0 || fc.Row >= g.Height || fc.Col < 0 || fc.Col >= g.Width || fc.Angle != angle {
				t.Fatalf("face %+v outside the %dx%d image or at the wrong angle", fc, g.Width, g.Height)
			}
		}
	})
}
