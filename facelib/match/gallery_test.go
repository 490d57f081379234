package match

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// randomEmbedding draws a vector with Gaussian components scaled to the
// norm of real dlib embeddings (≈ 1.29).
func randomEmbedding(r *rand.Rand) Embedding {
	var e Embedding
	var ss float64
	for i := range e {
		x := r.NormFloat64()
		e[i] = float32(x)
		ss += x * x
	}
	s := float32(1.29 / math.Sqrt(ss))
	for i := range e {
		e[i] *= s
	}
	return e
}

// near returns e moved by a random offset of length about sigma·√128.
func near(r *rand.Rand, e Embedding, sigma float64) Embedding {
	for i := range e {
		e[i] += float32(r.NormFloat64() * sigma)
	}
	return e
}

// checkInvariants verifies the gallery's internal bookkeeping.
func checkInvariants(t *testing.T, g *Gallery) {
	t.Helper()
	if len(g.data) != len(g.owner)*Dim {
		t.Fatalf("len(data) = %d, want %d rows × %d", len(g.data), len(g.owner), Dim)
	}
	if len(g.index) != len(g.people) {
		t.Fatalf("index has %d IDs, people %d", len(g.index), len(g.people))
	}
	seen := make([]bool, len(g.owner))
	total := 0
	for s, p := range g.people {
		if g.index[p.id] != int32(s) {
			t.Fatalf("index[%q] = %d, want %d", p.id, g.index[p.id], s)
		}
		if len(p.rows) == 0 {
			t.Fatalf("%q has no rows", p.id)
		}
		for _, r := range p.rows {
			if int(r) >= len(g.owner) || seen[r] {
				t.Fatalf("%q: row %d out of range or shared", p.id, r)
			}
			seen[r] = true
			if g.owner[r] != int32(s) {
				t.Fatalf("owner[%d] = %d, want %d", r, g.owner[r], s)
			}
		}
		total += len(p.rows)
	}
	if total != len(g.owner) {
		t.Fatalf("people hold %d rows, storage %d", total, len(g.owner))
	}
}

// reference is a naive model of a gallery: every ID's embeddings in
// insertion order.
type reference map[string][]Embedding

func (m reference) search(probe *Embedding, k int) []Candidate {
	var out []Candidate
	for id, es := range m {
		best := float32(math.Inf(1))
		for i := range es {
			best = min(best, SquaredDistance(probe, &es[i]))
		}
		out = append(out, Candidate{ID: id, Distance: best})
	}
	// Rank by squared distance, then ID (two squared distances one ulp
	// apart can share a rounded distance).
	slices.SortFunc(out, cmpCandidate)
	out = out[:min(k, len(out))]
	for i := range out {
		out[i].Distance = sqrt32(out[i].Distance)
		out[i].Match = out[i].Distance < DefaultThreshold
	}
	return out
}

func TestGalleryAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	g := NewGallery()
	ref := reference{}
	var people []Embedding // one "true face" per ID index
	var buf []Candidate
	for step := range 3000 {
		idx := r.IntN(200)
		id := fmt.Sprintf("p%03d", idx)
		for len(people) <= idx {
			people = append(people, randomEmbedding(r))
		}
		switch op := r.IntN(10); {
		case op < 5: // add 1–3 photos of the person
			es := make([]Embedding, 1+r.IntN(3))
			for i := range es {
				es[i] = near(r, people[idx], 0.03)
			}
			if err := g.Add(id, es...); err != nil {
				t.Fatal(err)
			}
			ref[id] = append(ref[id], es...)
		case op < 7:
			if got, want := g.Remove(id), ref[id] != nil; got != want {
				t.Fatalf("step %d: Remove(%s) = %v, want %v", step, id, got, want)
			}
			delete(ref, id)
		case op < 8:
			e := near(r, people[idx], 0.03)
			if err := g.Replace(id, e); err != nil {
				t.Fatal(err)
			}
			ref[id] = []Embedding{e}
		default: // search for a photo of someone (enrolled or not)
			probe := near(r, people[idx], 0.03)
			k := 1 + r.IntN(8)
			var err error
			buf, err = g.Search(buf, &probe, k)
			if err != nil {
				t.Fatal(err)
			}
			want := ref.search(&probe, k)
			if !slices.Equal(buf, want) {
				t.Fatalf("step %d: Search k=%d\n got %v\nwant %v", step, k, buf, want)
			}
			if ref[id] != nil {
				v, err := g.Verify(id, &probe)
				if err != nil {
					t.Fatal(err)
				}
				w := reference{id: ref[id]}.search(&probe, 1)[0]
				if v.Distance != w.Distance || v.Match != w.Match || v.Compared != len(ref[id]) {
					t.Fatalf("Verify(%s) = %+v, want distance %v over %d", id, v, w.Distance, len(ref[id]))
				}
			}
		}
		checkInvariants(t, g)
		if g.Len() != len(ref) {
			t.Fatalf("step %d: Len = %d, want %d", step, g.Len(), len(ref))
		}
	}
	// Every ID holds exactly its embeddings, in insertion order.
	for id, es := range ref {
		got, err := g.Embeddings(id)
		if err != nil || !slices.Equal(got, es) {
			t.Fatalf("Embeddings(%s): %d embeddings, err %v; want %d", id, len(got), err, len(es))
		}
	}
	ids := g.IDs()
	if !slices.IsSorted(ids) || len(ids) != len(ref) {
		t.Fatalf("IDs not sorted or wrong count")
	}
}

