package facelib

import (
	"fmt"
	"image"
	"math"
	"time"

	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/facelib/track"
)

// StreamOptions select what Stream.Detect computes for one frame.
type StreamOptions struct {
	// Eyes locates every face's pupils (needs the pupil model).
	Eyes bool
	// Landmarks adds the 15 landmark points (needs the landmark models).
	Landmarks bool
	// Candidates keeps the detector's raw windows (a second pass over the
	// scan's output, for showing how detection works).
	Candidates bool
	// Rolled finds faces rolled up to about ±65°: each full scan also scans
	// at the roll of every face found last frame (to the nearest 15°) and at
	// one more angle of detect.DefaultAngles in turn, so a sweep of ±45°
	// takes six full scans and costs one scan more each.
	Rolled bool
	// Guided lets the tracker guide the detector: while every tracked face
	// is in view, most frames scan only around the tracked faces' boxes, at
	// scales near their size, and the whole frame is scanned every
	// FullScanEvery frames, when a track is lost or new, or when nothing is
	// tracked. It is what keeps a slow device at the camera's rate. A
	// Candidates frame is always a full scan.
	Guided bool
}

// FullScanEvery is how often a Guided stream scans the whole frame while it
// follows faces (a new face entering is found within this many frames).
const FullScanEvery = 6

// guide is where a Guided stream looks for a tracked face next frame.
type guide struct {
	box   image.Rectangle // the track's box
	angle float64         // its roll, to the nearest 15°
}

// regionDetector is a detector for faces of about one size, for guided
// scans.
type regionDetector struct {
	size int
	det  *detect.Detector
}

// Stream is the live path for one camera: detect, locate, track and cut
// chips frame after frame, reusing its buffers, so that a steady stream of
// same-sized frames allocates nothing. Embeddings reach its tracker through
// Observe, possibly computed elsewhere (another goroutine, another worker):
// Track reports which tracks want one (track.Track.WantsEmbedding) and the
// caller embeds their chips at the rate it can afford.
//
// A Stream is not safe for concurrent use; the Pipeline it came from is.
type Stream struct {
	p       *Pipeline
	w       *workspace
	tracker *Tracker
	img     image.Image // the last frame, for Chip
	faces   []Face
	cands   []detect.Face

	frame, lastFull int
	needFull        bool
	guides          []guide
	angles          []float64
	rolls           []float64 // the rolls of the faces found last frame, to the nearest 15°
	regions         []regionDetector
	found           []detect.Face
	fullScan        bool
}

// NewStream returns a Stream on p's models with its own tracker, configured
// by c (nil: the pipeline's Options.Track).
func (p *Pipeline) NewStream(c *track.Config) (*Stream, error) {
	cfg := p.tcfg
	if c != nil {
		cfg = *c
	}
	tt, err := track.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("facelib: tracker: %w", err)
	}
	t := &Tracker{Tracker: tt}
	return &Stream{p: p, w: p.newWorkspace(), tracker: t}, nil
}

// Use moves the stream onto another Pipeline (typically p.With more models)
// and keeps its tracker, so tracking goes on while models arrive.
func (s *Stream) Use(p *Pipeline) {
	s.p, s.w = p, p.newWorkspace()
}

// Pipeline returns the pipeline the stream runs on.
func (s *Stream) Pipeline() *Pipeline { return s.p }

