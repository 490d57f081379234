package rates

import (
	"errors"
	"fmt"
	"math"
)

// MaxPopulation bounds gallery and crowd sizes: 1e12 is over a hundred
// times the world's population, and keeps every product finite and exact
// enough in float64.
const MaxPopulation = 1e12

// ErrBadCount reports a negative or too large count.
var ErrBadCount = errors.New("rates: bad count")

// BaseRateInput describes one 1:N search.
//
// The model: a probe face is searched against a gallery of GallerySize
// enrolled people. With probability Prevalence the probe's person is
// enrolled (a mated search); they are then returned as a candidate with
// probability TruePositiveRate. Every comparison with an enrolled person
// who is not the probe's person independently returns a false candidate
// with probability FalseMatchRate. All N comparisons are counted as
// non-mated (in a mated search there are N − 1: the difference in expected
// false candidates is at most FalseMatchRate, far below the precision of
// any published rate).
type BaseRateInput struct {
	// GallerySize is N, the number of enrolled people (0 ≤ N ≤ MaxPopulation).
	GallerySize int64 `json:"gallerySize"`
	// FalseMatchRate is f, the per-comparison false match rate, in [0, 1].
	FalseMatchRate float64 `json:"falseMatchRate"`
	// Prevalence is p, the probability that the searched person is
	// enrolled, in [0, 1].
	Prevalence float64 `json:"prevalence"`
	// TruePositiveRate is the probability that an enrolled person is
	// found when searched for, in [0, 1].
	TruePositiveRate float64 `json:"truePositiveRate"`
}

// BaseRateResult holds the expected outcome of one search.
type BaseRateResult struct {
	BaseRateInput
	// ExpectedFalseCandidates is N·f, the mean number of innocent people
	// returned per search.
	ExpectedFalseCandidates float64 `json:"expectedFalseCandidates"`
	// ProbAnyFalse is 1 − (1 − f)^N, the probability that a search returns
	// at least one false candidate.
	ProbAnyFalse float64 `json:"probAnyFalse"`
	// ExpectedTrueCandidates is p·TPR, the mean number of correct
	// candidates per search (at most one).
	ExpectedTrueCandidates float64 `json:"expectedTrueCandidates"`
	// ExpectedCandidates is the sum of the two.
	ExpectedCandidates float64 `json:"expectedCandidates"`
	// Precision is the share of candidates (alerts) that are the right
	// person, over many searches: p·TPR / (p·TPR + N·f). It is 0, and
	// PrecisionDefined false, when no candidates are expected at all.
	Precision        float64 `json:"precision"`
	PrecisionDefined bool    `json:"precisionDefined"`
}

func checkRate(name string, v float64) error {
	if !(v >= 0 && v <= 1) {
		return fmt.Errorf("%w: %s = %v (want 0..1)", ErrBadRate, name, v)
	}
	return nil
}

func checkCount(name string, v int64) error {
	if v < 0 || v > MaxPopulation {
		return fmt.Errorf("%w: %s = %d (want 0..%g)", ErrBadCount, name, v, float64(MaxPopulation))
	}
	return nil
}

func (in BaseRateInput) validate() error {
	if err := checkCount("gallery size", in.GallerySize); err != nil {
		return err
	}
	if err := checkRate("false match rate", in.FalseMatchRate); err != nil {
		return err
	}
	if err := checkRate("prevalence", in.Prevalence); err != nil {
		return err
	}
	return checkRate("true positive rate", in.TruePositiveRate)
}

// BaseRate computes the expected outcome of one search (see BaseRateInput
// for the model). It is the only place these formulas live: Crowd and the
// playground call it.
func BaseRate(in BaseRateInput) (BaseRateResult, error) {
	if err := in.validate(); err != nil {
		return BaseRateResult{}, err
	}
	n := float64(in.GallerySize)
	r := BaseRateResult{BaseRateInput: in}
	r.ExpectedFalseCandidates = n * in.FalseMatchRate
	r.ProbAnyFalse = ProbAtLeastOne(in.FalseMatchRate, n)
	r.ExpectedTrueCandidates = in.Prevalence * in.TruePositiveRate
	r.ExpectedCandidates = r.ExpectedTrueCandidates + r.ExpectedFalseCandidates
	if r.ExpectedCandidates > 0 {
		r.Precision = r.ExpectedTrueCandidates / r.ExpectedCandidates
		r.PrecisionDefined = true
	}
	return r, nil
}

