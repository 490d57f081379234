package rates

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

var (
	// ErrNoScores reports an empty genuine or impostor score list.
	ErrNoScores = errors.New("rates: empty score list")
	// ErrBadScore reports a NaN or infinite score.
	ErrBadScore = errors.New("rates: bad score")
	// ErrBadPolarity reports a Polarity other than Distances or
	// Similarities.
	ErrBadPolarity = errors.New("rates: bad score polarity")
	// ErrBadRate reports a rate or probability outside [0, 1] or NaN.
	ErrBadRate = errors.New("rates: bad rate")
	// ErrBadThreshold reports a threshold that is not a finite number.
	ErrBadThreshold = errors.New("rates: bad threshold")
)

// Polarity says which direction of a score means "more similar". There is
// deliberately no default: the zero Polarity is invalid.
type Polarity int

const (
	// Distances: lower is more similar (Euclidean distance). A comparison
	// is accepted as a match when score < threshold.
	Distances Polarity = iota + 1
	// Similarities: higher is more similar (cosine similarity). A
	// comparison is accepted as a match when score > threshold.
	Similarities
)

func (p Polarity) String() string {
	switch p {
	case Distances:
		return "distances"
	case Similarities:
		return "similarities"
	}
	return fmt.Sprintf("Polarity(%d)", int(p))
}

// Scores holds the comparison scores of an evaluation: genuine (mated: both
// faces of the same person) and impostor (non-mated: different people),
// with their Polarity.
//
// The decision rule is strict, matching dlib's "distance < 0.6": with
// Distances a score equal to the threshold is a non-match; with
// Similarities likewise (score > threshold to match). So at threshold t
//
//	FMR(t)  = #{impostor scores accepted at t} / #impostor
//	FNMR(t) = #{genuine scores not accepted at t} / #genuine
//
// A Scores is immutable after NewScores and safe for concurrent use.
type Scores struct {
	polarity Polarity
	// gen and imp hold the scores sorted ascending in "distance
	// orientation": as given for Distances, negated for Similarities, so
	// one code path serves both (accept ⇔ key < threshold key).
	gen, imp []float64
}

// NewScores validates and copies the two score lists. Both must be
// non-empty and every score finite.
func NewScores(genuine, impostor []float64, p Polarity) (*Scores, error) {
	if p != Distances && p != Similarities {
		return nil, fmt.Errorf("%w: %v", ErrBadPolarity, p)
	}
	if len(genuine) == 0 {
		return nil, fmt.Errorf("%w: no genuine scores", ErrNoScores)
	}
	if len(impostor) == 0 {
		return nil, fmt.Errorf("%w: no impostor scores", ErrNoScores)
	}
	s := &Scores{polarity: p}
	var err error
	if s.gen, err = orient(genuine, p, "genuine"); err != nil {
		return nil, err
	}
	if s.imp, err = orient(impostor, p, "impostor"); err != nil {
		return nil, err
	}
	return s, nil
}

func orient(v []float64, p Polarity, what string) ([]float64, error) {
	out := make([]float64, len(v))
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %s score %d is %v", ErrBadScore, what, i, x)
		}
		if p == Similarities {
			x = -x
		}
		out[i] = x
	}
	slices.Sort(out)
	return out, nil
}

// Polarity returns the scores' polarity.
func (s *Scores) Polarity() Polarity { return s.polarity }

// NumGenuine and NumImpostor return the list sizes.
func (s *Scores) NumGenuine() int  { return len(s.gen) }
func (s *Scores) NumImpostor() int { return len(s.imp) }

// key converts a threshold between user units and distance orientation
// (the map is its own inverse).
func (s *Scores) key(t float64) float64 {
	if s.polarity == Similarities {
		return -t
	}
	return t
}

