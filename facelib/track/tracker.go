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
