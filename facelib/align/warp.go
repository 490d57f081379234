package align

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/facewatch/facewatch/facelib/internal/core"
)

// ErrBadImage reports an image or buffer that is empty, too large, or whose
// pixel slice is shorter than its size and stride say.
var ErrBadImage = fmt.Errorf("align: %w", core.ErrBadImage)

// ErrBadTransform reports a transform that is non-finite or degenerate (for
// example from two coincident eyes).
var ErrBadTransform = errors.New("align: bad transform")

// maxSide bounds image width and height (and the chip's) so that index
// arithmetic cannot overflow and a hostile size cannot make Warp loop for
// ever.
const maxSide = 1 << 15

// maxSupersample caps the samples per chip pixel and axis when the chip
// shrinks the face (see Warp).
const maxSupersample = 4

// Frame is a stride-aware buffer of 8-bit RGBA pixels (4 bytes per pixel,
// row y at Pix[y*Stride:]), such as a browser's ImageData. Colours may be
// premultiplied or not; an opaque camera frame is both.
type Frame struct {
	Pix                   []uint8
	Width, Height, Stride int
}

func (f Frame) check() error {
	if f.Width <= 0 || f.Height <= 0 || f.Width > maxSide || f.Height > maxSide {
		return fmt.Errorf("%w: frame %dx%d", ErrBadImage, f.Width, f.Height)
	}
	if f.Stride < 4*f.Width {
		return fmt.Errorf("%w: stride %d < 4*width %d", ErrBadImage, f.Stride, 4*f.Width)
	}
	if need := (f.Height-1)*f.Stride + 4*f.Width; len(f.Pix) < need {
		return fmt.Errorf("%w: %d bytes of pixels, %dx%d with stride %d needs %d", ErrBadImage, len(f.Pix), f.Width, f.Height, f.Stride, need)
	}
	return nil
}

// Warp fills dst with the face that t maps into it: every pixel of dst is
// sampled from src at t.Inverse() of its centre, bilinearly. The chip's size
// is dst's size (build t with ChipTransform for that size); dst is written
// with opaque pixels and never reallocated, so a reused dst makes Warp
// allocation-free for *image.RGBA, *image.NRGBA, *image.YCbCr and
// *image.Gray sources. Other image types go through At, which is slow and
// allocates.
//
// Points are in src's coordinate space (src.Bounds(), usually starting at
// (0, 0)). Edges follow dlib: a chip pixel whose sample point falls outside
// the image (beyond the centres of the outermost pixels) is black; inside,
// the 2x2 neighbourhood is clamped to the image. Transparent source pixels
// come out as if composited over black.
//
// When the chip shrinks the face (t.Scale() < 1, a face larger than the
// chip), each chip pixel averages k x k bilinear samples spread over its
// footprint, k = ceil(1/t.Scale()) up to 4, instead of aliasing; dlib does
// the equivalent with an image pyramid.
func (t Transform) Warp(dst *image.RGBA, src image.Image) error {
	if src == nil {
		return fmt.Errorf("%w: nil source", ErrBadImage)
	}
	switch s := src.(type) {
	case *image.RGBA:
		return t.warp(dst, s.Rect, func(x, y int) (r, g, b int) {
			p := s.Pix[s.PixOffset(x, y):]
			return int(p[0]), int(p[1]), int(p[2])
		})
	case *image.NRGBA:
		return t.warp(dst, s.Rect, func(x, y int) (r, g, b int) {
			p := s.Pix[s.PixOffset(x, y):]
			a := int(p[3])
			if a == 255 {
				return int(p[0]), int(p[1]), int(p[2])
			}
			return int(p[0]) * a / 255, int(p[1]) * a / 255, int(p[2]) * a / 255
		})
	case *image.YCbCr:
		return t.warp(dst, s.Rect, func(x, y int) (r, g, b int) {
			yi, ci := s.YOffset(x, y), s.COffset(x, y)
			r8, g8, b8 := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
			return int(r8), int(g8), int(b8)
		})
	case *image.Gray:
		return t.warp(dst, s.Rect, func(x, y int) (r, g, b int) {
			v := int(s.Pix[s.PixOffset(x, y)])
			return v, v, v
		})
	default:
		return t.warp(dst, src.Bounds(), func(x, y int) (r, g, b int) {
			r32, g32, b32, _ := src.At(x, y).RGBA()
			return int(r32 >> 8), int(g32 >> 8), int(b32 >> 8)
		})
	}
}