// Rate is one operating point: the error rates at a threshold.
type Rate struct {
	// Threshold in the scores' own units.
	Threshold float64 `json:"threshold"`
	// FMR is the false match rate: the share of impostor comparisons
	// accepted.
	FMR float64 `json:"fmr"`
	// FNMR is the false non-match rate: the share of genuine comparisons
	// rejected.
	FNMR float64 `json:"fnmr"`
	// TMR is the true match rate, 1 − FNMR (the ROC's y axis).
	TMR float64 `json:"tmr"`
	// FalseMatches and FalseNonMatches are the counts behind FMR and FNMR.
	FalseMatches    int `json:"falseMatches"`
	FalseNonMatches int `json:"falseNonMatches"`
}

// At returns the error rates at threshold t (in the scores' units). t must
// be finite.
func (s *Scores) At(t float64) (Rate, error) {
	if math.IsNaN(t) || math.IsInf(t, 0) {
		return Rate{}, fmt.Errorf("%w: %v", ErrBadThreshold, t)
	}
	return s.atKey(s.key(t)), nil
}

// atKey evaluates at a threshold in distance orientation: a score is
// accepted when its key is strictly below k.
func (s *Scores) atKey(k float64) Rate {
	ga := sort.SearchFloat64s(s.gen, k) // genuine keys < k
	ia := sort.SearchFloat64s(s.imp, k) // impostor keys < k
	fnm := len(s.gen) - ga
	r := Rate{
		Threshold:       s.key(k),
		FalseMatches:    ia,
		FalseNonMatches: fnm,
		FMR:             float64(ia) / float64(len(s.imp)),
		FNMR:            float64(fnm) / float64(len(s.gen)),
	}
	r.TMR = float64(ga) / float64(len(s.gen))
	return r
}

// operatingKeys returns every threshold key at which the rates change, in
// increasing order of FMR: each distinct score, then one step above the
// largest (where everything is accepted). The first point accepts nothing
// (FMR 0, FNMR 1); the last accepts everything (FMR 1, FNMR 0).
func (s *Scores) operatingKeys() []float64 {
	keys := make([]float64, 0, len(s.gen)+len(s.imp)+1)
	i, j := 0, 0
	for i < len(s.gen) || j < len(s.imp) {
		var k float64
		if j == len(s.imp) || (i < len(s.gen) && s.gen[i] <= s.imp[j]) {
			k = s.gen[i]
			i++
		} else {
			k = s.imp[j]
			j++
		}
		if n := len(keys); n == 0 || keys[n-1] != k {
			keys = append(keys, k)
		}
	}
	keys = append(keys, above(keys[len(keys)-1]))
	return keys
}

// above returns the smallest float64 greater than x (x finite). For the
// largest finite float it returns x itself, which still accepts every
// score but x; scores that large are not face-match scores.
func above(x float64) float64 {
	n := math.Nextafter(x, math.Inf(1))
	if math.IsInf(n, 0) {
		return x
	}
	return n
}

// Curve returns the operating points of the scores, ordered by increasing
// FMR (and decreasing FNMR): one point at every distinct score plus one
// accepting everything, so the exact step curve runs from (FMR 0, FNMR 1)
// to (FMR 1, FNMR 0). An ROC plots TMR against FMR; a DET plots FNMR
// against FMR (see DET).
//
// maxPoints ≤ 0 returns all points. Otherwise, if there are more, maxPoints
// (at least 2) points are picked evenly by index, always keeping the first
// and the last.
func (s *Scores) Curve(maxPoints int) []Rate {
	keys := pick(s.operatingKeys(), maxPoints)
	out := make([]Rate, len(keys))
	for i, k := range keys {
		out[i] = s.atKey(k)
	}
	return out
}

func pick(keys []float64, maxPoints int) []float64 {
	if maxPoints <= 0 || len(keys) <= maxPoints {
		return keys
	}
	if maxPoints < 2 {
		maxPoints = 2
	}
	out := make([]float64, maxPoints)
	last := len(keys) - 1
	for i := range out {
		out[i] = keys[int(int64(i)*int64(last)/int64(maxPoints-1))]
	}
	return out
}

