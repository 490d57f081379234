package rates

import (
	"errors"
	"math"
	"testing"
)

func near64(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Hand-worked list A (distances):
//
//	genuine  0.1 0.2 0.3 0.7
//	impostor 0.5 0.8 0.9 1.0
//
// At t = 0.6: impostors below 0.6: {0.5} → FMR 1/4; genuine not below: {0.7}
// → FNMR 1/4.
var (
	genA = []float64{0.7, 0.1, 0.3, 0.2} // unsorted on purpose
	impA = []float64{1.0, 0.5, 0.9, 0.8}
)

func TestScoresAt(t *testing.T) {
	s, err := NewScores(genA, impA, Distances)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		t          float64
		fmr, fnmr  float64
		fm, fnm    int
		whyInWords string
	}{
		{0.6, 0.25, 0.25, 1, 1, "0.5 accepted, 0.7 rejected"},
		{0.5, 0, 0.25, 0, 1, "tie: impostor 0.5 is not < 0.5"},
		{0.7, 0.25, 0.25, 1, 1, "tie: genuine 0.7 is not < 0.7"},
		{0.1, 0, 1, 0, 4, "nothing is < 0.1"},
		{0.0, 0, 1, 0, 4, "below every score"},
		{0.75, 0.25, 0, 1, 0, "every genuine accepted"},
		{1.0, 0.75, 0, 3, 0, "impostor 1.0 is not < 1.0"},
		{5, 1, 0, 4, 0, "everything accepted"},
	}
	for _, tc := range tests {
		r, err := s.At(tc.t)
		if err != nil {
			t.Fatal(err)
		}
		if r.FMR != tc.fmr || r.FNMR != tc.fnmr || r.FalseMatches != tc.fm || r.FalseNonMatches != tc.fnm || r.TMR != 1-tc.fnmr || r.Threshold != tc.t {
			t.Errorf("At(%v) = %+v, want FMR %v FNMR %v (%s)", tc.t, r, tc.fmr, tc.fnmr, tc.whyInWords)
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := s.At(bad); !errors.Is(err, ErrBadThreshold) {
			t.Errorf("At(%v): %v", bad, err)
		}
	}
}

func TestEERHandWorked(t *testing.T) {
	tests := []struct {
		name      string
		gen, imp  []float64
		pol       Polarity
		eer, thr  float64
		derivedBy string
	}{
		{
			"list A", genA, impA, Distances, 0.25, 0.7,
			"points t=0.5 (FMR 0, FNMR 1/4) and t=0.7 (1/4, 1/4): the second lies on the diagonal, λ = 1",
		},
		{
			"interpolated", []float64{0.1, 0.2, 0.5}, []float64{0.3, 0.6}, Distances, 1.0 / 3, 0.3 + 2.0/3*0.2,
			"t=0.3: (FMR 0, FNMR 1/3), d = 1/3; t=0.5: (1/2, 1/3), d = −1/6; λ = (1/3)/(1/2) = 2/3; EER = 2/3·1/2 = 1/3; t = 0.3 + 2/3·0.2",
		},
		{
			"interpolated, similarities", []float64{0.9, 0.8, 0.5}, []float64{0.7, 0.4}, Similarities, 1.0 / 3, 0.7 - 2.0/3*0.2,
			"the same lists as 1 − distance: t = 0.7 − 2/3·0.2",
		},
		{
			"all scores equal", []float64{0.5, 0.5}, []float64{0.5, 0.5}, Distances, 0.5, 0.5,
			"t=0.5 accepts nothing (0, 1), the point above accepts all (1, 0): λ = 1/2, chance level",
		},
		{
			"perfectly separated", []float64{0.1, 0.2}, []float64{0.8, 0.9}, Distances, 0, 0.8,
			"t=0.8 gives (0, 0) on the diagonal",
		},
		{
			"one each, reversed", []float64{0.9}, []float64{0.1}, Distances, 1, 0.9,
			"t=0.1 (0, 1); t=0.9 (1, 1) on the diagonal: every decision wrong",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewScores(tc.gen, tc.imp, tc.pol)
			if err != nil {
				t.Fatal(err)
			}
			e := s.EER()
			if !near64(e.Rate, tc.eer, 1e-12) || !near64(e.Threshold, tc.thr, 1e-9) {
				t.Errorf("EER = %v at %v, want %v at %v (%s)", e.Rate, e.Threshold, tc.eer, tc.thr, tc.derivedBy)
			}
			if !(e.Below.FNMR > e.Below.FMR) || !(e.Above.FNMR <= e.Above.FMR) {
				t.Errorf("bracket wrong: below %+v above %+v", e.Below, e.Above)
			}
		})
	}
}

