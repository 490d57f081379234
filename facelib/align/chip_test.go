package align

import (
	"math"
	"testing"
)

// dlib's 5-point template as printed in get_face_chip_details
// (dlib/image_transforms/interpolation.h), parts 0..4: person's left eye
// outer and inner corner, right eye outer and inner corner, under the nose.
var dlib5 = [5]Point{
	{0.8595674595992, 0.2134981538014},
	{0.6460604764104, 0.2289674387677},
	{0.1205750620789, 0.2137274526848},
	{0.3340850613712, 0.2290642403242},
	{0.4901123135679, 0.6277975316475},
}

// dlibChipPoint is dlib's (padding + p) / (2*padding + 1) * size.
func dlibChipPoint(p Point, size int, padding float64) Point {
	return Point{(padding + p.X) / (2*padding + 1) * float64(size), (padding + p.Y) / (2*padding + 1) * float64(size)}
}

// fitSimilarity is the least-squares similarity transform from points src to
// dst (Umeyama's method for 2D, as dlib's find_similarity_transform), in our
// Transform form.
func fitSimilarity(src, dst []Point) Transform {
	n := float64(len(src))
	var ms, md Point
	for i := range src {
		ms.X += src[i].X / n
		ms.Y += src[i].Y / n
		md.X += dst[i].X / n
		md.Y += dst[i].Y / n
	}
	// With complex z: minimise sum |a*s + b - d|^2 → a = sum(conj(s')*d') / sum|s'|^2.
	var num, den, numI float64
	for i := range src {
		sx, sy := src[i].X-ms.X, src[i].Y-ms.Y
		dx, dy := dst[i].X-md.X, dst[i].Y-md.Y
		num += sx*dx + sy*dy
		numI += sx*dy - sy*dx
		den += sx*sx + sy*sy
	}
	t := Transform{A: num / den, B: numI / den}
	p := t.Apply(ms)
	t.Tx, t.Ty = md.X-p.X, md.Y-p.Y
	return t
}

func near(a, b Point, tol float64) bool { return dist(a, b) <= tol }

// TestChipMatchesDlibFit: for a face with exactly the template's
// proportions, at any position, scale and rotation, dlib's least-squares fit
// of all 5 points and ChipTransform from the two eye-corner midpoints give
// the same chip.
func TestChipMatchesDlibFit(t *testing.T) {
	cases := []struct {
		scale, angle, tx, ty float64
	}{
		{1, 0, 0, 0},
		{2.3, 0.3, 40, -12},
		{0.7, -0.45, 310.5, 220.25},
		{5, math.Pi / 7, -100, 900},
	}
	for _, c := range cases {
		// S: chip → image.
		s := Transform{A: c.scale * math.Cos(c.angle), B: c.scale * math.Sin(c.angle), Tx: c.tx, Ty: c.ty}
		var chipPts, imgPts []Point
		for _, p := range dlib5 {
			q := dlibChipPoint(p, ChipSize, ChipPadding)
			chipPts = append(chipPts, q)
			imgPts = append(imgPts, s.Apply(q))
		}
		dlibFit := fitSimilarity(imgPts, chipPts) // image → chip, as dlib's chip_details encodes
		left := mid(imgPts[2], imgPts[3])
		right := mid(imgPts[0], imgPts[1])
		ours := ChipTransform(left, right, ChipSize, ChipPadding)
		for _, p := range []Point{{0, 0}, {1000, 0}, {0, 1000}, imgPts[4]} {
			if a, b := ours.Apply(p), dlibFit.Apply(p); !near(a, b, 1e-6) {
				t.Errorf("%+v: ChipTransform maps %v to %v, dlib's fit to %v", c, p, a, b)
			}
		}
	}
}

