// Package fail holds the error values that several facelib packages wrap, so
// that one errors.Is check covers every stage.
package fail

import "errors"

// ErrBadImage is the root of every stage's bad-image error: detect.ErrBadImage,
// align.ErrBadImage and embed.ErrBadInput wrap it, and facelib.ErrBadImage is it.
var ErrBadImage = errors.New("bad image")
