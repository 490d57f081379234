package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// TFJSReport is the JSON document tools/bench-tfjs.mjs prints: face-api's
// FaceRecognitionNet timed on each tfjs backend, one thread, times in
// milliseconds.
type TFJSReport struct {
	Tool    string        `json:"tool"`
	Chip    string        `json:"chip"`
	Node    string        `json:"node"`
	TFJS    string        `json:"tfjs"`
	FaceAPI string        `json:"face_api"`
	Runs    int           `json:"runs"`
	Warmup  int           `json:"warmup"`
	Threads int           `json:"threads"`
	Results []TFJSBackend `json:"results"`
}

// TFJSBackend is one backend's timing, or its error.
type TFJSBackend struct {
	Backend  string  `json:"backend"` // "cpu", "wasm-simd" or "wasm"
	SIMD     bool    `json:"simd"`
	MedianMs float64 `json:"median_ms"`
	MinMs    float64 `json:"min_ms"`
	MaxMs    float64 `json:"max_ms"`
	Runs     int     `json:"runs"`
	Norm     float64 `json:"norm"`
	// MaxAbsDiff compares the backend's descriptor with the first
	// backend's.
	MaxAbsDiff float64 `json:"max_abs_diff_vs_first"`
	Error      string  `json:"error"`
}

// ErrBadTFJS reports output of tools/bench-tfjs.mjs that is not the
// documented JSON shape.
var ErrBadTFJS = errors.New("bad tools/bench-tfjs.mjs output")

// ParseTFJS decodes and checks tools/bench-tfjs.mjs output. A backend that
// failed keeps its Error; one that claims success must have a positive,
// finite median.
func ParseTFJS(b []byte) (*TFJSReport, error) {
	var r TFJSReport
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTFJS, err)
	}
	if len(r.Results) == 0 {
		return nil, fmt.Errorf("%w: no results", ErrBadTFJS)
	}
	for _, x := range r.Results {
		if x.Backend == "" {
			return nil, fmt.Errorf("%w: a result without a backend", ErrBadTFJS)
		}
		if x.Error == "" && !(x.MedianMs > 0 && !math.IsInf(x.MedianMs, 0)) {
			return nil, fmt.Errorf("%w: backend %s has median %v ms", ErrBadTFJS, x.Backend, x.MedianMs)
		}
	}
	return &r, nil
}

// Backend returns the named backend's result, if it ran without error.
func (r *TFJSReport) Backend(name string) (TFJSBackend, bool) {
	for _, x := range r.Results {
		if x.Backend == name && x.Error == "" {
			return x, true
		}
	}
	return TFJSBackend{}, false
}
