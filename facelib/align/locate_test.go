package align

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/facewatch/facewatch/facelib/detect"
)

// Pupil accuracy bounds, from the project's hand labels (17 faces with both
// eyes labelled in assets/testdata/truth.json, eye distances 30 to 91 px):
// every located pupil must be within maxPupilErrIOD of the labelled
// inter-ocular distance of its label and within maxPupilErrPx pixels, and
// the mean error over all eyes within meanPupilErrIOD. Measured with the
// default start geometry: mean 0.057, worst 0.119/0.128/0.134 eye distances
// (5.1/5.2/5.2 px) at 15/31/63 perturbations. Two labellers of the same two
// portraits agree within 1.3 px, which is the floor of what can be tested.
const (
	maxPupilErrIOD  = 0.15
	maxPupilErrPx   = 6.0
	meanPupilErrIOD = 0.07
)

func newAligner(t testing.TB, o Options) *Aligner {
	t.Helper()
	a, err := New(puplocBytes(t), lpsBytes(t), o)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPupilsMatchLabels(t *testing.T) {
	for _, src := range labelFiles {
		ls := loadLabels(t, src)
		for _, n := range []int{15, 31, 63} {
			t.Run(fmt.Sprintf("%s/n%d", filepath.Base(src.path), n), func(t *testing.T) {
				a := newAligner(t, Options{Perturbations: n, Seed: 1})
				var sum float64
				var eyes, faces, labelled int
				for _, im := range ls.Images {
					if len(im.Faces) == 0 {
						continue
					}
					labelled += len(im.Faces)
					g := grayOf(loadRGBA(t, im.File))
					for i, d := range detectLabelled(t, g, im.Faces) {
						faces++
						var r Result
						if err := a.Locate(g, d.face, &r); err != nil {
							t.Fatal(err)
						}
						if !r.EyesFound {
							t.Errorf("%s face %d: eyes not found in %+v", im.File, i, d.face)
						}
						iod := eyeDist(d.label)
						for _, e := range []struct {
							name      string
							got, want Point
						}{{"left", r.LeftEye, eyeL(d.label)}, {"right", r.RightEye, eyeR(d.label)}} {
							err := dist(e.got, e.want)
							sum += err / iod
							eyes++
							if err > maxPupilErrIOD*iod || err > maxPupilErrPx {
								t.Errorf("%s face %d: %s eye %.1f, labelled %.1f: off by %.2f px (%.3f of the eye distance %.1f)",
									im.File, i, e.name, e.got, e.want, err, err/iod, iod)
							}
						}
						wantRoll := Roll(eyeL(d.label), eyeR(d.label))
						if math.Abs(r.Roll-wantRoll) > 0.1 {
							t.Errorf("%s face %d: roll %.3f rad, labels give %.3f", im.File, i, r.Roll, wantRoll)
						}
					}
				}
				if faces < labelled*3/4 {
					t.Errorf("detection found only %d of %d labelled faces", faces, labelled)
				}
				mean := sum / float64(eyes)
				t.Logf("%d of %d labelled faces detected; mean pupil error %.3f eye distances", faces, labelled, mean)
				if mean > meanPupilErrIOD {
					t.Errorf("mean pupil error %.3f eye distances, want <= %v", mean, meanPupilErrIOD)
				}
			})
		}
	}
}

// TestEstimateEyes checks the box-geometry fallback against the labels. It
// is a coarse guess: each eye within half the eye distance of its label, and
// within a fifth on average.
func TestEstimateEyes(t *testing.T) {
	var sum float64
	var n int
	for _, im := range loadLabels(t, labelFiles[0]).Images {
		if len(im.Faces) == 0 {
			continue
		}
		g := grayOf(loadRGBA(t, im.File))
		for _, d := range detectLabelled(t, g, im.Faces) {
			l, r := EstimateEyes(d.face)
			iod := eyeDist(d.label)
			for _, e := range []struct{ got, want Point }{{l, eyeL(d.label)}, {r, eyeR(d.label)}} {
				err := dist(e.got, e.want) / iod
				sum += err
				n++
				if err > 0.5 {
					t.Errorf("%s: estimated eye %.1f, labelled %.1f (%.2f of the eye distance)", im.File, e.got, e.want, err)
				}
			}
		}
	}
	t.Logf("mean error of the estimate %.3f eye distances over %d eyes", sum/float64(n), n)
	if sum/float64(n) > 0.2 {
		t.Errorf("mean error of the estimate %.3f eye distances", sum/float64(n))
	}
}

func TestPlausibleEyes(t *testing.T) {
	f := detect.Face{Row: 100, Col: 100, Size: 100}
	cases := []struct {
		name string
		l, r Point
		want bool
	}{
		{"typical", Point{80, 92}, Point{120, 92}, true},
		{"tilted 20°", Point{81, 85}, Point{119, 99}, true},
		{"crossed", Point{120, 92}, Point{80, 92}, false},
		{"same point", Point{100, 92}, Point{100, 92}, false},
		{"too close", Point{95, 92}, Point{105, 92}, false},
		{"too far", Point{55, 92}, Point{145, 92}, false},
		{"outside box", Point{80, 92}, Point{120, 160}, false},
		{"tilted 45°", Point{80, 80}, Point{110, 110}, false},
		{"NaN", Point{math.NaN(), 92}, Point{120, 92}, false},
	}
	for _, c := range cases {
		if got := plausibleEyes(c.l, c.r, f); got != c.want {
			t.Errorf("%s: plausibleEyes = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestDeterministic: the same call gives bit-identical results, twice in a
// row, after unrelated calls on other images and faces, and from a second
// Aligner with the same options.
func TestDeterministic(t *testing.T) {
	ast := grayOf(loadRGBA(t, "astronaut.png"))
	smp := grayOf(loadRGBA(t, "pigo-sample.jpg"))
	fa := detect.Face{Row: 110, Col: 224, Size: 100}
	fs := detect.Face{Row: 204, Col: 154, Size: 225}
	o := Options{Perturbations: 15, Landmarks: true, Seed: 7}
	a := newAligner(t, o)

	var first, again, other, fresh Result
	if err := a.Locate(ast, fa, &first); err != nil {
		t.Fatal(err)
	}
	if err := a.Locate(ast, fa, &again); err != nil {
		t.Fatal(err)
	}
	same(t, "repeat", first, again)
	for i := 0; i < 3; i++ { // interleave other work
		if err := a.Locate(smp, fs, &other); err != nil {
			t.Fatal(err)
		}
		if err := a.Locate(ast, detect.Face{Row: 300, Col: 300, Size: 80 + 10*i}, &other); err != nil {
			t.Fatal(err)
		}
		if err := a.Locate(ast, fa, &again); err != nil {
			t.Fatal(err)
		}
		same(t, fmt.Sprintf("interleaved %d", i), first, again)
	}
	if err := newAligner(t, o).Locate(ast, fa, &fresh); err != nil {
		t.Fatal(err)
	}
	same(t, "new aligner", first, fresh)

	// The pupils do not depend on whether landmarks are on.
	o.Landmarks = false
	var pupils Result
	if err := newAligner(t, o).Locate(ast, fa, &pupils); err != nil {
		t.Fatal(err)
	}
	if pupils.LeftEye != first.LeftEye || pupils.RightEye != first.RightEye {
		t.Errorf("pupils with landmarks %v %v, without %v %v", first.LeftEye, first.RightEye, pupils.LeftEye, pupils.RightEye)
	}

	// The seed is really used: some seed in 1..8 moves some point.
	moved := false
	for seed := int64(1); seed <= 8 && !moved; seed++ {
		var r Result
		if err := newAligner(t, Options{Perturbations: 15, Seed: seed}).Locate(ast, fa, &r); err != nil {
			t.Fatal(err)
		}
		moved = r.LeftEye != first.LeftEye || r.RightEye != first.RightEye
	}
	if !moved {
		t.Error("eight different seeds gave the same pupils as seed 7")
	}
}

// lineDist is the distance of p from the line through a and b.
func lineDist(p, a, b Point) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	return math.Abs(dx*(p.Y-a.Y)-dy*(p.X-a.X)) / math.Hypot(dx, dy)
}

func same(t *testing.T, what string, a, b Result) {
	t.Helper()
	if a.LeftEye != b.LeftEye || a.RightEye != b.RightEye || a.EyesFound != b.EyesFound || a.Roll != b.Roll || a.Chip != b.Chip {
		t.Errorf("%s: %+v != %+v", what, b, a)
	}
	if len(a.Landmarks) != len(b.Landmarks) {
		t.Fatalf("%s: %d landmarks != %d", what, len(b.Landmarks), len(a.Landmarks))
	}
	for i := range a.Landmarks {
		if a.Landmarks[i] != b.Landmarks[i] {
			t.Errorf("%s: landmark %d %+v != %+v", what, i, b.Landmarks[i], a.Landmarks[i])
		}
	}
}

// TestLandmarksLayout checks the 15 points against the labelled eyes: each
// eye's inner and outer corner flank its pupil, brows are above the eyes,
// the nose and mouth below, the mouth corners either side of the lips.
func TestLandmarksLayout(t *testing.T) {
	a := newAligner(t, Options{Perturbations: 31, Landmarks: true, Seed: 1})
	for _, lf := range labelFiles {
		for _, im := range loadLabels(t, lf).Images {
			g := grayOf(loadRGBA(t, im.File))
			for _, d := range detectLabelled(t, g, im.Faces) {
				var r Result
				if err := a.Locate(g, d.face, &r); err != nil {
					t.Fatal(err)
				}
				if len(r.Landmarks) != int(NumParts) {
					t.Fatalf("%s: %d landmarks, want %d", im.File, len(r.Landmarks), NumParts)
				}
				p := func(part Part) Point {
					if r.Landmarks[part].Part != part {
						t.Fatalf("landmark %d is %v", part, r.Landmarks[part].Part)
					}
					return r.Landmarks[part].Point
				}
				l, rt := eyeL(d.label), eyeR(d.label)
				eyeY := (l.Y + rt.Y) / 2
				iod := eyeDist(d.label)
				checks := []struct {
					what string
					ok   bool
				}{
					{"left eye outer < pupil < inner", p(LeftEyeOuter).X < l.X && l.X < p(LeftEyeInner).X},
					{"right eye inner < pupil < outer", p(RightEyeInner).X < rt.X && rt.X < p(RightEyeOuter).X},
					{"eye corners near the eye line", lineDist(p(LeftEyeInner), l, rt) < 0.2*iod && lineDist(p(LeftEyeOuter), l, rt) < 0.2*iod &&
						lineDist(p(RightEyeInner), l, rt) < 0.2*iod && lineDist(p(RightEyeOuter), l, rt) < 0.2*iod},
					{"brows above eyes", p(LeftBrowMiddle).Y < l.Y && p(RightBrowMiddle).Y < rt.Y},
					{"brows outer < middle < inner", p(LeftBrowOuter).X < p(LeftBrowMiddle).X && p(LeftBrowMiddle).X < p(LeftBrowInner).X &&
						p(RightBrowInner).X < p(RightBrowMiddle).X && p(RightBrowMiddle).X < p(RightBrowOuter).X},
					{"nose below eyes, between them", p(NoseTip).Y > eyeY+0.3*iod && p(NoseTip).X > l.X && p(NoseTip).X < rt.X},
					{"upper lip below nose, lower lip below upper", p(UpperLip).Y > p(NoseTip).Y && p(LowerLip).Y > p(UpperLip).Y},
					{"mouth corners either side of the lips", p(MouthLeft).X < p(UpperLip).X && p(UpperLip).X < p(MouthRight).X},
				}
				for _, c := range checks {
					if !c.ok {
						t.Errorf("%s: %s: %v", im.File, c.what, r.Landmarks)
					}
				}
			}
		}
	}
}

// TestRollFollowsRotation rotates a labelled photo by known angles with
// imaging.Rotate (counter-clockwise, about the image centre) and checks that
// Locate's roll changes by minus that angle and that the pupils follow the
// rotated labels.
func TestRollFollowsRotation(t *testing.T) {
	ls := loadLabels(t, labelFiles[1])
	a := newAligner(t, Options{Perturbations: 31, Seed: 1})
	for _, im := range ls.Images {
		src := loadRGBA(t, im.File)
		lab := im.Faces[0]
		base := Roll(eyeL(lab), eyeR(lab))
		for _, deg := range []float64{-12, -6, 5, 10} {
			t.Run(fmt.Sprintf("%s/%+.0f°", im.File, deg), func(t *testing.T) {
				rot := imaging.Rotate(src, deg, image.Black)
				move := rotation(src.Rect, rot.Rect, deg)
				var lf labelFace
				l, r := move(eyeL(lab)), move(eyeR(lab))
				lf.EyeL, lf.EyeR = &[2]float64{l.X, l.Y}, &[2]float64{r.X, r.Y}
				// The rotated box: the bounding box of the rotated corners.
				c := []Point{move(Point{lab.Box[0], lab.Box[1]}), move(Point{lab.Box[2], lab.Box[1]}), move(Point{lab.Box[0], lab.Box[3]}), move(Point{lab.Box[2], lab.Box[3]})}
				lf.Box = [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
				for _, p := range c {
					lf.Box = [4]float64{min(lf.Box[0], p.X), min(lf.Box[1], p.Y), max(lf.Box[2], p.X), max(lf.Box[3], p.Y)}
				}
				g := detect.GrayFrom(rot, nil)
				found := detectLabelled(t, g, []labelFace{lf})
				if len(found) != 1 {
					t.Fatalf("face not detected after rotating by %v°", deg)
				}
				var res Result
				if err := a.Locate(g, found[0].face, &res); err != nil {
					t.Fatal(err)
				}
				want := base - deg*math.Pi/180
				if math.Abs(res.Roll-want) > 2*math.Pi/180 {
					t.Errorf("roll %.2f°, want %.2f° (labelled %.2f° minus %v°)", res.RollDegrees(), want*180/math.Pi, base*180/math.Pi, deg)
				}
				if math.Abs(res.Chip.Angle()+res.Roll) > 1e-3 {
					t.Errorf("chip angle %.4f is not minus the roll %.4f", res.Chip.Angle(), res.Roll)
				}
				for _, e := range []struct{ got, want Point }{{res.LeftEye, l}, {res.RightEye, r}} {
					if d := dist(e.got, e.want); d > maxPupilErrIOD*eyeDist(lf) || d > maxPupilErrPx {
						t.Errorf("pupil %.1f, rotated label %.1f: off by %.2f px", e.got, e.want, d)
					}
				}
			})
		}
	}
}

// rotation returns the point mapping of imaging.Rotate(img, deg, …): a
// counter-clockwise turn about the centre of the source (pixel centres at
// integer coordinates), into the centre of the enlarged destination.
func rotation(src, dst image.Rectangle, deg float64) func(Point) Point {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	scx, scy := float64(src.Dx())/2-0.5, float64(src.Dy())/2-0.5
	dcx, dcy := float64(dst.Dx())/2-0.5, float64(dst.Dy())/2-0.5
	return func(p Point) Point {
		x, y := p.X-scx, p.Y-scy
		return Point{dcx + x*cos + y*sin, dcy - x*sin + y*cos}
	}
}

func TestNewErrors(t *testing.T) {
	good := puplocBytes(t)
	lps := lpsBytes(t)
	cases := []struct {
		name   string
		puploc []byte
		lps    map[string][]byte
		o      Options
		want   error
	}{
		{"zero perturbations", good, nil, Options{}, ErrBadOptions},
		{"too many perturbations", good, nil, Options{Perturbations: MaxPerturbations + 1}, ErrBadOptions},
		{"nil puploc", nil, nil, DefaultOptions(), ErrBadCascade},
		{"truncated puploc", good[:len(good)-1], nil, DefaultOptions(), ErrBadCascade},
		{"landmarks without lps", good, nil, Options{Perturbations: 15, Landmarks: true}, ErrBadCascade},
		{"truncated lps", good, map[string][]byte{"lp38": lps["lp38"][:1000]}, Options{Perturbations: 15, Landmarks: true}, ErrBadCascade},
		{"puploc given as lps", good, map[string][]byte{"lp38": good}, Options{Perturbations: 15, Landmarks: true}, nil},
		// Landmarks off: lps bytes are not even parsed.
		{"bad lps unused", good, map[string][]byte{"lp38": {1, 2, 3}}, Options{Perturbations: 15}, nil},
	}
	for _, c := range cases {
		_, err := New(c.puploc, c.lps, c.o)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
}

// TestPartialLandmarks: a subset of the lps cascades gives just their points.
func TestPartialLandmarks(t *testing.T) {
	all := lpsBytes(t)
	a, err := New(puplocBytes(t), map[string][]byte{"lp84": all["lp84"], "lp38": all["lp38"]}, Options{Perturbations: 15, Landmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	var r Result
	if err := a.Locate(grayOf(loadRGBA(t, "pigo-sample.jpg")), detect.Face{Row: 204, Col: 154, Size: 225}, &r); err != nil {
		t.Fatal(err)
	}
	var got []Part
	for _, l := range r.Landmarks {
		got = append(got, l.Part)
	}
	want := []Part{LeftEyeInner, RightEyeInner, MouthLeft, MouthRight}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parts %v, want %v", got, want)
	}
}

func TestLocateErrors(t *testing.T) {
	a := newAligner(t, DefaultOptions())
	g := detect.Gray{Pix: make([]uint8, 100*80), Width: 100, Height: 80, Stride: 100}
	ok := detect.Face{Row: 40, Col: 50, Size: 60}
	noise := detect.Gray{Pix: make([]uint8, 100*80), Width: 100, Height: 80, Stride: 100}
	for i := range noise.Pix {
		noise.Pix[i] = uint8(i * 7919 % 251)
	}
	cases := []struct {
		name string
		g    detect.Gray
		f    detect.Face
		r    *Result
		want error
	}{
		{"short pixels", detect.Gray{Pix: g.Pix[:100], Width: 100, Height: 80, Stride: 100}, ok, &Result{}, detect.ErrBadImage},
		{"zero image", detect.Gray{}, ok, &Result{}, detect.ErrBadImage},
		{"zero size", g, detect.Face{Row: 40, Col: 50}, &Result{}, ErrBadFace},
		{"negative size", g, detect.Face{Row: 40, Col: 50, Size: -5}, &Result{}, ErrBadFace},
		{"huge size", g, detect.Face{Row: 40, Col: 50, Size: math.MaxInt32}, &Result{}, ErrBadFace},
		{"far outside", g, detect.Face{Row: 40, Col: 5000, Size: 60}, &Result{}, ErrBadFace},
		{"nil result", g, ok, nil, ErrBadOptions},
		{"box over the edge", g, detect.Face{Row: 0, Col: 0, Size: 60}, &Result{}, nil},
		{"noise", noise, ok, &Result{}, nil},
		{"blank image", g, ok, &Result{}, nil},
	}
	for _, c := range cases {
		err := a.Locate(c.g, c.f, c.r)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
		if err == nil && !c.r.Chip.Valid() {
			t.Errorf("%s: invalid chip transform %+v", c.name, c.r.Chip)
		}
	}
}

// TestFallbackOnNoise: on random noise the perturbed pupil runs scatter, so
// Locate reports EyesFound=false and falls back to EstimateEyes for most
// boxes (75 of 128 measured; the threshold is set so that no labelled eye is
// rejected, see TestPupilsMatchLabels).
func TestFallbackOnNoise(t *testing.T) {
	a := newAligner(t, Options{Perturbations: 31, Seed: 1})
	src := rand.New(rand.NewPCG(1, 2))
	noise := detect.Gray{Pix: make([]uint8, 320*240), Width: 320, Height: 240, Stride: 320}
	for i := range noise.Pix {
		noise.Pix[i] = uint8(src.IntN(256))
	}
	var boxes, fallbacks int
	for size := 40; size <= 160; size += 30 {
		for row := size / 2; row < 240-size/2; row += 37 {
			for col := size / 2; col < 320-size/2; col += 41 {
				f := detect.Face{Row: row, Col: col, Size: size}
				var r Result
				if err := a.Locate(noise, f, &r); err != nil {
					t.Fatal(err)
				}
				boxes++
				if r.EyesFound {
					continue
				}
				fallbacks++
				l, rt := EstimateEyes(f)
				if r.LeftEye != l || r.RightEye != rt || r.Roll != 0 || !r.Chip.Valid() {
					t.Errorf("%+v: fallback eyes %v %v roll %v, want %v %v roll 0", f, r.LeftEye, r.RightEye, r.Roll, l, rt)
				}
			}
		}
	}
	t.Logf("noise: %d of %d boxes fell back to the estimate", fallbacks, boxes)
	if fallbacks < boxes/2 {
		t.Errorf("only %d of %d boxes on noise fell back to the estimate", fallbacks, boxes)
	}
}
