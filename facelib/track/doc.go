// Package track follows faces across video frames and gives each one a
// stable ID.
//
// It owns the step after detection: given each frame's face boxes (and,
// optionally, their embeddings) and the frame's time, it says which box is
// which face, for how long each face has been in view, where it went (a
// trail), when it was seen (a timeline) and how many faces crossed a line.
// It takes boxes, not images, and depends on no other facelib package.
//
// # How it works
//
// Each track carries four constant-velocity Kalman filters (centre x and y,
// width, height), predicted forward by the time between frames, so it works
// at any and at varying frame rates. Detections are assigned to tracks by the
// Hungarian algorithm on a cost that adds (1 − IoU), the centre distance in
// box sizes and, when embeddings are given, the appearance distance. Pairs
// outside the gates (too far, too different in size, or a different person
// by appearance) are never matched. Confirmed and lost tracks are served
// before tentative ones.
//
// A track is Tentative until ConfirmHits detections, then Confirmed and
// given the next ID; IDs are never reused. A tentative track that misses is
// dropped at once (by default), so a spurious detection never shows up. A
// confirmed track that misses is Lost: predicted forward and re-found with
// the same ID if it reappears within MaxLost, removed after. With
// embeddings, a lost face can be re-found by appearance even far from where
// it was lost, and a different person is never given its ID.
//
// # Use
//
// Update returns the confirmed tracks (add lost and tentative ones with
// Config.ReportLost, ReportTentative) in a slice that the next Update reuses.
// In steady state, with the same number of faces, Update allocates nothing.
// Timeline lists who was seen when, including removed tracks up to
// Config.HistoryLen; Crossings returns the line counts.
//
// The tracker never reads a clock: the caller passes each frame's time.
// Given the same input it gives the same output.
package track
