// Package decode decodes untrusted image bytes without letting a small file
// claim a huge amount of memory.
//
// Before a single pixel is decoded it reads the header and estimates what
// the decoder will allocate: width × height × channels × bytes per channel,
// plus the working buffers some formats need (a progressive JPEG keeps every
// DCT coefficient, an interlaced PNG decodes each pass separately). An image
// over the pixel cap or that estimate's cap is refused with ErrTooLarge; a
// 381 KB PNG declaring 7000×7000 16-bit RGBA pixels (392 MB decoded) is
// refused at the default limits. Every decoder failure, including a decoder
// panic on hostile input, becomes an error that says what to do next.
//
// The accepted formats are JPEG, PNG, GIF (first frame), BMP and WebP.
// Like the rest of facelib, the package does no file I/O: callers open files
// themselves (and should open only regular files, so a named pipe or a
// device cannot block them) and pass a reader or the bytes.
package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"

	// Registered decoders: the formats this package accepts.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"
)

const (
	// DefaultMaxPixels caps width × height at 50 megapixels.
	DefaultMaxPixels = 50_000_000
	// DefaultMaxFileBytes caps how much Reader reads: 64 MiB.
	DefaultMaxFileBytes = 64 << 20
)

// Limits bound what a decode may cost. The zero value means the defaults.
type Limits struct {
	// MaxPixels caps width × height. 0 means DefaultMaxPixels.
	MaxPixels int64
	// MaxDecodedBytes caps the memory the decoder is estimated to allocate
	// (see the package documentation). 0 means 4 × MaxPixels: an image at
	// the pixel cap is accepted in 8-bit RGBA, while 16-bit or progressive
	// images count for what they really cost.
	MaxDecodedBytes int64
	// MaxFileBytes caps how many encoded bytes Reader reads. 0 means
	// DefaultMaxFileBytes.
	MaxFileBytes int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxDecodedBytes <= 0 {
		l.MaxDecodedBytes = 4 * l.MaxPixels
		if l.MaxPixels > math.MaxInt64/4 {
			l.MaxDecodedBytes = math.MaxInt64
		}
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	return l
}

var (
	// ErrNotImage means the bytes are not in a supported image format.
	ErrNotImage = errors.New("not a supported image (JPEG, PNG, GIF, BMP or WebP)")
	// ErrTooLarge means the file, its declared size or its decoded size is
	// over a limit.
	ErrTooLarge = errors.New("image too large")
	// ErrCorrupt means the header was readable but the image was not.
	ErrCorrupt = errors.New("image is truncated or corrupt")
)

// Info is what an image's header says about it.
type Info struct {
	// Format is the registered format name: "jpeg", "png", "gif", "bmp" or
	// "webp".
	Format string
	// Width and Height are the declared size in pixels.
	Width, Height int
	// Kind describes the pixel layout, such as "16-bit RGBA" or
	// "progressive JPEG", for messages.
	Kind string
	// DecodedBytes estimates what decoding allocates.
	DecodedBytes int64
}

// Reader reads at most lim.MaxFileBytes from r and decodes it with Bytes.
func Reader(r io.Reader, lim Limits) (image.Image, Info, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxFileBytes+1))
	if err != nil {
		return nil, Info{}, fmt.Errorf("read: %w", err)
	}
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, Info{}, fmt.Errorf("%w: file over %d MiB", ErrTooLarge, lim.MaxFileBytes>>20)
	}
	return Bytes(data, lim)
}

// Check reads only the header of data and reports what decoding it would
// cost, or why it would be refused.
func Check(data []byte, lim Limits) (Info, error) {
	lim = lim.withDefaults()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return Info{}, ErrNotImage
		}
		return Info{Format: format}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	info := Info{Format: format, Width: cfg.Width, Height: cfg.Height}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return info, fmt.Errorf("%w: %s header declares %dx%d", ErrCorrupt, format, cfg.Width, cfg.Height)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if pixels > lim.MaxPixels {
		return info, fmt.Errorf("%w: %dx%d is over the %s-megapixel limit; scale it down first",
			ErrTooLarge, cfg.Width, cfg.Height, megapixels(lim.MaxPixels))
	}
	var perPixel int64
	info.Kind, perPixel = cost(format, cfg.ColorModel, data)
	info.DecodedBytes = math.MaxInt64
	if pixels <= math.MaxInt64/perPixel {
		info.DecodedBytes = pixels * perPixel
	}
	if info.DecodedBytes > lim.MaxDecodedBytes {
		return info, fmt.Errorf("%w: %dx%d %s decodes to %s, over the %s limit; scale it down or save it as an 8-bit baseline image",
			ErrTooLarge, cfg.Width, cfg.Height, info.Kind, mb(info.DecodedBytes), mb(lim.MaxDecodedBytes))
	}
	return info, nil
}

