package align

// Clone returns an Aligner that shares a's parsed cascades (read-only) with
// its own scratch buffers, so each goroutine can hold one cheaply.
func (a *Aligner) Clone() *Aligner {
	c := *a
	c.sc = scratch{}
	return &c
}
