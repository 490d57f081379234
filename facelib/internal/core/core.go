// Package core holds what several facelib packages share and must agree on:
// the face chip's size, the embedding's dimension and the root of the
// bad-image errors, so that each is defined once.
package core

import "errors"

// ChipSize is the side, in pixels, of the aligned face chip the embedding
// network reads (align.ChipSize, embed.ChipSize, facelib.ChipSize).
const ChipSize = 150

// Dim is the number of components of a face embedding (embed.Dim,
// match.Dim, facelib.Dim).
const Dim = 128

// ErrBadImage is the root of every stage's bad-image error: detect.ErrBadImage,
// align.ErrBadImage and embed.ErrBadInput wrap it, and facelib.ErrBadImage is it.
var ErrBadImage = errors.New("bad image")
