package track_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/track"
)

// realIdentities returns the embeddings of the six face chips in the
// project's golden file (assets/testdata/chips/golden.json): six different
// people, 0.62–0.89 apart under the reference network.
func realIdentities(t *testing.T) [][]float32 {
	t.Helper()
	raw, err := os.ReadFile("../../assets/testdata/chips/golden.json")
	if err != nil {
		t.Fatalf("golden embeddings: %v", err)
	}
	var g struct {
		Chips []struct {
			File       string    `json:"file"`
			Descriptor []float32 `json:"descriptor"`
		} `json:"chips"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("golden embeddings: %v", err)
	}
	var ids [][]float32
	for _, c := range g.Chips {
		if len(c.File) > 5 && c.File[:5] == "face-" && len(c.Descriptor) == 128 {
			ids = append(ids, c.Descriptor)
		}
	}
	if len(ids) != 6 {
		t.Fatalf("golden embeddings: %d faces, want 6", len(ids))
	}
	return ids
}

// embeddings is where a scene's embeddings come from: synthetic identities
// (mot_test.go's embedder) or the real faces of the golden file, each frame
// with noise of norm 0.2 — same-person distances of about 0.28 between
// frames, as measured on real faces (0.15–0.45).
type embeddings int

const (
	synthetic embeddings = iota
	real
)

func (e embeddings) String() string { return [...]string{"synthetic", "real"}[e] }

func (e embeddings) embedder(t *testing.T, seed uint64, n int) *embedder {
	if e == synthetic {
		return newEmbedder(seed, n)
	}
	ids := realIdentities(t)
	if n > len(ids) {
		t.Fatalf("%d people, %d real faces", n, len(ids))
	}
	return &embedder{rng: rand.New(rand.NewPCG(seed, 98)), ids: ids[:n], noise: 0.2}
}

// feed is how embeddings reach the tracker.
type feed struct {
	name string
	// sync: in Detection.Embedding. Otherwise the tracker asks (ToEmbed)
	// and the embedding of frame k's detection is passed to Observe after
	// the Update of frame k+lag, as a second worker would — one request in
	// flight per track.
	sync bool
	lag  int
}

var feeds = []feed{
	{"in the detections", true, 0},
	{"observed one frame later", false, 0},
	{"observed three frames later", false, 2},
}

// reidResult is a scene played through a tracker.
type reidResult struct {
	motStats
	// gtIDs: for each ground-truth face, every ID reported on it.
	gtIDs map[int]map[int]bool
	// first: for each ground-truth face and ID, the first frame that ID
	// was reported on it.
	first map[int]map[int]int
	// frames: for each frame, the ID reported on each ground-truth face.
	frames  []map[int]int
	last    []track.Track // the tracks reported in the last frame
	tracker *track.Tracker
}

// runReID plays frames (whose detections carry the embeddings) through a
// tracker with cfg, feeding embeddings as f says; answer, if not nil, says
// whether the embedder answers requests made in frame k.
func runReID(t *testing.T, cfg track.Config, frames []frame, f feed, answer func(k int) bool) reidResult {
	t.Helper()
	tr, err := track.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	type job struct {
		due int
		key uint64
		emb []float32
	}
	var queue []job
	pending := map[uint64]bool{}
	e := newMOT()
	res := reidResult{gtIDs: map[int]map[int]bool{}, first: map[int]map[int]int{}, tracker: tr}
	var reqs []track.Track
	for k, fr := range frames {
		dets := fr.dets
		if !f.sync {
			dets = make([]track.Detection, len(fr.dets))
			for i, d := range fr.dets {
				dets[i] = track.Detection{Box: d.Box, Score: d.Score}
			}
		}
		tracks, err := tr.Update(dets, fr.t)
		if err != nil {
			t.Fatalf("frame %d: %v", k, err)
		}
		seen := map[int]bool{}
		for _, x := range tracks {
			if x.State != track.Confirmed || x.ID <= 0 || seen[x.ID] || x.Detection < 0 || x.Detection >= len(dets) {
				t.Fatalf("frame %d: bad reported track %+v", k, x)
			}
			seen[x.ID] = true
		}
		e.frame(fr.truth, tracks)
		res.frames = append(res.frames, map[int]int{})
		for _, g := range fr.truth {
			if !e.tracked[g.id] {
				continue
			}
			id := e.last[g.id]
			res.frames[k][g.id] = id
			if res.gtIDs[g.id] == nil {
				res.gtIDs[g.id], res.first[g.id] = map[int]bool{}, map[int]int{}
			}
			if !res.gtIDs[g.id][id] {
				res.gtIDs[g.id][id], res.first[g.id][id] = true, k
			}
		}
		res.last = append(res.last[:0], tracks...)
		if f.sync {
			continue
		}
		reqs = tr.ToEmbed(reqs[:0])
		for _, x := range reqs {
			if !x.WantsEmbedding || x.Detection < 0 || x.Detection >= len(dets) {
				t.Fatalf("frame %d: bad request %+v", k, x)
			}
			if pending[x.Key] || (answer != nil && !answer(k)) || fr.dets[x.Detection].Embedding == nil {
				// In flight already, not answered, or a false detection
				// the embedder finds no face in.
				continue
			}
			pending[x.Key] = true
			queue = append(queue, job{k + f.lag, x.Key, fr.dets[x.Detection].Embedding})
		}
		rest := queue[:0]
		for _, j := range queue {
			if j.due > k {
				rest = append(rest, j)
				continue
			}
			delete(pending, j.key)
			if err := tr.Observe(j.key, j.emb); err != nil && !errors.Is(err, track.ErrStale) {
				t.Fatalf("frame %d: Observe: %v", k, err)
			}
		}
		queue = rest
	}
	res.motStats = e.stats
	res.ids = tr.IDs()
	return res
}

// onlyID returns the one ID reported on ground-truth face g, failing if it
// was shown under several (a flash of a new ID counts) or none.
func (r reidResult) onlyID(t *testing.T, g int) int {
	t.Helper()
	if len(r.gtIDs[g]) != 1 {
		t.Fatalf("face %d shown as IDs %v, want one", g, r.gtIDs[g])
	}
	for id := range r.gtIDs[g] {
		return id
	}
	return 0
}

// A face seen for 3 s leaves for 4 s — far longer than MaxLost — and comes
// back elsewhere in the picture while a second face stays in view. It gets
// its ID back, is never shown under another one first, and its timeline
// has both stretches under one ID.
func TestReIDLeaveAndReturn(t *testing.T) {
	const fps = 30.0
	const back = 210 // frame of the return: 7 s
	leaveReturn := func(id, k int) (track.Box, bool) {
		if id == 1 {
			return square(560, 300, 80), true // stays
		}
		if k < 90 {
			return square(150+float64(k), 200, 90), true
		}
		return square(360-float64(k-back)/2, 160, 96), k >= back
	}
	for _, emb := range []embeddings{synthetic, real} {
		for _, f := range feeds {
			t.Run(fmt.Sprintf("%v embeddings %s", emb, f.name), func(t *testing.T) {
				for seed := uint64(1); seed <= 4; seed++ {
					frames := render(fps, 330, 2, leaveReturn, &detector{rand.New(rand.NewPCG(seed, 3)), 0.04, 0.03}, emb.embedder(t, seed, 2))
					cfg := track.DefaultConfig()
					r := runReID(t, cfg, frames, f, nil)
					if r.ids != 2 || r.idSwitches != 0 || r.falsePos != 0 {
						t.Fatalf("seed %d: %+v; want 2 IDs, no switch, no false positive", seed, r.motStats)
					}
					id, other := r.onlyID(t, 0), r.onlyID(t, 1)
					if id == other {
						t.Fatalf("seed %d: both faces shown as %d", seed, id)
					}
					var got *track.Track
					for i := range r.last {
						if r.last[i].ID == id {
							got = &r.last[i]
						}
					}
					if got == nil {
						t.Fatalf("seed %d: face 0 (ID %d) not tracked at the end: %+v", seed, id, r.last)
					}
					lastBefore := at(fps, 89)
					// The first detection back is at 7 s; if the detector's
					// jitter put the first box outside the labelled one,
					// it may be a frame later.
					if !got.Recalled || got.Gap < at(fps, back)-lastBefore || got.Gap > at(fps, back+2)-lastBefore ||
						!(got.RecallDistance >= 0 && got.RecallDistance <= cfg.RecallGate) {
						t.Errorf("seed %d: returning face %+v: want Recalled, Gap about 4 s, distance ≤ %v", seed, *got, cfg.RecallGate)
					}
					iv := got.Intervals(nil)
					if len(iv) != 2 || iv[0].Start != 0 || iv[0].End != lastBefore || iv[1].Start < at(fps, back) || iv[1].Start > at(fps, back+2) {
						t.Errorf("seed %d: intervals %v; want 0–%v and from 7 s", seed, iv, lastBefore)
					}
					if dwell := iv[0].End - iv[0].Start + iv[1].End - iv[1].Start; got.Dwell != dwell {
						t.Errorf("seed %d: dwell %v, intervals add up to %v", seed, got.Dwell, dwell)
					}
					n := 0
					for _, s := range r.tracker.Timeline(nil) {
						if s.ID == id {
							n++
							if len(s.Intervals) != 2 || s.State != track.Confirmed {
								t.Errorf("seed %d: timeline entry %+v", seed, s)
							}
						}
					}
					if n != 1 {
						t.Errorf("seed %d: %d timeline entries for ID %d, want 1", seed, n, id)
					}
				}
			})
		}
	}
	// With the memory off the same scene fragments: the returning face is
	// a new ID — what the page shows when re-identification is switched
	// off.
	t.Run("memory off", func(t *testing.T) {
		frames := render(fps, 330, 2, leaveReturn, &detector{rand.New(rand.NewPCG(1, 3)), 0.04, 0.03}, real.embedder(t, 1, 2))
		cfg := track.DefaultConfig()
		cfg.Memory = 0
		r := runReID(t, cfg, frames, feeds[1], nil)
		if r.ids != 3 || r.idSwitches != 1 || len(r.gtIDs[0]) != 2 {
			t.Fatalf("%+v, face 0 shown as %v; want 3 IDs, one switch", r.motStats, r.gtIDs[0])
		}
	})
}

// While a new track waits for its embedding it is held back; when the
// embedding never comes it is shown under a new ID once HoldForEmbedding
// has passed, not before.
func TestReIDHold(t *testing.T) {
	const fps = 30.0
	const back = 120 // 4 s
	scene := func(id, k int) (track.Box, bool) {
		if k < 60 {
			return square(200, 200, 90), true
		}
		return square(420, 220, 90), k >= back
	}
	for _, tc := range []struct {
		name   string
		lag    int
		answer func(k int) bool
		// want: the face keeps its ID; else it gets a new one, first
		// shown at least HoldForEmbedding after its return.
		keeps bool
	}{
		{"embedding 10 frames late", 9, nil, true},
		{"embedding 40 frames late", 39, nil, true},
		{"no embedding after the face left", 0, func(k int) bool { return k < 60 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames := render(fps, 240, 1, scene, &detector{rand.New(rand.NewPCG(7, 3)), 0.03, 0.03}, real.embedder(t, 7, 1))
			cfg := track.DefaultConfig()
			r := runReID(t, cfg, frames, feed{"async", false, tc.lag}, tc.answer)
			if r.falsePos != 0 {
				t.Fatalf("%+v", r.motStats)
			}
			if tc.keeps {
				if r.ids != 1 || r.idSwitches != 0 {
					t.Fatalf("%+v, shown as %v; want one ID, never another", r.motStats, r.gtIDs[0])
				}
				return
			}
			if r.ids != 2 || len(r.gtIDs[0]) != 2 || !r.gtIDs[0][2] {
				t.Fatalf("%+v, shown as %v; want a new ID 2", r.motStats, r.gtIDs[0])
			}
			if k := r.first[0][2]; frames[k].t-at(fps, back) < cfg.HoldForEmbedding {
				t.Errorf("new ID shown at frame %d, %v after the return; want ≥ HoldForEmbedding %v",
					k, frames[k].t-at(fps, back), cfg.HoldForEmbedding)
			}
		})
	}
}

// Two faces cross, one walking behind the other; and two faces are hidden
// together and come back in each other's places. Whichever way embeddings
// arrive, both keep their IDs.
func TestReIDCrossing(t *testing.T) {
	const fps = 30.0
	crossing := func(id, k int) (track.Box, bool) {
		u := float64(k) / 89
		xa, xb := 80+480*u, 560-480*u
		if id == 0 {
			return square(xa, 240, 80), true
		}
		return square(xb, 240, 80), math.Abs(xa-xb) > 60
	}
	swap := func(id, k int) (track.Box, bool) {
		x := [2]float64{150, 450}[id]
		if k >= 50 {
			x = [2]float64{450, 150}[id]
		}
		return square(x, 240, 80), k < 30 || k >= 50
	}
	for _, sc := range []struct {
		name string
		p    path
	}{{"crossing, one occluded", crossing}, {"swapped while hidden", swap}} {
		for _, emb := range []embeddings{synthetic, real} {
			for _, f := range feeds {
				t.Run(fmt.Sprintf("%s, %v embeddings %s", sc.name, emb, f.name), func(t *testing.T) {
					for seed := uint64(1); seed <= 6; seed++ {
						frames := render(fps, 90, 2, sc.p, &detector{rand.New(rand.NewPCG(seed, 2)), 0.04, 0.03}, emb.embedder(t, seed, 2))
						r := runReID(t, track.DefaultConfig(), frames, f, nil)
						if r.ids != 2 || r.idSwitches != 0 || r.falsePos != 0 {
							t.Fatalf("seed %d: %+v; want 2 IDs, no switch", seed, r.motStats)
						}
						if a, b := r.onlyID(t, 0), r.onlyID(t, 1); a == b {
							t.Fatalf("seed %d: both faces shown as %d", seed, a)
						}
					}
				})
			}
		}
	}
}

// A face leaves and a stranger steps into its place, soon (within MaxLost,
// while the face's track is still lost) or later (after it was removed and
// remembered). The stranger gets a new ID and is never shown under the
// face's; the face, coming back later elsewhere, gets its own ID back.
func TestReIDStranger(t *testing.T) {
	const fps = 30.0
	scene := func(gap int) path {
		return func(id, k int) (track.Box, bool) {
			switch id {
			case 0: // here until frame 60, back elsewhere from frame 300
				if k < 60 {
					return square(300, 220, 90), true
				}
				return square(520, 200, 90), k >= 300
			default: // the stranger, gap frames after, in the same place
				return square(302, 222, 90), k >= 60+gap && k < 270
			}
		}
	}
	for _, gap := range []struct {
		name   string
		frames int
	}{{"within MaxLost (0.3 s)", 9}, {"just after (0.1 s)", 3}, {"after MaxLost (3 s)", 90}} {
		for _, emb := range []embeddings{synthetic, real} {
			for _, f := range feeds {
				t.Run(fmt.Sprintf("%s, %v embeddings %s", gap.name, emb, f.name), func(t *testing.T) {
					for seed := uint64(1); seed <= 4; seed++ {
						frames := render(fps, 390, 2, scene(gap.frames), &detector{rand.New(rand.NewPCG(seed, 4)), 0.04, 0.03}, emb.embedder(t, seed, 2))
						r := runReID(t, track.DefaultConfig(), frames, f, nil)
						if r.ids != 2 || r.idSwitches != 0 || r.falsePos != 0 {
							t.Fatalf("seed %d: %+v, face shown as %v, stranger as %v; want 2 IDs, no switch",
								seed, r.motStats, r.gtIDs[0], r.gtIDs[1])
						}
						a, b := r.onlyID(t, 0), r.onlyID(t, 1)
						if a == b {
							t.Fatalf("seed %d: the stranger was shown as the face's ID %d", seed, a)
						}
						// And soon: checking the lost face's appearance
						// must not keep the stranger waiting until the lost
						// track is removed (MaxLost, 30 frames).
						if k := r.first[1][b] - (60 + gap.frames); k > 12 {
							t.Errorf("seed %d: stranger shown %d frames after stepping in, want ≤ 12", seed, k)
						}
					}
				})
			}
		}
	}
}

// The memory keeps at most MemorySize identities, forgetting the oldest,
// and forgets each after Memory.
func TestReIDMemoryBounds(t *testing.T) {
	const fps = 30.0
	type visit struct{ face, from, to int } // frames [from, to)
	// Four people, one after another, each in view for 1 s in the same
	// place and then gone for 1.5 s (removed after MaxLost).
	var visits []visit
	for p := 0; p < 4; p++ {
		visits = append(visits, visit{p, 75 * p, 75*p + 30})
	}
	for _, tc := range []struct {
		name       string
		memory     time.Duration
		size       int
		returns    []visit
		wantIDs    []int // of each return: the person's first ID (1..4) or a new one
		wantTotal  int
		syncAndAll bool
	}{
		// The last two are remembered; person 0 and 1 are forgotten.
		{"cap 2", time.Minute, 2, []visit{{3, 330, 360}, {0, 420, 450}}, []int{4, 5}, 5, true},
		{"cap 4", time.Minute, 4, []visit{{3, 330, 360}, {0, 420, 450}}, []int{4, 1}, 4, true},
		// Person 3 left at 7.6 s, person 0 at 1 s: at 12–14 s one is
		// within 6 s, the other not.
		{"expiry 6 s", 6 * time.Second, 32, []visit{{3, 360, 390}, {0, 420, 450}}, []int{4, 5}, 5, true},
		{"expiry 20 s", 20 * time.Second, 32, []visit{{3, 360, 390}, {0, 420, 450}}, []int{4, 1}, 4, true},
	} {
		for _, f := range feeds[:2] {
			t.Run(tc.name+", embeddings "+f.name, func(t *testing.T) {
				all := append(append([]visit(nil), visits...), tc.returns...)
				p := func(id, k int) (track.Box, bool) {
					for _, v := range all {
						if v.face == id && k >= v.from && k < v.to {
							return square(320, 240, 90), true
						}
					}
					return track.Box{}, false
				}
				frames := render(fps, 480, 4, p, &detector{rand.New(rand.NewPCG(9, 4)), 0.03, 0.03}, real.embedder(t, 9, 4))
				cfg := track.DefaultConfig()
				cfg.Memory, cfg.MemorySize = tc.memory, tc.size
				r := runReID(t, cfg, frames, f, nil)
				if r.ids != tc.wantTotal || r.falsePos != 0 {
					t.Fatalf("%+v; want %d IDs", r.motStats, tc.wantTotal)
				}
				for i, v := range tc.returns {
					var got []int
					for k := v.from; k < v.to; k++ {
						if id, ok := r.frames[k][v.face]; ok && (len(got) == 0 || got[len(got)-1] != id) {
							got = append(got, id)
						}
					}
					if len(got) != 1 || got[0] != tc.wantIDs[i] {
						t.Errorf("person %d back at frame %d shown as %v, want ID %d", v.face, v.from, got, tc.wantIDs[i])
					}
				}
			})
		}
	}
}

// WantsEmbedding asks for the embeddings the tracker needs and no more: when
// a track is born (until one arrives), when it is re-found after a miss,
// and every EmbedEvery.
func TestWantsEmbedding(t *testing.T) {
	cfg := track.DefaultConfig()
	cfg.EmbedEvery = 500 * time.Millisecond
	tr, err := track.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	emb := []float32{0.1, 0.2, 0.3}
	box := track.Box{X: 100, Y: 100, W: 80, H: 80}
	var key uint64
	var asked []int
	var reqs []track.Track
	for k := 0; k < 50; k++ {
		var dets []track.Detection
		if k < 25 || k >= 30 { // missed for 5 frames
			dets = []track.Detection{{Box: box}}
		}
		got, err := tr.Update(dets, frameTime(k))
		if err != nil {
			t.Fatal(err)
		}
		reqs = tr.ToEmbed(reqs[:0])
		for _, x := range got {
			if x.WantsEmbedding != (len(reqs) == 1 && reqs[0].Key == x.Key) {
				t.Fatalf("frame %d: reported %+v, ToEmbed %+v", k, x, reqs)
			}
		}
		if len(reqs) > 1 {
			t.Fatalf("frame %d: %d requests for one face", k, len(reqs))
		}
		if len(reqs) == 1 {
			x := reqs[0]
			if key == 0 {
				key = x.Key
			}
			if x.Key != key || x.Detection != 0 {
				t.Fatalf("frame %d: request %+v, want key %d, detection 0", k, x, key)
			}
			asked = append(asked, k)
			if k != 0 { // the first answer is late: asked again in frame 1
				if err := tr.Observe(x.Key, emb); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// Born at 0 (tentative: only ToEmbed shows it), asked again at 1 as
	// nothing came, then once the last embedding is older than 500 ms
	// (frame 17), when re-found at 30 after the miss (on probation: the
	// lost face is checked before it is shown again) and 500 ms after that.
	if want := []int{0, 1, 17, 30, 46}; fmt.Sprint(asked) != fmt.Sprint(want) {
		t.Fatalf("asked in frames %v, want %v", asked, want)
	}
}

func TestObserveErrors(t *testing.T) {
	box := track.Box{X: 100, Y: 100, W: 60, H: 60}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, tc := range []struct {
		name string
		key  func(live, removed uint64) uint64
		emb  []float32
		want error
	}{
		{"unknown key", func(l, r uint64) uint64 { return l + 1000 }, []float32{1, 2, 3}, track.ErrStale},
		{"key 0", func(l, r uint64) uint64 { return 0 }, []float32{1, 2, 3}, track.ErrStale},
		{"removed track's key", func(l, r uint64) uint64 { return r }, []float32{1, 2, 3}, track.ErrStale},
		{"NaN", func(l, r uint64) uint64 { return l }, []float32{1, nan, 3}, track.ErrEmbedding},
		{"Inf", func(l, r uint64) uint64 { return l }, []float32{inf, 2, 3}, track.ErrEmbedding},
		{"empty", func(l, r uint64) uint64 { return l }, nil, track.ErrEmbedding},
		{"other length", func(l, r uint64) uint64 { return l }, []float32{1, 2}, track.ErrEmbedding},
		{"NaN for a removed key", func(l, r uint64) uint64 { return r }, []float32{nan, 2, 3}, track.ErrEmbedding},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := track.DefaultConfig()
			cfg.ConfirmHits = 1
			tr, err := track.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// A face that leaves (removed after MaxLost), then another.
			var removed, live uint64
			for k := 0; k < 60; k++ {
				var dets []track.Detection
				if k < 5 {
					dets = []track.Detection{{Box: box, Embedding: []float32{1, 2, 3}}}
				} else if k >= 50 {
					dets = []track.Detection{{Box: track.Box{X: 400, Y: 300, W: 60, H: 60}}}
				}
				got, err := tr.Update(dets, frameTime(k))
				if err != nil {
					t.Fatal(err)
				}
				if k == 0 {
					removed = got[0].Key
				}
				if k == 59 {
					// Held back: identity 1 is remembered and this face
					// has no embedding yet. Only ToEmbed shows it.
					req := tr.ToEmbed(nil)
					if len(got) != 0 || len(req) != 1 || req[0].State != track.Tentative || req[0].ID != 0 {
						t.Fatalf("reported %+v, requests %+v; want one held track", got, req)
					}
					live = req[0].Key
				}
			}
			before := tr.ToEmbed(nil)
			err = tr.Observe(tc.key(live, removed), tc.emb)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Observe = %v, want %v", err, tc.want)
			}
			// Nothing changed: the live track still wants its first
			// embedding, and the length of embeddings is still 3.
			after := tr.ToEmbed(nil)
			if len(before) != 1 || len(after) != 1 || after[0] != before[0] {
				t.Fatalf("requests %+v before, %+v after", before, after)
			}
			if err := tr.Observe(live, []float32{4, 5, 6}); err != nil {
				t.Fatalf("a good embedding after the bad one: %v", err)
			}
			if got := tr.ToEmbed(nil); len(got) != 0 {
				t.Fatalf("requests after the embedding came: %+v", got)
			}
		})
	}
}

// Remembering and recalling use fixed storage: once warm, a face that keeps
// leaving (removed into the memory) and coming back (recalled) costs no
// allocation, with its embeddings in the detections or through Observe.
func TestReIDNoAllocs(t *testing.T) {
	const cycle = 75 // in view for 20 frames, gone for 55 (removed after 30)
	p := func(id, k int) (track.Box, bool) {
		return square(300+float64(id)*200, 240, 90), id == 1 || k%cycle < 20
	}
	for _, observe := range []bool{false, true} {
		t.Run(fmt.Sprintf("observe %v", observe), func(t *testing.T) {
			frames := render(30, 8*cycle, 2, p, &detector{rand.New(rand.NewPCG(3, 3)), 0.03, 0.03}, real.embedder(t, 3, 2))
			if observe {
				for k := range frames {
					f := &frames[k]
					f.embs = make([][]float32, len(f.dets))
					for i := range f.dets {
						f.embs[i], f.dets[i].Embedding = f.dets[i].Embedding, nil
					}
				}
			}
			tr, err := track.New(track.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			var reqs []track.Track
			var sums []track.Summary
			step := func(k int) {
				got, err := tr.Update(frames[k].dets, frames[k].t)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range got {
					if x.ID > 2 {
						t.Fatalf("frame %d: new ID %d for a returning face", k, x.ID)
					}
				}
				if observe {
					reqs = tr.ToEmbed(reqs[:0])
					for _, x := range reqs {
						if err := tr.Observe(x.Key, frames[k].embs[x.Detection]); err != nil {
							t.Fatal(err)
						}
					}
				}
				sums = tr.Timeline(sums[:0])
			}
			for k := 0; k < 3*cycle; k++ { // warm up: remembered and recalled twice
				step(k)
			}
			k := 3 * cycle
			allocs := testing.AllocsPerRun(4*cycle, func() { step(k); k++ })
			if allocs != 0 {
				t.Fatalf("%v allocations per frame, want 0", allocs)
			}
			if n := tr.IDs(); n != 2 {
				t.Fatalf("%d IDs, want 2", n)
			}
			var s track.Summary
			for _, x := range tr.Timeline(nil) {
				if x.ID == 1 {
					s = x
				}
			}
			if len(s.Intervals) < 7 {
				t.Errorf("face 1's timeline %v: want one interval per visit", s.Intervals)
			}
		})
	}
}

// The MOT scenes of ten faces, with missed and false detections, played
// with embeddings: however they arrive, no face changes ID, nothing false is
// shown, and holding and checking cost only a few frames of tracking.
func TestReIDTenFaces(t *testing.T) {
	ten := func(id, k int) (track.Box, bool) {
		cx := 128 + 256*float64(id%5)
		cy := 180 + 360*float64(id/5)
		ph := float64(k) / 30 * (0.5 + 0.13*float64(id))
		return square(cx+80*math.Cos(ph), cy+70*math.Sin(1.3*ph), 40+4*float64(id)), true
	}
	for _, f := range feeds {
		t.Run(f.name, func(t *testing.T) {
			var matched, visible int
			for seed := uint64(1); seed <= 8; seed++ {
				frames := renderNoisy(30, 300, 10, ten, &detector{rand.New(rand.NewPCG(seed, 1)), 0.05, 0.04}, newEmbedder(seed, 10), 0.05, 10)
				r := runReID(t, track.DefaultConfig(), frames, f, nil)
				if r.ids != 10 || r.idSwitches != 0 || r.falsePos != 0 {
					t.Errorf("seed %d: %+v; want 10 IDs, no switch, no false positive", seed, r.motStats)
				}
				matched += r.matched
				visible += r.visible
			}
			t.Logf("%d/%d ground-truth boxes tracked", matched, visible)
			if float64(matched) < 0.97*float64(visible) {
				t.Errorf("%d/%d ground-truth boxes tracked, want ≥ 97%%", matched, visible)
			}
		})
	}
}