// CurveAt returns the operating points at the given thresholds, in the
// order given. Every threshold must be finite.
func (s *Scores) CurveAt(thresholds []float64) ([]Rate, error) {
	out := make([]Rate, len(thresholds))
	for i, t := range thresholds {
		r, err := s.At(t)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// DETPoint is an operating point with its coordinates on a detection
// error trade-off plot: X and Y are the standard normal deviates
// (probit) of FMR and FNMR. Rates of exactly 0 or 1 have no finite deviate;
// they are plotted at half a count from the edge (0.5/n, 1 − 0.5/n, where n
// is the size of the impostor or genuine list), so every coordinate is
// finite.
type DETPoint struct {
	Rate
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// DET returns the curve (see Curve for maxPoints) with DET coordinates.
func (s *Scores) DET(maxPoints int) []DETPoint {
	c := s.Curve(maxPoints)
	out := make([]DETPoint, len(c))
	for i, r := range c {
		out[i] = DETPoint{Rate: r, X: probit(clampHalf(r.FMR, len(s.imp))), Y: probit(clampHalf(r.FNMR, len(s.gen)))}
	}
	return out
}

func clampHalf(p float64, n int) float64 {
	lo := 0.5 / float64(n)
	return min(max(p, lo), 1-lo)
}

// probit is the inverse of the standard normal CDF.
func probit(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}

// EER is the equal error rate: where FMR and FNMR cross.
type EER struct {
	// Rate is the interpolated error rate at which FMR = FNMR.
	Rate float64 `json:"rate"`
	// Threshold is the correspondingly interpolated threshold.
	Threshold float64 `json:"threshold"`
	// Below and Above are the two operating points that bracket the
	// crossing: FNMR > FMR at Below, FNMR ≤ FMR at Above.
	Below Rate `json:"below"`
	Above Rate `json:"above"`
}

// EER finds the equal error rate. Walking the operating points of Curve in
// order of increasing threshold, Below is the last point with FNMR > FMR
// and Above the first with FNMR ≤ FMR (both always exist: the first point
// has FNMR 1, FMR 0 and the last FNMR 0, FMR 1). The EER is where the
// straight segment from Below to Above in the (FMR, FNMR) plane meets the
// diagonal FMR = FNMR:
//
//	λ    = dB / (dB − dA),  d = FNMR − FMR at Below (dB > 0) and Above (dA ≤ 0)
//	EER  = FMR_B + λ·(FMR_A − FMR_B)
//	t    = t_B + λ·(t_A − t_B)
//
// When a point lies on the diagonal exactly, λ = 1 and the EER is that
// point's rate, at its threshold.
func (s *Scores) EER() EER {
	keys := s.operatingKeys()
	prev := s.atKey(keys[0])
	for _, k := range keys[1:] {
		cur := s.atKey(k)
		if cur.FNMR-cur.FMR <= 0 {
			dB := prev.FNMR - prev.FMR
			dA := cur.FNMR - cur.FMR
			l := dB / (dB - dA)
			return EER{
				Rate:      lerp(prev.FMR, cur.FMR, l),
				Threshold: lerp(prev.Threshold, cur.Threshold, l),
				Below:     prev,
				Above:     cur,
			}
		}
		prev = cur
	}
	// Unreachable: the last operating point has FNMR 0 and FMR 1.
	return EER{Rate: 0.5, Threshold: prev.Threshold, Below: prev, Above: prev}
}

// lerp returns (1−l)·a + l·b for l in [0, 1], kept within [a, b] (or [b, a]);
// unlike a + l·(b − a) it cannot overflow when a and b are huge and of
// opposite sign.
func lerp(a, b, l float64) float64 {
	v := (1-l)*a + l*b
	return min(max(v, min(a, b)), max(a, b))
}

// ThresholdForFMR returns the operating point with the loosest threshold
// whose FMR does not exceed target (in [0, 1]): the threshold is the
// (m+1)-th best impostor score, m = ⌊target·#impostor⌋, so that under the
// strict decision rule at most m impostor comparisons are accepted. Ties
// among impostor scores can make the achieved FMR lower than the target.
// With m ≥ #impostor every comparison is accepted.
func (s *Scores) ThresholdForFMR(target float64) (Rate, error) {
	if math.IsNaN(target) || target < 0 || target > 1 {
		return Rate{}, fmt.Errorf("%w: target FMR %v", ErrBadRate, target)
	}
	n := len(s.imp)
	// The small slack absorbs products such as 0.29·100 = 28.999999999999996.
	m := int(math.Floor(target*float64(n) + 1e-9))
	if m >= n {
		return s.atKey(above(max(s.imp[n-1], s.gen[len(s.gen)-1]))), nil
	}
	return s.atKey(s.imp[m]), nil
}

// ErrBadHistogram reports an unusable histogram range or bin count.
var ErrBadHistogram = errors.New("rates: bad histogram")

// MaxBins is the largest bin count NewHistogram accepts.
const MaxBins = 1 << 16

// Histogram counts scores in equal-width bins over [Lo, Hi]: bin i holds
// scores in [Lo + i·w, Lo + (i+1)·w), w = (Hi − Lo)/len(Counts), and the last
// bin also holds Hi. Scores outside the range are counted in Under and
// Over.
type Histogram struct {
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
	Counts []int   `json:"counts"`
	Under  int     `json:"under"`
	Over   int     `json:"over"`
	Total  int     `json:"total"`
}

// NewHistogram makes an empty histogram with bins bins over [lo, hi]; lo <
// hi, both finite, hi − lo finite, 1 ≤ bins ≤ MaxBins.
func NewHistogram(lo, hi float64, bins int) (*Histogram, error) {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(hi-lo, 0) || !(lo < hi) {
		return nil, fmt.Errorf("%w: range [%v, %v]", ErrBadHistogram, lo, hi)
	}
	if bins < 1 || bins > MaxBins {
		return nil, fmt.Errorf("%w: %d bins (want 1..%d)", ErrBadHistogram, bins, MaxBins)
	}
	return &Histogram{Lo: lo, Hi: hi, Counts: make([]int, bins)}, nil
}

// Add counts one score. It returns ErrBadScore (and counts nothing) for
// NaN; ±Inf count as Under or Over. It does not allocate.
func (h *Histogram) Add(x float64) error {
	if math.IsNaN(x) {
		return fmt.Errorf("%w: NaN", ErrBadScore)
	}
	h.Total++
	switch {
	case x < h.Lo:
		h.Under++
	case x > h.Hi:
		h.Over++
	default:
		n := len(h.Counts)
		i := int((x - h.Lo) / (h.Hi - h.Lo) * float64(n))
		h.Counts[min(max(i, 0), n-1)]++
	}
	return nil
}

// Width is the width of one bin.
func (h *Histogram) Width() float64 { return (h.Hi - h.Lo) / float64(len(h.Counts)) }

// Center returns the centre of bin i.
func (h *Histogram) Center(i int) float64 { return h.Lo + (float64(i)+0.5)*h.Width() }

// Density returns bin i's count as a probability density (count / (Total ·
// Width)), so genuine and impostor histograms of different sizes can share
// an axis. It is 0 for an empty histogram.
func (h *Histogram) Density(i int) float64 {
	if h.Total == 0 {
		return 0
	}
	return float64(h.Counts[i]) / (float64(h.Total) * h.Width())
}

// Histograms bins the genuine and impostor scores (in the scores' own
// units) over one common range, the smallest to the largest score of
// both lists, so the two can be drawn on one axis. If every score is
// equal the range is that score ± max(0.5, 1e-6·|score|).
func (s *Scores) Histograms(bins int) (genuine, impostor *Histogram, err error) {
	lo := min(s.gen[0], s.imp[0])
	hi := max(s.gen[len(s.gen)-1], s.imp[len(s.imp)-1])
	lo, hi = s.key(lo), s.key(hi)
	if lo > hi {
		lo, hi = hi, lo
	}
	if lo == hi {
		pad := max(0.5, 1e-6*math.Abs(lo))
		lo, hi = lo-pad, hi+pad
	}
	if genuine, err = NewHistogram(lo, hi, bins); err != nil {
		return nil, nil, err
	}
	impostor, _ = NewHistogram(lo, hi, bins)
	for _, k := range s.gen {
		genuine.Add(s.key(k))
	}
	for _, k := range s.imp {
		impostor.Add(s.key(k))
	}
	return genuine, impostor, nil
}