// TestTemplateNumbers pins the derived figures the documentation quotes to
// dlib's constants.
func TestTemplateNumbers(t *testing.T) {
	l, r := TemplateEyes(ChipSize, ChipPadding)
	wantL := dlibChipPoint(mid(dlib5[2], dlib5[3]), ChipSize, ChipPadding)
	wantR := dlibChipPoint(mid(dlib5[0], dlib5[1]), ChipSize, ChipPadding)
	if !near(l, wantL, 1e-12) || !near(r, wantR, 1e-12) {
		t.Fatalf("TemplateEyes %v %v, dlib %v %v", l, r, wantL, wantR)
	}
	// Figures quoted in ChipTransform's documentation (to their printed precision).
	iod := dist(l, r)
	if side := ChipSize / iod; math.Abs(side-2.8545) > 5e-5 {
		t.Errorf("chip side %.5f eye distances, documented 2.8545", side)
	}
	m := mid(l, r)
	if down := (ChipSize/2.0 - m.Y) / iod; math.Abs(down-0.5303) > 5e-5 {
		t.Errorf("centre %.5f eye distances below the eyes, documented 0.5303", down)
	}
	if math.Abs(l.X-47.73) > 0.005 || math.Abs(l.Y-47.14) > 0.005 || math.Abs(r.X-100.28) > 0.005 || math.Abs(r.Y-47.12) > 0.005 {
		t.Errorf("template eyes %.3f %.3f, documented (47.73, 47.14) (100.28, 47.12)", l, r)
	}
	// The design notes' rounder figures are within 1.5% (scale) and 0.01
	// eye distances (centre).
	if rel := (2*0.963365*(1+2*ChipPadding))/(ChipSize/iod) - 1; math.Abs(rel) > 0.015 {
		t.Errorf("design-note chip side differs by %.2f%%", 100*rel)
	}
}

// TestLabelledEyesLandOnTemplate: the labelled eyes of real faces map onto
// the template positions for several chip sizes and paddings, and the inverse
// maps them back.
func TestLabelledEyesLandOnTemplate(t *testing.T) {
	for _, lf := range labelFiles {
		for _, im := range loadLabels(t, lf).Images {
			for _, f := range im.Faces {
				for _, sp := range []struct {
					size    int
					padding float64
				}{{ChipSize, ChipPadding}, {200, 0.2}, {112, 0}} {
					tr := ChipTransform(eyeL(f), eyeR(f), sp.size, sp.padding)
					wl, wr := TemplateEyes(sp.size, sp.padding)
					if gl, gr := tr.Apply(eyeL(f)), tr.Apply(eyeR(f)); !near(gl, wl, 1e-9) || !near(gr, wr, 1e-9) {
						t.Errorf("%s %v: eyes map to %v %v, template %v %v", im.File, sp, gl, gr, wl, wr)
					}
					inv := tr.Inverse()
					if b := inv.Apply(wl); !near(b, eyeL(f), 1e-9) {
						t.Errorf("%s: inverse maps template left eye to %v, want %v", im.File, b, eyeL(f))
					}
					// Scale: the chip's eye distance over the image's.
					if s := tr.Scale(); math.Abs(s-dist(wl, wr)/eyeDist(f)) > 1e-12 {
						t.Errorf("%s: scale %v", im.File, s)
					}
				}
			}
		}
	}
}

