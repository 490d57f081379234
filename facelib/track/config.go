package track

import (
	"fmt"
	"math"
	"time"
)

// Config sets the tracker's behaviour. Start from DefaultConfig and change
// what you need: New rejects a zero Config. Distances are in units of the
// track's box size (the geometric mean of its width and height), so the same
// settings work for near and far faces and any frame size.
type Config struct {
	// ConfirmHits is how many detections a new track needs before it is
	// confirmed, given an ID and reported. 1 confirms on the first detection.
	ConfirmHits int
	// TentativeMisses is how many consecutive frames a tentative track may
	// go undetected before it is dropped. 0 drops it on its first miss, so a
	// spurious detection never lives longer than one frame.
	TentativeMisses int
	// MaxLost is how long a confirmed track that is no longer detected is
	// kept (predicted forward, able to be re-found with its ID) before it is
	// removed.
	MaxLost time.Duration
	// RefindHits is how many consecutive detections a track lost for more
	// than one frame needs before it is confirmed again. With 2, a single
	// false detection near where a face vanished can neither show the old
	// ID for a frame nor drag the lost track's prediction away from where
	// the face will come back. A strong appearance match (see ReIDGate)
	// re-finds at once, and so does a face missed for a single frame.
	RefindHits int

	// MaxDistance is the association gate: a detection whose centre is
	// further than this many box sizes from a track's predicted centre is
	// never matched to it. There is no IoU gate on purpose: IoU is 0 for
	// any two boxes that do not overlap, so at low frame rates or with fast
	// motion an IoU gate drops true matches, while a distance in box sizes
	// degrades gracefully. IoU still counts in the cost.
	MaxDistance float64
	// DistanceGrowth widens the gate by this many box sizes per second since
	// the track was last detected (a lost track's prediction grows uncertain).
	DistanceGrowth float64
	// MaxSizeRatio is the largest ratio between a detection's and a track's
	// box size that may be matched (≥ 1).
	MaxSizeRatio float64
	// IoUWeight and DistanceWeight weight the two motion terms of the
	// association cost: (1 − IoU) and the normalised centre distance.
	IoUWeight, DistanceWeight float64

	// Appearance measures the distance in [0, ∞) between a track's mean
	// embedding and a detection's embedding. nil means Euclidean distance,
	// the metric of the 128-d face embedding. It is used only when both the
	// detection and the track carry embeddings; it must not retain its
	// arguments or allocate if Update is to stay allocation-free.
	Appearance func(trackEmbedding, detEmbedding []float32) float64
	// AppearanceWeight weights the appearance distance in the cost.
	AppearanceWeight float64
	// AppearanceGate, when > 0, forbids matching a detection whose
	// appearance distance to the track exceeds it: a different person is
	// never given the track's ID, however close.
	AppearanceGate float64
	// ReIDGate, when > 0, lets a lost track be re-found anywhere within
	// ReIDDistance box sizes (and at any size) by a detection whose
	// appearance distance is at most ReIDGate, however far it moved while
	// unseen.
	ReIDGate     float64
	ReIDDistance float64
	// EmbeddingWindow is how many embeddings the track's running mean
	// averages: a plain mean over the first EmbeddingWindow detections, then
	// an exponential mean with weight 1/EmbeddingWindow.
	EmbeddingWindow int

	// Memory is how long the identity of a removed confirmed track that had
	// an embedding (its ID, mean embedding, timeline and dwell) is
	// remembered, so that the face gets its ID back when it returns after
	// MaxLost. 0 turns re-identification from memory off.
	Memory time.Duration
	// MemorySize caps the identities remembered; when full, the oldest is
	// forgotten first.
	MemorySize int
	// RecallGate is the largest appearance distance between a new track's
	// embedding and a remembered identity's mean at which the new track
	// takes the remembered ID. With the 128-d face embedding, different
	// people are usually 0.6–0.9 apart and the same person 0.2–0.45.
	RecallGate float64
	// EmbedEvery: a track asks for a fresh embedding (Track.WantsEmbedding)
	// when its last one is older than this, besides when it is born and
	// when it is re-found after a miss.
	EmbedEvery time.Duration
	// HoldForEmbedding is how long, from its first detection, a new track
	// that has no embedding yet is held back (kept tentative, without an
	// ID) while there are identities it could be (remembered or lost), so
	// that a returning face is never shown under a new ID first. After it,
	// the track is confirmed with a new ID.
	HoldForEmbedding time.Duration

	// MeasurementNoise is the detector's box noise (standard deviation) as a
	// fraction of the box size.
	MeasurementNoise float64
	// MotionNoise is the random acceleration of a face, in box sizes per
	// second², that the constant-velocity Kalman filter allows for. Larger
	// follows turns faster; smaller smooths jitter more.
	MotionNoise float64

	// TrailLen is how many recent centres each track keeps for its trail.
	TrailLen int
	// MaxTracks caps the live tracks (tentative, confirmed and lost);
	// detections beyond it do not start tracks.
	MaxTracks int
	// MaxDetections caps the detections accepted in one frame; more is an
	// error (ErrTooManyDetections).
	MaxDetections int
	// MaxIntervals caps each track's timeline; when full, the two intervals
	// separated by the shortest gap are merged.
	MaxIntervals int
	// TimelineMinGap: a track unseen for no longer than this keeps its
	// current timeline interval (detectors miss single frames).
	TimelineMinGap time.Duration
	// HistoryLen is how many removed tracks' summaries are kept.
	HistoryLen int

	// Lines are counted: each confirmed track whose centre crosses one is
	// counted once per crossing, In or Out (see Line).
	Lines []Line
	// LineMargin is the hysteresis band around each line, in box sizes: a
	// centre must get this far past the line before the crossing counts, so
	// jitter on the line is not counted again and again.
	LineMargin float64

	// ReportTentative and ReportLost add tentative and lost tracks to what
	// Update returns; by default it returns confirmed tracks only.
	ReportTentative, ReportLost bool
}

