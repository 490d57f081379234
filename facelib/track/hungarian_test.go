package track

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteForce returns the minimum total cost over every assignment of the n
// rows to distinct columns.
func bruteForce(cost []float64, n, m int) float64 {
	best := math.Inf(1)
	used := make([]bool, m)
	var rec func(i int, sum float64)
	rec = func(i int, sum float64) {
		if i == n {
			best = math.Min(best, sum)
			return
		}
		for j := 0; j < m; j++ {
			if !used[j] {
				used[j] = true
				rec(i+1, sum+cost[i*m+j])
				used[j] = false
			}
		}
	}
	rec(0, 0)
	return best
}

func TestHungarianMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h hungarian
	for _, tc := range []struct {
		name    string
		n, m    int
		trials  int
		integer bool // small integer costs: many ties
	}{
		{"1x1", 1, 1, 20, false},
		{"1x5", 1, 5, 50, false},
		{"3x3", 3, 3, 200, false},
		{"3x3 ties", 3, 3, 200, true},
		{"4x6", 4, 6, 200, false},
		{"5x5 ties", 5, 5, 200, true},
		{"6x7", 6, 7, 100, false},
		{"7x7", 7, 7, 50, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cost := make([]float64, tc.n*tc.m)
			assign := make([]int, tc.n)
			for trial := 0; trial < tc.trials; trial++ {
				for k := range cost {
					if tc.integer {
						cost[k] = float64(rng.IntN(4))
					} else {
						cost[k] = rng.Float64() * 10
					}
				}
				h.solve(cost, tc.n, tc.m, assign)
				seen := make(map[int]bool)
				got := 0.0
				for i, j := range assign {
					if j < 0 || j >= tc.m || seen[j] {
						t.Fatalf("trial %d: invalid assignment %v", trial, assign)
					}
					seen[j] = true
					got += cost[i*tc.m+j]
				}
				if want := bruteForce(cost, tc.n, tc.m); math.Abs(got-want) > 1e-9 {
					t.Fatalf("trial %d: cost %v, optimum %v (assign %v)", trial, got, want, assign)
				}
			}
		})
	}
}

func TestHungarianGreedyTrap(t *testing.T) {
	// Greedy (cheapest pair first) takes (0,0) = 1 and is left with
	// (1,1) = 10: total 11. The optimum is (0,1)+(1,0) = 2+2 = 4.
	cost := []float64{
		1, 2,
		2, 10,
	}
	var h hungarian
	assign := make([]int, 2)
	h.solve(cost, 2, 2, assign)
	if assign[0] != 1 || assign[1] != 0 {
		t.Fatalf("assign = %v, want [1 0]", assign)
	}
}

func TestHungarianNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 32
	cost := make([]float64, n*n)
	for k := range cost {
		cost[k] = rng.Float64()
	}
	assign := make([]int, n)
	var h hungarian
	h.solve(cost, n, n, assign) // sizes the buffers
	if a := testing.AllocsPerRun(20, func() { h.solve(cost, n, n, assign) }); a != 0 {
		t.Fatalf("%v allocations per solve, want 0", a)
	}
}

func BenchmarkHungarian32(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 32
	cost := make([]float64, n*n)
	for k := range cost {
		cost[k] = rng.Float64()
	}
	assign := make([]int, n)
	var h hungarian
	b.ReportAllocs()
	for b.Loop() {
		h.solve(cost, n, n, assign)
	}
}

// A non-finite cost must not make the solver spin.
func TestHungarianNonFinite(t *testing.T) {
	var h hungarian
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		cost := []float64{bad, bad, bad, bad}
		assign := make([]int, 2)
		h.solve(cost, 2, 2, assign) // returns
		for _, j := range assign {
			if j < -1 || j > 1 {
				t.Fatalf("cost %v: assign %v", bad, assign)
			}
		}
	}
}
