// Package facelib is a small, pure-Go face recognition pipeline:
// detect (pigo cascades) → align (pupils, landmarks, a 150x150 face chip) →
// embed (a 128-d dlib ResNet embedding) → match (galleries, error rates, base
// rates) → track (stable IDs across frames).
//
// facelib does no file, network or browser I/O: callers pass images and model
// bytes in. It builds for GOOS=js GOARCH=wasm as well as natively.
//
// It never infers emotion, age or gender, and never will.
package facelib
