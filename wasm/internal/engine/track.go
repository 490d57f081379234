package engine

import (
	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// tracker gives faces stable IDs across frames by greedy overlap matching,
// keeps a short trail per face and counts crossings of a vertical line through
// the middle of the frame. It stands in until facelib/track lands; the wire
// format already carries what that tracker reports.
type tracker struct {
	tracks  []trk
	nextID  int
	in, out int
}

type trk struct {
	id                int
	x, y, w, h        float32
	first, last       float64 // ms
	hits              int
	trail             [wire.MaxTrail]wire.Point
	trailN, trailHead int
	side              int8 // -1 left of the line, +1 right, 0 unknown
	matched           bool
}

const (
	confirmHits = 3    // frames before a track is shown as confirmed
	lostAfterMs = 400  // unseen this long: lost
	dropAfterMs = 2000 // unseen this long: forgotten
	maxTracks   = wire.MaxTracks
)

func (t *tracker) init() { t.nextID = 1; t.tracks = make([]trk, 0, maxTracks) }

// update matches r.Faces to the tracks at time now (ms) and appends the
// tracks to r.
func (t *tracker) update(r *wire.Result, now float64) {
	for i := range t.tracks {
		t.tracks[i].matched = false
	}
	mid := float32(r.Width) / 2
	for fi := range r.Faces {
		f := &r.Faces[fi]
		best, bestIoU := -1, float32(0.15)
		for i := range t.tracks {
			tr := &t.tracks[i]
			if tr.matched {
				continue
			}
			if v := iou(tr.x, tr.y, tr.w, tr.h, f.X, f.Y, f.W, f.H); v > bestIoU {
				best, bestIoU = i, v
			}
		}
		if best < 0 {
			if len(t.tracks) == maxTracks {
				continue
			}
			t.tracks = append(t.tracks, trk{id: t.nextID, first: now})
			t.nextID++
			best = len(t.tracks) - 1
		}
		tr := &t.tracks[best]
		tr.matched = true
		tr.x, tr.y, tr.w, tr.h = f.X, f.Y, f.W, f.H
		tr.last = now
		tr.hits++
		c := wire.Point{X: f.X + f.W/2, Y: f.Y + f.H/2}
		tr.trail[tr.trailHead] = c
		tr.trailHead = (tr.trailHead + 1) % wire.MaxTrail
		tr.trailN = min(tr.trailN+1, wire.MaxTrail)
		side := int8(1)
		if c.X < mid {
			side = -1
		}
		if tr.hits >= confirmHits && tr.side != 0 && side != tr.side {
			if side > 0 {
				t.in++ // left to right
			} else {
				t.out++
			}
		}
		tr.side = side
	}
	// Forget long-unseen tracks, in place.
	n := 0
	for i := range t.tracks {
		if now-t.tracks[i].last <= dropAfterMs {
			t.tracks[n] = t.tracks[i]
			n++
		}
	}
	t.tracks = t.tracks[:n]
	for i := range t.tracks {
		tr := &t.tracks[i]
		if tr.hits < confirmHits && !tr.matched {
			continue // a tentative track that missed: not worth showing
		}
		o := r.AddTrack()
		o.ID, o.X, o.Y, o.W, o.H = tr.id, tr.x, tr.y, tr.w, tr.h
		o.AgeMs = float32(tr.last - tr.first)
		switch {
		case now-tr.last > lostAfterMs:
			o.State = wire.Lost
		case tr.hits >= confirmHits:
			o.State = wire.Confirmed
		default:
			o.State = wire.Tentative
		}
		start := (tr.trailHead - tr.trailN + wire.MaxTrail) % wire.MaxTrail
		for k := range tr.trailN {
			o.Trail = append(o.Trail, tr.trail[(start+k)%wire.MaxTrail])
		}
	}
}

// line writes the counting line and counts into r.
func (t *tracker) line(r *wire.Result) {
	mid := float32(r.Width) / 2
	r.Line = wire.Line{X1: mid, Y1: 0, X2: mid, Y2: float32(r.Height)}
	r.In, r.Out = t.in, t.out
}

func iou(ax, ay, aw, ah, bx, by, bw, bh float32) float32 {
	x0, y0 := max(ax, bx), max(ay, by)
	x1, y1 := min(ax+aw, bx+bw), min(ay+ah, by+bh)
	if x1 <= x0 || y1 <= y0 {
		return 0
	}
	in := (x1 - x0) * (y1 - y0)
	return in / (aw*ah + bw*bh - in)
}