func TestThresholdForFMR(t *testing.T) {
	tests := []struct {
		name     string
		imp      []float64
		pol      Polarity
		target   float64
		thr, fmr float64
	}{
		// impA sorted: 0.5 0.8 0.9 1.0; m = ⌊target·4⌋, threshold = impostor[m].
		{"zero", impA, Distances, 0, 0.5, 0},
		{"one in four", impA, Distances, 0.25, 0.8, 0.25},
		{"between", impA, Distances, 0.3, 0.8, 0.25},
		{"half", impA, Distances, 0.5, 0.9, 0.5},
		{"all", impA, Distances, 1, math.Nextafter(1.0, 2), 1},
		// Ties: ⌊0.5·4⌋ = 2 → impostor[2] = 0.4, but nothing is < 0.4: FMR 0.
		{"ties", []float64{0.4, 0.4, 0.4, 0.9}, Distances, 0.5, 0.4, 0},
		// 0.29·100 = 28.999999999999996 in float64; still m = 29.
		{"rounding", seq(100), Distances, 0.29, 0.29, 0.29},
		// Similarities 0.9 0.3 0.2 0.1, best first; m = 1 → 0.3: accept > 0.3 → {0.9}.
		{"similarities", []float64{0.1, 0.9, 0.2, 0.3}, Similarities, 0.25, 0.3, 0.25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewScores([]float64{0.2}, tc.imp, tc.pol)
			if err != nil {
				t.Fatal(err)
			}
			r, err := s.ThresholdForFMR(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if r.Threshold != tc.thr || !near64(r.FMR, tc.fmr, 1e-15) || r.FMR > tc.target {
				t.Errorf("ThresholdForFMR(%v) = %+v, want threshold %v FMR %v", tc.target, r, tc.thr, tc.fmr)
			}
			// Loosest: one step further accepts more impostors than allowed.
			if tc.target < 1 {
				step := math.Nextafter(r.Threshold, math.Inf(1))
				if tc.pol == Similarities {
					step = math.Nextafter(r.Threshold, math.Inf(-1))
				}
				if r2, _ := s.At(step); r2.FMR <= tc.target {
					t.Errorf("threshold %v is not the loosest: %v still has FMR %v", r.Threshold, step, r2.FMR)
				}
			}
		})
	}
	s, _ := NewScores(genA, impA, Distances)
	for _, bad := range []float64{-0.1, 1.1, math.NaN()} {
		if _, err := s.ThresholdForFMR(bad); !errors.Is(err, ErrBadRate) {
			t.Errorf("ThresholdForFMR(%v): %v", bad, err)
		}
	}
}

// seq returns 0.00, 0.01, …, (n−1)/100.
func seq(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i) / 100
	}
	return v
}

func TestCurve(t *testing.T) {
	s, _ := NewScores(genA, impA, Distances)
	c := s.Curve(0)
	// 8 distinct scores + one point above them all.
	if len(c) != 9 {
		t.Fatalf("Curve has %d points, want 9", len(c))
	}
	if c[0].FMR != 0 || c[0].FNMR != 1 || c[8].FMR != 1 || c[8].FNMR != 0 {
		t.Fatalf("Curve ends %+v … %+v, want (0,1) … (1,0)", c[0], c[8])
	}
	for i := 1; i < len(c); i++ {
		if c[i].FMR < c[i-1].FMR || c[i].FNMR > c[i-1].FNMR || c[i].Threshold <= c[i-1].Threshold {
			t.Fatalf("Curve not monotone at %d: %+v after %+v", i, c[i], c[i-1])
		}
	}
	// The point at 0.7 is (1/4, 1/4), as worked out in TestScoresAt.
	if c[4].Threshold != 0.7 || c[4].FMR != 0.25 || c[4].FNMR != 0.25 {
		t.Errorf("c[4] = %+v", c[4])
	}
	few := s.Curve(3)
	if len(few) != 3 || few[0] != c[0] || few[1] != c[4] || few[2] != c[8] {
		t.Errorf("Curve(3) = %+v", few)
	}
	at, err := s.CurveAt([]float64{0.6, 0.5})
	if err != nil || at[0].FMR != 0.25 || at[1].FMR != 0 {
		t.Errorf("CurveAt = %+v, %v", at, err)
	}
	if _, err := s.CurveAt([]float64{math.NaN()}); err == nil {
		t.Errorf("CurveAt(NaN) accepted")
	}
	d := s.DET(0)
	// First point: FMR 0 → clamped to 0.5/4 = 0.125; FNMR 1 → 0.875.
	// Φ⁻¹(0.125) = −1.1503494 (standard normal table).
	if !near64(d[0].X, -1.1503494, 1e-6) || !near64(d[0].Y, 1.1503494, 1e-6) {
		t.Errorf("DET first point X %v Y %v, want ∓1.1503494", d[0].X, d[0].Y)
	}
	// (1/4, 1/4) → Φ⁻¹(0.25) = −0.6744898 on both axes.
	if !near64(d[4].X, -0.6744898, 1e-6) || d[4].X != d[4].Y {
		t.Errorf("DET point 4: %+v", d[4])
	}
}

