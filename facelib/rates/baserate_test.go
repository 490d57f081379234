package rates

import (
	"errors"
	"math"
	"testing"
)

func TestBaseRateHandWorked(t *testing.T) {
	tests := []struct {
		name              string
		in                BaseRateInput
		falseCand, anyFP  float64
		precision         float64
		precisionDefined  bool
		whereTheNumberIsF string
	}{
		{
			// The Korean immigration records (CASE.md): 57.6 M × 1e-6 = 57.6 (~58).
			// P(≥1) = 1 − e^(57.6e6·ln(1 − 1e-6)) = 1 − e^−57.6 ≈ 1 − 1e-25.
			"57.6 M Korean records", BaseRateInput{57_600_000, 1e-6, 1, 1}, 57.6, 1, 1 / 58.6, true,
			"one search of someone enrolled: 1 true + 57.6 false candidates",
		},
		{
			// 57.6 M Korean + 120 M foreign records: 177.6 (~178).
			"177.6 M records", BaseRateInput{177_600_000, 1e-6, 1, 1}, 177.6, 1, 1 / 178.6, true, "",
		},
		{
			// 1000 × 1e-3 = 1 false; P(≥1) = 1 − 0.999^1000 = 1 − 0.3676954 = 0.6323046.
			"1000 at 1e-3", BaseRateInput{1000, 1e-3, 1, 1}, 1, 0.6323045752290363, 0.5, true, "",
		},
		{
			// 1 M × 1e-6 = 1 false; true = 0.01 × 0.9 = 0.009; precision 0.009/1.009.
			"rare target", BaseRateInput{1_000_000, 1e-6, 0.01, 0.9}, 1, 1 - math.Pow(1-1e-6, 1e6), 0.009 / 1.009, true, "",
		},
		{"empty gallery", BaseRateInput{0, 1e-3, 0.5, 1}, 0, 0, 1, true, "only true candidates"},
		{"nothing to find", BaseRateInput{0, 1e-3, 0, 1}, 0, 0, 0, false, "no candidates at all"},
		{"perfect matcher", BaseRateInput{1e9, 0, 0.3, 1}, 0, 0, 1, true, ""},
		{"everyone matches", BaseRateInput{10, 1, 0, 1}, 10, 1, 0, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := BaseRate(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !near64(r.ExpectedFalseCandidates, tc.falseCand, 1e-9*max(1, tc.falseCand)) {
				t.Errorf("ExpectedFalseCandidates = %v, want %v", r.ExpectedFalseCandidates, tc.falseCand)
			}
			if !near64(r.ProbAnyFalse, tc.anyFP, 1e-9) {
				t.Errorf("ProbAnyFalse = %v, want %v", r.ProbAnyFalse, tc.anyFP)
			}
			if !near64(r.Precision, tc.precision, 1e-12) || r.PrecisionDefined != tc.precisionDefined {
				t.Errorf("Precision = %v (%v), want %v (%v)", r.Precision, r.PrecisionDefined, tc.precision, tc.precisionDefined)
			}
			if r.ExpectedCandidates != r.ExpectedFalseCandidates+r.ExpectedTrueCandidates || r.BaseRateInput != tc.in {
				t.Errorf("result %+v inconsistent", r)
			}
		})
	}
	// The playground rounds to whole people: 58 and 178.
	for _, c := range []struct {
		n    int64
		want float64
	}{{57_600_000, 58}, {177_600_000, 178}} {
		r, _ := BaseRate(BaseRateInput{GallerySize: c.n, FalseMatchRate: 1e-6})
		if math.Round(r.ExpectedFalseCandidates) != c.want {
			t.Errorf("N=%d: %v rounds to %v, want %v", c.n, r.ExpectedFalseCandidates, math.Round(r.ExpectedFalseCandidates), c.want)
		}
	}
}

