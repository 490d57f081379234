package track

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Errors returned by New and Update. They are wrapped with details; test
// with errors.Is.
var (
	ErrConfig            = errors.New("track: invalid config")
	ErrBox               = errors.New("track: invalid detection box")
	ErrScore             = errors.New("track: invalid detection score")
	ErrEmbedding         = errors.New("track: invalid detection embedding")
	ErrTime              = errors.New("track: invalid frame time")
	ErrTooManyDetections = errors.New("track: too many detections in one frame")
)

// State is where a track is in its life.
type State uint8

const (
	// Tentative: started by a detection, not yet seen ConfirmHits times.
	// Tentative tracks have ID 0 and are not reported by default.
	Tentative State = iota + 1
	// Confirmed: detected in the current frame and given an ID.
	Confirmed
	// Lost: confirmed before, not detected in the current frame; its box is
	// predicted forward and it can be re-found with the same ID until MaxLost
	// has passed.
	Lost
	// Removed: lost for longer than MaxLost. Only summaries in the history
	// are in this state.
	Removed
)

func (s State) String() string {
	switch s {
	case Tentative:
		return "tentative"
	case Confirmed:
		return "confirmed"
	case Lost:
		return "lost"
	case Removed:
		return "removed"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Detection is one face found in a frame.
type Detection struct {
	Box   Box
	Score float32
	// Embedding is optional. When given it must have the same length in
	// every detection and frame; the tracker copies it, never retains it.
	Embedding []float32
}

// Track is a snapshot of one tracked face, as returned by Update. The
// methods read the tracker's own buffers and are valid until the next
// Update; after that they return nothing.
type Track struct {
	// ID is unique for the life of the Tracker and never reused; IDs are
	// given at confirmation, in order, starting at 1. It is 0 for
	// tentative tracks.
	ID    int
	State State
	// Box is the filtered box, or the predicted box when the track is lost.
	Box Box
	// Velocity is the estimated velocity of the box centre, pixels per
	// second.
	Velocity [2]float64
	// Detection is the index, in the detections passed to Update, of the
	// detection matched to this track in this frame, or -1.
	Detection int
	// Score is the score of the last detection matched to the track.
	Score float32
	// FirstSeen and LastSeen are the times of the first and the latest
	// detection matched to the track.
	FirstSeen, LastSeen time.Duration
	// Dwell is the time in view: the sum of the intervals in which the
	// track was seen (gaps longer than TimelineMinGap excluded).
	Dwell time.Duration
	// Hits is the number of frames the track was detected in. Misses is the
	// number of consecutive frames, up to now, it was not (0 when detected
	// in this frame).
	Hits, Misses int

	t   *track
	gen uint64
}

func (tr *Track) live() *track {
	if tr.t == nil || tr.t.gen != tr.gen {
		return nil
	}
	return tr.t
}

// Trail appends the track's last centres (at most Config.TrailLen), oldest
// first, to dst and returns it.
func (tr *Track) Trail(dst []Point) []Point {
	t := tr.live()
	if t == nil {
		return dst
	}
	n := len(t.trail)
	start := t.trailHead - t.trailN
	if start < 0 {
		start += n
	}
	for i := 0; i < t.trailN; i++ {
		dst = append(dst, t.trail[(start+i)%n])
	}
	return dst
}

// Intervals appends the track's timeline, the intervals in which it was
// seen, oldest first, to dst and returns it.
func (tr *Track) Intervals(dst []Interval) []Interval {
	t := tr.live()
	if t == nil {
		return dst
	}
	return append(dst, t.iv[:t.niv]...)
}

// track is the tracker's state for one face. Objects are pooled and reused;
// gen tells a stale Track snapshot from a live one.
type track struct {
	id    int
	gen   uint64
	state State

	kx, ky, kw, kh kf1

	first, last time.Duration
	dwell       time.Duration
	hits        int
	misses      int
	det         int
	score       float32

	refind   int           // detections held back while re-finding a lost track
	refindAt time.Duration // time of the first of them

	emb  []float32
	nemb int

	trail             []Point
	trailHead, trailN int

	iv  []Interval
	niv int

	sides   []int8  // per line: the side the centre last settled on
	anchors []Point // per line: the last centre seen on that side
}

func (t *track) box() Box {
	return boxFromCenter(t.kx.x, t.ky.x, math.Max(t.kw.x, 1), math.Max(t.kh.x, 1))
}

// Tracker follows faces across frames. It is not safe for concurrent use.
type Tracker struct {
	cfg     Config
	appear  func(a, b []float32) float64
	live    []*track
	free    []*track
	now     time.Duration
	started bool
	nextID  int
	gen     uint64
	dim     int
	counts  []LineCount
	hist    history

	// per-frame scratch, reused
	cost     []float64
	assign   []int
	detTrack []int
	rows     []int
	cols     []int
	hung     hungarian
	view     []Track
}

// New returns a Tracker, or an error wrapping ErrConfig.
func New(c Config) (*Tracker, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	c.Lines = append([]Line(nil), c.Lines...)
	t := &Tracker{
		cfg:      c,
		appear:   c.Appearance,
		nextID:   1,
		counts:   make([]LineCount, len(c.Lines)),
		live:     make([]*track, 0, c.MaxTracks),
		free:     make([]*track, 0, c.MaxTracks),
		detTrack: make([]int, 0, c.MaxDetections),
		view:     make([]Track, 0, c.MaxTracks),
	}
	if t.appear == nil {
		t.appear = euclidean
	}
	t.hist.init(c.HistoryLen, c.MaxIntervals)
	return t, nil
}

// Config returns the tracker's configuration.
func (t *Tracker) Config() Config {
	c := t.cfg
	c.Lines = append([]Line(nil), c.Lines...)
	return c
}

// Reset forgets every track, count and summary, keeping the buffers. IDs
// start again at 1.
func (t *Tracker) Reset() {
	for _, tr := range t.live {
		t.release(tr)
	}
	t.live = t.live[:0]
	t.view = t.view[:0]
	t.now, t.started, t.nextID, t.dim = 0, false, 1, 0
	clear(t.counts)
	t.hist.reset()
}

// IDs returns how many IDs have been given so far (confirmed tracks).
func (t *Tracker) IDs() int { return t.nextID - 1 }

// Crossings appends the counts for each Config.Lines entry, in order, to dst.
func (t *Tracker) Crossings(dst []LineCount) []LineCount {
	return append(dst, t.counts...)
}

// Update folds in the detections of the frame taken at now (time since the
// start of the stream, never decreasing) and returns the tracks to report:
// confirmed tracks, plus lost and tentative ones if the Config asks, ordered
// by ID (tentative last). The returned slice is reused by the next Update.
//
// Bad input (a NaN, infinite, empty or huge box, a NaN score, an embedding of
// the wrong length, time going backwards) returns an error and leaves the
// tracker unchanged.
func (t *Tracker) Update(dets []Detection, now time.Duration) ([]Track, error) {
	if err := t.check(dets, now); err != nil {
		return nil, err
	}
	dt := 0.0
	if t.started {
		dt = (now - t.now).Seconds()
	}
	t.now, t.started = now, true

	// Lost tracks past MaxLost go before association, so they cannot be
	// re-found by this frame's detections.
	keep := t.live[:0]
	for _, tr := range t.live {
		if tr.state == Lost && now-tr.last > t.cfg.MaxLost {
			t.hist.add(tr)
			t.release(tr)
			continue
		}
		keep = append(keep, tr)
	}
	clear(t.live[len(keep):])
	t.live = keep

	for _, tr := range t.live {
		s := tr.box().Size()
		q := sq(t.cfg.MotionNoise * s)
		tr.kx.predict(dt, q)
		tr.ky.predict(dt, q)
		tr.kw.predict(dt, q)
		tr.kh.predict(dt, q)
		tr.det = -1
	}

	t.detTrack = t.detTrack[:len(dets)]
	for i := range t.detTrack {
		t.detTrack[i] = -1
	}
	// A matching cascade: tracks seen in the last frame pick first, then
	// lost ones, then tentative ones. A lost track's prediction is less
	// certain, so it must not take a face that a live track explains; and a
	// tentative track (perhaps a false detection) can never take a detection
	// from an established face.
	t.stage(dets, Confirmed)
	t.stage(dets, Lost)
	t.stage(dets, Tentative)

	// Apply: hits, misses, removals.
	keep = t.live[:0]
	for _, tr := range t.live {
		if tr.det >= 0 {
			t.hit(tr, &dets[tr.det])
			keep = append(keep, tr)
			continue
		}
		if t.miss(tr) {
			keep = append(keep, tr)
		}
	}
	clear(t.live[len(keep):])
	t.live = keep

	for j := range dets {
		if t.detTrack[j] < 0 && len(t.live) < t.cfg.MaxTracks {
			t.spawn(&dets[j], j)
		}
	}
	return t.report(), nil
}

func (t *Tracker) check(dets []Detection, now time.Duration) error {
	if now < 0 {
		return fmt.Errorf("%w: negative time %v", ErrTime, now)
	}
	if t.started && now < t.now {
		return fmt.Errorf("%w: time went backwards from %v to %v", ErrTime, t.now, now)
	}
	if len(dets) > t.cfg.MaxDetections {
		return fmt.Errorf("%w: %d > MaxDetections %d", ErrTooManyDetections, len(dets), t.cfg.MaxDetections)
	}
	dim := t.dim
	for i := range dets {
		d := &dets[i]
		b := d.Box
		if !finite(b.X) || !finite(b.Y) || !finite(b.W) || !finite(b.H) ||
			b.W <= 0 || b.H <= 0 || math.Abs(b.X) > maxCoord || math.Abs(b.Y) > maxCoord ||
			b.W > maxCoord || b.H > maxCoord {
			return fmt.Errorf("%w: detection %d: %+v", ErrBox, i, b)
		}
		if !finite(float64(d.Score)) {
			return fmt.Errorf("%w: detection %d: %v", ErrScore, i, d.Score)
		}
		if len(d.Embedding) == 0 {
			continue
		}
		if dim == 0 {
			if len(d.Embedding) > maxEmbeddingDim {
				return fmt.Errorf("%w: detection %d: length %d > %d", ErrEmbedding, i, len(d.Embedding), maxEmbeddingDim)
			}
			dim = len(d.Embedding)
		}
		if len(d.Embedding) != dim {
			return fmt.Errorf("%w: detection %d: length %d, want %d", ErrEmbedding, i, len(d.Embedding), dim)
		}
		for k, v := range d.Embedding {
			if !finite(float64(v)) {
				return fmt.Errorf("%w: detection %d: element %d is %v", ErrEmbedding, i, k, v)
			}
		}
	}
	t.dim = dim
	return nil
}

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

// hit folds detection d into the track matched to it.
func (t *Tracker) hit(tr *track, d *Detection) {
	now := t.now
	if tr.state == Lost && tr.misses > 1 && t.cfg.RefindHits > 1 && !t.strongReID(tr, d) {
		// On probation: hold detections back until RefindHits in a row.
		if tr.refind+1 < t.cfg.RefindHits {
			if tr.refind == 0 {
				tr.refindAt = now
			}
			tr.refind++
			return
		}
	}
	r := t.measurementVar(d.Box)
	c := d.Box.Center()
	tr.kx.correct(c.X, r)
	tr.ky.correct(c.Y, r)
	tr.kw.correct(d.Box.W, r)
	tr.kh.correct(d.Box.H, r)

	start := now // of this run of detections
	if tr.refind > 0 {
		start = tr.refindAt
	}
	if tr.misses == 0 || start-tr.last <= t.cfg.TimelineMinGap {
		tr.dwell += now - tr.last
	} else {
		t.addInterval(tr, start)
		tr.dwell += now - start
	}
	tr.iv[tr.niv-1].End = now
	tr.last = now
	tr.hits += 1 + tr.refind
	tr.misses = 0
	tr.refind = 0
	tr.score = d.Score
	t.foldEmbedding(tr, d.Embedding)

	switch tr.state {
	case Tentative:
		if tr.hits >= t.cfg.ConfirmHits {
			t.confirm(tr)
		}
	case Lost:
		tr.state = Confirmed
	}
	bc := tr.box().Center()
	t.pushTrail(tr, bc)
	t.cross(tr, bc)
}

// miss handles a track with no detection this frame; it reports whether the
// track stays live.
func (t *Tracker) miss(tr *track) bool {
	tr.misses++
	tr.refind = 0
	switch tr.state {
	case Tentative:
		if tr.misses > t.cfg.TentativeMisses {
			t.release(tr)
			return false
		}
		return true
	case Confirmed:
		tr.state = Lost
		// Keep the size while unseen: a face's size changes slowly, and a
		// size trend estimated from noisy boxes, extrapolated over a second,
		// shrinks or swells the box past the size gate.
		tr.kw.v, tr.kh.v = 0, 0
	}
	if t.now-tr.last > t.cfg.MaxLost {
		t.hist.add(tr)
		t.release(tr)
		return false
	}
	return true
}

// strongReID reports whether d's embedding is close enough to tr's to
// re-find it by appearance alone.
func (t *Tracker) strongReID(tr *track, d *Detection) bool {
	if t.cfg.ReIDGate <= 0 || tr.nemb == 0 || len(d.Embedding) == 0 {
		return false
	}
	a := t.appear(tr.emb, d.Embedding)
	return a >= 0 && a <= t.cfg.ReIDGate
}

func (t *Tracker) confirm(tr *track) {
	tr.state = Confirmed
	tr.id = t.nextID
	t.nextID++
}

// spawn starts a tentative track from detection d (index j).
func (t *Tracker) spawn(d *Detection, j int) {
	tr := t.alloc()
	t.gen++
	tr.gen = t.gen
	tr.id = 0
	tr.state = Tentative
	b := d.Box
	c := b.Center()
	r := t.measurementVar(b)
	vv := sq(2 * b.Size()) // unknown velocity: up to ~2 face sizes per second
	tr.kx.init(c.X, r, vv)
	tr.ky.init(c.Y, r, vv)
	tr.kw.init(b.W, r, vv)
	tr.kh.init(b.H, r, vv)
	tr.first, tr.last, tr.dwell = t.now, t.now, 0
	tr.hits, tr.misses, tr.det, tr.score = 1, 0, j, d.Score
	tr.refind = 0
	tr.nemb = 0
	t.foldEmbedding(tr, d.Embedding)
	tr.trailHead, tr.trailN = 0, 0
	t.pushTrail(tr, c)
	tr.niv = 0
	t.addInterval(tr, t.now)
	for k, l := range t.cfg.Lines {
		tr.sides[k] = 0
		tr.anchors[k] = c
		s, m := l.side(c), t.cfg.LineMargin*b.Size()
		if s > m {
			tr.sides[k] = 1
		} else if s < -m {
			tr.sides[k] = -1
		}
	}
	t.detTrack[j] = len(t.live)
	t.live = append(t.live, tr)
	if t.cfg.ConfirmHits <= 1 {
		t.confirm(tr)
	}
}

func (t *Tracker) alloc() *track {
	if n := len(t.free); n > 0 {
		tr := t.free[n-1]
		t.free = t.free[:n-1]
		return tr
	}
	return &track{
		trail:   make([]Point, t.cfg.TrailLen),
		iv:      make([]Interval, t.cfg.MaxIntervals),
		sides:   make([]int8, len(t.cfg.Lines)),
		anchors: make([]Point, len(t.cfg.Lines)),
	}
}

func (t *Tracker) release(tr *track) {
	tr.gen = 0 // invalidates snapshots
	tr.state = Removed
	t.free = append(t.free, tr)
}

func (t *Tracker) foldEmbedding(tr *track, e []float32) {
	if len(e) == 0 {
		return
	}
	if cap(tr.emb) < len(e) {
		tr.emb = make([]float32, len(e))
	}
	tr.emb = tr.emb[:len(e)]
	tr.nemb++
	w := float32(1) / float32(min(tr.nemb, t.cfg.EmbeddingWindow))
	for i, v := range e {
		tr.emb[i] += w * (v - tr.emb[i])
	}
}

func (t *Tracker) pushTrail(tr *track, p Point) {
	tr.trail[tr.trailHead] = p
	tr.trailHead = (tr.trailHead + 1) % len(tr.trail)
	if tr.trailN < len(tr.trail) {
		tr.trailN++
	}
}

// cross updates the track's side of each line from its new centre and
// counts crossings made while confirmed.
func (t *Tracker) cross(tr *track, c Point) {
	m := t.cfg.LineMargin * tr.box().Size()
	for k, l := range t.cfg.Lines {
		s := l.side(c)
		var cur int8
		switch {
		case s > m:
			cur = 1
		case s < -m:
			cur = -1
		default:
			continue // inside the band: no decision yet
		}
		prev := tr.sides[k]
		if prev != 0 && cur != prev && tr.state == Confirmed && l.spans(tr.anchors[k], c) {
			if cur > 0 {
				t.counts[k].In++
			} else {
				t.counts[k].Out++
			}
		}
		tr.sides[k] = cur
		tr.anchors[k] = c
	}
}

// report fills the reused view.
func (t *Tracker) report() []Track {
	v := t.view[:0]
	for _, tr := range t.live {
		switch {
		case tr.state == Confirmed,
			tr.state == Lost && t.cfg.ReportLost,
			tr.state == Tentative && t.cfg.ReportTentative:
		default:
			continue
		}
		v = append(v, Track{
			ID:        tr.id,
			State:     tr.state,
			Box:       tr.box(),
			Velocity:  [2]float64{tr.kx.v, tr.ky.v},
			Detection: tr.det,
			Score:     tr.score,
			FirstSeen: tr.first,
			LastSeen:  tr.last,
			Dwell:     tr.dwell,
			Hits:      tr.hits,
			Misses:    tr.misses,
			t:         tr,
			gen:       tr.gen,
		})
	}
	// Insertion sort by ID, tentative (ID 0) last: stable, allocation-free,
	// and the list is short and nearly sorted.
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && idLess(v[j].ID, v[j-1].ID); j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
	t.view = v
	return v
}

func idLess(a, b int) bool {
	if a == 0 {
		return false
	}
	return b == 0 || a < b
}

func sq(x float64) float64 { return x * x }