func TestGalleryVerifyHandWorked(t *testing.T) {
	g := NewGallery()
	// alice has two photos: 0.3 on axis 0, and 0.3 on axis 2.
	if err := g.Add("alice", axis(0, 0.3), axis(2, 0.3)); err != nil {
		t.Fatal(err)
	}
	if err := g.Add("bob", axis(1, 1)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id    string
		probe Embedding
		dist  float32
		match bool
	}{
		// probe 0.4 on axis 1: to alice's photos √(0.3²+0.4²) = 0.5 each.
		{"alice", axis(1, 0.4), 0.5, true},
		{"bob", axis(1, 0.35), 0.65, false},
		// probe 0.3 on axis 2 is alice's second photo: best-of gives 0.
		{"alice", axis(2, 0.3), 0, true},
		{"bob", axis(1, 0.45), 0.55, true},
	}
	for _, tc := range tests {
		v, err := g.Verify(tc.id, &tc.probe)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(float64(v.Distance-tc.dist)) > 1e-6 || v.Match != tc.match || v.Threshold != DefaultThreshold || v.ID != tc.id {
			t.Errorf("Verify(%s) = %+v, want distance %v match %v", tc.id, v, tc.dist, tc.match)
		}
	}
	// A distance exactly at the threshold is not a match (strict <): bob
	// (1 on axis 1) and the probe 0.5 on axis 1 are exactly 0.5 apart, and
	// every step of that computation is exact in float32.
	p := axis(1, 0.5)
	for _, tc := range []struct {
		threshold float32
		match     bool
	}{{0.5, false}, {0.50001, true}, {0.49999, false}} {
		if err := g.SetThreshold(tc.threshold); err != nil {
			t.Fatal(err)
		}
		v, err := g.Verify("bob", &p)
		if err != nil || v.Distance != 0.5 || v.Match != tc.match || v.Threshold != tc.threshold {
			t.Errorf("threshold %v: Verify = %+v, %v; want distance 0.5, match %v", tc.threshold, v, err, tc.match)
		}
		c, err := g.Search(nil, &p, 1)
		if err != nil || c[0].ID != "bob" || c[0].Distance != 0.5 || c[0].Match != tc.match {
			t.Errorf("threshold %v: Search = %v, %v", tc.threshold, c, err)
		}
	}
}

