package track

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
