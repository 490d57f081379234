package track

// hit folds detection d into the track matched to it.
func (t *Tracker) hit(tr *track, d *Detection) {
	now := t.now
	hasEmb := len(d.Embedding) > 0
	if tr.state == Lost && tr.misses > 1 {
		// On probation: hold detections back until RefindHits in a row,
		// or one that is recognised by appearance (within ReIDGate). A
		// lost face with an embedding is not re-found by motion alone: its
		// run must also be checked by appearance (pairCost let a detection
		// with an embedding through only within AppearanceGate; Observe
		// checks the others).
		if hasEmb && tr.nemb > 0 {
			tr.verified = max(tr.verified, 1)
		}
		if t.strongReID(tr, d) {
			tr.verified = 2
		}
		unchecked := tr.nemb > 0 && tr.verified == 0
		if tr.verified < 2 && (unchecked || tr.refind+1 < t.cfg.RefindHits) {
			if tr.refind == 0 {
				tr.refindAt = now
			}
			tr.refind++
			tr.wants = unchecked
			return
		}
	}
	r := t.measurementVar(d.Box)
	c := d.Box.Center()
	tr.kx.correct(c.X, r)
	tr.ky.correct(c.Y, r)
	tr.kw.correct(d.Box.W, r)
	tr.kh.correct(d.Box.H, r)

	start := now // of this run of detections
	if tr.refind > 0 {
		start = tr.refindAt
	}
	refound := tr.misses > 0
	if tr.misses == 0 || start-tr.last <= t.cfg.TimelineMinGap {
		tr.dwell += now - tr.last
	} else {
		t.addInterval(tr, start)
		tr.dwell += now - start
	}
	tr.iv[tr.niv-1].End = now
	tr.last = now
	tr.hits += 1 + tr.refind
	tr.misses = 0
	tr.refind = 0
	tr.verified, tr.refuted = 0, false
	tr.score = d.Score
	if hasEmb {
		t.foldEmbedding(tr, d.Embedding)
		tr.embAt = now
	}
	tr.wants = !hasEmb && (tr.nemb == 0 || (refound && tr.embAt < start) || now-tr.embAt > t.cfg.EmbedEvery)

	switch tr.state {
	case Tentative:
		if tr.hits >= t.cfg.ConfirmHits {
			t.settle(tr)
		}
	case Lost:
		tr.state = Confirmed
	}
	bc := tr.box().Center()
	t.pushTrail(tr, bc)
	t.cross(tr, bc)
}

// miss handles a track with no detection this frame; it reports whether the
// track stays live.
func (t *Tracker) miss(tr *track) bool {
	tr.misses++
	tr.refind = 0
	tr.verified = 0
	switch tr.state {
	case Tentative:
		if tr.misses > t.cfg.TentativeMisses {
			t.release(tr)
			return false
		}
		return true
	case Confirmed:
		tr.state = Lost
		// Keep the size while unseen: a face's size changes slowly, and a
		// size trend estimated from noisy boxes, extrapolated over a second,
		// shrinks or swells the box past the size gate.
		tr.kw.v, tr.kh.v = 0, 0
	}
	if t.now-tr.last > t.cfg.MaxLost {
		t.remove(tr)
		return false
	}
	return true
}

// remove ends a lost track's life: its summary goes to the history, its
// identity to the memory.
func (t *Tracker) remove(tr *track) {
	t.hist.add(tr)
	t.remember(tr)
	t.release(tr)
}

// settle decides who a tentative track that has its ConfirmHits is. With an
// embedding, it may be a remembered or a lost face, and takes its ID (see
// recognise); otherwise it is confirmed with a new ID. Without one, while
// there is someone it could be, it is held back — still tentative, without
// an ID — until its embedding arrives or HoldForEmbedding has passed since
// its first detection.
func (t *Tracker) settle(tr *track) {
	if tr.nemb > 0 {
		if !t.recognise(tr) {
			t.confirm(tr)
		}
		return
	}
	if t.now-tr.first < t.cfg.HoldForEmbedding && t.couldBeKnown() {
		return
	}
	t.confirm(tr)
}

