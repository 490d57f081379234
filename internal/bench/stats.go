package bench

import (
	"math"
	"slices"
)

// Summary describes repeated measurements of one quantity.
type Summary struct {
	Median, Min, Max float64
	N                int
}

// Summarize returns the median, minimum and maximum of xs, ignoring NaNs.
// The median of an even count is the mean of the two middle values. An empty
// input gives a zero Summary with Median NaN.
func Summarize(xs []float64) Summary {
	v := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return Summary{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Summary{Median: m, Min: v[0], Max: v[len(v)-1], N: len(v)}
}

// Median returns the median of xs (NaN for none).
func Median(xs []float64) float64 { return Summarize(xs).Median }

// PairedRatio returns the median over i of a[i]/b[i]: the ratio of two
// quantities measured in interleaved rounds, so that each pair saw the same
// machine load. Pairs with a non-positive or NaN denominator are skipped.
func PairedRatio(a, b []float64) float64 {
	n := min(len(a), len(b))
	r := make([]float64, 0, n)
	for i := range n {
		if b[i] > 0 && !math.IsNaN(a[i]) {
			r = append(r, a[i]/b[i])
		}
	}
	return Median(r)
}
