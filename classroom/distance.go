package classroom

import "math"

// distance is the Euclidean distance between two embeddings, the dlib
// convention the threshold 0.6 refers to. It is the classroom's only
// similarity function, kept in one place so that it can become a call to
// facelib/match.Distance without touching the rest.
func distance(a, b *[EmbeddingDim]float32) float32 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return float32(math.Sqrt(s))
}
