package track

import "fmt"

// badEmbedding says what is wrong with a non-empty embedding e, given the
// length dim of the embeddings seen so far (0: none yet), or "" if nothing.
func badEmbedding(e []float32, dim int) string {
	switch {
	case len(e) == 0:
		return "empty"
	case dim == 0 && len(e) > maxEmbeddingDim:
		return fmt.Sprintf("length %d > %d", len(e), maxEmbeddingDim)
	case dim != 0 && len(e) != dim:
		return fmt.Sprintf("length %d, want %d", len(e), dim)
	}
	for k, v := range e {
		if !finite(float64(v)) {
			return fmt.Sprintf("element %d is %v", k, v)
		}
	}
	return ""
}

// Observe folds in emb, the embedding of the detection matched in the last
// Update to the live track with key (Track.Key): for callers that compute
// embeddings after Update, in another goroutine or worker, and hand them
// back one or a few frames later. The tracker copies emb.
//
// What the embedding does depends on the track:
//   - a new track stores it; at its next detection the tracker decides who
//     it is (a remembered or lost face, or a new ID) and a track held back
//     for want of it is released;
//   - a lost track being re-found by motion is checked: within
//     AppearanceGate of its mean, the run is the same face and re-finds it
//     at its next detection (at once if RefindHits are already in, or if
//     within ReIDGate); beyond, the run was someone else: it is cut loose,
//     its next detection starts a new track, and from then on only
//     appearance can re-find the lost one;
//   - otherwise it joins the track's running mean if it is within
//     AppearanceGate of it (a stray embedding, of a face the track was
//     briefly confused with, is left out).
//
// An embedding that is empty, of another length than the others, too long
// or not finite returns an error wrapping ErrEmbedding; a key of no live
// track (removed meanwhile, or never given) returns one wrapping ErrStale.
// Either way the tracker is unchanged.
func (t *Tracker) Observe(key uint64, emb []float32) error {
	if bad := badEmbedding(emb, t.dim); bad != "" {
		return fmt.Errorf("%w: key %d: %s", ErrEmbedding, key, bad)
	}
	var tr *track
	for _, x := range t.live {
		if x.gen == key && key != 0 && !x.absorbed {
			tr = x
			break
		}
	}
	if tr == nil {
		return fmt.Errorf("%w: key %d", ErrStale, key)
	}
	t.dim = len(emb)
	tr.wants = false // answered
	if tr.nemb == 0 {
		t.foldEmbedding(tr, emb)
		tr.embAt = t.now
		if tr.state == Lost && tr.refind > 0 {
			tr.verified = 1 // nothing to compare with: RefindHits decide
		}
		return nil
	}
	d := t.appear(tr.emb, emb)
	within := d >= 0 && (t.cfg.AppearanceGate <= 0 || d <= t.cfg.AppearanceGate)
	if tr.state == Lost && tr.refind > 0 {
		if !within {
			tr.refind, tr.verified, tr.refuted = 0, 0, true
			return nil
		}
		tr.verified = max(tr.verified, 1)
		if t.cfg.ReIDGate > 0 && d <= t.cfg.ReIDGate {
			tr.verified = 2
		}
	}
	if within {
		t.foldEmbedding(tr, emb)
	}
	tr.embAt = t.now
	return nil
}

// strongReID reports whether d's embedding is close enough to tr's to
// re-find it by appearance alone.
func (t *Tracker) strongReID(tr *track, d *Detection) bool {
	if t.cfg.ReIDGate <= 0 || tr.nemb == 0 || len(d.Embedding) == 0 {
		return false
	}
	a := t.appear(tr.emb, d.Embedding)
	return a >= 0 && a <= t.cfg.ReIDGate
}

func (t *Tracker) foldEmbedding(tr *track, e []float32) {
	if len(e) == 0 {
		return
	}
	if cap(tr.emb) < len(e) {
		tr.emb = make([]float32, len(e))
	}
	tr.emb = tr.emb[:len(e)]
	tr.nemb++
	w := float32(1) / float32(min(tr.nemb, t.cfg.EmbeddingWindow))
	for i, v := range e {
		tr.emb[i] += w * (v - tr.emb[i])
	}
}
