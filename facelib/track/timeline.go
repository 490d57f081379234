package track

import "time"

// Interval is a span of time in which a track was seen: from the first to
// the last detection of a run of detections.
type Interval struct{ Start, End time.Duration }

// Summary is one track's timeline: who was seen when.
type Summary struct {
	ID                  int
	State               State // Removed for tracks from the history
	FirstSeen, LastSeen time.Duration
	Dwell               time.Duration
	Hits                int
	// Intervals alias the tracker's buffers: valid until the next Update.
	Intervals []Interval
}

// addInterval starts a new timeline interval at now. When the track's
// intervals are full, the two separated by the shortest gap are merged
// first (or, if the gap before now is the shortest, the last interval is
// stretched to now), so memory stays bounded and the timeline keeps its
// longest gaps. Dwell is kept exactly regardless.
func (t *Tracker) addInterval(tr *track, now time.Duration) {
	if tr.niv < len(tr.iv) {
		tr.iv[tr.niv] = Interval{now, now}
		tr.niv++
		return
	}
	iv := tr.iv[:tr.niv]
	best, bestGap := len(iv)-1, now-iv[len(iv)-1].End // merge last with new
	for k := 0; k+1 < len(iv); k++ {
		if g := iv[k+1].Start - iv[k].End; g < bestGap {
			best, bestGap = k, g
		}
	}
	if best == len(iv)-1 {
		iv[best].End = now
		return
	}
	iv[best].End = iv[best+1].End
	copy(iv[best+1:], iv[best+2:])
	iv[len(iv)-1] = Interval{now, now}
}

// history is a ring of the summaries of removed tracks, with fixed storage.
type history struct {
	sums    []Summary
	ivs     []Interval
	maxIv   int
	head, n int
}

func (h *history) init(n, maxIv int) {
	h.sums = make([]Summary, n)
	h.ivs = make([]Interval, n*maxIv)
	h.maxIv = maxIv
	for i := range h.sums {
		h.sums[i].Intervals = h.ivs[i*maxIv : i*maxIv : (i+1)*maxIv]
	}
}

func (h *history) reset() { h.head, h.n = 0, 0 }

// drop forgets the summary of the track with ID id, if it is kept: a
// recalled identity lives on in a live track, whose summary replaces it.
// Later summaries move up; each slot keeps its own interval storage.
func (h *history) drop(id int) {
	L := len(h.sums)
	slot := func(i int) int { return (h.head - h.n + i + 2*L) % L }
	for i := 0; i < h.n; i++ {
		if h.sums[slot(i)].ID != id {
			continue
		}
		for ; i+1 < h.n; i++ {
			a, b := slot(i), slot(i+1)
			h.sums[a], h.sums[b] = h.sums[b], h.sums[a]
		}
		h.n--
		h.head = (h.head - 1 + L) % L
		return
	}
}

// add records a removed track; tracks never confirmed are not recorded.
func (h *history) add(tr *track) {
	if tr.id == 0 || len(h.sums) == 0 {
		return
	}
	s := &h.sums[h.head]
	*s = Summary{
		ID:        tr.id,
		State:     Removed,
		FirstSeen: tr.first,
		LastSeen:  tr.last,
		Dwell:     tr.dwell,
		Hits:      tr.hits,
		Intervals: append(s.Intervals[:0], tr.iv[:tr.niv]...),
	}
	h.head = (h.head + 1) % len(h.sums)
	if h.n < len(h.sums) {
		h.n++
	}
}

// Timeline appends to dst a summary for every track given an ID that the
// tracker still remembers: first the removed ones kept in the history
// (at most Config.HistoryLen, oldest first), then the live ones by ID.
func (t *Tracker) Timeline(dst []Summary) []Summary {
	h := &t.hist
	for i := 0; i < h.n; i++ {
		k := (h.head - h.n + i + len(h.sums)) % len(h.sums)
		dst = append(dst, h.sums[k])
	}
	start := len(dst)
	for _, tr := range t.live {
		if tr.id == 0 {
			continue
		}
		dst = append(dst, Summary{
			ID:        tr.id,
			State:     tr.state,
			FirstSeen: tr.first,
			LastSeen:  tr.last,
			Dwell:     tr.dwell,
			Hits:      tr.hits,
			Intervals: tr.iv[:tr.niv:tr.niv],
		})
	}
	live := dst[start:]
	for i := 1; i < len(live); i++ {
		for j := i; j > 0 && live[j].ID < live[j-1].ID; j-- {
			live[j], live[j-1] = live[j-1], live[j]
		}
	}
	return dst
}