// ProbAtLeastOne returns 1 − (1 − f)^n, the probability that at least one
// of n independent trials with probability f succeeds, computed as
// −expm1(n·log1p(−f)) so that it stays accurate when f is tiny and n huge
// (1 − (1 − 1e-12)^n computed directly loses most digits). f must be in
// [0, 1] and n ≥ 0; outside that it returns 0.
func ProbAtLeastOne(f, n float64) float64 {
	if !(f > 0 && f <= 1) || !(n > 0) {
		return 0
	}
	if f == 1 || math.IsInf(n, 1) {
		return 1
	}
	return min(1, -math.Expm1(n*math.Log1p(-f)))
}

// PerComparisonRate inverts ProbAtLeastOne: the per-comparison rate f at
// which n comparisons give at least one false match with probability p,
// f = −expm1(log1p(−p)/n). It derives f from published per-search figures.
func PerComparisonRate(p float64, n int64) (float64, error) {
	if err := checkRate("probability", p); err != nil {
		return 0, err
	}
	if n < 1 || n > MaxPopulation {
		return 0, fmt.Errorf("%w: %d comparisons (want 1..%g)", ErrBadCount, n, float64(MaxPopulation))
	}
	if p == 1 {
		return 1, nil
	}
	return -math.Expm1(math.Log1p(-p) / float64(n)), nil
}

// CrowdInput describes M people passing a camera whose every face is
// searched against a gallery: BaseRateInput's Prevalence is then the share
// of passers-by who are enrolled.
type CrowdInput struct {
	// People is M, the number of faces searched (0 ≤ M ≤ MaxPopulation).
	People int64 `json:"people"`
	BaseRateInput
}

// CrowdResult is the expected outcome of searching a whole crowd.
type CrowdResult struct {
	CrowdInput
	// PerSearch is the outcome of one search (BaseRate).
	PerSearch BaseRateResult `json:"perSearch"`
	// ExpectedFalseAlerts is M·N·f.
	ExpectedFalseAlerts float64 `json:"expectedFalseAlerts"`
	// ExpectedTrueAlerts is M·p·TPR.
	ExpectedTrueAlerts float64 `json:"expectedTrueAlerts"`
	// ProbAnyFalse is the probability of at least one false alert over
	// the M·N comparisons.
	ProbAnyFalse float64 `json:"probAnyFalse"`
	// Precision is the share of alerts that are right; it equals the
	// per-search precision (both expectations scale by M).
	Precision        float64 `json:"precision"`
	PrecisionDefined bool    `json:"precisionDefined"`
}

// Crowd computes the expected false and true alerts when M people pass a
// camera: M searches of the BaseRate model.
func Crowd(in CrowdInput) (CrowdResult, error) {
	if err := checkCount("people", in.People); err != nil {
		return CrowdResult{}, err
	}
	per, err := BaseRate(in.BaseRateInput)
	if err != nil {
		return CrowdResult{}, err
	}
	m := float64(in.People)
	r := CrowdResult{CrowdInput: in, PerSearch: per}
	r.ExpectedFalseAlerts = m * per.ExpectedFalseCandidates
	r.ExpectedTrueAlerts = m * per.ExpectedTrueCandidates
	r.ProbAnyFalse = ProbAtLeastOne(in.FalseMatchRate, m*float64(in.GallerySize))
	if m > 0 {
		r.Precision, r.PrecisionDefined = per.Precision, per.PrecisionDefined
	}
	return r, nil
}

// AlertShareResult splits a published alert count into right and wrong.
type AlertShareResult struct {
	Alerts       int64   `json:"alerts"`
	FalseAlerts  int64   `json:"falseAlerts"`
	TrueAlerts   int64   `json:"trueAlerts"`
	CorrectShare float64 `json:"correctShare"`
	FalseShare   float64 `json:"falseShare"`
}

// AlertShare computes the share of correct alerts from counts: alerts in
// all, of which falseAlerts were wrong (0 ≤ falseAlerts ≤ alerts, alerts ≥ 1).
func AlertShare(alerts, falseAlerts int64) (AlertShareResult, error) {
	if alerts < 1 || alerts > MaxPopulation {
		return AlertShareResult{}, fmt.Errorf("%w: %d alerts", ErrBadCount, alerts)
	}
	if falseAlerts < 0 || falseAlerts > alerts {
		return AlertShareResult{}, fmt.Errorf("%w: %d false of %d alerts", ErrBadCount, falseAlerts, alerts)
	}
	t := alerts - falseAlerts
	return AlertShareResult{
		Alerts:       alerts,
		FalseAlerts:  falseAlerts,
		TrueAlerts:   t,
		CorrectShare: float64(t) / float64(alerts),
		FalseShare:   float64(falseAlerts) / float64(alerts),
	}, nil
}
