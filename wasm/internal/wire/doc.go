// Package wire is the result format the playground's worker sends to the page
// and to the overlay: one flat []float32 per processed frame, so it crosses
// the worker boundary as a single transferable Float32Array and both ends can
// read it without allocating.
//
// Layout (all values float32):
//
//	header   HeaderLen values, see the H* index constants
//	cands    NumCandidates × 4: x, y, size, q   (raw cascade windows, before clustering)
//	faces    NumFaces × (FaceFixed + 2·k): x, y, w, h, score, lx, ly, rx, ry, k, then k landmark points
//	tracks   NumTracks × (TrackFixed + 2·n): id, x, y, w, h, state, ageMs, gapMs, recallDist, n, then n trail points
//	         (gapMs and recallDist describe a re-identified track; recallDist is NaN otherwise)
//	embed    EmbedLen values: the face chip's 128-d descriptor (0 or 128)
//
// Coordinates are video pixels, x to the right, y down; boxes are top-left
// corner plus size. Pupils are NaN when not located. The same layout is
// decoded in the browser by playground/js/wire.js; a change here must be made
// there too and Version bumped.
//
// wire owns the format only: no syscall/js, so it is tested natively.
package wire
