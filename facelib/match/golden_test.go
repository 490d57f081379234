package match_test

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/facelib/rates"
)

// golden.json holds the descriptors that face-api (tfjs) computes for the
// committed face chips (tools/golden.mjs). The six face chips come from
// five photos and show six different people (the two chips from each group
// photo are two people).
type goldenFile struct {
	Chips []struct {
		File       string          `json:"file"`
		Norm       float64         `json:"norm"`
		Descriptor json.RawMessage `json:"descriptor"`
	} `json:"chips"`
}

func loadGolden(t *testing.T) (ids []string, embs []match.Embedding, norms []float64) {
	t.Helper()
	b, err := os.ReadFile("../../assets/testdata/chips/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Chips {
		if len(c.File) < 5 || c.File[:5] != "face-" {
			continue // the synthetic chips are not faces
		}
		var e match.Embedding
		// Through Embedding.UnmarshalJSON: the real vectors must validate.
		if err := json.Unmarshal(c.Descriptor, &e); err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		ids = append(ids, c.File)
		embs = append(embs, e)
		norms = append(norms, c.Norm)
	}
	if len(embs) != 6 {
		t.Fatalf("found %d face chips in golden.json, want 6", len(embs))
	}
	return ids, embs, norms
}

// TestGoldenDescriptors checks the package on real embeddings of the
// network: they validate, their norms agree with tfjs's, six different
// people are all rejected by the 0.6 threshold, and a gallery search finds
// each probe's own entry first.
func TestGoldenDescriptors(t *testing.T) {
	ids, embs, norms := loadGolden(t)
	g := match.NewGallery()
	var impostor []float64
	for i, e := range embs {
		if n := e.Norm(); math.Abs(float64(n)-norms[i]) > 1e-5 {
			t.Errorf("%s: norm %v, golden.json says %v", ids[i], n, norms[i])
		}
		if err := g.Add(ids[i], e); err != nil {
			t.Fatal(err)
		}
		for j := range i {
			d := match.Distance(&embs[i], &embs[j])
			if d < match.DefaultThreshold {
				t.Errorf("%s vs %s: distance %v < %v, but they are different people", ids[i], ids[j], d, match.DefaultThreshold)
			}
			// Same geometry two ways: ‖a−b‖² = ‖a‖² + ‖b‖² − 2‖a‖‖b‖cos.
			na, nb, c := float64(embs[i].Norm()), float64(embs[j].Norm()), float64(match.Cosine(&embs[i], &embs[j]))
			if want := math.Sqrt(na*na + nb*nb - 2*na*nb*c); math.Abs(want-float64(d)) > 1e-5 {
				t.Errorf("%s vs %s: distance %v, from cosine %v", ids[i], ids[j], d, want)
			}
			impostor = append(impostor, float64(d))
		}
	}
	var buf []match.Candidate
	for i := range embs {
		var err error
		buf, err = g.Search(buf, &embs[i], 3)
		if err != nil {
			t.Fatal(err)
		}
		if buf[0].ID != ids[i] || buf[0].Distance != 0 || !buf[0].Match || buf[1].Match {
			t.Errorf("search for %s: %+v", ids[i], buf)
		}
	}
	// 15 impostor pairs, none accepted at 0.6. The genuine list here is the
	// six self-comparisons (distance 0).
	s, err := rates.NewScores(make([]float64, len(embs)), impostor, rates.Distances)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.At(match.DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if len(impostor) != 15 || r.FMR != 0 || r.FNMR != 0 {
		t.Errorf("at 0.6 over %d impostor pairs: %+v", len(impostor), r)
	}
	// The closest two people bound the threshold: the loosest threshold
	// with FMR 0 is the smallest impostor distance.
	tr, _ := s.ThresholdForFMR(0)
	if tr.Threshold != slices.Min(impostor) || tr.FMR != 0 {
		t.Errorf("ThresholdForFMR(0) = %+v, smallest impostor distance %v", tr, slices.Min(impostor))
	}
}
