package track_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/track"
)

// FuzzUpdate feeds the tracker a byte-coded stream of frames, including
// hostile values (NaN, infinities, negative and huge boxes, time going
// backwards, embeddings of changing length), with embeddings also handed
// back later through Observe, for live, stale and made-up keys. The tracker
// must never panic,
// must answer bad frames with one of its errors, and what it reports must
// keep its promises.
func FuzzUpdate(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 33, 10, 10, 40, 40, 0})
	f.Add([]byte{2, 33, 10, 10, 40, 40, 0, 200, 10, 40, 40, 0, 2, 33, 12, 10, 40, 40, 0, 198, 10, 40, 40, 0})
	f.Add([]byte{1, 33, 10, 10, 40, 40, 0xf1, 1, 0, 10, 10, 40, 40, 0})
	// A face with embeddings observed later, gone for 1.3 s, back.
	f.Add([]byte{0x09, 33, 10, 10, 40, 40, 0, 64, 64, 0x09, 33, 12, 10, 40, 40, 0, 64, 64, 0x09, 33, 12, 10, 40, 40, 0, 64, 64,
		0, 250, 0, 250, 0, 250, 0, 250, 0, 250, 0, 250, 0x19, 33, 14, 10, 40, 40, 0, 0, 64, 64, 0x09, 33, 14, 10, 40, 40, 0, 64, 64,
		0x09, 33, 14, 10, 40, 40, 0, 65, 64, 0x79, 33, 14, 10, 40, 40, 0, 1, 2})
	f.Fuzz(checkStream)
}

func checkStream(t *testing.T, data []byte) {
	cfg := track.DefaultConfig()
	cfg.ConfirmHits = 2
	cfg.TrailLen = 4
	cfg.MaxIntervals = 3
	cfg.HistoryLen = 3
	cfg.MaxTracks = 8
	cfg.MaxDetections = 6
	cfg.Lines = []track.Line{{A: track.Point{X: 0, Y: 300}, B: track.Point{X: 1000, Y: 300}}}
	tr, err := track.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), -5, 0, 1e13}
	var now time.Duration
	ids := map[int]bool{}
	var reqs []track.Track
	for frames := 0; len(data) > 0 && frames < 200; frames++ {
		hdr := next()
		n := int(hdr % 8)
		dt := time.Duration(next()) * time.Millisecond
		if dt > 250*time.Millisecond {
			dt = -dt / 10 // now and then, backwards
		}
		now += dt
		dets := make([]track.Detection, n)
		for i := range dets {
			x, y, w, h := float64(next())*4, float64(next())*4, 8+float64(next()), 8+float64(next())
			flags := next()
			switch flags >> 4 {
			case 0xf:
				x = special[int(flags&7)%len(special)]
			case 0xe:
				w = special[int(flags&7)%len(special)]
			case 0xd:
				dets[i].Score = float32(special[int(flags&7)%len(special)])
			}
			dets[i].Box = track.Box{X: x, Y: y, W: w, H: h}
			if flags&8 != 0 {
				e := make([]float32, 2+int(flags&1))
				for k := range e {
					e[k] = float32(next()) / 64
				}
				dets[i].Embedding = e
			}
		}
		got, err := tr.Update(dets, now)
		if err != nil {
			if !errors.Is(err, track.ErrBox) && !errors.Is(err, track.ErrScore) && !errors.Is(err, track.ErrEmbedding) &&
				!errors.Is(err, track.ErrTime) && !errors.Is(err, track.ErrTooManyDetections) {
				t.Fatalf("unexpected error %v", err)
			}
			if got != nil {
				t.Fatal("tracks returned with an error")
			}
			if dt < 0 {
				now -= dt
			}
			continue
		}
		seen := map[int]bool{}
		keys := map[uint64]bool{}
		for _, x := range got {
			if x.Key == 0 || keys[x.Key] || (x.Recalled && (x.Gap <= 0 || !(x.RecallDistance >= 0 && x.RecallDistance <= cfg.RecallGate))) {
				t.Fatalf("bad key or recall %+v", x)
			}
			keys[x.Key] = true
			b := x.Box
			if x.State != track.Confirmed || x.ID <= 0 || x.ID > tr.IDs() || seen[x.ID] {
				t.Fatalf("bad track %+v", x)
			}
			seen[x.ID] = true
			ids[x.ID] = true
			for _, v := range []float64{b.X, b.Y, b.W, b.H, x.Velocity[0], x.Velocity[1]} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite track %+v", x)
				}
			}
			if x.Detection < 0 || x.Detection >= len(dets) || x.LastSeen != now || x.FirstSeen > x.LastSeen ||
				x.Dwell < 0 || x.Dwell > x.LastSeen-x.FirstSeen {
				t.Fatalf("inconsistent track %+v at %v", x, now)
			}
			if n := len(x.Trail(nil)); n < 1 || n > cfg.TrailLen {
				t.Fatalf("trail of %d points", n)
			}
			iv := x.Intervals(nil)
			if len(iv) < 1 || len(iv) > cfg.MaxIntervals || iv[0].Start != x.FirstSeen || iv[len(iv)-1].End != x.LastSeen {
				t.Fatalf("intervals %v for %+v", iv, x)
			}
			for i := range iv {
				if iv[i].End < iv[i].Start || (i > 0 && iv[i].Start <= iv[i-1].End) {
					t.Fatalf("intervals out of order: %v", iv)
				}
			}
		}
		if len(got) > cfg.MaxTracks {
			t.Fatalf("%d tracks reported, MaxTracks %d", len(got), cfg.MaxTracks)
		}
		if hdr&0x18 == 0 {
			continue
		}
		// Embeddings for this frame's requests, or for made-up keys.
		reqs = tr.ToEmbed(reqs[:0])
		for i, x := range reqs {
			if !x.WantsEmbedding || x.Detection < 0 || x.Detection >= len(dets) || x.Key == 0 {
				t.Fatalf("bad request %+v", x)
			}
			key := x.Key
			if hdr&0x10 != 0 && i == 0 {
				key += uint64(next()) // maybe another live track, maybe none
			}
			e := make([]float32, 2+int(hdr>>7))
			for k := range e {
				e[k] = float32(next()) / 64
			}
			if hdr&0x60 == 0x60 {
				e[0] = float32(math.NaN())
			}
			if err := tr.Observe(key, e); err != nil && !errors.Is(err, track.ErrEmbedding) && !errors.Is(err, track.ErrStale) {
				t.Fatalf("Observe: unexpected error %v", err)
			}
		}
	}
	sums := tr.Timeline(nil)
	if len(sums) > cfg.HistoryLen+cfg.MaxTracks {
		t.Fatalf("%d summaries", len(sums))
	}
	c := tr.Crossings(nil)[0]
	if c.In+c.Out > 200*cfg.MaxTracks {
		t.Fatalf("crossings %+v", c)
	}
	if tr.IDs() < len(ids) {
		t.Fatalf("IDs() %d < %d seen", tr.IDs(), len(ids))
	}
}