// Bytes decodes data after Check has accepted it.
func Bytes(data []byte, lim Limits) (img image.Image, info Info, err error) {
	info, err = Check(data, lim)
	if err != nil {
		return nil, info, err
	}
	// Some decoders panic on hostile input that passes DecodeConfig; an
	// image must never take the process down.
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: decoder failed: %v", ErrCorrupt, r)
		}
	}()
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, info, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if b := img.Bounds(); b.Dx() != info.Width || b.Dy() != info.Height {
		return nil, info, fmt.Errorf("%w: header says %dx%d, image is %dx%d", ErrCorrupt, info.Width, info.Height, b.Dx(), b.Dy())
	}
	return img, info, nil
}

// cost returns a description of the pixel layout and the bytes per pixel
// the decoder allocates for it.
func cost(format string, m color.Model, data []byte) (string, int64) {
	kind, n := "", int64(8) // unknown models: assume the widest
	switch m {
	case color.GrayModel:
		kind, n = "8-bit grey", 1
	case color.Gray16Model:
		kind, n = "16-bit grey", 2
	case color.RGBAModel, color.NRGBAModel:
		kind, n = "8-bit RGBA", 4
	case color.RGBA64Model, color.NRGBA64Model:
		kind, n = "16-bit RGBA", 8
	case color.YCbCrModel:
		kind, n = "YCbCr", 3 // 4:4:4 at worst
	case color.NYCbCrAModel:
		kind, n = "YCbCr with alpha", 4
	case color.CMYKModel:
		// image/jpeg decodes CMYK into YCbCr-like planes and a black plane,
		// then converts them into a new CMYK image.
		kind, n = "CMYK", 8
	default:
		if _, ok := m.(color.Palette); ok {
			kind, n = "paletted", 1
		}
	}
	switch format {
	case "jpeg":
		if jpegProgressive(data) {
			// Every component's coefficients are kept as int32: 4 bytes
			// per pixel per component.
			comps := map[color.Model]int64{color.GrayModel: 1, color.CMYKModel: 4}[m]
			if comps == 0 {
				comps = 3
			}
			return "progressive JPEG (" + kind + ")", n + 4*comps
		}
		return "JPEG (" + kind + ")", n
	case "png":
		// IHDR's interlace byte: Adam7 decodes each pass into its own image
		// before merging them.
		if len(data) > 28 && data[28] == 1 {
			return "interlaced " + kind + " PNG", 2 * n
		}
		return kind + " PNG", n
	case "webp":
		if m == color.NRGBAModel {
			// Lossless WebP decodes into a pixel buffer, then transforms it.
			return "lossless WebP", 8
		}
		return "WebP (" + kind + ")", n
	}
	return kind + " " + format, n
}

// jpegProgressive reports whether the JPEG's frame header, which precedes the
// first scan, is a progressive one (SOF2, SOF6, SOF10 or SOF14).
func jpegProgressive(data []byte) bool {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return false
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return false
		}
		m := data[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0x01 || (m >= 0xD0 && m <= 0xD8): // no length
			i += 2
			continue
		case m == 0xDA || m == 0xD9: // start of scan or end of image
			return false
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			return m&3 == 2
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
	return false
}

func mb(n int64) string {
	if n == math.MaxInt64 {
		return "more than memory holds"
	}
	return fmt.Sprintf("%d MB", (n+500_000)/1_000_000)
}

func megapixels(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprint(n / 1_000_000)
	}
	return fmt.Sprintf("%.1f", float64(n)/1e6)
}
