package track

import "time"

// identity is what a track is known by, apart from where it is: its ID, its
// appearance, when it was seen and how it came back. Removed tracks keep it
// in the memory; a new track that is recognised takes it over.
type identity struct {
	id          int
	emb         []float32
	nemb        int
	first, last time.Duration
	dwell       time.Duration
	hits        int
	iv          []Interval // len MaxIntervals
	niv         int

	recalled bool
	gap      time.Duration
	rdist    float64
}

// memory remembers the identities of removed tracks, oldest first, in fixed
// storage: entries are pooled and their buffers reused, so once every entry
// has held an embedding, remembering and recalling allocate nothing.
type memory struct {
	ents []*identity // remembered, oldest first; cap MemorySize
	pool []*identity // free entries
}

func (m *memory) init(n, maxIv int) {
	m.ents = make([]*identity, 0, n)
	m.pool = make([]*identity, n)
	for i := range m.pool {
		m.pool[i] = &identity{iv: make([]Interval, maxIv)}
	}
}

func (m *memory) reset() {
	m.pool = append(m.pool, m.ents...)
	m.ents = m.ents[:0]
}

// remove forgets entry k.
func (m *memory) remove(k int) {
	e := m.ents[k]
	copy(m.ents[k:], m.ents[k+1:])
	m.ents[len(m.ents)-1] = nil
	m.ents = m.ents[:len(m.ents)-1]
	m.pool = append(m.pool, e)
}

// expire forgets the identities last seen more than Memory ago.
func (t *Tracker) expire() {
	m := &t.mem
	for k := len(m.ents) - 1; k >= 0; k-- {
		if t.now-m.ents[k].last > t.cfg.Memory {
			m.remove(k)
		}
	}
}

// remember keeps the identity of tr, which is being removed, if it was
// confirmed and has an embedding. When the memory is full the oldest
// identity is forgotten.
func (t *Tracker) remember(tr *track) {
	m := &t.mem
	if tr.id == 0 || tr.nemb == 0 || cap(m.ents) == 0 || t.cfg.Memory <= 0 {
		return
	}
	if len(m.ents) == cap(m.ents) {
		m.remove(0)
	}
	e := m.pool[len(m.pool)-1]
	m.pool = m.pool[:len(m.pool)-1]
	e.id, e.nemb = tr.id, tr.nemb
	e.emb = append(e.emb[:0], tr.emb...)
	e.first, e.last, e.dwell, e.hits = tr.first, tr.last, tr.dwell, tr.hits
	e.niv = copy(e.iv, tr.iv[:tr.niv])
	e.recalled, e.gap, e.rdist = tr.recalled, tr.gap, tr.rdist
	m.ents = append(m.ents, e)
}

// recognise settles a track about to be confirmed that has an embedding:
// the nearest identity it may be — a remembered one within RecallGate, or a
// lost track within ReIDGate — gives it its ID. It reports whether one did.
func (t *Tracker) recognise(tr *track) bool {
	best, bestD := -1, 0.0
	var lost *track
	for k, e := range t.mem.ents {
		if d := t.appear(e.emb, tr.emb); d >= 0 && d <= t.cfg.RecallGate && (best < 0 || d < bestD) {
			best, bestD = k, d
		}
	}
	if t.cfg.ReIDGate > 0 {
		for _, l := range t.live {
			if l.state != Lost || l.nemb == 0 || l.absorbed {
				continue
			}
			if d := t.appear(l.emb, tr.emb); d >= 0 && d <= t.cfg.ReIDGate && ((best < 0 && lost == nil) || d < bestD) {
				lost, bestD = l, d
			}
		}
	}
	switch {
	case lost != nil:
		// A lost face came back where motion could not follow it: the new
		// track carries on its identity, as a re-find by appearance would.
		t.inherit(tr, lost.id, lost.emb, lost.nemb, lost.first, lost.dwell, lost.hits, lost.iv[:lost.niv])
		tr.recalled, tr.gap, tr.rdist = lost.recalled, lost.gap, lost.rdist
		lost.absorbed = true
		t.nabsorbed++
	case best >= 0:
		e := t.mem.ents[best]
		gap := tr.first - e.last
		t.inherit(tr, e.id, e.emb, e.nemb, e.first, e.dwell, e.hits, e.iv[:e.niv])
		tr.recalled, tr.gap, tr.rdist = true, gap, bestD
		t.hist.drop(e.id)
		t.mem.remove(best)
	default:
		return false
	}
	tr.state = Confirmed
	return true
}

// inherit gives tr the identity (id, appearance, timeline, dwell) of an
// earlier track of the same face. Its timeline is the earlier intervals
// followed by its own; its dwell and hits add up; its mean embedding is the
// two means weighted by the embeddings they average.
func (t *Tracker) inherit(tr *track, id int, emb []float32, nemb int, first, dwell time.Duration, hits int, iv []Interval) {
	tr.id = id
	n1 := float32(min(nemb, t.cfg.EmbeddingWindow))
	n2 := float32(min(tr.nemb, t.cfg.EmbeddingWindow))
	for i := range tr.emb {
		tr.emb[i] = (n1*emb[i] + n2*tr.emb[i]) / (n1 + n2)
	}
	tr.nemb += nemb
	own := append(t.ivTmp[:0], tr.iv[:tr.niv]...)
	tr.niv = copy(tr.iv, iv)
	for i, x := range own {
		if i == 0 && tr.niv > 0 && x.Start-tr.iv[tr.niv-1].End <= t.cfg.TimelineMinGap {
			// As in hit: a gap this short is not a gap.
			tr.dwell += x.Start - tr.iv[tr.niv-1].End
			tr.iv[tr.niv-1].End = x.End
			continue
		}
		t.addInterval(tr, x.Start)
		tr.iv[tr.niv-1].End = x.End
	}
	t.ivTmp = own[:0]
	tr.first = first
	tr.dwell += dwell
	tr.hits += hits
}
