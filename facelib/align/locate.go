package align

import (
	"errors"
	"fmt"
	"math"

	"github.com/facewatch/facewatch/facelib/detect"
)

// ErrBadOptions reports unusable Options.
var ErrBadOptions = errors.New("align: bad options")

// ErrBadFace reports a face box that is empty or absurdly large.
var ErrBadFace = errors.New("align: bad face")

// MaxPerturbations bounds Options.Perturbations.
const MaxPerturbations = 1023

// Options controls an Aligner.
type Options struct {
	// Perturbations is how many randomly perturbed runs of each cascade are
	// combined (by their median) per point: more is steadier and slower,
	// linearly. pigo uses 63. 1..MaxPerturbations.
	Perturbations int
	// Landmarks turns on the 15 landmark points (9 more cascades, about
	// 9x the work of the pupils alone: 15 runs of 1,080 tree nodes against
	// 2 of 1,000). The chip needs only the pupils.
	Landmarks bool
	// Seed seeds the perturbations. Results depend only on the image, the
	// face and the options, never on earlier calls.
	Seed int64
}

// DefaultOptions returns the options the pipeline uses: pupils only, with
// 31 perturbations. On the labelled faces 15, 31 and 63 perturbations are
// equally accurate (mean pupil error 0.057 eye distances); what more buys is
// steadiness: the pupils move by 0.008, 0.006 and 0.004 eye distances (rms)
// between seeds, i.e. from frame to frame. The cost is linear in the
// perturbations and about 9x higher with landmarks (BenchmarkLocate).
func DefaultOptions() Options {
	return Options{Perturbations: 31, Landmarks: false, Seed: 1}
}

func (o Options) validate() error {
	if o.Perturbations < 1 || o.Perturbations > MaxPerturbations {
		return fmt.Errorf("%w: Perturbations %d outside 1..%d", ErrBadOptions, o.Perturbations, MaxPerturbations)
	}
	return nil
}

// Aligner locates pupils and landmarks in detected faces. It keeps scratch
// buffers, so one Aligner must not be used by two goroutines at once: give
// each goroutine its own with Clone, which shares the parsed cascades (New
// parses them again). The cascades are never written after New.
type Aligner struct {
	opt   Options
	pupil *cascade
	lps   [NumParts]*cascade // per Part; nil if its cascade was not given
	nLps  int
	sc    scratch
}

