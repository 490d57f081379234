package match

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"
)

func floats32(data []byte) []float32 {
	v := make([]float32, len(data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return v
}

func floats64(data []byte) []float64 {
	v := make([]float64, len(data)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return v
}

func finite32(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }
func finite(x float64) bool   { return !math.IsNaN(x) && !math.IsInf(x, 0) }
func in01(x float64) bool     { return x >= 0 && x <= 1 }

// FuzzFromSlice: arbitrary float32 bit patterns (NaN, ±Inf, subnormals,
// huge values, any length) either fail with ErrBadEmbedding or give an
// embedding on which every operation stays finite.
func FuzzFromSlice(f *testing.F) {
	e := constant(0.1)
	f.Add(false, binary.LittleEndian.AppendUint32(nil, math.Float32bits(0.5)))
	buf := make([]byte, 0, Dim*4)
	for _, x := range e {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
	}
	f.Add(false, buf)
	f.Add(true, binary.LittleEndian.AppendUint32(nil, math.Float32bits(-3e-39)))
	f.Fuzz(func(t *testing.T, tile bool, data []byte) {
		// With tile set, data is repeated to exactly Dim floats, so the
		// fuzzer explores values rather than lengths.
		if tile && len(data) > 0 {
			for len(data) < Dim*4 {
				data = append(data, data...)
			}
			data = data[:Dim*4]
		}
		v := floats32(data)
		e, err := FromSlice(v)
		if err != nil {
			if !errors.Is(err, ErrBadEmbedding) {
				t.Fatalf("error %v does not wrap ErrBadEmbedding", err)
			}
			return
		}
		if len(v) != Dim {
			t.Fatalf("accepted %d components", len(v))
		}
		ref := constant(0.1)
		d, c, n := Distance(&e, &ref), Cosine(&e, &ref), e.Norm()
		if !finite32(d) || !finite32(c) || c < -1 || c > 1 || !finite32(n) || n <= 0 {
			t.Fatalf("Distance %v Cosine %v Norm %v", d, c, n)
		}
		if Distance(&e, &e) != 0 || Cosine(&e, &e) < 0.999 {
			t.Fatalf("self distance %v, self cosine %v", Distance(&e, &e), Cosine(&e, &e))
		}
		u, err := e.Normalized()
		if err != nil || math.Abs(float64(u.Norm())-1) > 1e-5 {
			t.Fatalf("Normalized: norm %v, %v", u.Norm(), err)
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back Embedding
		if err := json.Unmarshal(b, &back); err != nil || back != e {
			t.Fatalf("JSON round trip: %v", err)
		}
	})
}

// FuzzEmbeddingJSON: arbitrary JSON never panics; what is accepted is a
// valid embedding that survives a round trip.
func FuzzEmbeddingJSON(f *testing.F) {
	f.Add([]byte(`[0.1, 0.2]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[1e400]`))
	ok, _ := json.Marshal(constant(0.1))
	f.Add(ok)
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Embedding
		if err := json.Unmarshal(data, &e); err != nil {
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("accepted an invalid embedding: %v", err)
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back Embedding
		if err := json.Unmarshal(b, &back); err != nil || back != e {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzGallery drives a gallery with an arbitrary sequence of operations
// and checks it against the naive reference after each one.
func FuzzGallery(f *testing.F) {
	f.Add([]byte{0, 1, 10, 0, 2, 20, 0, 1, 30, 3, 0, 5, 1, 1, 0, 3, 0, 7, 2, 2, 40, 3, 2, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 600 {
			ops = ops[:600]
		}
		g := NewGallery()
		ref := reference{}
		var buf []Candidate
		for len(ops) >= 3 {
			op, idb, seed := ops[0]%4, ops[1]%16, ops[2]
			ops = ops[3:]
			id := string(rune('a' + idb))
			// A deterministic embedding per seed; coarse values give many ties.
			var e Embedding
			for i := range e {
				e[i] = float32((int(seed)*31+i*7)%5) * 0.25
			}
			e[int(seed)%Dim] += 0.5
			switch op {
			case 0:
				if err := g.Add(id, e); err != nil {
					t.Fatal(err)
				}
				ref[id] = append(ref[id], e)
			case 1:
				if g.Remove(id) != (ref[id] != nil) {
					t.Fatalf("Remove(%s)", id)
				}
				delete(ref, id)
			case 2:
				if err := g.Replace(id, e, e); err != nil {
					t.Fatal(err)
				}
				ref[id] = []Embedding{e, e}
			case 3:
				k := 1 + int(seed%5)
				var err error
				if buf, err = g.Search(buf, &e, k); err != nil {
					t.Fatal(err)
				}
				if want := ref.search(&e, k); !slices.Equal(buf, want) {
					t.Fatalf("Search = %v, want %v", buf, want)
				}
			}
			checkInvariants(t, g)
		}
	})
}
