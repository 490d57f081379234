package facelib

import (
	"fmt"
	"image"
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
	err     error
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
	if w.dets, err = d.Detect(g, w.dets); err != nil {
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
	s.img = frame
	return s.faces, nil
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
// stream started, into the stream's tracker.
func (s *Stream) Track(t time.Duration) ([]track.Track, error) {
	return s.tracker.Update(s.faces, t)
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
