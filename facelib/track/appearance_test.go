package track_test

import (
	"math/rand/v2"
	"testing"

	"github.com/facewatch/facewatch/facelib/track"
)

// Two people stand apart, are hidden together (someone walks in front of the
// camera) and come back having swapped places. By position alone the
// tracker must give each the other's ID; with embeddings it must not.
func TestAppearanceSwap(t *testing.T) {
	const fps = 30.0
	swap := func(id, k int) (track.Box, bool) {
		x := [2]float64{150, 450}[id]
		if k >= 50 {
			x = [2]float64{450, 150}[id]
		}
		return square(x, 240, 80), k < 30 || k >= 50 // hidden for 20 frames
	}
	// A third person appears where the first one vanished: with embeddings
	// they must get a new ID, not the vanished person's.
	replace := func(id, k int) (track.Box, bool) {
		if id == 0 {
			return square(200, 240, 80), k < 30
		}
		return square(205, 240, 80), k >= 40
	}
	for _, tc := range []struct {
		name       string
		p          path
		nobj       int
		embeddings bool
		ids        int
		switches   int
		frags      int
	}{
		// Without embeddings each face is re-found in the other's place:
		// both ground-truth faces change ID.
		{"swap, positions only", swap, 2, false, 2, 2, 2},
		// With embeddings both are re-found by appearance on their first
		// detection back, across 300 px (3.75 face sizes, beyond the 1.7
		// size motion gate): no switch, no probation frame.
		{"swap, with embeddings", swap, 2, true, 2, 0, 0},
		{"replaced, positions only", replace, 2, false, 1, 0, 0},
		{"replaced, with embeddings", replace, 2, true, 2, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 8; seed++ {
				var embs *embedder
				if tc.embeddings {
					embs = newEmbedder(seed, tc.nobj)
				}
				frames := render(fps, 90, tc.nobj, tc.p, &detector{rand.New(rand.NewPCG(seed, 2)), 0.04, 0.03}, embs)
				s := run(t, track.DefaultConfig(), frames)
				if s.ids != tc.ids || s.idSwitches != tc.switches || s.frags != tc.frags {
					t.Errorf("seed %d: ids %d, ID switches %d, fragmentations %d; want %d, %d, %d",
						seed, s.ids, s.idSwitches, s.frags, tc.ids, tc.switches, tc.frags)
				}
			}
		})
	}
}

// A custom appearance distance is used, and an answer it cannot give (NaN)
// forbids the match rather than poisoning the assignment.
func TestAppearanceFunc(t *testing.T) {
	calls := 0
	cfg := track.DefaultConfig()
	cfg.ConfirmHits = 1
	cfg.Appearance = func(a, b []float32) float64 {
		calls++
		if b[0] < 0 {
			return nan()
		}
		return float64(a[0]-b[0]) * float64(a[0]-b[0])
	}
	tr, err := track.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	box := track.Box{X: 100, Y: 100, W: 50, H: 50}
	if _, err := tr.Update([]track.Detection{{Box: box, Embedding: []float32{1, 0}}}, 0); err != nil {
		t.Fatal(err)
	}
	got, err := tr.Update([]track.Detection{{Box: box, Embedding: []float32{1, 0}}}, frameTime(1))
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || len(got) != 1 || got[0].ID != 1 {
		t.Fatalf("calls %d, tracks %+v; want the custom distance used and track 1 kept", calls, got)
	}
	got, err = tr.Update([]track.Detection{{Box: box, Embedding: []float32{-1, 0}}}, frameTime(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != 2 {
		t.Fatalf("tracks %+v; want the NaN-distance detection to start track 2", got)
	}
}
