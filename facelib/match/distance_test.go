package match

import (
	"math"
	"testing"
)

func TestDistance(t *testing.T) {
	a34 := axis(0, 3)
	a34[1] = 4
	opp := axis(5, -0.5)
	tests := []struct {
		name   string
		a, b   Embedding
		dist   float64 // hand-computed Euclidean distance
		cosine float64
	}{
		// 3-4-5 triangle between two orthogonal axes.
		{"orthogonal 0.3/0.4", axis(0, 0.3), axis(1, 0.4), 0.5, 0},
		{"identical", constant(0.1), constant(0.1), 0, 1},
		// √(128·0.1²) = √1.28
		{"constant 0.1 vs 0.2", constant(0.1), constant(0.2), math.Sqrt(1.28), 1},
		{"opposite", axis(5, 0.5), opp, 1, -1},
		// a = (3,4,0…), b = (3,0,…): distance 4, cosine 9/(5·3) = 0.6
		{"partial overlap", a34, axis(0, 3), 4, 0.6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := Distance(&tc.a, &tc.b); math.Abs(float64(d)-tc.dist) > 1e-6 {
				t.Errorf("Distance = %v, want %v", d, tc.dist)
			}
			if d := Distance(&tc.b, &tc.a); math.Abs(float64(d)-tc.dist) > 1e-6 {
				t.Errorf("Distance (swapped) = %v, want %v", d, tc.dist)
			}
			if d := SquaredDistance(&tc.a, &tc.b); math.Abs(float64(d)-tc.dist*tc.dist) > 1e-5 {
				t.Errorf("SquaredDistance = %v, want %v", d, tc.dist*tc.dist)
			}
			if c := Cosine(&tc.a, &tc.b); math.Abs(float64(c)-tc.cosine) > 1e-6 {
				t.Errorf("Cosine = %v, want %v", c, tc.cosine)
			}
		})
	}
}

// TestDistanceMatchesNaive checks the unrolled kernel against a plain loop
// in float64 on vectors with every component different.
func TestDistanceMatchesNaive(t *testing.T) {
	var a, b Embedding
	for i := range a {
		a[i] = float32(math.Sin(float64(i)*0.7)) * 0.15
		b[i] = float32(math.Cos(float64(i)*1.3)) * 0.12
	}
	var ss, ab, aa, bb float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		ss += d * d
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	if d := Distance(&a, &b); math.Abs(float64(d)-math.Sqrt(ss)) > 1e-6 {
		t.Errorf("Distance = %v, naive %v", d, math.Sqrt(ss))
	}
	want := ab / math.Sqrt(aa*bb)
	if c := Cosine(&a, &b); math.Abs(float64(c)-want) > 1e-6 {
		t.Errorf("Cosine = %v, naive %v", c, want)
	}
}

func TestCosineZero(t *testing.T) {
	var z Embedding
	e := constant(0.1)
	if c := Cosine(&z, &e); c != 0 {
		t.Fatalf("Cosine(zero, e) = %v, want 0 (not NaN)", c)
	}
}

// TestExtremeValidEmbeddings: at the bounds Validate allows, distances and
// cosines stay finite.
func TestExtremeValidEmbeddings(t *testing.T) {
	big, nbig := constant(MaxComponent), constant(-MaxComponent)
	small := axis(3, 2*MinNorm)
	for _, p := range [][2]*Embedding{{&big, &nbig}, {&big, &small}, {&small, &small}, {&nbig, &small}} {
		for _, e := range p {
			if err := e.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		}
		d, c := Distance(p[0], p[1]), Cosine(p[0], p[1])
		if math.IsNaN(float64(d)) || math.IsInf(float64(d), 0) || math.IsNaN(float64(c)) || c < -1 || c > 1 {
			t.Fatalf("Distance %v, Cosine %v", d, c)
		}
	}
}
