package classroom

import "github.com/facewatch/facewatch/facelib/match"

// Threshold is the Euclidean distance under which two embeddings count as
// "the same person" by dlib's convention; the teacher page starts its
// slider there.
const Threshold = match.DefaultThreshold

// distance is the Euclidean distance between two embeddings, the classroom's
// only similarity function, from facelib/match.
func distance(a, b *[EmbeddingDim]float32) float32 {
	return match.Distance((*match.Embedding)(a), (*match.Embedding)(b))
}
