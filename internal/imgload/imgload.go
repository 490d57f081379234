// Package imgload decodes untrusted image bytes for the CLI and the server:
// it checks the header's declared size against a pixel cap before decoding,
// so a small file that claims to be huge cannot exhaust memory, and it turns
// every decoder failure into an error that says what to do next.
package imgload

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"

	// Registered decoders: the formats facewatch accepts.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"
)

// DefaultMaxPixels caps decoded images at 50 megapixels.
const DefaultMaxPixels = 50_000_000

// MaxFileBytes caps how much of a file is read before decoding.
const MaxFileBytes = 64 << 20

var (
	// ErrNotImage means the bytes are not in a supported image format.
	ErrNotImage = errors.New("not a supported image (JPEG, PNG, GIF, BMP or WebP)")
	// ErrTooLarge means the declared size exceeds the pixel or byte cap.
	ErrTooLarge = errors.New("image too large")
	// ErrCorrupt means the header was readable but the image data was not.
	ErrCorrupt = errors.New("image is truncated or corrupt")
)

// Decode reads an image from r, refusing files over MaxFileBytes and images
// whose header declares more than maxPixels pixels (0 means
// DefaultMaxPixels). It returns the image and the format name.
func Decode(r io.Reader, maxPixels int) (image.Image, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("read: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, "", fmt.Errorf("%w: file over %d MiB", ErrTooLarge, MaxFileBytes>>20)
	}
	return DecodeBytes(data, maxPixels)
}

// DecodeBytes is Decode for bytes already in memory.
func DecodeBytes(data []byte, maxPixels int) (img image.Image, format string, err error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, "", ErrNotImage
		}
		return nil, "", fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, format, fmt.Errorf("%w: %s header declares %dx%d", ErrCorrupt, format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, format, fmt.Errorf("%w: %dx%d is over the %d-megapixel limit; scale it down first",
			ErrTooLarge, cfg.Width, cfg.Height, maxPixels/1_000_000)
	}
	// Some decoders panic on hostile input that passes DecodeConfig; an
	// image must never take the process down.
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: decoder failed: %v", ErrCorrupt, r)
		}
	}()
	img, format, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, format, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return img, format, nil
}
