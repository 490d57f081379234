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
// # Rolled faces
//
// A detection with a non-zero Angle (facelib/detect's DetectRotated and
// DetectAngles) is searched in the face's own upright frame: the image
// turned by -Angle about the box centre. The start points, the cascades'
// integer steps, the perturbations and the plausibility checks are exactly
// those of an upright face; only each pixel read goes through the turn, to
// the image pixel nearest the turned sample point, and the points found are
// turned back into the image. So a photo turned by a quarter turn (a pure
// permutation of its pixels) gives the upright answer turned, and Angle 0
// is the upright search itself. Roll is measured on the eyes found, so it
// is the face's true roll, not the detector's angle. (pigo's own rotated
// search turns the samples but adds the trees' steps unturned and
// quantises the angle to 1/32 of a turn.)
//
// On the labelled photos turned by ±15°, ±30° and ±45° and found by the
// DetectAngles sweep, the mean pupil error is 0.059 to 0.065 eye distances
// (upright 0.057 to 0.060) and 29 to 33 of the 34 eyes meet the upright
// tests' bound (0.15 eye distances and 6 px). The misses are the two
// smallest faces' hardest eyes: turning a photo by anything but a quarter
// turn resamples it, and the upright search on a photo turned by 15° and
// back (bilinear, imaging.Rotate) already moves those eyes from 0.11 and
// 0.04 to 0.20 and 0.35 eye distances; a camera seeing a rolled head does not resample it.
//
// # Concurrency
//
// The parsed cascades are immutable once New returns; an Aligner's only
// mutable state is its scratch. One Aligner must not be used by two
// goroutines at once; Clone makes another that shares the cascades (no
// parsing, a few hundred bytes of scratch), so each goroutine can have its
// own cheaply, with identical results.
//
// The package is pure Go: it does no I/O and builds for GOOS=js GOARCH=wasm.
// It never infers emotion, age or gender.
package align
