package detect

import (
	"errors"
	"fmt"
	"math"
)

// ErrBadAngle is returned (wrapped with details) by DetectRotated and
// DetectAngles for an angle that is not a finite number within ±MaxAngle, or
// for an empty or too long list of angles.
var ErrBadAngle = errors.New("detect: bad angle")

const (
	// MaxAngle bounds the roll DetectRotated accepts, in radians: half a
	// turn either way covers every roll.
	MaxAngle = math.Pi
	// MaxAngles bounds the number of angles one DetectAngles call scans.
	MaxAngles = 32
	// rotSlots is how many angles a Detector keeps rotated offset tables
	// for. DefaultAngles needs 7; one more leaves room for a tracker's
	// angle next to the sweep. Beyond it tables are recomputed (without
	// allocating) as angles come and go.
	rotSlots = 8
)

// deg is one degree in radians.
const deg = math.Pi / 180

// DefaultAngles returns the rolls of a sweep for still images: 0, ±15°,
// ±30° and ±45°, in radians, upright first. The frontal cascade tolerates
// about ±20° of roll, so the sweep finds faces rolled up to about 65° either
// way. It costs about seven upright scans (see the package documentation).
func DefaultAngles() []float64 {
	return []float64{0, -15 * deg, 15 * deg, -30 * deg, 30 * deg, -45 * deg, 45 * deg}
}

// checkAngle reports whether a is a usable roll.
func checkAngle(a float64) error {
	if math.IsNaN(a) || math.IsInf(a, 0) || math.Abs(a) > MaxAngle {
		return fmt.Errorf("%w: %v rad, want a finite roll within ±%.4f (half a turn)", ErrBadAngle, a, MaxAngle)
	}
	return nil
}

// DetectRotated appends to dst[:0] the faces in g rolled by about angle
// radians (positive is clockwise on screen, the sign of align.Roll: the
// image-right eye lower), sorted by score, and returns it. Each face's Row,
// Col and Size are the centre and side of its box in g's own coordinates
// (the box is the Size x Size square turned by angle about the centre;
// Face.Rect is its upright counterpart) and its Angle is angle.
//
// It runs the same scan, clustering, MinScore filter and suppression as
// Detect, with each window's cascade samples turned by angle about the
// window's centre (pigo's rotated classifier, corrected; see the package
// documentation), so it costs about one upright scan. An angle of 0 gives
// exactly Detect's result. A bad angle gives ErrBadAngle. In steady state
// (same image size and stride, at most 8 distinct angles in use, dst with
// room) it does not allocate.
func (d *Detector) DetectRotated(g Gray, angle float64, dst []Face) ([]Face, error) {
	if err := checkAngle(angle); err != nil {
		return dst[:0], err
	}
	if angle == 0 {
		return d.Detect(g, dst)
	}
	if err := d.scanRotated(g, angle); err != nil {
		return dst[:0], err
	}
	d.cluster()
	dst = dst[:0]
	for _, f := range d.clusters {
		if f.Score >= d.p.MinScore {
			f.Angle = angle
			dst = append(dst, f)
		}
	}
	sortByScoreDesc(dst)
	return suppress(dst, d.p.IoUThreshold), nil
}

// DetectAngles runs DetectRotated at each of angles and appends to dst[:0]
// the faces of all of them, merged: sorted by score, a face overlapping a
// better-scoring one (found at the same or another angle) by more than
// Params.IoUThreshold is dropped, so each face is reported once, at the
// angle that scored it best. The cost is the sum of the scans (about
// len(angles) upright scans). DefaultAngles is a sweep for still images.
// It returns ErrBadAngle for an empty list, more than MaxAngles angles or
// any bad angle, before scanning anything. In steady state (same image
// size, the same angles, at most 8 distinct, dst with room) it does not
// allocate.
func (d *Detector) DetectAngles(g Gray, angles []float64, dst []Face) ([]Face, error) {
	if len(angles) == 0 || len(angles) > MaxAngles {
		return dst[:0], fmt.Errorf("%w: %d angles, want 1..%d", ErrBadAngle, len(angles), MaxAngles)
	}
	for _, a := range angles {
		if err := checkAngle(a); err != nil {
			return dst[:0], err
		}
	}
	if err := g.Validate(); err != nil {
		return dst[:0], err
	}
	d.merged = d.merged[:0]
	for _, a := range angles {
		var err error
		d.perAngle, err = d.DetectRotated(g, a, d.perAngle)
		if err != nil {
			return dst[:0], err
		}
		d.merged = append(d.merged, d.perAngle...)
	}
	dst = append(dst[:0], d.merged...)
	sortByScoreDesc(dst)
	return suppress(dst, d.p.IoUThreshold), nil
}

