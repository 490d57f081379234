package align

import (
	"math"

	"github.com/facewatch/facewatch/facelib/internal/core"
)

// Point is a position in pixels; the centre of pixel (x, y) is at (x, y).
type Point struct{ X, Y float64 }

// The face chip the embedding network was trained on.
const (
	// ChipSize is the side of the chip in pixels.
	ChipSize = core.ChipSize
	// ChipPadding is dlib's padding: the chip shows the template face's unit
	// square grown by this fraction on every side.
	ChipPadding = 0.25
)

// dlib's 5-point face template (get_face_chip_details in
// dlib/image_transforms/interpolation.h): the mean positions, in the unit
// square of an unpadded chip, of the outer and inner corner of each eye and
// of the point under the nose. dlib numbers the points for the person, so
// its parts 0 and 1 (the person's left eye) sit on the image right.
var (
	dlibRightOuter = Point{0.8595674595992, 0.2134981538014} // part 0
	dlibRightInner = Point{0.6460604764104, 0.2289674387677} // part 1
	dlibLeftOuter  = Point{0.1205750620789, 0.2137274526848} // part 2
	dlibLeftInner  = Point{0.3340850613712, 0.2290642403242} // part 3
)

// Template eye centres: the midpoints of each eye's two corners, image-left
// and image-right, in the unpadded unit square.
var (
	templateLeftEye  = mid(dlibLeftOuter, dlibLeftInner)   // (0.227330, 0.221396)
	templateRightEye = mid(dlibRightOuter, dlibRightInner) // (0.752814, 0.221233)
)

func mid(a, b Point) Point { return Point{(a.X + b.X) / 2, (a.Y + b.Y) / 2} }

// TemplateEyes returns where ChipTransform puts the image-left and
// image-right eye centres in a size x size chip with the given padding:
// dlib's mapping p -> (padding + p) / (1 + 2*padding) * size applied to the
// template eye centres. For the standard chip (150, 0.25) they are
// (47.73, 47.14) and (100.28, 47.12).
func TemplateEyes(size int, padding float64) (left, right Point) {
	f := func(p Point) Point {
		k := float64(size) / (1 + 2*padding)
		return Point{(padding + p.X) * k, (padding + p.Y) * k}
	}
	return f(templateLeftEye), f(templateRightEye)
}

// Transform is a similarity transform (rotation, uniform scale, translation)
// from image coordinates to chip coordinates:
//
//	x' = A*x - B*y + Tx
//	y' = B*x + A*y + Ty
//
// Its inverse maps chip pixels back into the image, which is what Warp
// samples. The zero Transform is invalid.
type Transform struct {
	A, B, Tx, Ty float64
}

// Apply maps an image point into the chip.
func (t Transform) Apply(p Point) Point {
	return Point{t.A*p.X - t.B*p.Y + t.Tx, t.B*p.X + t.A*p.Y + t.Ty}
}

// Inverse returns the transform from chip coordinates back to the image.
// The inverse of an invalid transform is invalid.
func (t Transform) Inverse() Transform {
	d := t.A*t.A + t.B*t.B
	a, b := t.A/d, -t.B/d
	// x = a*(x'-Tx) - b*(y'-Ty), y = b*(x'-Tx) + a*(y'-Ty)
	return Transform{A: a, B: b, Tx: -(a*t.Tx - b*t.Ty), Ty: -(b*t.Tx + a*t.Ty)}
}

// Scale is the chip pixels per image pixel.
func (t Transform) Scale() float64 { return math.Hypot(t.A, t.B) }

// Angle is the rotation the transform applies, in radians (positive turns
// image x towards image y, i.e. clockwise on screen). For a chip transform it
// is minus the roll of the eye line.
func (t Transform) Angle() float64 { return math.Atan2(t.B, t.A) }

// Matrix returns the transform as a 2x3 affine matrix in row-major order
// {m00, m01, m02, m10, m11, m12}, with x' = m00*x + m01*y + m02 and
// y' = m10*x + m11*y + m12. (A 2D canvas's setTransform(a, b, c, d, e, f)
// takes m00, m10, m01, m11, m02, m12.)
func (t Transform) Matrix() [6]float64 {
	return [6]float64{t.A, -t.B, t.Tx, t.B, t.A, t.Ty}
}

// Valid reports whether the transform is finite and not degenerate.
func (t Transform) Valid() bool {
	for _, v := range [...]float64{t.A, t.B, t.Tx, t.Ty} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	s := t.Scale()
	return s > 1e-9 && s < 1e9
}

// ChipTransform returns the similarity transform that maps the two eye
// centres onto dlib's template eye positions in a size x size chip (see
// TemplateEyes): the chip Warp then cuts out is laid out like dlib's 5-point
// face chip, which is what the 128-d embedding network was trained on.
//
// leftEye and rightEye are image-left and image-right (leftEye has the
// smaller x on an upright face), i.e. the person's right and left eye on an
// unmirrored photo. Passing them swapped turns the chip upside down. A
// mirrored (selfie-view) frame yields the mirror image of the chip the
// unmirrored frame gives; dlib trained with random left-right flips, so the
// embedding moves little, but enrol and match on the same kind of frame
// (preferably unmirrored: mirroring is a display concern).
//
// Derivation. A similarity transform is fixed by two point pairs, so with
// z = x + iy it is z' = a*z + b with a = (R' - L')/(R - L) and b = L' - a*L,
// where L, R are the eye centres and L', R' the template ones. dlib itself
// fits its 5 template points (4 eye corners, 1 under the nose) by least
// squares; for a face with the template's proportions that fit puts the eye
// corner midpoints exactly on L' and R', so this transform is the same chip,
// built from the pupils instead. In eye units the template gives:
// eye distance 0.525484 of the unpadded square, so the chip side is
// (1 + 2*padding) / 0.525484 = 2 * 0.951503 * (1 + 2*padding) eye distances
// (2.8545 at padding 0.25), and the chip centre lies 0.5303 eye distances
// below the eye midpoint (and 0.019 towards the image-right eye). These
// differ by 1.2% and 0.006 eye distances from the rounder figures
// 2 * 0.963365 * (1 + 2*padding) and 0.524 quoted in the design notes, i.e.
// by under a pixel at 150x150.
//
// If the eyes coincide the result is invalid (see Valid) and Warp rejects it.
func ChipTransform(leftEye, rightEye Point, size int, padding float64) Transform {
	tl, tr := TemplateEyes(size, padding)
	// a = (tr - tl) / (rightEye - leftEye), complex division.
	dx, dy := rightEye.X-leftEye.X, rightEye.Y-leftEye.Y
	ux, uy := tr.X-tl.X, tr.Y-tl.Y
	d := dx*dx + dy*dy
	a := (ux*dx + uy*dy) / d
	b := (uy*dx - ux*dy) / d
	t := Transform{A: a, B: b}
	p := t.Apply(leftEye)
	t.Tx, t.Ty = tl.X-p.X, tl.Y-p.Y
	return t
}

// Roll returns the angle of the eye line, from the image-left eye to the
// image-right eye, in radians: 0 for level eyes, positive when the
// image-right eye is lower on screen (the head leans towards the image
// right).
func Roll(leftEye, rightEye Point) float64 {
	return math.Atan2(rightEye.Y-leftEye.Y, rightEye.X-leftEye.X)
}
