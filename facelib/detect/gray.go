package detect

import (
	"fmt"
	"image"
	"image/color"

	"github.com/facewatch/facewatch/facelib/internal/core"
)

// ErrBadImage is returned (wrapped with details) for a grey image or a raw
// pixel buffer whose size, stride or length do not fit together.
var ErrBadImage = fmt.Errorf("detect: %w", core.ErrBadImage)

// MaxPixels bounds Width*Height of any image the package accepts
// (64 megapixels), so a bogus size cannot ask for a huge buffer.
const MaxPixels = 1 << 26

// Gray is a stride-aware 8-bit grey image: the pixel at (x, y) is
// Pix[y*Stride+x], 0 <= x < Width, 0 <= y < Height.
type Gray struct {
	Pix                   []uint8
	Width, Height, Stride int
}

// Validate reports whether g describes a usable image: positive size within
// MaxPixels, Stride >= Width and enough pixels for the last row.
func (g Gray) Validate() error {
	if g.Width <= 0 || g.Height <= 0 {
		return fmt.Errorf("%w: size %dx%d", ErrBadImage, g.Width, g.Height)
	}
	if g.Width > MaxPixels/g.Height {
		return fmt.Errorf("%w: size %dx%d exceeds %d pixels", ErrBadImage, g.Width, g.Height, MaxPixels)
	}
	if g.Stride < g.Width {
		return fmt.Errorf("%w: stride %d < width %d", ErrBadImage, g.Stride, g.Width)
	}
	// (Height-1)*Stride cannot overflow if it is at most len(Pix).
	if g.Height-1 > (len(g.Pix)-g.Width)/g.Stride || len(g.Pix) < g.Width {
		return fmt.Errorf("%w: %d pixels, %dx%d with stride %d needs %d", ErrBadImage,
			len(g.Pix), g.Width, g.Height, g.Stride, need(g.Width, g.Height, g.Stride))
	}
	return nil
}

// need is the minimum buffer length for an image (for error messages only).
func need(w, h, stride int) int { return (h-1)*stride + w }

// At returns the grey level at (x, y); it does no bounds checking beyond Go's.
func (g Gray) At(x, y int) uint8 { return g.Pix[y*g.Stride+x] }

// Image returns g as an *image.Gray sharing its pixels (for encoding and
// drawing). g must be valid.
func (g Gray) Image() *image.Gray {
	return &image.Gray{Pix: g.Pix[:need(g.Width, g.Height, g.Stride)], Stride: g.Stride,
		Rect: image.Rect(0, 0, g.Width, g.Height)}
}

// grow returns buf resliced to n bytes, reallocating only if it is too small.
func grow(buf []uint8, n int) []uint8 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]uint8, n)
}

// The luma weights of image/color.GrayModel (BT.601, 16.16 fixed point),
// pre-multiplied by 0x101 so that 8-bit channels give exactly GrayModel's
// result: y = (19595*R + 38470*G + 7471*B + 1<<15) >> 24 with R = r*0x101.
const (
	wr = 19595 * 0x101
	wg = 38470 * 0x101
	wb = 7471 * 0x101
)

func luma(r, g, b uint32) uint8 { return uint8((wr*r + wg*g + wb*b + 1<<15) >> 24) }

// GrayFrom converts img to a Gray whose (0, 0) is img.Bounds().Min. It reuses
// buf when it is big enough. *image.Gray and *image.YCbCr (its Y plane) are
// returned without copying: the result shares their pixels. *image.RGBA and
// *image.NRGBA have fast paths; other types go through image/color.GrayModel.
// Every path gives exactly color.GrayModel's grey level, except YCbCr, whose
// Y plane is used as is (the decoder's BT.601 luma). An empty image gives a
// zero Gray, which Detect rejects with ErrBadImage.
func GrayFrom(img image.Image, buf []uint8) Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 || w > MaxPixels/h {
		return Gray{}
	}
	switch m := img.(type) {
	case *image.Gray:
		return Gray{Pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], Width: w, Height: h, Stride: m.Stride}
	case *image.YCbCr:
		return Gray{Pix: m.Y[m.YOffset(b.Min.X, b.Min.Y):], Width: w, Height: h, Stride: m.YStride}
	case *image.RGBA:
		g, _ := GrayFromRGBA(m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], w, h, m.Stride, buf)
		return g
	case *image.NRGBA:
		out := grow(buf, w*h)
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			src = src[: 4*w : 4*w]
			dst := out[y*w : y*w+w : y*w+w]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				r, g, bb, a := uint32(p[0]), uint32(p[1]), uint32(p[2]), uint32(p[3])
				if a == 0xff {
					dst[x] = luma(r, g, bb)
					continue
				}
				// Premultiply as color.NRGBA.RGBA does, then GrayModel.
				a16 := a * 0x101
				r16, g16, b16 := r*0x101*a16/0xffff, g*0x101*a16/0xffff, bb*0x101*a16/0xffff
				dst[x] = uint8((19595*r16 + 38470*g16 + 7471*b16 + 1<<15) >> 24)
			}
		}
		return Gray{Pix: out, Width: w, Height: h, Stride: w}
	default:
		out := grow(buf, w*h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out[y*w+x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			}
		}
		return Gray{Pix: out, Width: w, Height: h, Stride: w}
	}
}

// GrayFromRGBA converts raw 8-bit RGBA pixels (4 bytes per pixel, rows
// stride bytes apart: the browser's ImageData and image.RGBA layout) to a
// Gray of w x h with Stride w, reusing buf when it is big enough. Alpha is
// ignored (camera frames are opaque); for opaque pixels the result equals
// image/color.GrayModel's. It returns ErrBadImage if the sizes do not fit.
func GrayFromRGBA(pix []uint8, w, h, stride int, buf []uint8) (Gray, error) {
	if w <= 0 || h <= 0 || w > MaxPixels/h {
		return Gray{}, fmt.Errorf("%w: size %dx%d", ErrBadImage, w, h)
	}
	if stride < 4*w {
		return Gray{}, fmt.Errorf("%w: stride %d < 4*width %d", ErrBadImage, stride, 4*w)
	}
	if len(pix) < 4*w || h-1 > (len(pix)-4*w)/stride {
		return Gray{}, fmt.Errorf("%w: %d bytes, %dx%d RGBA with stride %d needs %d", ErrBadImage,
			len(pix), w, h, stride, need(4*w, h, stride))
	}
	out := grow(buf, w*h)
	for y := 0; y < h; y++ {
		src := pix[y*stride : y*stride+4*w : y*stride+4*w]
		dst := out[y*w : y*w+w : y*w+w]
		for x := range dst {
			p := src[4*x : 4*x+3 : 4*x+3]
			dst[x] = luma(uint32(p[0]), uint32(p[1]), uint32(p[2]))
		}
	}
	return Gray{Pix: out, Width: w, Height: h, Stride: w}, nil
}
