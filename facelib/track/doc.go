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
// Hungarian algorithm (O(n³), buffers reused) on a cost that adds (1 − IoU),
// the centre distance in box sizes and, when embeddings are given, the
// appearance distance. Greedy matching (cheapest pair first) would be
// simpler, but one cheap pair can force a bad match on the others, which
// happens when faces are close: exactly when getting it right matters.
// Pairs outside the gates (too far, too different in size, or a different
// person by appearance) are never matched. Matching is a cascade: tracks
// seen in the last frame pick first, then lost tracks, then tentative ones,
// so neither an uncertain prediction nor a false detection takes an
// established face's detection.
//
// A track is Tentative until ConfirmHits detections, then Confirmed and
// given the next ID; IDs are never reused. A tentative track that misses is
// dropped at once (by default), so a spurious detection never shows up. A
// confirmed track that misses is Lost: predicted forward (its size held)
// and re-found with the same ID if it reappears within MaxLost, removed
// after. A face missed for one frame is re-found at once; after longer it
// needs RefindHits detections in a row, so one false detection where a
// face vanished neither borrows its ID nor drags its prediction away. With
// embeddings, a lost face is re-found at once by appearance, even far from
// where it was lost, and a different person is never given its ID.
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