// New parses the puploc cascade and, if o.Landmarks is set, the lps
// cascades named in LandmarkCascades found in lps (other entries are
// ignored; a missing cascade only drops its points). Bad bytes give an error
// wrapping ErrBadCascade; it never panics.
func New(puploc []byte, lps map[string][]byte, o Options) (*Aligner, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	p, err := parseCascade(puploc)
	if err != nil {
		return nil, fmt.Errorf("puploc: %w", err)
	}
	a := &Aligner{opt: o, pupil: p}
	if o.Landmarks {
		parsed := make([]*cascade, len(LandmarkCascades))
		for i, name := range LandmarkCascades {
			b, ok := lps[name]
			if !ok {
				continue
			}
			if parsed[i], err = parseCascade(b); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		for part, s := range partSpecs {
			if c := parsed[s.cascade]; c != nil {
				a.lps[part] = c
				a.nLps++
			}
		}
		if a.nLps == 0 {
			return nil, fmt.Errorf("%w: Landmarks is on but none of the lps cascades %v was given", ErrBadCascade, LandmarkCascades)
		}
	}
	a.sc.grow(o.Perturbations)
	return a, nil
}

// Clone returns a new Aligner with the same options that shares a's parsed
// cascades (read-only, about 1.2 MB for puploc and 0.7 MB per lps cascade)
// and has scratch buffers of its own (a few hundred bytes), so each
// goroutine can cheaply have its own Aligner: Clone does not parse
// anything and gives the same results as a. a itself may be in use by
// another goroutine while it is cloned, since Clone reads only what New set.
func (a *Aligner) Clone() *Aligner {
	c := &Aligner{opt: a.opt, pupil: a.pupil, lps: a.lps, nLps: a.nLps}
	c.sc.grow(a.opt.Perturbations)
	return c
}

// Options returns the options the Aligner was made with.
func (a *Aligner) Options() Options { return a.opt }

// Result is what Locate finds in one face.
type Result struct {
	// LeftEye and RightEye are the pupil centres, image-left and
	// image-right in the face's upright frame: for an upright face
	// LeftEye.X < RightEye.X, and for a rolled one (detect.Face.Angle) as
	// long as it is rolled by less than 90°.
	LeftEye, RightEye Point
	// EyesFound is false when the pupil search did not converge (its
	// perturbed runs scattered) or gave pupils no face can have, and the
	// eyes were instead estimated from the face box (EstimateEyes). The
	// search always returns some point, so a box on something that is not a
	// face often still reports EyesFound: it is a sanity check, not a face
	// verifier.
	EyesFound bool
	// Landmarks holds the landmark points found, in Part order (all 15 when
	// every lps cascade is loaded and every point falls inside the image),
	// or none when Options.Landmarks is off. Locate reuses its storage.
	Landmarks []Landmark
	// Roll is the angle of the eye line in radians (see Roll).
	Roll float64
	// Chip maps the image into the standard 150x150 face chip:
	// ChipTransform(LeftEye, RightEye, ChipSize, ChipPadding).
	Chip Transform
}

// RollDegrees returns Roll in degrees.
func (r *Result) RollDegrees() float64 { return r.Roll * 180 / math.Pi }

// Where the pupil search starts, relative to the face box (centre row/col,
// side size): eyes eyeUp sizes above the centre and eyeSide sizes to either
// side, which is the mean labelled eye position in the boxes facelib/detect
// gives on the project's labelled faces (0.084 and 0.177 on 17 faces), and a
// search scale of eyeScale sizes. pigo's examples use 0.075/0.175/0.25
// (cmd/pigo) and 0.085/0.185/0.4 (its Python and wasm demos); on the labelled
// faces 0.3 gave the smallest mean and worst-case pupil error of the scales
// 0.2..0.35 (mean 0.057, worst 0.128 eye distances at 31 perturbations).
const (
	eyeUp    = 0.085
	eyeSide  = 0.175
	eyeScale = 0.3
)

// Locate finds the pupils (and, if enabled, the landmarks) of face f in g
// and fills r, reusing r.Landmarks. It does not allocate once r.Landmarks
// has grown to its full length. The answer depends only on g, f and the
// Aligner's options.
func (a *Aligner) Locate(g detect.Gray, f detect.Face, r *Result) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("%w: nil result", ErrBadOptions)
	}
	if f.Size <= 0 || f.Size > 4*max(g.Width, g.Height) ||
		f.Row < -f.Size || f.Row > g.Height+f.Size || f.Col < -f.Size || f.Col > g.Width+f.Size {
		return fmt.Errorf("%w: box centre (%d, %d) size %d in a %dx%d image", ErrBadFace, f.Col, f.Row, f.Size, g.Width, g.Height)
	}
	if math.IsNaN(f.Angle) || math.Abs(f.Angle) > math.Pi {
		return fmt.Errorf("%w: angle %v rad, want a finite roll within ±π", ErrBadFace, f.Angle)
	}
	gr := gray{pix: g.Pix, w: g.Width, h: g.Height, stride: g.Stride}
	seed := uint64(a.opt.Seed)
	n := a.opt.Perturbations
	size := float32(f.Size)
	s := eyeScale * size
	// A rolled face is searched in its own upright frame (see turn): the
	// same start points, steps and checks as an upright face, reading the
	// image through the turn; the points found are turned back at the end.
	tr := turnAbout(f.Angle, f.Row, f.Col)
	up := f
	up.Angle = 0
	row := float32(f.Row) - eyeUp*size

	lr, lc, _, ls := a.pupil.locateTurned(&gr, &a.sc, row, float32(f.Col)-eyeSide*size, s, n, seed, 0, false, tr)
	rr, rc, _, rs := a.pupil.locateTurned(&gr, &a.sc, row, float32(f.Col)+eyeSide*size, s, n, seed, 1, false, tr)
	left, right := Point{float64(lc), float64(lr)}, Point{float64(rc), float64(rr)}
	r.EyesFound = max(ls, rs) <= maxSpread && plausibleEyes(left, right, up)
	if !r.EyesFound {
		left, right = EstimateEyes(up)
	}
	r.LeftEye, r.RightEye = tr.point(left), tr.point(right)
	r.Roll = Roll(r.LeftEye, r.RightEye)
	r.Chip = ChipTransform(r.LeftEye, r.RightEye, ChipSize, ChipPadding)

	r.Landmarks = r.Landmarks[:0]
	if a.nLps == 0 {
		return nil
	}
	// pigo's GetLandmarkPoint: start below and right of the eye midpoint,
	// at a scale of three eye distances.
	dist := float32(math.Hypot(right.X-left.X, right.Y-left.Y))
	mr := float32(left.Y+right.Y)/2 + 0.25*dist
	mc := float32(left.X+right.X)/2 + 0.15*dist
	for part, c := range a.lps {
		if c == nil {
			continue
		}
		pr, pc, _, _ := c.locateTurned(&gr, &a.sc, mr, mc, 3*dist, n, seed, 2+uint64(part), partSpecs[part].flip, tr)
		p := tr.point(Point{float64(pc), float64(pr)})
		if p.Y < 0 || p.X < 0 || p.Y > float64(g.Height-1) || p.X > float64(g.Width-1) {
			continue
		}
		r.Landmarks = append(r.Landmarks, Landmark{p, Part(part)})
	}
	return nil
}