func TestNewScoresErrors(t *testing.T) {
	ok := []float64{0.1}
	tests := []struct {
		name     string
		gen, imp []float64
		pol      Polarity
		want     error
	}{
		{"no genuine", nil, ok, Distances, ErrNoScores},
		{"no impostor", ok, []float64{}, Distances, ErrNoScores},
		{"NaN", []float64{0.1, math.NaN()}, ok, Distances, ErrBadScore},
		{"Inf", ok, []float64{math.Inf(1)}, Similarities, ErrBadScore},
		{"zero polarity", ok, ok, 0, ErrBadPolarity},
		{"unknown polarity", ok, ok, 3, ErrBadPolarity},
	}
	for _, tc := range tests {
		if _, err := NewScores(tc.gen, tc.imp, tc.pol); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestHistogram(t *testing.T) {
	h, err := NewHistogram(0, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	// 0 → bin 0; 0.25 → bin 1 (lower edge inclusive); 0.3 → 1; 0.99 → 3;
	// 1.0 → 3 (upper edge in the last bin); −0.1 under; 1.5 over.
	for _, x := range []float64{0, 0.25, 0.3, 0.99, 1.0, -0.1, 1.5, math.Inf(1)} {
		if err := h.Add(x); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Add(math.NaN()); !errors.Is(err, ErrBadScore) {
		t.Errorf("Add(NaN): %v", err)
	}
	want := []int{1, 2, 0, 2}
	for i := range want {
		if h.Counts[i] != want[i] {
			t.Fatalf("Counts = %v, want %v", h.Counts, want)
		}
	}
	if h.Under != 1 || h.Over != 2 || h.Total != 8 || h.Width() != 0.25 || h.Center(1) != 0.375 {
		t.Fatalf("histogram %+v", h)
	}
	if d := h.Density(1); d != 2/(8*0.25) {
		t.Errorf("Density(1) = %v, want 1", d)
	}
	for _, bad := range [][3]float64{{1, 0, 4}, {0, 0, 4}, {math.NaN(), 1, 4}, {0, math.Inf(1), 4}, {-math.MaxFloat64, math.MaxFloat64, 4}, {0, 1, 0}, {0, 1, MaxBins + 1}} {
		if _, err := NewHistogram(bad[0], bad[1], int(bad[2])); !errors.Is(err, ErrBadHistogram) {
			t.Errorf("NewHistogram%v: %v", bad, err)
		}
	}

	// Scores.Histograms: list A spans [0.1, 1.0]; 2 bins split at 0.55.
	s, _ := NewScores(genA, impA, Distances)
	g, i, err := s.Histograms(2)
	if err != nil {
		t.Fatal(err)
	}
	if g.Lo != 0.1 || g.Hi != 1.0 || g.Counts[0] != 3 || g.Counts[1] != 1 || i.Counts[0] != 1 || i.Counts[1] != 3 {
		t.Errorf("Histograms: genuine %+v impostor %+v", g, i)
	}
	// Similarities keep their own units.
	s, _ = NewScores([]float64{0.9, 0.8}, []float64{0.1, 0.3}, Similarities)
	g, i, _ = s.Histograms(2)
	if g.Lo != 0.1 || g.Hi != 0.9 || g.Counts[1] != 2 || i.Counts[0] != 2 {
		t.Errorf("similarity Histograms: genuine %+v impostor %+v", g, i)
	}
	// All equal: a range is made around the value.
	s, _ = NewScores([]float64{0.5}, []float64{0.5}, Distances)
	g, _, err = s.Histograms(3)
	if err != nil || g.Lo != 0 || g.Hi != 1 || g.Counts[1] != 1 {
		t.Errorf("equal scores: %+v, %v", g, err)
	}
}
