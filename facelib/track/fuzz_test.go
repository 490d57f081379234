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
// backwards, embeddings of changing length). The tracker must never panic,
// must answer bad frames with one of its errors, and what it reports must
// keep its promises.
func FuzzUpdate(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 33, 10, 10, 40, 40, 0})
	f.Add([]byte{2, 33, 10, 10, 40, 40, 0, 200, 10, 40, 40, 0, 2, 33, 12, 10, 40, 40, 0, 198, 10, 40, 40, 0})
	f.Add([]byte{1, 33, 10, 10, 40, 40, 0xf1, 1, 0, 10, 10, 40, 40, 0})
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
	for frames := 0; len(data) > 0 && frames < 200; frames++ {
		n := int(next() % 8)
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
		for _, x := range got {
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