// Detect finds the faces in frame (and their eyes and landmarks as o asks)
// and keeps the frame for Chip until the next call. The returned slice is
// reused by the next call.
func (s *Stream) Detect(frame image.Image, o StreamOptions) ([]Face, error) {
	s.img = nil
	if frame == nil {
		return s.faces[:0], fmt.Errorf("facelib: %w: nil image", ErrBadImage)
	}
	b := frame.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 || int64(b.Dx())*int64(b.Dy()) > detect.MaxPixels {
		return s.faces[:0], fmt.Errorf("facelib: %w: frame %v", ErrBadImage, b)
	}
	w := s.w
	g := detect.GrayFrom(frame, w.gray)
	switch frame.(type) {
	case *image.Gray, *image.YCbCr:
	default:
		w.gray = g.Pix[:cap(g.Pix)]
	}
	d, err := s.p.detectorFor(w, g.Width, g.Height)
	if err != nil {
		return s.faces[:0], err
	}
	s.frame++
	s.fullScan = !o.Guided || o.Candidates || s.needFull || len(s.guides) == 0 || s.frame-s.lastFull >= FullScanEvery
	if s.fullScan {
		s.lastFull = s.frame
		w.dets, err = s.scanFull(d, g, o.Rolled)
	} else {
		w.dets, err = s.scanGuided(g)
	}
	if err != nil {
		return s.faces[:0], fmt.Errorf("facelib: %w", err)
	}
	s.cands = s.cands[:0]
	if o.Candidates {
		if s.cands, err = d.Candidates(g, s.cands); err != nil {
			return s.faces[:0], fmt.Errorf("facelib: %w", err)
		}
	}
	var a = w.aligner(o.Landmarks)
	if !o.Eyes {
		a = nil
	}
	if s.faces, err = locate(a, &w.result, g, b.Min, w.dets, s.faces); err != nil {
		return s.faces, err
	}
	s.rolls = s.rolls[:0]
	for i := range s.faces {
		if r := rollOf(&s.faces[i]); !containsAngle(s.rolls, r) {
			s.rolls = append(s.rolls, r)
		}
	}
	s.img = frame
	return s.faces, nil
}

// FullScan reports whether the last Detect scanned the whole frame (false:
// a Guided stream looked only around the tracked faces).
func (s *Stream) FullScan() bool { return s.fullScan }

// scanFull scans the whole frame upright and, when rolled, at the tracked
// faces' rolls or, with nothing tracked, at the sweep's next angle.
func (s *Stream) scanFull(d *detect.Detector, g detect.Gray, rolled bool) ([]detect.Face, error) {
	if !rolled {
		return d.Detect(g, s.w.dets)
	}
	s.angles = append(s.angles[:0], 0)
	for _, a := range s.rolls {
		if !containsAngle(s.angles, a) {
			s.angles = append(s.angles, a)
		}
	}
	// One more angle in turn, so a rolled face is found even beside an
	// upright false detection it would otherwise hide behind.
	sweep := detect.DefaultAngles()
	if a := sweep[1+s.frame%(len(sweep)-1)]; !containsAngle(s.angles, a) {
		s.angles = append(s.angles, a)
	}
	return d.DetectAngles(g, s.angles, s.w.dets)
}

// scanGuided scans a region around each tracked face, for faces between
// about 0.7 and 1.4 times its size, at its roll.
func (s *Stream) scanGuided(g detect.Gray) ([]detect.Face, error) {
	dets := s.w.dets[:0]
	for _, gd := range s.guides {
		side := gd.box.Dx()
		r := gd.box.Inset(-side * 3 / 4).Intersect(image.Rect(0, 0, g.Width, g.Height))
		if r.Dx() < side || r.Dy() < side {
			continue // mostly outside the frame: the next full scan decides
		}
		d, err := s.regionDetector(side)
		if err != nil {
			return dets, err
		}
		sub := detect.Gray{Pix: g.Pix[r.Min.Y*g.Stride+r.Min.X:], Width: r.Dx(), Height: r.Dy(), Stride: g.Stride}
		if s.found, err = d.DetectRotated(sub, gd.angle, s.found); err != nil {
			return dets, err
		}
		for _, f := range s.found {
			f.Row += r.Min.Y
			f.Col += r.Min.X
			if !overlapsAny(dets, f) {
				dets = append(dets, f)
			}
		}
	}
	return dets, nil
}

// regionDetector returns a detector for faces of about side pixels, one per
// size band (bands a fifth of an octave apart), the least recent replaced.
func (s *Stream) regionDetector(side int) (*detect.Detector, error) {
	band := int(math.Round(5 * math.Log2(float64(max(side, 8)))))
	for i := range s.regions {
		if s.regions[i].size == band {
			if i > 0 { // most recent first
				r := s.regions[i]
				copy(s.regions[1:i+1], s.regions[:i])
				s.regions[0] = r
			}
			return s.regions[0].det, nil
		}
	}
	mid := math.Exp2(float64(band) / 5)
	p := detect.DefaultParams()
	p.MinSize = max(20, int(mid/1.4))
	p.MaxSize = max(p.MinSize, int(mid*1.4))
	if s.p.opts.Detect != nil {
		p.ShiftFactor, p.ScaleFactor = s.p.opts.Detect.ShiftFactor, s.p.opts.Detect.ScaleFactor
		p.IoUThreshold, p.MinScore = s.p.opts.Detect.IoUThreshold, s.p.opts.Detect.MinScore
	}
	d, err := detect.New(s.p.cascade, p)
	if err != nil {
		return nil, err
	}
	const keep = 4
	if len(s.regions) < keep {
		s.regions = append(s.regions, regionDetector{})
	}
	copy(s.regions[1:], s.regions[:len(s.regions)-1])
	s.regions[0] = regionDetector{size: band, det: d}
	return d, nil
}

