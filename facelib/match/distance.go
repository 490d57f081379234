package match

import "math"

// DefaultThreshold is dlib's (and face-api's) decision threshold on the
// Euclidean distance between two raw (not normalised) embeddings: two faces
// are judged the same person when their distance is strictly below 0.6.
// Every threshold in this package is a Euclidean distance unless a
// function says otherwise; cosine similarity is offered for display and
// analysis only.
const DefaultThreshold = 0.6

// Distance returns the Euclidean distance between a and b. The inputs are
// not validated; on valid embeddings (see Embedding.Validate) the result is
// always finite.
func Distance(a, b *Embedding) float32 {
	return float32(math.Sqrt(float64(sqDist(a, b))))
}

// SquaredDistance returns the squared Euclidean distance between a and b.
// Comparing squared distances with a squared threshold avoids the square
// root; Gallery.Search does so internally.
func SquaredDistance(a, b *Embedding) float32 {
	return sqDist(a, b)
}

// Cosine returns the cosine similarity of a and b, in [-1, 1] (1 = same
// direction). The inputs must be valid embeddings (norm ≥ MinNorm); the
// result is clamped to [-1, 1] against rounding. For two zero-norm
// (invalid) inputs it returns 0 rather than NaN.
//
// Cosine similarity is a higher-is-more-similar score; DefaultThreshold
// does not apply to it.
func Cosine(a, b *Embedding) float32 {
	ab := float64(dot(a, b))
	aa := float64(dot(a, a))
	bb := float64(dot(b, b))
	den := math.Sqrt(aa) * math.Sqrt(bb)
	if !(den > 0) {
		return 0
	}
	c := ab / den
	switch {
	case c > 1:
		c = 1
	case c < -1:
		c = -1
	case c != c:
		c = 0
	}
	return float32(c)
}

// sqDist is the hot kernel: 128 float32 differences squared and summed,
// unrolled by 8 into 4 independent accumulators so consecutive additions do
// not wait on each other. The array pointers give constant bounds; the
// re-slicing pattern below lets the compiler drop every bounds check
// (verified with -gcflags=-d=ssa/check_bce).
func sqDist(a, b *Embedding) float32 {
	return sqDistSlice(a[:], b[:])
}

// sqDistSlice sums over the first len(x) &^ 7 components; callers pass
// slices of length Dim. The loop condition on both lengths is what removes
// the bounds checks.
func sqDistSlice(x, y []float32) float32 {
	var s0, s1, s2, s3 float32
	for len(x) >= 8 && len(y) >= 8 {
		d0 := x[0] - y[0]
		d1 := x[1] - y[1]
		d2 := x[2] - y[2]
		d3 := x[3] - y[3]
		d4 := x[4] - y[4]
		d5 := x[5] - y[5]
		d6 := x[6] - y[6]
		d7 := x[7] - y[7]
		s0 += d0*d0 + d4*d4
		s1 += d1*d1 + d5*d5
		s2 += d2*d2 + d6*d6
		s3 += d3*d3 + d7*d7
		x = x[8:]
		y = y[8:]
	}
	return (s0 + s1) + (s2 + s3)
}

func dot(a, b *Embedding) float32 {
	x, y := a[:], b[:]
	var s0, s1, s2, s3 float32
	for len(x) >= 8 && len(y) >= 8 {
		s0 += x[0]*y[0] + x[4]*y[4]
		s1 += x[1]*y[1] + x[5]*y[5]
		s2 += x[2]*y[2] + x[6]*y[6]
		s3 += x[3]*y[3] + x[7]*y[7]
		x = x[8:]
		y = y[8:]
	}
	return (s0 + s1) + (s2 + s3)
}
