package track

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Errors returned by New, Update and Observe. They are wrapped with details; test
// with errors.Is.
var (
	ErrConfig            = errors.New("track: invalid config")
	ErrBox               = errors.New("track: invalid detection box")
	ErrScore             = errors.New("track: invalid detection score")
	ErrEmbedding         = errors.New("track: invalid detection embedding")
	ErrTime              = errors.New("track: invalid frame time")
	ErrTooManyDetections = errors.New("track: too many detections in one frame")
	// ErrStale: Observe was given the key of no live track (it was removed,
	// or never existed); the embedding is dropped.
	ErrStale = errors.New("track: no live track with that key")
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
	// detection matched to the track (for a recalled track, FirstSeen is
	// from the first stretch under its ID).
	FirstSeen, LastSeen time.Duration
	// Dwell is the time in view: the sum of the intervals in which the
	// track was seen (gaps longer than TimelineMinGap excluded), earlier
	// stretches of a recalled ID included.
	Dwell time.Duration
	// Hits is the number of frames the track was detected in. Misses is the
	// number of consecutive frames, up to now, it was not (0 when detected
	// in this frame).
	Hits, Misses int

	// Key identifies the track while it lives, tentative or not: it is
	// unique, stable from frame to frame and never reused (also after
	// Reset). Observe takes it.
	Key uint64
	// WantsEmbedding: the track was matched to Detection in this frame and
	// wants its embedding — it has none yet, it was just re-found after a
	// miss (or is being re-found and must be checked), or its last one is
	// older than Config.EmbedEvery. Embed that detection and pass the
	// result to Detection.Embedding next time or to Observe. It stays true
	// frame after frame until an embedding arrives; a caller with one
	// already in flight for Key may skip it.
	WantsEmbedding bool
	// Recalled: the track's ID came back from the memory of removed
	// tracks (see Config.Memory), Gap after it was last seen, its new
	// embedding RecallDistance from the remembered one. They stay set for
	// the rest of the track's life.
	Recalled       bool
	Gap            time.Duration
	RecallDistance float64

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

	emb   []float32
	nemb  int
	embAt time.Duration // when the last embedding was folded in
	wants bool          // wants an embedding of this frame's detection

	// Checking a lost track re-found by motion against its appearance.
	verified uint8 // for the current run: 0 not yet, 1 within AppearanceGate, 2 within ReIDGate
	refuted  bool  // the last run re-finding it was someone else: appearance only from now on
	absorbed bool  // a new track took over its identity; released at the end of Update

	recalled bool
	gap      time.Duration
	rdist    float64

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
	mem     memory

	nabsorbed int
	ivTmp     []Interval

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
		ivTmp:    make([]Interval, 0, c.MaxIntervals),
	}
	if t.appear == nil {
		t.appear = euclidean
	}
	t.hist.init(c.HistoryLen, c.MaxIntervals)
	t.mem.init(c.MemorySize, c.MaxIntervals)
	return t, nil
}

// Config returns the tracker's configuration.
func (t *Tracker) Config() Config {
	c := t.cfg
	c.Lines = append([]Line(nil), c.Lines...)
	return c
}

// Reset forgets every track, count, summary and remembered identity,
// keeping the buffers. IDs start again at 1; keys are never reused.
func (t *Tracker) Reset() {
	for _, tr := range t.live {
		t.release(tr)
	}
	t.live = t.live[:0]
	t.view = t.view[:0]
	t.now, t.started, t.nextID, t.dim = 0, false, 1, 0
	clear(t.counts)
	t.hist.reset()
	t.mem.reset()
	t.nabsorbed = 0
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
			t.remove(tr)
			continue
		}
		keep = append(keep, tr)
	}
	clear(t.live[len(keep):])
	t.live = keep
	t.expire()

	for _, tr := range t.live {
		s := tr.box().Size()
		q := sq(t.cfg.MotionNoise * s)
		tr.kx.predict(dt, q)
		tr.ky.predict(dt, q)
		tr.kw.predict(dt, q)
		tr.kh.predict(dt, q)
		tr.det = -1
		tr.wants = false
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
		if tr.absorbed { // taken over by a track earlier in the list
			keep = append(keep, tr)
			continue
		}
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
	if t.nabsorbed > 0 {
		t.sweep()
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
		if bad := badEmbedding(d.Embedding, dim); bad != "" {
			return fmt.Errorf("%w: detection %d: %s", ErrEmbedding, i, bad)
		}
		dim = len(d.Embedding)
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
		v = append(v, snapshot(tr))
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

func snapshot(tr *track) Track {
	return Track{
		ID:             tr.id,
		State:          tr.state,
		Box:            tr.box(),
		Velocity:       [2]float64{tr.kx.v, tr.ky.v},
		Detection:      tr.det,
		Score:          tr.score,
		FirstSeen:      tr.first,
		LastSeen:       tr.last,
		Dwell:          tr.dwell,
		Hits:           tr.hits,
		Misses:         tr.misses,
		Key:            tr.gen,
		WantsEmbedding: tr.wants,
		Recalled:       tr.recalled,
		Gap:            tr.gap,
		RecallDistance: tr.rdist,
		t:              tr,
		gen:            tr.gen,
	}
}

// ToEmbed appends to dst a snapshot of every live track, in whatever state,
// that wants an embedding of its detection in the last Update (see
// Track.WantsEmbedding), and returns it. It includes the tracks Update does
// not report: new tracks held back until their embedding tells who they
// are, and lost tracks being re-found. A caller that computes embeddings
// after Update embeds dets[x.Detection] for each and passes the result to
// Observe(x.Key, …).
func (t *Tracker) ToEmbed(dst []Track) []Track {
	for _, tr := range t.live {
		if tr.wants {
			dst = append(dst, snapshot(tr))
		}
	}
	return dst
}

func idLess(a, b int) bool {
	if a == 0 {
		return false
	}
	return b == 0 || a < b
}

func sq(x float64) float64 { return x * x }