// WarpFrame is Warp for a raw RGBA pixel buffer (the browser's ImageData).
// The frame's pixel (0, 0) is at image coordinates (0, 0). It does not
// allocate.
func (t Transform) WarpFrame(dst *image.RGBA, src Frame) error {
	if err := src.check(); err != nil {
		return err
	}
	return t.warp(dst, image.Rect(0, 0, src.Width, src.Height), func(x, y int) (r, g, b int) {
		p := src.Pix[y*src.Stride+4*x:]
		return int(p[0]), int(p[1]), int(p[2])
	})
}

// warp is the sampling loop shared by every source type; at(x, y) returns the
// (premultiplied) RGB of an in-bounds pixel.
func (t Transform) warp(dst *image.RGBA, bounds image.Rectangle, at func(x, y int) (r, g, b int)) error {
	if dst == nil || dst.Rect.Empty() || dst.Rect.Dx() > maxSide || dst.Rect.Dy() > maxSide {
		return fmt.Errorf("%w: destination must be a non-empty *image.RGBA", ErrBadImage)
	}
	if len(dst.Pix) < dst.PixOffset(dst.Rect.Max.X-1, dst.Rect.Max.Y-1)+4 || dst.Stride < 4*dst.Rect.Dx() {
		return fmt.Errorf("%w: destination pixels shorter than its bounds", ErrBadImage)
	}
	if bounds.Empty() || bounds.Dx() > maxSide || bounds.Dy() > maxSide {
		return fmt.Errorf("%w: source bounds %v", ErrBadImage, bounds)
	}
	if !t.Valid() {
		return fmt.Errorf("%w: %+v", ErrBadTransform, t)
	}
	inv := t.Inverse()
	k := 1
	if s := t.Scale(); s < 1 {
		k = min(maxSupersample, int(math.Ceil(1/s-1e-9)))
	}
	// Sub-sample offsets within a chip pixel: centres of a k x k grid over
	// [-0.5, 0.5).
	step := 1 / float64(k)
	off0 := -0.5 + step/2
	samples := k * k

	x0, y0 := float64(bounds.Min.X), float64(bounds.Min.Y)
	x1, y1 := float64(bounds.Max.X-1), float64(bounds.Max.Y-1)
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	for v := 0; v < h; v++ {
		row := dst.Pix[dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+v):]
		for u := 0; u < w; u++ {
			var sr, sg, sb float64
			for j := 0; j < k; j++ {
				cy := float64(v) + off0 + float64(j)*step
				for i := 0; i < k; i++ {
					cx := float64(u) + off0 + float64(i)*step
					x := inv.A*cx - inv.B*cy + inv.Tx
					y := inv.B*cx + inv.A*cy + inv.Ty
					if !(x >= x0 && x <= x1 && y >= y0 && y <= y1) {
						continue // outside: black
					}
					fx, fy := math.Floor(x), math.Floor(y)
					ax, ay := x-fx, y-fy
					px, py := int(fx), int(fy)
					qx, qy := min(px+1, bounds.Max.X-1), min(py+1, bounds.Max.Y-1)
					r00, g00, b00 := at(px, py)
					r10, g10, b10 := at(qx, py)
					r01, g01, b01 := at(px, qy)
					r11, g11, b11 := at(qx, qy)
					w00, w10, w01, w11 := (1-ax)*(1-ay), ax*(1-ay), (1-ax)*ay, ax*ay
					sr += w00*float64(r00) + w10*float64(r10) + w01*float64(r01) + w11*float64(r11)
					sg += w00*float64(g00) + w10*float64(g10) + w01*float64(g01) + w11*float64(g11)
					sb += w00*float64(b00) + w10*float64(b10) + w01*float64(b01) + w11*float64(b11)
				}
			}
			p := row[4*u : 4*u+4 : 4*u+4]
			p[0] = to8(sr / float64(samples))
			p[1] = to8(sg / float64(samples))
			p[2] = to8(sb / float64(samples))
			p[3] = 255
		}
	}
	return nil
}

func to8(v float64) uint8 {
	v += 0.5
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v)
}

// ChipRGB appends the chip's pixels to dst[:0] as packed 8-bit RGB, row by
// row (3*w*h bytes), and returns the result; pass the previous result back
// to reuse its storage.
func ChipRGB(dst []uint8, chip *image.RGBA) []uint8 {
	dst = dst[:0]
	if chip == nil {
		return dst
	}
	w, h := chip.Rect.Dx(), chip.Rect.Dy()
	for y := 0; y < h; y++ {
		row := chip.Pix[chip.PixOffset(chip.Rect.Min.X, chip.Rect.Min.Y+y):]
		for x := 0; x < w; x++ {
			dst = append(dst, row[4*x], row[4*x+1], row[4*x+2])
		}
	}
	return dst
}
