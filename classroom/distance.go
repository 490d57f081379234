package classroom

import (
	"math"

	"github.com/facewatch/facewatch/facelib/match"
)

// Threshold is the Euclidean distance under which two embeddings count as
// "the same person" by dlib's convention; the teacher page starts its
// slider there.
const Threshold = match.DefaultThreshold

// distance is the Euclidean distance between two embeddings, the classroom's
// only similarity function, from facelib/match.
func distance(a, b *match.Embedding) float32 {
	return match.Distance(a, b)
}

// DistanceBin is the default step of the distances the teacher receives:
// each is rounded down to a multiple of it, so a cell that reads 0.60
// means "at least 0.60 and under 0.65". Counts of pairs under a threshold
// that is itself a multiple of the step stay exact; what is lost is the
// precision a reconstruction from distances needs (docs/classroom.md).
const DistanceBin = 0.05

// binDown rounds d down to a multiple of step, as the teacher receives it.
func binDown(d float32, step float64) float64 {
	k := math.Floor(float64(d)/step + 1e-9)
	return k * step
}
