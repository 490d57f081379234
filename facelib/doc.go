// Package facelib is a small, pure-Go face recognition pipeline:
// detect (pigo cascades) → align (pupils, landmarks, a 150x150 face chip) →
// embed (a 128-d dlib ResNet embedding) → match (galleries, error rates, base
// rates) → track (stable IDs across frames, and re-identification of faces
// that leave and come back).
//
// The call to reach for first is Pipeline.Faces: every face of an image with
// its eyes and its 128 numbers, ready for a match.Gallery ("who is this?" is
// about twenty lines, see the package example). Detect, Align and Embed are
// the stages one by one; Track follows faces across the frames of one stream.
//
// A Pipeline is safe for concurrent use by many goroutines: New parses the
// models once into immutable values, and every call takes its buffers from a
// pool, so results are the same as serial use and sharing one Pipeline costs
// no more memory than the goroutines' workspaces. Track serialises its calls
// (a tracker follows one stream); a Stream (NewStream) is the allocation-free
// live path for one camera — detection guided by the tracker, rolled heads,
// chips for embeddings computed elsewhere — and is not safe for concurrent
// use.
//
// With embeddings (from Faces, or handed to Stream.Observe), the tracker
// remembers for a few minutes the faces that left and gives a returning face
// its old ID; a new face is held back until its embedding has been checked
// against them, so it never flashes a new ID first. That is the part of an
// "identification and tracking" system that recognition adds to following
// boxes.
//
// facelib does no file, network or browser I/O: callers pass images and model
// bytes in (package facelib/decode reads image files with size checks). It
// builds for GOOS=js GOARCH=wasm as well as natively.
//
// It never infers emotion, age or gender, and never will.
package facelib
