// Package align turns a face detection into an aligned face: it locates the
// pupils (pigo's puploc cascade) and, optionally, 15 facial landmark points
// (pigo's lps cascades), and warps the face to the 150x150 RGB chip the 128-d
// embedding network expects (dlib's face chip, padding 0.25).
//
// # What it owns
//
//   - Parsing and validating puploc/lps cascade bytes (ErrBadCascade instead of
//     pigo's panics on truncated input).
//   - A deterministic re-implementation of pigo's perturbed cascade regression
//     (pigo draws its perturbations from the global math/rand; here every run
//     draws from its own generator, re-seeded from Options.Seed on every call, so
//     the same image, face and options always give the same points, whatever
//     ran before).
//   - The similarity transform from two eye centres to dlib's chip template,
//     and the bilinear warp that extracts the chip without allocating.
//
// # Conventions
//
// Coordinates are in pixels with the centre of pixel (x, y) at (x, y), as in
// dlib and pigo. "Left" and "right" always mean image-left and image-right:
// LeftEye is the eye with the smaller x, which on an upright, unmirrored photo
// is the person's own right eye. See ChipTransform for what this means for
// mirrored (selfie-view) frames.
//
// The package is pure Go: it does no I/O and builds for GOOS=js GOARCH=wasm.
// It never infers emotion, age or gender.
package align
