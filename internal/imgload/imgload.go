// Package imgload forwards to facelib/decode, the size-checked decoder that
// library users get too. New code should import facelib/decode directly;
// this package remains so that callers can move over one at a time.
package imgload

import (
	"image"
	"io"

	"github.com/facewatch/facewatch/facelib/decode"
)

// DefaultMaxPixels caps decoded images at 50 megapixels.
const DefaultMaxPixels = decode.DefaultMaxPixels

// MaxFileBytes caps how much of a file is read before decoding.
const MaxFileBytes = decode.DefaultMaxFileBytes

// The errors are facelib/decode's.
var (
	ErrNotImage = decode.ErrNotImage
	ErrTooLarge = decode.ErrTooLarge
	ErrCorrupt  = decode.ErrCorrupt
)

// Decode is decode.Reader with a pixel cap (0 means DefaultMaxPixels) and
// the decoded-bytes cap that follows from it.
func Decode(r io.Reader, maxPixels int) (image.Image, string, error) {
	img, info, err := decode.Reader(r, decode.Limits{MaxPixels: int64(maxPixels)})
	return img, info.Format, err
}
