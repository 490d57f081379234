package match

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/facewatch/facewatch/facelib/internal/core"
)

// Dim is the number of components in a face embedding (dlib's ResNet, as
// shipped in face-api).
const Dim = core.Dim

// MaxComponent bounds the magnitude of every component of a valid
// embedding. Real embeddings from the dlib network have components well
// under 1 (vector norms are about 1.3–1.6); the bound only exists so that
// squared distances and norms of valid embeddings can never overflow
// float32 (2e6² · 128 ≈ 5e14 ≪ 3.4e38).
const MaxComponent = 1e6

// MinNorm is the smallest Euclidean norm a valid embedding may have. A zero
// (or numerically zero) vector has no direction: cosine similarity is
// undefined for it and it is always the output of a bug, never of the
// network.
const MinNorm = 1e-6

// maxJSONBytes caps the size of a JSON embedding accepted by
// UnmarshalJSON: 128 numbers printed at full float64 precision with
// generous whitespace fit in well under 16 KiB.
const maxJSONBytes = 16 << 10

// ErrBadEmbedding reports a vector that is not a usable embedding: wrong
// length, a NaN or infinite component, a component beyond MaxComponent, or
// a norm below MinNorm.
var ErrBadEmbedding = errors.New("match: bad embedding")

// Embedding is one 128-d face embedding.
//
// It is a fixed-size array rather than a slice: facelib/embed produces
// exactly [128]float32 (as face-api does), so no length can be wrong, an
// Embedding is a plain value (copyable, comparable with ==, no aliasing),
// and the distance kernels index it with constant bounds, which lets the
// compiler drop every bounds check. Vectors of unknown provenance (JSON,
// float64 slices) enter through FromSlice, FromFloat64 or UnmarshalJSON,
// which validate.
//
// Embeddings are used as the network gives them, NOT L2-normalised: the
// dlib threshold of 0.6 (DefaultThreshold) was calibrated on these raw
// vectors. Use Normalized when a unit vector is wanted.
type Embedding [Dim]float32

// FromSlice builds an Embedding from a slice of exactly Dim float32 values
// and validates it. Errors wrap ErrBadEmbedding.
func FromSlice(v []float32) (Embedding, error) {
	var e Embedding
	if len(v) != Dim {
		return e, fmt.Errorf("%w: %d components, want %d", ErrBadEmbedding, len(v), Dim)
	}
	copy(e[:], v)
	if err := e.Validate(); err != nil {
		return Embedding{}, err
	}
	return e, nil
}

// FromFloat64 is FromSlice for float64 input. Values that overflow float32
// are rejected, not rounded to infinity silently.
func FromFloat64(v []float64) (Embedding, error) {
	var e Embedding
	if len(v) != Dim {
		return e, fmt.Errorf("%w: %d components, want %d", ErrBadEmbedding, len(v), Dim)
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > MaxComponent {
			return Embedding{}, fmt.Errorf("%w: component %d is %v", ErrBadEmbedding, i, x)
		}
		e[i] = float32(x)
	}
	if err := e.Validate(); err != nil {
		return Embedding{}, err
	}
	return e, nil
}

// Validate reports whether e is a usable embedding: every component finite
// and at most MaxComponent in magnitude, and the norm at least MinNorm.
// Errors wrap ErrBadEmbedding. It does not allocate when e is valid.
func (e *Embedding) Validate() error {
	// Fast path: the squared norm is NaN or +Inf if any component is NaN or
	// infinite, and at most MaxComponent² only if every component is within
	// ±MaxComponent. Only otherwise are the components examined one by one.
	ss := dot(e, e)
	if !(ss <= MaxComponent*MaxComponent) {
		for i, x := range e {
			// x != x is NaN; the range test also rejects ±Inf.
			if x != x || x > MaxComponent || x < -MaxComponent {
				return fmt.Errorf("%w: component %d is %v", ErrBadEmbedding, i, x)
			}
		}
		return nil // every component in range; the norm is large
	}
	if n := math.Sqrt(float64(ss)); n < MinNorm {
		return fmt.Errorf("%w: norm %g is below %g (zero vector)", ErrBadEmbedding, n, MinNorm)
	}
	return nil
}

// Norm returns the Euclidean length of e.
func (e *Embedding) Norm() float32 {
	return float32(math.Sqrt(float64(dot(e, e))))
}

// Normalized returns e scaled to unit length. It returns ErrBadEmbedding
// for an invalid e.
func (e *Embedding) Normalized() (Embedding, error) {
	if err := e.Validate(); err != nil {
		return Embedding{}, err
	}
	var ss float64
	for _, x := range e {
		ss += float64(x) * float64(x)
	}
	inv := 1 / math.Sqrt(ss)
	var u Embedding
	for i, x := range e {
		u[i] = float32(float64(x) * inv)
	}
	return u, nil
}

// MarshalJSON encodes e as a JSON array of 128 numbers. It refuses an
// invalid embedding (JSON has no NaN or Inf).
func (e Embedding) MarshalJSON() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal([Dim]float32(e))
}

// UnmarshalJSON decodes a JSON array of exactly 128 finite numbers and
// validates the result. Oversized input is rejected before decoding.
func (e *Embedding) UnmarshalJSON(data []byte) error {
	if len(data) > maxJSONBytes {
		return fmt.Errorf("%w: JSON of %d bytes exceeds %d", ErrBadEmbedding, len(data), maxJSONBytes)
	}
	var v []float64
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("%w: %v", ErrBadEmbedding, err)
	}
	if v == nil {
		return fmt.Errorf("%w: null or missing array", ErrBadEmbedding)
	}
	got, err := FromFloat64(v)
	if err != nil {
		return err
	}
	*e = got
	return nil
}