// rotSlot holds the rotated offset tables of one angle.
type rotSlot struct {
	angle    float64
	cos, sin float64
	used     uint64 // last use, for replacing the least recently used slot
	tables   []rotTable
}

// rotTable is a rotSlot's table for one scale and stride: the offsets of
// the leading trees' samples from the window centre, and the window centres
// for which every one of those samples lies inside the image.
type rotTable struct {
	size, dim, w, h int
	off             []int32
	// Windows centred at rows r0..r1 and columns c0..c1 (inclusive) read
	// only pixels inside the image through off; others clamp.
	r0, r1, c0, c1 int
}

// slot returns the tables for angle, taking over the least recently used
// slot (keeping its buffers) when the angle has none.
func (d *Detector) slot(angle float64) *rotSlot {
	d.tick++
	var victim *rotSlot
	for i := range d.rot {
		s := &d.rot[i]
		if s.used != 0 && s.angle == angle {
			s.used = d.tick
			return s
		}
		if victim == nil || s.used < victim.used {
			victim = s
		}
	}
	victim.angle = angle
	victim.sin, victim.cos = math.Sincos(angle)
	victim.used = d.tick
	for i := range victim.tables {
		victim.tables[i].size = 0 // stale: recompute on use
	}
	return victim
}

// table returns s's offsets for the i-th scale of side size in a w x h
// image with the given stride, recomputing them only when any changed.
func (s *rotSlot) table(c *Cascade, i, size, dim, w, h int) *rotTable {
	if i == len(s.tables) {
		s.tables = append(s.tables, rotTable{})
	}
	t := &s.tables[i]
	if t.size == size && t.dim == dim && t.w == w && t.h == h && t.off != nil {
		return t
	}
	t.size, t.dim, t.w, t.h = size, dim, w, h
	cs, sn := s.scaled(size)
	leaves := 1 << c.depth
	nodes := leaves - 1
	k := min(fastTrees, c.trees)
	t.off = t.off[:0]
	minR, maxR, minC, maxC := 0, 0, 0, 0
	for tr := 0; tr < k; tr++ {
		base := tr * 4 * leaves
		for idx := 1; idx <= nodes; idx++ {
			cd := c.codes[base+4*idx : base+4*idx+4 : base+4*idx+4]
			for p := 0; p < 4; p += 2 {
				dr, dc := rotOffset(cd[p], cd[p+1], cs, sn)
				minR, maxR = min(minR, dr), max(maxR, dr)
				minC, maxC = min(minC, dc), max(maxC, dc)
				t.off = append(t.off, int32(dr*dim+dc))
			}
		}
	}
	t.r0, t.r1 = -minR, h-1-maxR
	t.c0, t.c1 = -minC, w-1-maxC
	return t
}

// scaled returns the slot's cosine and sine times size/256, the factors
// that turn a cascade code (1/256ths of the window side) into pixels.
func (s *rotSlot) scaled(size int) (cs, sn float64) {
	k := float64(size) / 256
	return s.cos * k, s.sin * k
}

// rotOffset turns the sample code (cr, cc) — row and column offsets in
// 1/256ths of the window side, in the face's own upright frame — by the
// angle whose cosine and sine, times side/256, are cs and sn, and returns
// the pixel offsets in the image. A positive angle turns the face's x axis
// towards the image's y axis (clockwise on screen). The explicit float64
// conversions keep the compiler from fusing the multiply-adds, so the table
// and the clamped path always agree. At angle 0 it is pigo's
// (code*side)>>8.
func rotOffset(cr, cc int8, cs, sn float64) (dr, dc int) {
	r, c := float64(cr), float64(cc)
	fr := float64(r*cs) + float64(c*sn)
	fc := float64(c*cs) - float64(r*sn)
	return int(math.Floor(fr)), int(math.Floor(fc))
}