// couldBeKnown reports whether a new face could turn out to be one the
// tracker knows: an identity is remembered, or a lost track has an
// embedding.
func (t *Tracker) couldBeKnown() bool {
	if len(t.mem.ents) > 0 {
		return true
	}
	if t.cfg.ReIDGate > 0 {
		for _, l := range t.live {
			if l.state == Lost && l.nemb > 0 && !l.absorbed {
				return true
			}
		}
	}
	return false
}

// sweep releases the lost tracks whose identity a new track took over.
func (t *Tracker) sweep() {
	keep := t.live[:0]
	for _, tr := range t.live {
		if tr.absorbed {
			t.release(tr)
			continue
		}
		keep = append(keep, tr)
	}
	clear(t.live[len(keep):])
	t.live = keep
	t.nabsorbed = 0
}

func (t *Tracker) confirm(tr *track) {
	tr.state = Confirmed
	tr.id = t.nextID
	t.nextID++
}

// spawn starts a tentative track from detection d (index j).
func (t *Tracker) spawn(d *Detection, j int) {
	tr := t.alloc()
	t.gen++
	tr.gen = t.gen
	tr.id = 0
	tr.state = Tentative
	b := d.Box
	c := b.Center()
	r := t.measurementVar(b)
	vv := sq(2 * b.Size()) // unknown velocity: up to ~2 face sizes per second
	tr.kx.init(c.X, r, vv)
	tr.ky.init(c.Y, r, vv)
	tr.kw.init(b.W, r, vv)
	tr.kh.init(b.H, r, vv)
	tr.first, tr.last, tr.dwell = t.now, t.now, 0
	tr.hits, tr.misses, tr.det, tr.score = 1, 0, j, d.Score
	tr.refind = 0
	tr.nemb = 0
	tr.embAt = 0
	tr.verified, tr.refuted, tr.absorbed = 0, false, false
	tr.recalled, tr.gap, tr.rdist = false, 0, 0
	t.foldEmbedding(tr, d.Embedding)
	if len(d.Embedding) > 0 {
		tr.embAt = t.now
	}
	tr.wants = len(d.Embedding) == 0
	tr.trailHead, tr.trailN = 0, 0
	t.pushTrail(tr, c)
	tr.niv = 0
	t.addInterval(tr, t.now)
	for k, l := range t.cfg.Lines {
		tr.sides[k] = 0
		tr.anchors[k] = c
		s, m := l.side(c), t.cfg.LineMargin*b.Size()
		if s > m {
			tr.sides[k] = 1
		} else if s < -m {
			tr.sides[k] = -1
		}
	}
	t.detTrack[j] = len(t.live)
	t.live = append(t.live, tr)
	if t.cfg.ConfirmHits <= 1 {
		t.settle(tr)
	}
}

func (t *Tracker) alloc() *track {
	if n := len(t.free); n > 0 {
		tr := t.free[n-1]
		t.free = t.free[:n-1]
		return tr
	}
	return &track{
		trail:   make([]Point, t.cfg.TrailLen),
		iv:      make([]Interval, t.cfg.MaxIntervals),
		sides:   make([]int8, len(t.cfg.Lines)),
		anchors: make([]Point, len(t.cfg.Lines)),
	}
}

func (t *Tracker) release(tr *track) {
	tr.gen = 0 // invalidates snapshots
	tr.state = Removed
	t.free = append(t.free, tr)
}

func (t *Tracker) pushTrail(tr *track, p Point) {
	tr.trail[tr.trailHead] = p
	tr.trailHead = (tr.trailHead + 1) % len(tr.trail)
	if tr.trailN < len(tr.trail) {
		tr.trailN++
	}
}

// cross updates the track's side of each line from its new centre and
// counts crossings made while confirmed.
func (t *Tracker) cross(tr *track, c Point) {
	m := t.cfg.LineMargin * tr.box().Size()
	for k, l := range t.cfg.Lines {
		s := l.side(c)
		var cur int8
		switch {
		case s > m:
			cur = 1
		case s < -m:
			cur = -1
		default:
			continue // inside the band: no decision yet
		}
		prev := tr.sides[k]
		if prev != 0 && cur != prev && tr.state == Confirmed && l.spans(tr.anchors[k], c) {
			if cur > 0 {
				t.counts[k].In++
			} else {
				t.counts[k].Out++
			}
		}
		tr.sides[k] = cur
		tr.anchors[k] = c
	}
}
