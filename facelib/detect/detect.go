package detect

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sort"
)

// ErrBadParams is returned (wrapped with details) by New for unusable Params.
var ErrBadParams = errors.New("detect: bad params")

// ClusterIoU is the intersection-over-union above which pigo's clustering
// step merges two raw detections into one cluster (the value pigo's own
// programs use).
const ClusterIoU = 0.2

// Params controls a Detector.
type Params struct {
	// MinSize and MaxSize bound the side of the square scan window in
	// pixels. Windows larger than the image are skipped.
	MinSize, MaxSize int
	// ShiftFactor is the step between windows as a fraction of the window
	// side, in (0, 1]. ScaleFactor is the growth of the window from one scale
	// to the next, in (1, 4]; pigo grows it by at least 2 pixels.
	ShiftFactor, ScaleFactor float64
	// IoUThreshold drives the non-maximum suppression after clustering: a
	// face is dropped if it overlaps a better-scoring face by more than this,
	// measured as intersection over the area of the smaller of the two boxes
	// (so a box nested inside another counts as fully overlapping). In [0, 1].
	IoUThreshold float64
	// MinScore drops clusters whose pigo score (the sum of the scores of the
	// raw detections in the cluster) is below it.
	MinScore float32
}

// DefaultParams returns parameters for a 640x480 camera frame with one or a
// few people in front of it, the playground's case. The measurements behind
// the values are in the package documentation. For other frame sizes scale
// MinSize and MaxSize with the frame (see ParamsFor).
func DefaultParams() Params {
	return Params{
		MinSize:      60,
		MaxSize:      480,
		ShiftFactor:  0.1,
		ScaleFactor:  1.1,
		IoUThreshold: 0.3,
		MinScore:     5,
	}
}

// ParamsFor returns DefaultParams with MinSize and MaxSize scaled to a frame
// of w x h pixels: MinSize is 1/8 of the shorter side (60 at 640x480, never
// below 20) and MaxSize the shorter side.
func ParamsFor(w, h int) Params {
	p := DefaultParams()
	short := min(w, h)
	p.MinSize = max(20, short/8)
	p.MaxSize = max(p.MinSize, short)
	return p
}

// Validate reports whether p is usable, wrapping ErrBadParams.
func (p Params) Validate() error {
	switch {
	case p.MinSize < 4:
		return fmt.Errorf("%w: MinSize %d < 4", ErrBadParams, p.MinSize)
	case p.MaxSize < p.MinSize:
		return fmt.Errorf("%w: MaxSize %d < MinSize %d", ErrBadParams, p.MaxSize, p.MinSize)
	case !(p.ShiftFactor > 0 && p.ShiftFactor <= 1):
		return fmt.Errorf("%w: ShiftFactor %v outside (0, 1]", ErrBadParams, p.ShiftFactor)
	case !(p.ScaleFactor > 1 && p.ScaleFactor <= 4):
		return fmt.Errorf("%w: ScaleFactor %v outside (1, 4]", ErrBadParams, p.ScaleFactor)
	case !(p.IoUThreshold >= 0 && p.IoUThreshold <= 1):
		return fmt.Errorf("%w: IoUThreshold %v outside [0, 1]", ErrBadParams, p.IoUThreshold)
	case math.IsNaN(float64(p.MinScore)) || math.IsInf(float64(p.MinScore), 0):
		return fmt.Errorf("%w: MinScore %v", ErrBadParams, p.MinScore)
	}
	return nil
}

// Face is a detected face: the centre (Row, Col) and side Size of pigo's
// square box, in pixels, its score and its roll. For a cluster the score is
// the sum of the scores of its raw detections; for a raw detection, the
// cascade output.
type Face struct {
	Row, Col, Size int
	Score          float32
	// Angle is the roll the face was found at, in radians: 0 for Detect's
	// upright faces, the scanned angle for DetectRotated and DetectAngles.
	// Positive is clockwise on screen (the image-right eye lower), the
	// sign of align.Roll. The face's box is the Size x Size square turned
	// by Angle about (Col, Row).
	Angle float64
}

// Rect returns the face's square box: Size pixels wide, centred on (Col, Row)
// (the left/top edge at Col-Size/2, Row-Size/2, as pigo draws it). For a
// rolled face (Angle != 0) it is the upright square with the box's centre
// and side; the face's own box is that square turned by Angle.
func (f Face) Rect() image.Rectangle {
	x0, y0 := f.Col-f.Size/2, f.Row-f.Size/2
	return image.Rect(x0, y0, x0+f.Size, y0+f.Size)
}

// Detector runs a Cascade over grey images. It owns scratch buffers, so a
// Detector must not be used by two goroutines at once; the Cascade may be
// shared (make one cheap Detector per goroutine with New).
type Detector struct {
	c *Cascade
	p Params

	raw      faceSorter // raw detections of the last scan
	tables   []offTable // per-scale pixel offsets, kept while the stride stays
	assigned []bool
	clusters []Face

	rot              []rotSlot // rotated offset tables, per angle (DetectRotated)
	tick             uint64    // use counter for replacing rot slots
	perAngle, merged []Face    // DetectAngles scratch
}