// scanRotated fills d.raw with the raw detections of the cascade turned by
// angle, on the same window grid as scan.
func (d *Detector) scanRotated(g Gray, angle float64) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if d.rot == nil {
		d.rot = make([]rotSlot, rotSlots)
	}
	s := d.slot(angle)
	d.raw = d.raw[:0]
	c := d.c
	pix, dim := g.Pix, g.Stride
	rows, cols := g.Height, g.Width
	p := d.p
	maxSize := min(p.MaxSize, rows, cols)
	small := len(pix) < math.MaxInt32/2
	for i, scale := 0, p.MinSize; scale <= maxSize; i++ {
		step := int(math.Max(p.ShiftFactor*float64(scale), 1))
		offset := scale/2 + 1
		if offset <= rows-offset && offset <= cols-offset {
			cs, sn := s.scaled(scale)
			var t *rotTable
			if small {
				t = s.table(c, i, scale, dim, cols, rows)
			}
			for row := offset; row <= rows-offset; row += step {
				inRow := t != nil && row >= t.r0 && row <= t.r1
				for col := offset; col <= cols-offset; col += step {
					var q float32
					if inRow && col >= t.c0 && col <= t.c1 {
						q = c.classifyRotOff(t.off, row, col, cs, sn, pix, dim, cols, rows)
					} else {
						q = c.classifyRot(0, 0, row, col, cs, sn, pix, dim, cols, rows)
					}
					if q > 0 {
						d.raw = append(d.raw, Face{Row: row, Col: col, Size: scale, Score: q})
					}
				}
			}
		}
		scale = int(float64(scale) + math.Max(2, float64(scale)*p.ScaleFactor-float64(scale)))
	}
	return nil
}

// classifyRotOff is classifyOff for a turned cascade: the leading trees
// read through the precomputed offsets (every sample inside the image, as
// the caller checked), the rest through classifyRot.
func (c *Cascade) classifyRotOff(off []int32, r, col int, cs, sn float64, pix []uint8, dim, w, h int) float32 {
	depth := c.depth
	leaves := 1 << depth
	nodes := leaves - 1
	preds, thresh := c.preds, c.thresh
	centre := r*dim + col
	k := len(off) / (2 * nodes)
	var out float32
	for i := 0; i < k; i++ {
		o := off[i*2*nodes : (i+1)*2*nodes : (i+1)*2*nodes]
		idx := 1
		for j := 0; j < depth; j++ {
			p := 2*idx - 2
			a, b := int(pix[centre+int(o[p])]), int(pix[centre+int(o[p+1])])
			idx = 2*idx + 1 + (b-a)>>63
		}
		out += preds[leaves*i+idx-leaves]
		if out <= thresh[i] {
			return -1
		}
	}
	if k == c.trees {
		return out - thresh[c.trees-1]
	}
	return c.classifyRot(k, out, r, col, cs, sn, pix, dim, w, h)
}

// classifyRot runs the turned cascade from tree t0 with running sum out on
// the window centred at (r, col), computing each sample's offset with
// rotOffset and clamping it to the image (so windows whose turned square
// reaches past the border see the border pixels repeated, as pigo's
// rotated classifier does).
func (c *Cascade) classifyRot(t0 int, out float32, r, col int, cs, sn float64, pix []uint8, dim, w, h int) float32 {
	codes, preds, thresh := c.codes, c.preds, c.thresh
	depth := c.depth
	leaves := 1 << depth
	root := t0 * 4 * leaves
	for i := t0; i < c.trees; i++ {
		idx := 1
		for j := 0; j < depth; j++ {
			k := root + 4*idx
			cd := codes[k : k+4 : k+4]
			r1, c1 := rotOffset(cd[0], cd[1], cs, sn)
			r2, c2 := rotOffset(cd[2], cd[3], cs, sn)
			x1 := clamp(r+r1, h-1)*dim + clamp(col+c1, w-1)
			x2 := clamp(r+r2, h-1)*dim + clamp(col+c2, w-1)
			idx = 2*idx + 1 + (int(pix[x2])-int(pix[x1]))>>63
		}
		out += preds[leaves*i+idx-leaves]
		if out <= thresh[i] {
			return -1
		}
		root += 4 * leaves
	}
	return out - thresh[c.trees-1]
}

// clamp limits v to 0..hi.
func clamp(v, hi int) int { return min(hi, max(0, v)) }
