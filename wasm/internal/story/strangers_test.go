package story

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/facewatch/facewatch/facelib/match"
)

func strangerFiles(t testing.TB) (manifest, vectors []byte) {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "assets", "strangers")
	var err error
	if manifest, err = os.ReadFile(filepath.Join(dir, "strangers.json")); err != nil {
		t.Fatal(err)
	}
	if vectors, err = os.ReadFile(filepath.Join(dir, "strangers.f32")); err != nil {
		t.Fatal(err)
	}
	return manifest, vectors
}

func bundled(t testing.TB) *Strangers {
	t.Helper()
	s, err := ParseStrangers(strangerFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBundledStrangers checks the committed gallery: at least 100 faces,
// unique ids, valid vectors of the network's usual size, distinct faces.
func TestBundledStrangers(t *testing.T) {
	s := bundled(t)
	if len(s.Faces) < 100 {
		t.Fatalf("%d strangers, want at least 100", len(s.Faces))
	}
	for i := range s.Emb {
		var n float64
		for _, x := range s.Emb[i] {
			n += float64(x) * float64(x)
		}
		// The network's vectors are not normalised; their norm is near 1.3.
		if n = math.Sqrt(n); n < 0.5 || n > 3 {
			t.Errorf("%s: norm %.3f", s.Faces[i].ID, n)
		}
		for j := 0; j < i; j++ {
			if s.Emb[i] == s.Emb[j] {
				t.Errorf("%s and %s have identical vectors", s.Faces[i].ID, s.Faces[j].ID)
			}
		}
	}
}

// TestSearchStrangersWithRealFaces embeds the project's test faces with the
// real pipeline and searches the bundled gallery: the answer is sorted,
// complete, consistent with the threshold, and its nearest stranger is the
// true minimum.
func TestSearchStrangersWithRealFaces(t *testing.T) {
	m := realModels(t)
	s := bundled(t)
	x := NewExtractor()
	for _, file := range []string{"astronaut.png", "pigo-sample.jpg"} {
		img := loadRGBA(t, file)
		faces, _, err := x.Faces(m, img.Pix, img.Rect.Dx(), img.Rect.Dy(), nil)
		if err != nil || len(faces) == 0 {
			t.Fatalf("%s: %v, %d faces", file, err, len(faces))
		}
		req, _ := json.Marshal(map[string]any{"op": "strangers", "you": [][]float32{faces[0].Embedding}, "threshold": 0.6, "k": 5})
		out, err := HandleWith(req, s)
		if err != nil {
			t.Fatal(err)
		}
		var r SearchReport
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		if r.N != len(s.Faces) || len(r.Distances) != r.N || len(r.Nearest) != 5 || r.Hist.Total != r.N {
			t.Fatalf("%s: n %d, %d distances, %d nearest, hist %d", file, r.N, len(r.Distances), len(r.Nearest), r.Hist.Total)
		}
		if !sort.Float64sAreSorted(r.Distances) {
			t.Errorf("%s: distances not sorted", file)
		}
		probe, _ := match.FromSlice(faces[0].Embedding)
		min := math.Inf(1)
		for i := range s.Emb {
			min = math.Min(min, float64(match.Distance(&probe, &s.Emb[i])))
		}
		if r.Nearest[0].Distance != min || r.Distances[0] != min {
			t.Errorf("%s: nearest %.4f, true minimum %.4f", file, r.Nearest[0].Distance, min)
		}
		matches := 0
		for _, d := range r.Distances {
			if d < 0.6 {
				matches++
			}
		}
		if matches != r.Matches || r.FMR != float64(matches)/float64(r.N) {
			t.Errorf("%s: %d matches (fmr %v), counted %d", file, r.Matches, r.FMR, matches)
		}
		for _, n := range r.Nearest {
			if want := math.Max(0, n.Distance-0.6); n.Move != want || n.Match != (n.Distance < 0.6) {
				t.Errorf("%s: %s move %v match %v at distance %v", file, n.ID, n.Move, n.Match, n.Distance)
			}
		}
		t.Logf("%s: nearest %s %.3f, 5th %.3f, median %.3f, %d below 0.6", file, r.Nearest[0].ID, r.Nearest[0].Distance, r.Nearest[4].Distance, r.Distances[r.N/2], r.Matches)
	}
}

func TestStrangersBadInput(t *testing.T) {
	man, vec := strangerFiles(t)
	good := bundled(t)
	you := [][]float32{good.Emb[0][:]}
	nan := append([]byte(nil), vec...)
	binary.LittleEndian.PutUint32(nan[8:], math.Float32bits(float32(math.NaN())))
	var dup StrangerManifest
	_ = json.Unmarshal(man, &dup)
	dup.Faces[1].ID = dup.Faces[0].ID
	dupJSON, _ := json.Marshal(dup)
	parse := []struct {
		name     string
		man, vec []byte
	}{
		{"empty", nil, nil},
		{"not json", []byte("{"), vec},
		{"short vectors", man, vec[:len(vec)-4]},
		{"NaN", man, nan},
		{"repeated id", dupJSON, vec},
		{"wrong dim", []byte(`{"version":1,"dim":64,"faces":[{"id":"a"}]}`), vec[:256]},
		{"huge manifest", make([]byte, MaxManifestKB<<10+1), vec},
	}
	for _, tc := range parse {
		if _, err := ParseStrangers(tc.man, tc.vec); !errors.Is(err, ErrStrangers) {
			t.Errorf("%s: %v, want ErrStrangers", tc.name, err)
		}
	}
	search := []struct {
		name string
		s    *Strangers
		req  SearchRequest
		want error
	}{
		{"not loaded", nil, SearchRequest{You: you, Threshold: 0.6}, ErrStrangers},
		{"no you", good, SearchRequest{Threshold: 0.6}, ErrNoYou},
		{"zero threshold", good, SearchRequest{You: you}, ErrRequest},
		{"inf threshold", good, SearchRequest{You: you, Threshold: math.Inf(1)}, ErrRequest},
		{"k too big", good, SearchRequest{You: you, Threshold: 0.6, K: MaxStrangerK + 1}, ErrRequest},
		{"bad vector", good, SearchRequest{You: [][]float32{{1, 2}}, Threshold: 0.6}, ErrRequest},
		{"bins", good, SearchRequest{You: you, Threshold: 0.6, Bins: MaxBins + 1}, ErrRequest},
	}
	for _, tc := range search {
		if _, err := tc.s.Search(tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := Handle([]byte(`{"op":"strangers","you":[[1]],"threshold":0.6}`)); !errors.Is(err, ErrStrangers) {
		t.Errorf("strangers before loading: %v", err)
	}
}

func TestWarm(t *testing.T) {
	if err := bundled(t).Warm(); err != nil {
		t.Fatal(err)
	}
	var none *Strangers
	if err := none.Warm(); !errors.Is(err, ErrStrangers) {
		t.Fatalf("warm without a gallery: %v", err)
	}
}

// FuzzParseStrangers: no input panics or is accepted with bad vectors.
func FuzzParseStrangers(f *testing.F) {
	man, vec := strangerFiles(f)
	f.Add(man, vec)
	f.Add([]byte(`{"version":1,"dim":128,"faces":[{"id":"a"}]}`), make([]byte, 512))
	f.Fuzz(func(t *testing.T, man, vec []byte) {
		s, err := ParseStrangers(man, vec)
		if err != nil {
			return
		}
		for i := range s.Emb {
			if s.Emb[i].Validate() != nil {
				t.Fatal("accepted an invalid vector")
			}
		}
	})
}

// BenchmarkSearchStrangers is the worker's search of the bundled gallery
// (the target is at most 50 ms in the browser).
func BenchmarkSearchStrangers(b *testing.B) {
	s := bundled(b)
	req := SearchRequest{You: [][]float32{s.Emb[3][:], s.Emb[4][:]}, Threshold: 0.6, K: 10}
	for b.Loop() {
		if _, err := s.Search(req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStillDistance: the meter's distance is the distance to the mean of
// the enrolment, and bad input is an error.
func TestStillDistance(t *testing.T) {
	s := bundled(t)
	you := [][]float32{s.Emb[0][:], s.Emb[1][:]}
	out, err := Handle(mustMarshal(t, map[string]any{"op": "distance", "you": you, "face": s.Emb[2][:]}))
	if err != nil {
		t.Fatal(err)
	}
	var r struct{ Distance float64 }
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	var mean match.Embedding
	for j := range mean {
		mean[j] = s.Emb[0][j]/2 + s.Emb[1][j]/2
	}
	if want := float64(match.Distance(&mean, &s.Emb[2])); math.Abs(r.Distance-want) > 1e-6 {
		t.Fatalf("distance %v, want %v", r.Distance, want)
	}
	for name, req := range map[string]map[string]any{
		"no you":   {"op": "distance", "face": s.Emb[2][:]},
		"no face":  {"op": "distance", "you": you},
		"bad face": {"op": "distance", "you": you, "face": []float32{1}},
	} {
		if _, err := Handle(mustMarshal(t, req)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
