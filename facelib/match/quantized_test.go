package match

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// quantBound is the most a quantised distance may differ from the exact
// one for a row with scale s: by the triangle inequality |‖p−x‖ − ‖p−x̂‖|
// ≤ ‖x − x̂‖ ≤ √128·s/2, plus float32 rounding of the estimate (whose
// square root amplifies it near zero).
func quantBound(s float32) float64 { return math.Sqrt(Dim)*float64(s)/2 + 2e-3 }

// TestQuantizedAccuracy measures what int8 storage costs, on the network's
// real descriptors (golden.json) and on a synthetic clustered gallery.
func TestQuantizedAccuracy(t *testing.T) {
	b, err := os.ReadFile("../../assets/testdata/chips/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var gf struct {
		Chips []struct {
			File       string    `json:"file"`
			Descriptor Embedding `json:"descriptor"`
		} `json:"chips"`
	}
	if err := json.Unmarshal(b, &gf); err != nil {
		t.Fatal(err)
	}
	g := NewGallery()
	var real []Embedding
	for _, c := range gf.Chips {
		if c.File[:5] == "face-" {
			real = append(real, c.Descriptor)
			if err := g.Add(c.File, c.Descriptor); err != nil {
				t.Fatal(err)
			}
		}
	}
	z := g.Quantize()
	var worstSelf, worstOther float64
	var buf []Candidate
	for i := range real {
		buf, err = z.Search(buf, &real[i], len(real))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range buf {
			es, _ := g.Embeddings(c.ID)
			exact := float64(Distance(&real[i], &es[0]))
			diff := math.Abs(float64(c.Distance) - exact)
			if exact == 0 {
				// Against itself the estimate is ‖x − x̂‖, the whole quantisation error.
				worstSelf = max(worstSelf, diff)
			} else {
				worstOther = max(worstOther, diff)
			}
			if s := z.scale[g.index[c.ID]]; diff > quantBound(s) {
				t.Errorf("real %d vs %s: quantised %v, exact %v, beyond the bound %v", i, c.ID, c.Distance, exact, quantBound(s))
			}
			if c.Match != (exact < DefaultThreshold) {
				t.Errorf("real %d vs %s: decision flips at 0.6 (quantised %v, exact %v)", i, c.ID, c.Distance, exact)
			}
		}
		if buf[0].ID != gf.Chips[i].File {
			t.Errorf("real %d: best %+v", i, buf[0])
		}
	}
	t.Logf("real descriptors: quantised distance error up to %.5f between different people, %.5f for a face against itself", worstOther, worstSelf)
	if worstOther > 0.005 {
		t.Errorf("quantisation moves distances between people by %v", worstOther)
	}

	// Synthetic: 2,000 people, probes are other photos of them (offset
	// ≈ 0.34) or strangers; compare quantised and exact top-10.
	r := rand.New(rand.NewPCG(21, 22))
	g = NewGallery()
	people := make([]Embedding, 2000)
	for i := range people {
		people[i] = randomEmbedding(r)
		if err := g.Add(fmt.Sprint(i), near(r, people[i], 0.03)); err != nil {
			t.Fatal(err)
		}
	}
	z = g.Quantize()
	if z.Len() != g.Len() || z.Bytes() != 2000*(Dim+8) {
		t.Fatalf("snapshot: %d IDs, %d bytes", z.Len(), z.Bytes())
	}
	var exact, quant []Candidate
	var maxErr float64
	top1, overlap, total := 0, 0, 0
	for i := range 300 {
		probe := randomEmbedding(r)
		if i%2 == 0 {
			probe = near(r, people[r.IntN(len(people))], 0.03)
		}
		exact, _ = g.Search(exact, &probe, 10)
		quant, _ = z.Search(quant, &probe, 10)
		if exact[0].ID == quant[0].ID {
			top1++
		} else if exact[1].Distance-exact[0].Distance > 0.02 {
			t.Errorf("probe %d: quantised best %v, exact best %v with a clear gap to %v", i, quant[0], exact[0], exact[1])
		}
		in := map[string]float32{}
		for _, c := range exact {
			in[c.ID] = c.Distance
		}
		for _, c := range quant {
			if d, ok := in[c.ID]; ok {
				overlap++
				maxErr = max(maxErr, math.Abs(float64(c.Distance-d)))
			}
		}
		total += len(exact)
	}
	for r := range z.scale {
		if e := math.Abs(float64(z.norms[r]) - float64(g.norms[r])); e > 0.01 {
			t.Errorf("row %d: quantised squared norm off by %v", r, e)
		}
		if maxErr > quantBound(z.scale[r]) {
			t.Fatalf("distance error %v beyond the bound %v", maxErr, quantBound(z.scale[r]))
		}
	}
	t.Logf("synthetic 2,000: top-1 agrees %d/300, top-10 overlap %d/%d, largest distance error %.5f", top1, overlap, total, maxErr)
	if top1 < 295 || overlap < total*95/100 {
		t.Errorf("quantisation loses too much: top-1 %d/300, overlap %d/%d", top1, overlap, total)
	}
}

func TestQuantizedSearchAPI(t *testing.T) {
	g := NewGallery()
	if err := g.Add("ana", axis(0, 1), axis(1, 1)); err != nil {
		t.Fatal(err)
	}
	if err := g.Add("ben", axis(2, 1)); err != nil {
		t.Fatal(err)
	}
	z := g.Quantize()
	g.Remove("ana") // the snapshot does not change
	p := axis(0, 0.8)
	got, err := z.Search(nil, &p, 5)
	// Axis vectors quantise exactly: distances are exact up to rounding.
	if err != nil || len(got) != 2 || got[0].ID != "ana" || math.Abs(float64(got[0].Distance)-0.2) > 1e-6 || !got[0].Match ||
		got[1].ID != "ben" || got[1].Match {
		t.Fatalf("Search = %v, %v", got, err)
	}
	if _, err := z.Search(got, &p, 0); err == nil {
		t.Error("k=0 accepted")
	}
	var zero Embedding
	if _, err := z.Search(got, &zero, 1); err == nil {
		t.Error("zero probe accepted")
	}
	allocs := testing.AllocsPerRun(50, func() { got, _ = z.Search(got, &p, 2) })
	if allocs != 0 {
		t.Errorf("Search allocates %v times", allocs)
	}
	if empty := NewGallery().Quantize(); empty.Len() != 0 {
		t.Error("empty snapshot not empty")
	} else if c, err := empty.Search(nil, &p, 3); err != nil || len(c) != 0 {
		t.Errorf("empty Search = %v, %v", c, err)
	}
}
