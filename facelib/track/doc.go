// Package track follows faces across video frames and gives each one a
// stable ID.
//
// It owns the step after detection: given each frame's face boxes (and,
// optionally, their embeddings) and the frame's time, it says which box is
// which face, for how long each face has been in view, where it went (a
// trail), when it was seen (a timeline) and how many faces crossed a line.
// It takes boxes (and embeddings), not images, and depends on no other
// facelib package.
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
// where it was lost, and a different person is never given its ID; a face
// gone for longer is remembered and recognised when it returns (see
// Re-identification).
//
// # Re-identification
//
// A removed confirmed track that had an embedding is remembered (its ID,
// mean embedding, timeline and dwell) for Config.Memory, at most
// Config.MemorySize identities, the oldest forgotten first; all in storage
// fixed when the tracker is made. A new track that reaches ConfirmHits with
// an embedding is compared with the identities it could be: the nearest
// remembered one within RecallGate, or a lost track within ReIDGate (a face
// that came back where motion could not follow it), gives it its ID. A
// remembered ID comes back with the earlier timeline joined before the new
// stretch (Timeline keeps one entry for the ID), the dwell added up, and
// Track.Recalled, Gap and RecallDistance set for the rest of its life.
//
// Embeddings may come with the detections (Detection.Embedding) or later,
// from another worker: the tracker asks for them (Track.WantsEmbedding,
// ToEmbed — when a track is born, when it is re-found after a miss, and
// every EmbedEvery) and Observe(Track.Key, embedding) hands one back. The
// decision it allows is taken at the track's next detection in Update.
// While there is someone a new track could be, a track with no embedding is
// held: it stays tentative, without an ID and unreported, until its
// embedding arrives or HoldForEmbedding has passed since its first
// detection (then it gets a new ID). So a returning face is not shown under
// a new ID first; the price is a few frames' delay before a new face shows.
//
// A lost track that has an embedding is not re-found by motion alone,
// because motion alone cannot tell a returning face from a stranger
// stepping into its place. A run of detections that re-finds it without
// embeddings is held on probation — the track stays lost, the run's
// detections are not folded in, and the tracker asks for their embedding —
// until an embedding of the run arrives: within AppearanceGate of the lost
// track's mean it is the same face (re-found at its next detection, with
// RefindHits, or at once within ReIDGate); beyond, it is someone else. Then
// the run is cut loose: its next detection starts a new track (held, then
// given its own ID once its embedding shows it is not the lost face), and
// the lost track can be re-found only by appearance until it is removed.
// Without embeddings in use, re-finding works as before: RefindHits
// detections in a row. A face missed for a single frame is still re-found
// at once (and asked for an embedding); an embedding handed to a track
// that is beyond AppearanceGate of its mean is not folded into it.
//
// # Use
//
// Update returns the confirmed tracks (add lost and tentative ones with
// Config.ReportLost, ReportTentative) in a slice that the next Update reuses.
// In steady state, with the same number of faces, Update allocates nothing.
// Timeline lists who was seen when, including removed tracks up to
// Config.HistoryLen; Crossings returns the line counts. Remembering and
// recalling identities and Observe allocate nothing once warm either.
//
// A caller that computes embeddings after Update takes the requests from
// ToEmbed, not from Update's result: held and re-finding tracks want
// embeddings too, and Update does not report them. A caller that never
// embeds can ignore WantsEmbedding; nothing is remembered or held then.
//
// The tracker never reads a clock: the caller passes each frame's time.
// Given the same input it gives the same output.
package track