// overlapsAny reports whether f overlaps one of dets by more than half of
// the smaller box (the same face found from two tracks' regions).
func overlapsAny(dets []detect.Face, f detect.Face) bool {
	for _, d := range dets {
		if detect.Overlap(d, f) > 0.5 {
			return true
		}
	}
	return false
}

func containsAngle(a []float64, x float64) bool {
	for _, v := range a {
		if v == x {
			return true
		}
	}
	return false
}

// rollStep is the granularity of the rolls a Rolled stream scans at.
const rollStep = 15 * math.Pi / 180

// rollOf returns the roll to scan at for face f next frame, to the nearest
// rollStep within ±45°: the roll it was detected at, refined by its eye
// line when the eyes were found and agree with it.
func rollOf(f *Face) float64 {
	roll := f.Detection.Angle
	if f.EyesFound && math.Abs(f.Roll-roll) < 20*math.Pi/180 {
		roll = f.Roll
	}
	return math.Max(-3*rollStep, math.Min(3*rollStep, math.Round(roll/rollStep)*rollStep))
}

// Candidates returns the raw detector windows of the last Detect that asked
// for them (StreamOptions.Candidates), in scan order.
func (s *Stream) Candidates() []detect.Face { return s.cands }

// Params returns the detection parameters the last frame was scanned with.
func (s *Stream) Params() detect.Params {
	if s.w.det == nil {
		return detect.Params{}
	}
	return s.w.det.Params()
}

// Track folds the faces of the last Detect, taken at time t since the
// stream started, into the stream's tracker, and notes where a Guided or
// Rolled stream looks next.
func (s *Stream) Track(t time.Duration) ([]track.Track, error) {
	tracks, err := s.tracker.Update(s.faces, t)
	if err != nil {
		return nil, err
	}
	before := len(s.guides)
	s.guides, s.needFull = s.guides[:0], false
	for i := range tracks {
		tr := &tracks[i]
		if tr.State != track.Confirmed {
			s.needFull = true // a face lost or new: look everywhere
			continue
		}
		b := tr.Box
		gd := guide{box: image.Rect(int(b.X), int(b.Y), int(b.X+b.W), int(b.Y+b.H))}
		if tr.Detection >= 0 && tr.Detection < len(s.faces) {
			gd.angle = rollOf(&s.faces[tr.Detection])
		}
		s.guides = append(s.guides, gd)
	}
	// A tracker that does not report lost tracks just drops them: fewer
	// guides than last frame means a face was lost.
	s.needFull = s.needFull || len(s.guides) < before
	return tracks, nil
}

// Tracker returns the stream's tracker (line counts, the timeline).
func (s *Stream) Tracker() *track.Tracker { return s.tracker.Tracker }

// Chip cuts the 150x150 chip of face f (from the last Detect, with its eyes
// located) out of the last frame into dst.
func (s *Stream) Chip(dst *image.RGBA, f Face) error {
	if s.img == nil {
		return fmt.Errorf("facelib: %w: no frame", ErrBadImage)
	}
	return s.p.AlignInto(dst, s.img, f)
}

// Embed computes the embedding of a chip on the stream's own workspace.
func (s *Stream) Embed(chip *image.RGBA) (match.Embedding, error) {
	if s.w.ws == nil {
		return match.Embedding{}, fmt.Errorf("%w: the pipeline has no embedding model", ErrNoModels)
	}
	e, err := s.w.ws.Embed(chip)
	if err != nil {
		return match.Embedding{}, fmt.Errorf("facelib: %w", err)
	}
	return e, nil
}

// Observe gives the tracker the embedding of the face matched to the track
// with key (track.Track.Key) when it was reported. A track that has gone
// since returns an error wrapping track.ErrStale.
func (s *Stream) Observe(key uint64, e match.Embedding) error {
	if err := s.tracker.Observe(key, e[:]); err != nil {
		return fmt.Errorf("facelib: %w", err)
	}
	return nil
}