// maxSpread is the largest spread of the perturbed pupil runs (see
// cascade.locate) Locate accepts: on the 34 labelled eyes it is at most
// 0.15; on uniform random noise it exceeds 0.2 for more than half of all
// boxes.
const maxSpread = 0.2

// plausibleEyes rejects pupils a face cannot have: outside the box, crossed,
// too close or too far apart for the box, or tilted by more than about 31°
// (the detector finds faces within about ±20° of the angle it scans). The
// points are in the face's upright frame (see turn).
func plausibleEyes(l, r Point, f detect.Face) bool {
	size := float64(f.Size)
	in := func(p Point) bool {
		return math.Abs(p.X-float64(f.Col)) <= size/2 && math.Abs(p.Y-float64(f.Row)) <= size/2
	}
	if !in(l) || !in(r) {
		return false
	}
	dx, dy := r.X-l.X, r.Y-l.Y
	if dx <= 0 || math.Abs(dy) > 0.6*dx {
		return false
	}
	d := math.Hypot(dx, dy) / size
	return d >= 0.2 && d <= 0.7
}

// EstimateEyes returns where the eyes of a face usually are in a
// detection box of facelib/detect: 0.085 box sides above its centre and
// 0.175 sides to either side (the mean over the project's labelled faces),
// in the face's own frame, turned by f.Angle about the box centre for a
// rolled face. The pupil search starts there, and Locate falls back to it
// when the search gives implausible pupils.
func EstimateEyes(f detect.Face) (left, right Point) {
	s := float64(f.Size)
	y := float64(f.Row) - eyeUp*s
	left, right = Point{float64(f.Col) - eyeSide*s, y}, Point{float64(f.Col) + eyeSide*s, y}
	if f.Angle == 0 {
		return left, right
	}
	tr := turnAbout(f.Angle, f.Row, f.Col)
	return tr.point(left), tr.point(right)
}