// TestProbAtLeastOneStable: 1 − (1−f)^n = 1 − e^(−y) with y = −n·ln(1−f) =
// n·(f + f²/2 + …), and 1 − e^(−y) = y − y²/2 + y³/6 − … for small y. The
// direct formula loses digits when f is tiny; ours must not.
func TestProbAtLeastOneStable(t *testing.T) {
	tests := []struct{ f, n float64 }{
		{1e-12, 1e6}, {1e-15, 1e3}, {1e-9, 5e4}, {1e-300, 1e10},
	}
	for _, tc := range tests {
		y := tc.n * (tc.f + tc.f*tc.f/2)
		want := y - y*y/2 + y*y*y/6
		got := ProbAtLeastOne(tc.f, tc.n)
		if math.Abs(got-want) > 1e-12*want {
			t.Errorf("ProbAtLeastOne(%g, %g) = %v, want %v", tc.f, tc.n, got, want)
		}
	}
	edges := []struct{ f, n, want float64 }{
		{0, 1e9, 0}, {1, 0, 0}, {1, 1, 1}, {0.5, 1, 0.5}, {0.5, 2, 0.75},
		{1e-6, math.Inf(1), 1}, {math.NaN(), 1, 0}, {0.5, math.NaN(), 0}, {2, 1, 0}, {-1, 1, 0},
	}
	for _, e := range edges {
		if got := ProbAtLeastOne(e.f, e.n); got != e.want {
			t.Errorf("ProbAtLeastOne(%v, %v) = %v, want %v", e.f, e.n, got, e.want)
		}
	}
}

func TestPerComparisonRate(t *testing.T) {
	// ACLU, 26 July 2018 (CASE.md): 28 of 535 members of Congress falsely
	// matched against 25,000 arrest photos. If each search is 25,000
	// independent comparisons, P(≥1 false) = 28/535 = 0.0523364 gives
	// f = 1 − (1 − 28/535)^(1/25000) = 2.1502274e-6 per comparison.
	f, err := PerComparisonRate(28.0/535, 25_000)
	if err != nil {
		t.Fatal(err)
	}
	if !near64(f, 2.150227420450642e-06, 1e-15) {
		t.Errorf("f = %v, want 2.1502274e-6", f)
	}
	// Round trip through the forward formula.
	if p := ProbAtLeastOne(f, 25_000); !near64(p, 28.0/535, 1e-12) {
		t.Errorf("round trip gives %v, want %v", p, 28.0/535)
	}
	for _, c := range []struct {
		p    float64
		n    int64
		want float64
	}{{0, 10, 0}, {1, 10, 1}, {0.75, 2, 0.5}} {
		if got, err := PerComparisonRate(c.p, c.n); err != nil || !near64(got, c.want, 1e-15) {
			t.Errorf("PerComparisonRate(%v, %d) = %v, %v; want %v", c.p, c.n, got, err, c.want)
		}
	}
	if _, err := PerComparisonRate(0.5, 0); !errors.Is(err, ErrBadCount) {
		t.Errorf("n=0: %v", err)
	}
	if _, err := PerComparisonRate(1.5, 10); !errors.Is(err, ErrBadRate) {
		t.Errorf("p=1.5: %v", err)
	}
}

func TestAlertShare(t *testing.T) {
	tests := []struct {
		name                string
		alerts, falseAlerts int64
		correct             float64
		source              string
	}{
		// 2,470 − 2,297 = 173 right; 173/2,470 = 0.0700405 ≈ 7.0 %.
		{"South Wales Police, Cardiff 2017", 2470, 2297, 173.0 / 2470, "police figures reported May 2018"},
		// 8 of 42 verified correct: 0.1905; wrong 34/42 = 0.8095 ≈ 81 %.
		{"Met Police trials", 42, 34, 8.0 / 42, "Fussey & Murray 2019"},
		{"all right", 5, 0, 1, ""},
		{"all wrong", 5, 5, 0, ""},
	}
	for _, tc := range tests {
		r, err := AlertShare(tc.alerts, tc.falseAlerts)
		if err != nil {
			t.Fatal(err)
		}
		if r.CorrectShare != tc.correct || r.TrueAlerts+r.FalseAlerts != tc.alerts || !near64(r.CorrectShare+r.FalseShare, 1, 1e-15) {
			t.Errorf("%s: %+v, want correct share %v", tc.name, r, tc.correct)
		}
	}
	r, _ := AlertShare(2470, 2297)
	if got := math.Round(r.CorrectShare * 1000); got != 70 {
		t.Errorf("South Wales: %v‰ correct, want 70‰ (7.0 %%)", got)
	}
	r, _ = AlertShare(42, 34)
	if got := math.Round(r.FalseShare * 100); got != 81 {
		t.Errorf("Met: %v %% wrong, want 81 %%", got)
	}
	for _, bad := range [][2]int64{{0, 0}, {-1, 0}, {10, 11}, {10, -1}, {2e12, 1}} {
		if _, err := AlertShare(bad[0], bad[1]); !errors.Is(err, ErrBadCount) {
			t.Errorf("AlertShare%v: %v", bad, err)
		}
	}
}

