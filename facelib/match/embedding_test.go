package match

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// axis returns an embedding with v on component i and 0 elsewhere.
func axis(i int, v float32) Embedding {
	var e Embedding
	e[i] = v
	return e
}

// constant returns an embedding with every component v.
func constant(v float32) Embedding {
	var e Embedding
	for i := range e {
		e[i] = v
	}
	return e
}

func with(e Embedding, i int, v float32) []float32 {
	e[i] = v
	return e[:]
}

func TestFromSlice(t *testing.T) {
	good := constant(0.1)
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	tests := []struct {
		name string
		in   []float32
		ok   bool
	}{
		{"valid", good[:], true},
		{"one axis", with(Embedding{}, 7, 0.5), true},
		{"component at MaxComponent", with(good, 3, MaxComponent), true},
		{"nil", nil, false},
		{"127 components", good[:127], false},
		{"129 components", append(good[:], 0.1), false},
		{"NaN", with(good, 5, nan), false},
		{"+Inf", with(good, 0, inf), false},
		{"-Inf", with(good, 127, -inf), false},
		{"beyond MaxComponent", with(good, 9, 2*MaxComponent), false},
		{"zero vector", make([]float32, Dim), false},
		// norm 1e-9·√128 ≈ 1.1e-8 < MinNorm
		{"numerically zero", func() []float32 { e := constant(1e-9); return e[:] }(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := FromSlice(tc.in)
			if tc.ok {
				if err != nil {
					t.Fatalf("FromSlice: %v", err)
				}
				for i := range e {
					if e[i] != tc.in[i] {
						t.Fatalf("component %d = %v, want %v", i, e[i], tc.in[i])
					}
				}
				return
			}
			if !errors.Is(err, ErrBadEmbedding) {
				t.Fatalf("FromSlice err = %v, want ErrBadEmbedding", err)
			}
			if e != (Embedding{}) {
				t.Fatalf("FromSlice returned non-zero embedding with error")
			}
		})
	}
}

func TestFromFloat64(t *testing.T) {
	v := make([]float64, Dim)
	for i := range v {
		v[i] = 0.1
	}
	e, err := FromFloat64(v)
	if err != nil || e != constant(0.1) {
		t.Fatalf("FromFloat64 = %v, %v", e[:3], err)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(-1), 1e39, -2e6} {
		v[4] = bad
		if _, err := FromFloat64(v); !errors.Is(err, ErrBadEmbedding) {
			t.Errorf("component %v: err = %v, want ErrBadEmbedding", bad, err)
		}
	}
	if _, err := FromFloat64(v[:5]); !errors.Is(err, ErrBadEmbedding) {
		t.Errorf("short slice: err = %v", err)
	}
}

func TestNormalized(t *testing.T) {
	// (3, 4, 0, …) has norm 5.
	e := axis(0, 3)
	e[1] = 4
	if n := e.Norm(); n != 5 {
		t.Fatalf("Norm = %v, want 5", n)
	}
	u, err := e.Normalized()
	if err != nil {
		t.Fatal(err)
	}
	if u[0] != 0.6 || u[1] != 0.8 || u.Norm() != 1 {
		t.Fatalf("Normalized = %v %v (norm %v), want 0.6 0.8 (norm 1)", u[0], u[1], u.Norm())
	}
	var zero Embedding
	if _, err := zero.Normalized(); !errors.Is(err, ErrBadEmbedding) {
		t.Fatalf("zero.Normalized err = %v", err)
	}
}

func TestEmbeddingJSON(t *testing.T) {
	e := constant(0.1)
	e[0], e[127] = -0.25, 0.123456789
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Embedding
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal(%s…): %v", b[:20], err)
	}
	if back != e {
		t.Fatalf("round trip changed the embedding: %v vs %v", back[:2], e[:2])
	}
	// As a struct field, the way the classroom and CLI carry it.
	type msg struct {
		ID  string    `json:"id"`
		Emb Embedding `json:"embedding"`
	}
	b, err = json.Marshal(msg{"x", e})
	if err != nil {
		t.Fatal(err)
	}
	var m msg
	if err := json.Unmarshal(b, &m); err != nil || m.Emb != e {
		t.Fatalf("struct round trip: %v", err)
	}
	if _, err := json.Marshal(Embedding{}); !errors.Is(err, ErrBadEmbedding) {
		t.Fatalf("Marshal(zero) err = %v, want ErrBadEmbedding", err)
	}

	nums := func(n int, v string) string { return "[" + strings.TrimSuffix(strings.Repeat(v+",", n), ",") + "]" }
	bad := []struct{ name, in string }{
		{"null", "null"},
		{"string", `"abc"`},
		{"object", `{}`},
		{"short", nums(127, "0.1")},
		{"long", nums(129, "0.1")},
		{"float64 overflow", nums(127, "0.1")[:len(nums(127, "0.1"))-1] + ",1e400]"},
		{"float32 overflow", nums(127, "0.1")[:len(nums(127, "0.1"))-1] + ",1e39]"},
		{"zeros", nums(128, "0")},
		{"oversized", nums(10000, "0.1")},
		{"truncated", nums(128, "0.1")[:100]},
	}
	for _, tc := range bad {
		var e Embedding
		if err := json.Unmarshal([]byte(tc.in), &e); err == nil {
			t.Errorf("%s: Unmarshal accepted %q…", tc.name, tc.in[:min(len(tc.in), 30)])
		}
		if err := e.UnmarshalJSON([]byte(tc.in)); !errors.Is(err, ErrBadEmbedding) {
			t.Errorf("%s: UnmarshalJSON err = %v, want ErrBadEmbedding", tc.name, err)
		}
	}
}