// TestChipAgreesWithCornerFit compares the pupil-based chip with dlib's own
// recipe applied to pigo's eye-corner landmarks on real faces (dlib fits
// corners and the point under the nose; pigo has no such point, so the fit
// uses the four corners). Both are noisy estimates of the same chip: each
// face must agree within 10% in scale, 5° in angle and 8 chip pixels in
// position, and on average within 5% and 4 px.
func TestChipAgreesWithCornerFit(t *testing.T) {
	a := newAligner(t, Options{Perturbations: 63, Landmarks: true, Seed: 1})
	var sumScale, sumCentre float64
	var n int
	for _, im := range loadLabels(t, labelFiles[0]).Images {
		if len(im.Faces) == 0 {
			continue
		}
		g := grayOf(loadRGBA(t, im.File))
		for _, d := range detectLabelled(t, g, im.Faces) {
			var r Result
			if err := a.Locate(g, d.face, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Landmarks) != int(NumParts) {
				t.Fatalf("%s: %d landmarks", im.File, len(r.Landmarks))
			}
			at := func(p Part) Point { return r.Landmarks[p].Point }
			var chipPts []Point
			for _, i := range []int{0, 1, 2, 3} {
				chipPts = append(chipPts, dlibChipPoint(dlib5[i], ChipSize, ChipPadding))
			}
			imgPts := []Point{at(RightEyeOuter), at(RightEyeInner), at(LeftEyeOuter), at(LeftEyeInner)}
			fit := fitSimilarity(imgPts, chipPts)
			scale := r.Chip.Scale() / fit.Scale()
			angle := (r.Chip.Angle() - fit.Angle()) * 180 / math.Pi
			centre := dist(r.Chip.Apply(fit.Inverse().Apply(Point{75, 75})), Point{75, 75})
			sumScale += scale
			sumCentre += centre
			n++
			if math.Abs(scale-1) > 0.1 || math.Abs(angle) > 5 || centre > 8 {
				t.Errorf("%s: pupil chip and corner fit disagree: scale ×%.3f, angle %+.2f°, centre moved %.2f chip px", im.File, scale, angle, centre)
			}
		}
	}
	ms, mc := sumScale/float64(n), sumCentre/float64(n)
	t.Logf("%d faces: pupil chip vs corner fit: mean scale ×%.3f, mean centre distance %.2f chip px", n, ms, mc)
	if math.Abs(ms-1) > 0.05 || mc > 4 {
		t.Errorf("pupil chip and corner fit disagree on average: scale ×%.3f, centre %.2f px", ms, mc)
	}
}

func TestTransformValid(t *testing.T) {
	cases := []struct {
		name string
		t    Transform
		want bool
	}{
		{"chip", ChipTransform(Point{100, 100}, Point{150, 102}, ChipSize, ChipPadding), true},
		{"zero", Transform{}, false},
		{"coincident eyes", ChipTransform(Point{100, 100}, Point{100, 100}, ChipSize, ChipPadding), false},
		{"NaN eye", ChipTransform(Point{math.NaN(), 100}, Point{150, 100}, ChipSize, ChipPadding), false},
		{"Inf eye", ChipTransform(Point{math.Inf(1), 100}, Point{150, 100}, ChipSize, ChipPadding), false},
		{"NaN translation", Transform{A: 1, Tx: math.NaN()}, false},
	}
	for _, c := range cases {
		if got := c.t.Valid(); got != c.want {
			t.Errorf("%s: Valid() = %v for %+v", c.name, got, c.t)
		}
	}
}

func TestMatrixAndRoll(t *testing.T) {
	l, r := Point{100, 100}, Point{150, 150}
	if got := Roll(l, r) * 180 / math.Pi; math.Abs(got-45) > 1e-9 {
		t.Errorf("Roll = %v°, want 45°", got)
	}
	tr := ChipTransform(l, r, ChipSize, ChipPadding)
	if math.Abs(tr.Angle()+Roll(l, r)-math.Atan2(-(47.1233-47.1396), 52.548)) > 1e-3 {
		t.Errorf("chip angle %v for roll %v", tr.Angle(), Roll(l, r))
	}
	m := tr.Matrix()
	for _, p := range []Point{{0, 0}, {3, 7}, {-20, 400}} {
		want := tr.Apply(p)
		got := Point{m[0]*p.X + m[1]*p.Y + m[2], m[3]*p.X + m[4]*p.Y + m[5]}
		if !near(got, want, 1e-9) {
			t.Errorf("Matrix maps %v to %v, Apply to %v", p, got, want)
		}
	}
}