// New returns a Detector for c with params p, or an error wrapping
// ErrBadParams (or ErrBadCascade for a nil cascade).
func New(c *Cascade, p Params) (*Detector, error) {
	if c == nil || c.trees == 0 {
		return nil, fmt.Errorf("%w: nil cascade", ErrBadCascade)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Detector{c: c, p: p}, nil
}

// Params returns the detector's parameters.
func (d *Detector) Params() Params { return d.p }

// Detect appends the faces found in g to dst[:0], sorted by score (highest
// first), and returns it. It runs pigo's scan (upright faces only) and
// clustering, then drops clusters scoring below MinScore and suppresses
// overlapping ones (see Params.IoUThreshold). It reuses the detector's
// buffers: in steady state (same image size, dst with enough capacity) it
// does not allocate.
func (d *Detector) Detect(g Gray, dst []Face) ([]Face, error) {
	if err := d.scan(g); err != nil {
		return dst[:0], err
	}
	d.cluster()
	dst = dst[:0]
	for _, f := range d.clusters {
		if f.Score >= d.p.MinScore {
			dst = append(dst, f)
		}
	}
	sortByScoreDesc(dst)
	return suppress(dst, d.p.IoUThreshold), nil
}

// Candidates appends to dst[:0] every window the cascade accepted (score > 0)
// before clustering, in scan order (scale by scale, row by row), and returns
// it. This is pigo's RunCascade output, for showing the raw detections.
func (d *Detector) Candidates(g Gray, dst []Face) ([]Face, error) {
	if err := d.scan(g); err != nil {
		return dst[:0], err
	}
	return append(dst[:0], d.raw...), nil
}

// Clusters appends to dst[:0] pigo's clusters of the raw detections (before
// the MinScore filter and suppression), in pigo's order (ascending score of
// the detection that seeded the cluster), and returns it.
func (d *Detector) Clusters(g Gray, dst []Face) ([]Face, error) {
	if err := d.scan(g); err != nil {
		return dst[:0], err
	}
	d.cluster()
	return append(dst[:0], d.clusters...), nil
}

// Scale is one pass of the scan: square windows of Size pixels whose centres
// lie on a grid Step pixels apart, starting at Offset in both directions,
// with Rows x Cols positions.
type Scale struct {
	Size, Step, Offset int
	Rows, Cols         int
}

// Windows returns the number of windows of the pass.
func (s Scale) Windows() int { return s.Rows * s.Cols }

// Window returns the window at grid position (i, j), 0 <= i < Rows,
// 0 <= j < Cols, as a Face with zero score.
func (s Scale) Window(i, j int) Face {
	return Face{Row: s.Offset + i*s.Step, Col: s.Offset + j*s.Step, Size: s.Size}
}

// Scales appends to dst[:0] the passes the detector makes over a w x h image
// (passes without any window are omitted) and returns it. Together with
// Scale.Window it enumerates every window the scan classifies, without
// allocating when dst has room.
func (d *Detector) Scales(w, h int, dst []Scale) []Scale {
	dst = dst[:0]
	d.eachScale(w, h, func(s Scale) { dst = append(dst, s) })
	return dst
}

// eachScale calls fn for each scan pass over a w x h image, exactly as
// pigo's RunCascade steps (scale, step, offset). Scales beyond the shorter
// side have no windows and are skipped; this also keeps a huge MaxSize from
// overflowing the scale.
func (d *Detector) eachScale(w, h int, fn func(Scale)) {
	p := d.p
	maxSize := min(p.MaxSize, w, h)
	for scale := p.MinSize; scale <= maxSize; {
		step := int(math.Max(p.ShiftFactor*float64(scale), 1))
		offset := scale/2 + 1
		if offset <= h-offset && offset <= w-offset {
			fn(Scale{
				Size: scale, Step: step, Offset: offset,
				Rows: (h-2*offset)/step + 1,
				Cols: (w-2*offset)/step + 1,
			})
		}
		scale = int(float64(scale) + math.Max(2, float64(scale)*p.ScaleFactor-float64(scale)))
	}
}

// offTable caches Cascade.offsets for one scale and stride.
type offTable struct {
	size, dim int
	off       []int32
}

// table returns the offsets for the i-th scale of side s at stride dim,
// recomputing them only when the scale or stride changed.
func (d *Detector) table(i, s, dim int) []int32 {
	if i == len(d.tables) {
		d.tables = append(d.tables, offTable{})
	}
	t := &d.tables[i]
	if t.size != s || t.dim != dim || t.off == nil {
		t.off = d.c.offsets(s, dim, t.off)
		t.size, t.dim = s, dim
	}
	return t.off
}

// scan fills d.raw with pigo's raw detections.
func (d *Detector) scan(g Gray) error {
	if err := g.Validate(); err != nil {
		return err
	}
	d.raw = d.raw[:0]
	c := d.c
	pix, dim := g.Pix, g.Stride
	rows, cols := g.Height, g.Width
	p := d.p
	maxSize := min(p.MaxSize, rows, cols)
	// The offset table holds int32 offsets: fall back to plain classify for
	// images too big for them (never for camera frames).
	small := len(pix) < math.MaxInt32/2
	for i, scale := 0, p.MinSize; scale <= maxSize; i++ {
		step := int(math.Max(p.ShiftFactor*float64(scale), 1))
		offset := scale/2 + 1
		var off []int32
		if small && offset <= rows-offset && offset <= cols-offset {
			off = d.table(i, scale, dim)
		}
		for row := offset; row <= rows-offset; row += step {
			for col := offset; col <= cols-offset; col += step {
				var q float32
				if off != nil {
					q = c.classifyOff(off, row, col, scale, pix, dim)
				} else {
					q = c.classify(row, col, scale, pix, dim)
				}
				if q > 0 {
					d.raw = append(d.raw, Face{Row: row, Col: col, Size: scale, Score: q})
				}
			}
		}
		scale = int(float64(scale) + math.Max(2, float64(scale)*p.ScaleFactor-float64(scale)))
	}
	return nil
}

// faceSorter sorts raw detections by ascending score with the same algorithm
// (pdqsort via package sort) and comparisons as pigo's sort.Slice, so ties
// end up in the same order and the clusters come out identical.
type faceSorter []Face

func (s faceSorter) Len() int           { return len(s) }
func (s faceSorter) Less(i, j int) bool { return s[i].Score < s[j].Score }
func (s faceSorter) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }

// cluster is pigo's ClusterDetections (v1.4.6) with threshold ClusterIoU,
// on the detector's buffers: d.raw -> d.clusters.
func (d *Detector) cluster() {
	dets := d.raw
	sort.Sort(&d.raw)
	if cap(d.assigned) < len(dets) {
		d.assigned = make([]bool, len(dets))
	}
	assigned := d.assigned[:len(dets)]
	clear(assigned)
	d.clusters = d.clusters[:0]
	for i := range dets {
		if assigned[i] {
			continue
		}
		var r, c, s, n int
		var q float32
		for j := range dets {
			if pigoIoU(dets[i], dets[j]) > ClusterIoU {
				assigned[j] = true
				r += dets[j].Row
				c += dets[j].Col
				s += dets[j].Size
				q += dets[j].Score
				n++
			}
		}
		if n > 0 {
			d.clusters = append(d.clusters, Face{Row: r / n, Col: c / n, Size: s / n, Score: q})
		}
	}
}

// pigoIoU is pigo's calcIoU, in the same float64 arithmetic.
func pigoIoU(a, b Face) float64 {
	r1, c1, s1 := float64(a.Row), float64(a.Col), float64(a.Size)
	r2, c2, s2 := float64(b.Row), float64(b.Col), float64(b.Size)
	overRow := math.Max(0, math.Min(r1+s1/2, r2+s2/2)-math.Max(r1-s1/2, r2-s2/2))
	overCol := math.Max(0, math.Min(c1+s1/2, c2+s2/2)-math.Max(c1-s1/2, c2-s2/2))
	return overRow * overCol / (s1*s1 + s2*s2 - overRow*overCol)
}

// sortByScoreDesc sorts faces by descending score, ties by position, with an
// insertion sort (few faces; no allocation, deterministic).
func sortByScoreDesc(f []Face) {
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && better(f[j], f[j-1]); j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}

func better(a, b Face) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	if a.Row != b.Row {
		return a.Row < b.Row
	}
	if a.Col != b.Col {
		return a.Col < b.Col
	}
	return a.Size > b.Size
}

// Overlap returns the intersection of a's and b's boxes over the area of the
// smaller box: 1 when one box is nested inside the other, 0 when disjoint.
func Overlap(a, b Face) float64 {
	in := a.Rect().Intersect(b.Rect())
	if in.Empty() {
		return 0
	}
	small := min(a.Size, b.Size)
	return float64(in.Dx()*in.Dy()) / float64(small*small)
}

// IoU returns the intersection over union of two rectangles (0 if both are
// empty).
func IoU(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	if in.Empty() {
		return 0
	}
	i := float64(in.Dx() * in.Dy())
	u := float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - i
	return i / u
}

// suppress keeps, in order, each face that overlaps no kept face by more
// than thr (Overlap), compacting f in place.
func suppress(f []Face, thr float64) []Face {
	kept := f[:0]
	for _, c := range f {
		ok := true
		for _, k := range kept {
			if Overlap(k, c) > thr {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, c)
		}
	}
	return kept
}
