package rates

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"testing"
)

// FuzzScores: arbitrary score lists, thresholds and targets never panic and
// give rates in [0, 1] and finite thresholds whenever the input is accepted.
func FuzzScores(f *testing.F) {
	le := func(v ...float64) []byte {
		var b []byte
		for _, x := range v {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return b
	}
	f.Add(uint8(4), le(0.1, 0.2, 0.3, 0.7, 0.5, 0.8, 0.9, 1.0), 0.6, 0.25, uint8(1), uint16(10))
	f.Add(uint8(1), le(0.5, 0.5), 0.5, 0.0, uint8(2), uint16(1))
	f.Add(uint8(1), le(-math.MaxFloat64, math.MaxFloat64), 0.0, 1.0, uint8(1), uint16(3))
	f.Fuzz(func(t *testing.T, split uint8, data []byte, thr, target float64, pol uint8, bins uint16) {
		v := floats64(data)
		n := min(int(split), len(v))
		s, err := NewScores(v[:n], v[n:], Polarity(pol))
		if err != nil {
			if !errors.Is(err, ErrNoScores) && !errors.Is(err, ErrBadScore) && !errors.Is(err, ErrBadPolarity) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		check := func(what string, r Rate) {
			t.Helper()
			if !in01(r.FMR) || !in01(r.FNMR) || !in01(r.TMR) || !finite(r.Threshold) || r.TMR+r.FNMR != 1 {
				t.Fatalf("%s: %+v", what, r)
			}
		}
		if r, err := s.At(thr); err == nil {
			check("At", r)
		} else if finite(thr) {
			t.Fatalf("At(%v): %v", thr, err)
		}
		e := s.EER()
		if !in01(e.Rate) || !finite(e.Threshold) {
			t.Fatalf("EER %+v", e)
		}
		check("EER below", e.Below)
		check("EER above", e.Above)
		if r, err := s.ThresholdForFMR(target); err == nil {
			check("ThresholdForFMR", r)
			if r.FMR > target {
				t.Fatalf("ThresholdForFMR(%v) gives FMR %v", target, r.FMR)
			}
		} else if in01(target) {
			t.Fatalf("ThresholdForFMR(%v): %v", target, err)
		}
		c := s.Curve(int(bins % 64))
		for i, r := range c {
			check("Curve", r)
			if i > 0 && (r.FMR < c[i-1].FMR || r.FNMR > c[i-1].FNMR) {
				t.Fatalf("Curve not monotone at %d", i)
			}
		}
		for _, d := range s.DET(8) {
			if !finite(d.X) || !finite(d.Y) {
				t.Fatalf("DET point %+v", d)
			}
		}
		g, i, err := s.Histograms(int(bins))
		if err != nil {
			if !errors.Is(err, ErrBadHistogram) {
				t.Fatalf("Histograms: %v", err)
			}
			return
		}
		sum := func(h *Histogram) int {
			n := h.Under + h.Over
			for _, c := range h.Counts {
				n += c
			}
			return n
		}
		if sum(g) != s.NumGenuine() || sum(i) != s.NumImpostor() || g.Under+g.Over+i.Under+i.Over != 0 {
			t.Fatalf("histograms lose scores: %+v %+v", g, i)
		}
	})
}

// FuzzBaseRate: any inputs either fail with ErrBadRate/ErrBadCount or give
// finite results with probabilities in [0, 1].
func FuzzBaseRate(f *testing.F) {
	f.Add(int64(57_600_000), 1e-6, 1.0, 1.0, int64(1))
	f.Add(int64(0), 0.0, 0.0, 0.0, int64(0))
	f.Add(int64(1e12), 1.0, 1.0, 1.0, int64(1e12))
	f.Add(int64(-1), math.NaN(), math.Inf(1), -0.0, int64(-5))
	f.Fuzz(func(t *testing.T, n int64, fmr, p, tpr float64, m int64) {
		in := BaseRateInput{n, fmr, p, tpr}
		r, err := BaseRate(in)
		if err != nil {
			if !errors.Is(err, ErrBadRate) && !errors.Is(err, ErrBadCount) {
				t.Fatalf("unexpected error %v", err)
			}
		} else {
			if !finite(r.ExpectedFalseCandidates) || r.ExpectedFalseCandidates < 0 || !in01(r.ProbAnyFalse) ||
				!in01(r.ExpectedTrueCandidates) || !in01(r.Precision) || !finite(r.ExpectedCandidates) {
				t.Fatalf("BaseRate(%+v) = %+v", in, r)
			}
			if r.PrecisionDefined != (r.ExpectedCandidates > 0) {
				t.Fatalf("PrecisionDefined %v with %v candidates", r.PrecisionDefined, r.ExpectedCandidates)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		}
		c, err := Crowd(CrowdInput{m, in})
		if err == nil {
			if !finite(c.ExpectedFalseAlerts) || !finite(c.ExpectedTrueAlerts) || !in01(c.ProbAnyFalse) || !in01(c.Precision) {
				t.Fatalf("Crowd = %+v", c)
			}
			if _, err := json.Marshal(c); err != nil {
				t.Fatal(err)
			}
		}
		if q, err := PerComparisonRate(fmr, n); err == nil && !in01(q) {
			t.Fatalf("PerComparisonRate(%v, %d) = %v", fmr, n, q)
		}
		if a, err := AlertShare(n, m); err == nil && (!in01(a.CorrectShare) || !in01(a.FalseShare)) {
			t.Fatalf("AlertShare(%d, %d) = %+v", n, m, a)
		}
		if q := ProbAtLeastOne(fmr, float64(n)); !in01(q) {
			t.Fatalf("ProbAtLeastOne(%v, %d) = %v", fmr, n, q)
		}
	})
}

func floats64(data []byte) []float64 {
	v := make([]float64, len(data)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return v
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
func in01(x float64) bool   { return x >= 0 && x <= 1 }