// DefaultConfig returns settings for webcam faces at 10–30 frames per second.
func DefaultConfig() Config {
	return Config{
		ConfirmHits:      3,
		TentativeMisses:  0,
		MaxLost:          time.Second,
		RefindHits:       2,
		MaxDistance:      1,
		DistanceGrowth:   1,
		MaxSizeRatio:     1.5,
		IoUWeight:        1,
		DistanceWeight:   1,
		AppearanceWeight: 2,
		AppearanceGate:   0.6,
		ReIDGate:         0.4,
		ReIDDistance:     10,
		EmbeddingWindow:  30,
		Memory:           3 * time.Minute,
		MemorySize:       32,
		RecallGate:       0.5,
		EmbedEvery:       time.Second,
		HoldForEmbedding: 1500 * time.Millisecond,
		MeasurementNoise: 0.05,
		MotionNoise:      2,
		TrailLen:         32,
		MaxTracks:        64,
		MaxDetections:    256,
		MaxIntervals:     16,
		TimelineMinGap:   200 * time.Millisecond,
		HistoryLen:       64,
		LineMargin:       0.25,
	}
}

// Limits on Config and input sizes, so that no input can make the tracker
// allocate without bound or lose float precision.
const (
	maxWeight       = 1e3
	maxCoord        = 1e6
	maxEmbeddingDim = 4096
	maxLines        = 64
	maxMemory       = 1024
)

