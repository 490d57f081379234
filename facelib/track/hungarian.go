package track

import "math"

// hungarian solves the rectangular assignment problem: given an n×m cost
// matrix with n ≤ m, choose one distinct column per row minimising the total
// cost. It is the O(n²·m) shortest-augmenting-path form of the Hungarian
// (Kuhn–Munkres) algorithm with row and column potentials. All buffers are
// kept between calls, so solving a problem no larger than a previous one
// allocates nothing.
//
// Ties are broken by index order, so the result is deterministic.
type hungarian struct {
	u, v, minv []float64
	p, way     []int
	used       []bool
}

func (h *hungarian) grow(n, m int) {
	if cap(h.u) < n+1 {
		h.u = make([]float64, n+1)
	}
	h.u = h.u[:n+1]
	if cap(h.v) < m+1 {
		h.v = make([]float64, m+1)
		h.minv = make([]float64, m+1)
		h.p = make([]int, m+1)
		h.way = make([]int, m+1)
		h.used = make([]bool, m+1)
	}
	h.v, h.minv = h.v[:m+1], h.minv[:m+1]
	h.p, h.way, h.used = h.p[:m+1], h.way[:m+1], h.used[:m+1]
}

// solve fills assign[i] with the column given to row i. cost is row-major,
// cost[i*m+j]; every entry must be finite (the tracker guarantees it; should
// one not be, solve still returns, leaving rows it could not place at -1).
// n must not exceed m.
func (h *hungarian) solve(cost []float64, n, m int, assign []int) {
	if n == 0 {
		return
	}
	h.grow(n, m)
	u, v, minv, p, way, used := h.u, h.v, h.minv, h.p, h.way, h.used
	clear(u)
	clear(v)
	clear(p)
	clear(way)
	inf := math.Inf(1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = inf
			used[j] = false
		}
		for {
			used[j0] = true
			i0 := p[j0]
			delta, j1 := inf, 0
			row := cost[(i0-1)*m:]
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				cur := row[j-1] - u[i0] - v[j]
				if cur < minv[j] {
					minv[j] = cur
					way[j] = j0
				}
				if minv[j] < delta {
					delta = minv[j]
					j1 = j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			if j1 == 0 { // only with non-finite costs: give up, never spin
				for k := range assign[:n] {
					assign[k] = -1
				}
				return
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	for k := range assign[:n] {
		assign[k] = -1
	}
	for j := 1; j <= m; j++ {
		if p[j] != 0 {
			assign[p[j]-1] = j - 1
		}
	}
}
