package track

import "math"

// stage associates the live tracks in state st with the detections not
// yet matched.
func (t *Tracker) stage(dets []Detection, st State) {
	t.rows = t.rows[:0]
	for i, tr := range t.live {
		if tr.state == st {
			t.rows = append(t.rows, i)
		}
	}
	t.cols = t.cols[:0]
	for j, m := range t.detTrack {
		if m < 0 {
			t.cols = append(t.cols, j)
		}
	}
	t.associate(dets)
}

// associate matches t.rows (indices into t.live) with t.cols (indices into
// dets) by minimum total cost, never across the gates.
//
// The Hungarian algorithm finds the optimal assignment. Greedy matching
// (cheapest pair first) is simpler, but one cheap pair can force a bad match
// on the others (see TestHungarianGreedyTrap), which happens when faces are
// close: exactly when getting it right matters. With a few dozen faces at
// most, O(n³) costs microseconds.
func (t *Tracker) associate(dets []Detection) {
	n, m := len(t.rows), len(t.cols)
	if n == 0 || m == 0 {
		return
	}
	if cap(t.cost) < n*m {
		t.cost = make([]float64, n*m)
	}
	cost := t.cost[:n*m]
	// Gated pairs get a cost so high that the solver prefers any assignment
	// with more admissible pairs, then discards them.
	worst := 0.0
	for i, ti := range t.rows {
		tr := t.live[ti]
		for j, dj := range t.cols {
			c, ok := t.pairCost(tr, &dets[dj])
			if !ok || !finite(c) {
				c = -1
			} else if c > worst {
				worst = c
			}
			cost[i*m+j] = c
		}
	}
	big := (worst + 1) * float64(min(n, m)+1)
	for k, c := range cost {
		if c < 0 {
			cost[k] = big
		}
	}
	rows, cols := n, m
	if n > m { // the solver wants rows ≤ columns: solve the transpose
		t.transpose(n, m)
		cost = t.cost[:n*m]
		rows, cols = m, n
	}
	if cap(t.assign) < rows {
		t.assign = make([]int, rows)
	}
	assign := t.assign[:rows]
	t.hung.solve(cost, rows, cols, assign)
	for r, c := range assign {
		if c < 0 {
			continue
		}
		i, j := r, c
		if n > m {
			i, j = c, r
		}
		if cost[r*cols+c] >= big {
			continue
		}
		tr := t.live[t.rows[i]]
		tr.det = t.cols[j]
		t.detTrack[t.cols[j]] = t.rows[i]
	}
}

// transpose turns the n×m matrix at the front of t.cost into m×n, using the
// buffer's second half as scratch.
func (t *Tracker) transpose(n, m int) {
	if cap(t.cost) < 2*n*m {
		c := make([]float64, 2*n*m)
		copy(c, t.cost[:n*m])
		t.cost = c
	}
	buf := t.cost[:2*n*m]
	src, dst := buf[:n*m], buf[n*m:]
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			dst[j*n+i] = src[i*m+j]
		}
	}
	copy(src, dst)
}

// pairCost returns the cost of giving detection d to track tr, and false if
// the pair is outside a gate.
func (t *Tracker) pairCost(tr *track, d *Detection) (float64, bool) {
	c := &t.cfg
	if tr.refuted && len(d.Embedding) == 0 {
		// Motion last led this lost track to someone else: only its
		// appearance may re-find it now.
		return 0, false
	}
	pb, db := tr.box(), d.Box
	s := pb.Size()
	pc, dc := pb.Center(), db.Center()
	dx, dy := dc.X-pc.X, dc.Y-pc.Y // bounded by the input limits: no overflow
	dist := math.Sqrt(dx*dx+dy*dy) / s
	gate := c.MaxDistance + c.DistanceGrowth*(t.now-tr.last).Seconds()
	r := db.Size() / s
	if r < 1 {
		r = 1 / r
	}
	inGates := dist <= gate && r <= c.MaxSizeRatio
	hasApp := tr.nemb > 0 && len(d.Embedding) > 0
	reid := hasApp && tr.state == Lost && c.ReIDGate > 0
	if !inGates && !reid {
		return 0, false // cheap geometry first: most pairs end here
	}
	app := 0.0
	if hasApp {
		app = t.appear(tr.emb, d.Embedding)
		if !(app >= 0) { // NaN or negative: no usable answer, no match
			return 0, false
		}
		if c.AppearanceGate > 0 && app > c.AppearanceGate {
			return 0, false
		}
		if !inGates {
			// A lost face recognised by appearance may have moved far
			// and changed size while unseen.
			if app > c.ReIDGate || !(dist <= math.Max(gate, c.ReIDDistance)) {
				return 0, false
			}
		}
		app = math.Min(app, maxWeight)
	}
	return c.IoUWeight*(1-pb.IoU(db)) + c.DistanceWeight*dist + c.AppearanceWeight*app, true
}

func (t *Tracker) measurementVar(b Box) float64 {
	return sq(t.cfg.MeasurementNoise * b.Size())
}
