package track

import "math"

// Point is a position in pixels (x to the right, y down).
type Point struct{ X, Y float64 }

// Box is an axis-aligned rectangle in pixels: top-left corner (X, Y), width W
// and height H. As a detection, W and H must be positive and every field
// finite and within ±1e6; X and Y may be negative (a face partly outside the
// frame).
type Box struct{ X, Y, W, H float64 }

// Center returns the centre of b.
func (b Box) Center() Point { return Point{b.X + b.W/2, b.Y + b.H/2} }

// Size returns the geometric mean of the width and height, the length the
// tracker uses to normalise distances (a face moving one Size has moved by
// about its own width).
func (b Box) Size() float64 { return math.Sqrt(b.W * b.H) }

// IoU returns the intersection over union of a and b, in [0, 1].
func (b Box) IoU(o Box) float64 {
	x0 := math.Max(b.X, o.X)
	y0 := math.Max(b.Y, o.Y)
	x1 := math.Min(b.X+b.W, o.X+o.W)
	y1 := math.Min(b.Y+b.H, o.Y+o.H)
	if x1 <= x0 || y1 <= y0 {
		return 0
	}
	inter := (x1 - x0) * (y1 - y0)
	union := b.W*b.H + o.W*o.H - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// boxFromCenter builds a box from its centre and size.
func boxFromCenter(cx, cy, w, h float64) Box {
	return Box{X: cx - w/2, Y: cy - h/2, W: w, H: h}
}

// Line is a segment from A to B that tracks are counted crossing. Seen on
// screen (y down), a centre moving from the left-hand side of the direction
// A→B to its right-hand side is counted In, the opposite Out. For a line drawn
// left to right, In is downward; for a line drawn top to bottom, In is leftward.
type Line struct{ A, B Point }

// LineCount is how many confirmed tracks crossed a Line in each direction.
type LineCount struct{ In, Out int }

// side returns the signed distance of p from the infinite line through l, in
// pixels: positive on the right-hand side of A→B as seen on screen.
func (l Line) side(p Point) float64 {
	dx, dy := l.B.X-l.A.X, l.B.Y-l.A.Y
	n := math.Hypot(dx, dy)
	if n == 0 {
		return 0
	}
	return (dx*(p.Y-l.A.Y) - dy*(p.X-l.A.X)) / n
}

// spans reports whether the segment p→q meets the line within its extent A..B
// (p and q are on opposite sides of the infinite line).
func (l Line) spans(p, q Point) bool {
	sp, sq := l.side(p), l.side(q)
	if sp == sq {
		return false
	}
	t := sp / (sp - sq) // where p→q meets the infinite line
	x := Point{p.X + t*(q.X-p.X), p.Y + t*(q.Y-p.Y)}
	dx, dy := l.B.X-l.A.X, l.B.Y-l.A.Y
	n2 := dx*dx + dy*dy
	if n2 == 0 {
		return false
	}
	u := ((x.X-l.A.X)*dx + (x.Y-l.A.Y)*dy) / n2
	return u >= 0 && u <= 1
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