func TestGallerySearchTiesAndClamp(t *testing.T) {
	g := NewGallery()
	// Four IDs at the same distance from the probe: ties are broken by ID,
	// whatever the insertion (and storage) order.
	for _, id := range []string{"d", "b", "c", "a"} {
		if err := g.Add(id, axis(0, 0.5)); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Add("far", axis(1, 2)); err != nil {
		t.Fatal(err)
	}
	probe := axis(0, 0.2)
	got, err := g.Search(nil, &probe, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []Candidate{{"a", 0.3, true}, {"b", 0.3, true}, {"c", 0.3, true}}
	if !slices.Equal(got, want) {
		t.Fatalf("Search = %v, want %v", got, want)
	}
	// k beyond Len is clamped; "far" is at √(0.2²+2²) ≈ 2.01.
	got, err = g.Search(got, &probe, 100)
	if err != nil || len(got) != 5 || got[4].ID != "far" || got[4].Match || math.Abs(float64(got[4].Distance)-math.Sqrt(4.04)) > 1e-6 {
		t.Fatalf("Search k=100 = %v, %v", got, err)
	}
	// Removing "a" moves the last row into its place; results stay ordered by ID.
	g.Remove("a")
	got, _ = g.Search(got, &probe, 2)
	if !slices.Equal(got, []Candidate{{"b", 0.3, true}, {"c", 0.3, true}}) {
		t.Fatalf("after Remove(a): %v", got)
	}
}

func TestGalleryErrors(t *testing.T) {
	g := NewGallery()
	good := constant(0.1)
	nan := constant(0.1)
	nan[3] = float32(math.NaN())
	if err := g.Add("", good); !errors.Is(err, ErrBadID) {
		t.Errorf("empty ID: %v", err)
	}
	if err := g.Add(strings.Repeat("x", MaxIDBytes+1), good); !errors.Is(err, ErrBadID) {
		t.Errorf("long ID: %v", err)
	}
	if err := g.Add("x"); !errors.Is(err, ErrNoEmbeddings) {
		t.Errorf("no embeddings: %v", err)
	}
	// One bad embedding rejects the whole call and leaves the gallery unchanged.
	if err := g.Add("x", good, nan); !errors.Is(err, ErrBadEmbedding) {
		t.Errorf("NaN embedding: %v", err)
	}
	if err := g.Replace("x", Embedding{}); !errors.Is(err, ErrBadEmbedding) {
		t.Errorf("zero embedding: %v", err)
	}
	if g.Len() != 0 || g.NumEmbeddings() != 0 {
		t.Fatalf("failed Add changed the gallery: %d IDs", g.Len())
	}
	if err := g.Add("x", good); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Verify("y", &good); !errors.Is(err, ErrUnknownID) {
		t.Errorf("Verify unknown: %v", err)
	}
	if _, err := g.Embeddings("y"); !errors.Is(err, ErrUnknownID) {
		t.Errorf("Embeddings unknown: %v", err)
	}
	if _, err := g.Verify("x", &nan); !errors.Is(err, ErrBadEmbedding) {
		t.Errorf("Verify NaN probe: %v", err)
	}
	if _, err := g.Search(nil, &nan, 1); !errors.Is(err, ErrBadEmbedding) {
		t.Errorf("Search NaN probe: %v", err)
	}
	for _, k := range []int{0, -1} {
		if _, err := g.Search(nil, &good, k); !errors.Is(err, ErrBadK) {
			t.Errorf("Search k=%d: %v", k, err)
		}
	}
	for _, th := range []float32{0, -1, float32(math.NaN()), float32(math.Inf(1))} {
		if err := g.SetThreshold(th); !errors.Is(err, ErrBadThreshold) {
			t.Errorf("SetThreshold(%v): %v", th, err)
		}
	}
	if g.Threshold() != DefaultThreshold {
		t.Errorf("threshold changed by rejected values: %v", g.Threshold())
	}
	if err := g.Grow(-1); err == nil {
		t.Errorf("Grow(-1) accepted")
	}
	if g.Remove("y") {
		t.Errorf("Remove of unknown ID reported true")
	}
	empty := NewGallery()
	if got, err := empty.Search(nil, &good, 5); err != nil || len(got) != 0 {
		t.Errorf("empty gallery Search = %v, %v", got, err)
	}
}

func TestSearchDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := NewGallery()
	for i := range 2000 {
		// Several embeddings for some IDs, to exercise the de-duplicating path.
		if err := g.Add(fmt.Sprint(i%1500), randomEmbedding(r)); err != nil {
			t.Fatal(err)
		}
	}
	probe := randomEmbedding(r)
	buf := make([]Candidate, 0, 10)
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = g.Search(buf, &probe, 10)
	})
	if allocs != 0 {
		t.Errorf("Search allocates %v times per call", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		_, _ = g.Verify("7", &probe)
	})
	if allocs != 0 {
		t.Errorf("Verify allocates %v times per call", allocs)
	}
}

// TestGalleryConcurrent runs searches while another goroutine enrols and
// removes; run with -race to check the locking.
func TestGalleryConcurrent(t *testing.T) {
	g := NewGallery()
	r := rand.New(rand.NewPCG(5, 6))
	base := make([]Embedding, 300)
	for i := range base {
		base[i] = randomEmbedding(r)
		if err := g.Add(fmt.Sprint(i), base[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []Candidate
			for i := range 200 {
				probe := base[(i*7+w)%100] // IDs 0..99 are never removed
				var err error
				buf, err = g.Search(buf, &probe, 3)
				if err != nil || len(buf) == 0 || buf[0].Distance != 0 {
					t.Errorf("Search: %v %v", buf, err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 400 {
			id := fmt.Sprint(100 + i%200)
			if i%2 == 0 {
				g.Remove(id)
			} else if err := g.Add(id, base[100+i%200]); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	checkInvariants(t, g)
}

// TestSearchNearTies: Search pre-filters rows with an estimate of the
// distance; rows whose exact distances differ by a few ulps must still come
// out exactly as an exhaustive exact search orders them.
func TestSearchNearTies(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	base := randomEmbedding(r)
	g := NewGallery()
	ref := reference{}
	for i := range 500 {
		e := base
		for range 3 {
			j := r.IntN(Dim)
			e[j] = math.Nextafter32(e[j], float32(r.NormFloat64())) // one ulp either way
		}
		id := fmt.Sprintf("n%03d", i)
		if err := g.Add(id, e); err != nil {
			t.Fatal(err)
		}
		ref[id] = []Embedding{e}
	}
	var buf []Candidate
	for _, probe := range []Embedding{base, near(r, base, 0.01), near(r, base, 0.05), randomEmbedding(r)} {
		for _, k := range []int{1, 5, 50} {
			var err error
			if buf, err = g.Search(buf, &probe, k); err != nil {
				t.Fatal(err)
			}
			if want := ref.search(&probe, k); !slices.Equal(buf, want) {
				t.Fatalf("k=%d:\n got %v\nwant %v", k, buf, want)
			}
		}
	}
}