func (c *Config) validate() error {
	bad := func(field string, v any) error {
		return fmt.Errorf("%w: %s = %v", ErrConfig, field, v)
	}
	inRange := func(v, lo, hi float64) bool { return finite(v) && v >= lo && v <= hi }
	switch {
	case c.ConfirmHits < 1 || c.ConfirmHits > 1000:
		return bad("ConfirmHits", c.ConfirmHits)
	case c.TentativeMisses < 0 || c.TentativeMisses > 1000:
		return bad("TentativeMisses", c.TentativeMisses)
	case c.RefindHits < 1 || c.RefindHits > 1000:
		return bad("RefindHits", c.RefindHits)
	case c.MaxLost < 0:
		return bad("MaxLost", c.MaxLost)
	case !inRange(c.MaxDistance, 1e-6, maxWeight):
		return bad("MaxDistance", c.MaxDistance)
	case !inRange(c.DistanceGrowth, 0, maxWeight):
		return bad("DistanceGrowth", c.DistanceGrowth)
	case !inRange(c.MaxSizeRatio, 1, maxWeight):
		return bad("MaxSizeRatio", c.MaxSizeRatio)
	case !inRange(c.IoUWeight, 0, maxWeight):
		return bad("IoUWeight", c.IoUWeight)
	case !inRange(c.DistanceWeight, 0, maxWeight):
		return bad("DistanceWeight", c.DistanceWeight)
	case !inRange(c.AppearanceWeight, 0, maxWeight):
		return bad("AppearanceWeight", c.AppearanceWeight)
	case !inRange(c.AppearanceGate, 0, maxWeight):
		return bad("AppearanceGate", c.AppearanceGate)
	case !inRange(c.ReIDGate, 0, maxWeight):
		return bad("ReIDGate", c.ReIDGate)
	case !inRange(c.ReIDDistance, 0, maxWeight):
		return bad("ReIDDistance", c.ReIDDistance)
	case c.EmbeddingWindow < 1 || c.EmbeddingWindow > 1<<20:
		return bad("EmbeddingWindow", c.EmbeddingWindow)
	case c.Memory < 0:
		return bad("Memory", c.Memory)
	case c.MemorySize < 0 || c.MemorySize > maxMemory:
		return bad("MemorySize", c.MemorySize)
	case !inRange(c.RecallGate, 0, maxWeight):
		return bad("RecallGate", c.RecallGate)
	case c.EmbedEvery < 0:
		return bad("EmbedEvery", c.EmbedEvery)
	case c.HoldForEmbedding < 0:
		return bad("HoldForEmbedding", c.HoldForEmbedding)
	case !inRange(c.MeasurementNoise, 1e-6, 10):
		return bad("MeasurementNoise", c.MeasurementNoise)
	case !inRange(c.MotionNoise, 1e-6, maxWeight):
		return bad("MotionNoise", c.MotionNoise)
	case c.TrailLen < 1 || c.TrailLen > 4096:
		return bad("TrailLen", c.TrailLen)
	case c.MaxTracks < 1 || c.MaxTracks > 1024:
		return bad("MaxTracks", c.MaxTracks)
	case c.MaxDetections < 1 || c.MaxDetections > 4096:
		return bad("MaxDetections", c.MaxDetections)
	case c.MaxIntervals < 1 || c.MaxIntervals > 1024:
		return bad("MaxIntervals", c.MaxIntervals)
	case c.TimelineMinGap < 0:
		return bad("TimelineMinGap", c.TimelineMinGap)
	case c.HistoryLen < 0 || c.HistoryLen > 1<<16:
		return bad("HistoryLen", c.HistoryLen)
	case len(c.Lines) > maxLines:
		return bad("len(Lines)", len(c.Lines))
	case !inRange(c.LineMargin, 0, 10):
		return bad("LineMargin", c.LineMargin)
	}
	for i, l := range c.Lines {
		ok := true
		for _, v := range [...]float64{l.A.X, l.A.Y, l.B.X, l.B.Y} {
			ok = ok && inRange(v, -maxCoord, maxCoord)
		}
		if !ok || l.A == l.B {
			return bad(fmt.Sprintf("Lines[%d]", i), l)
		}
	}
	return nil
}

// euclidean is the default appearance distance.
func euclidean(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s)
}
