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

//go:generate go run gen_kernels.go

// sqDist and dot are the hot kernels, generated into kernels.go fully
// unrolled over the 128 components with four independent accumulators.
// Arrays with constant indices need no bounds checks (verified with
// -gcflags=-d=ssa/check_bce).
func sqDist(a, b *Embedding) float32 {
	return sqDistArr((*[Dim]float32)(a), (*[Dim]float32)(b))
}

func dot(a, b *Embedding) float32 {
	return dotArr((*[Dim]float32)(a), (*[Dim]float32)(b))
}