func TestCrowd(t *testing.T) {
	tests := []struct {
		name         string
		in           CrowdInput
		falseAlerts  float64
		trueAlerts   float64
		precision    float64
		anyFalseNear float64
	}{
		// 10,000 faces × 1,000 enrolled × 1e-4 = 1,000 false alerts; nobody
		// in the crowd is enrolled, so every alert is false.
		{"nobody wanted", CrowdInput{10_000, BaseRateInput{1000, 1e-4, 0, 0.9}}, 1000, 0, 0, 1},
		// 50,000 faces, 1 in 10,000 enrolled, TPR 0.9: 4.5 true alerts;
		// 50,000 × 10,000 × 1e-6 = 500 false; precision 4.5/504.5.
		{"stadium", CrowdInput{50_000, BaseRateInput{10_000, 1e-6, 1e-4, 0.9}}, 500, 4.5, 4.5 / 504.5, 1},
		// 100 faces × 100 enrolled × 1e-5 = 0.1 false; P(≥1) = 1 − (1 − 1e-5)^10000 = 0.0951630.
		{"small", CrowdInput{100, BaseRateInput{100, 1e-5, 0, 1}}, 0.1, 0, 0, -math.Expm1(1e4 * math.Log1p(-1e-5))},
	}
	for _, tc := range tests {
		r, err := Crowd(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if !near64(r.ExpectedFalseAlerts, tc.falseAlerts, 1e-9*tc.falseAlerts) || !near64(r.ExpectedTrueAlerts, tc.trueAlerts, 1e-12) ||
			!near64(r.Precision, tc.precision, 1e-12) || !near64(r.ProbAnyFalse, tc.anyFalseNear, 1e-9) {
			t.Errorf("%s: %+v", tc.name, r)
		}
		per, _ := BaseRate(tc.in.BaseRateInput)
		if r.PerSearch != per || r.Precision != per.Precision {
			t.Errorf("%s: per-search part differs from BaseRate", tc.name)
		}
	}
	if !near64(0.0951630, -math.Expm1(1e4*math.Log1p(-1e-5)), 1e-7) {
		t.Errorf("hand value for the small crowd is off")
	}
	zero, err := Crowd(CrowdInput{0, BaseRateInput{100, 1e-3, 0.5, 1}})
	if err != nil || zero.ExpectedFalseAlerts != 0 || zero.PrecisionDefined {
		t.Errorf("empty crowd: %+v %v", zero, err)
	}
}

func TestBaseRateErrors(t *testing.T) {
	nan := math.NaN()
	bad := []struct {
		in   BaseRateInput
		want error
	}{
		{BaseRateInput{-1, 0.1, 0.5, 0.5}, ErrBadCount},
		{BaseRateInput{MaxPopulation + 1, 0.1, 0.5, 0.5}, ErrBadCount},
		{BaseRateInput{10, -0.1, 0.5, 0.5}, ErrBadRate},
		{BaseRateInput{10, 1.1, 0.5, 0.5}, ErrBadRate},
		{BaseRateInput{10, nan, 0.5, 0.5}, ErrBadRate},
		{BaseRateInput{10, 0.1, nan, 0.5}, ErrBadRate},
		{BaseRateInput{10, 0.1, 0.5, math.Inf(1)}, ErrBadRate},
	}
	for _, b := range bad {
		if _, err := BaseRate(b.in); !errors.Is(err, b.want) {
			t.Errorf("BaseRate(%+v): %v, want %v", b.in, err, b.want)
		}
		if _, err := Crowd(CrowdInput{1, b.in}); !errors.Is(err, b.want) {
			t.Errorf("Crowd(%+v): %v, want %v", b.in, err, b.want)
		}
	}
	if _, err := Crowd(CrowdInput{-5, BaseRateInput{10, 0.1, 0.5, 0.5}}); !errors.Is(err, ErrBadCount) {
		t.Errorf("negative crowd: %v", err)
	}
}
