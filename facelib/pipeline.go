package facelib

import (
	"errors"
	"fmt"
	"image"
	"sync"
	"time"

	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/facelib/embed"
	"github.com/facewatch/facewatch/facelib/internal/core"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/facelib/track"
)

// ChipSize is the side of the aligned face chip the embedding network reads,
// in pixels (align.ChipSize and embed.ChipSize are the same constant).
const ChipSize = core.ChipSize

// Dim is the number of components of a face embedding (match.Dim and
// embed.Dim are the same constant).
const Dim = core.Dim

var (
	// ErrNoModels means Options.Models lacks a model the call needs.
	ErrNoModels = errors.New("facelib: model not loaded")
	// ErrBadImage means an image or pixel buffer is empty, too large or
	// inconsistent. Every stage's own bad-image error (detect.ErrBadImage,
	// align.ErrBadImage, embed.ErrBadInput) wraps it, so one errors.Is check
	// covers the whole pipeline.
	ErrBadImage = core.ErrBadImage
)

// Options configures a Pipeline. The zero value of every field but Models
// means "the defaults", and each default is the one its package documents.
type Options struct {
	// Models supplies the model bytes (assets.Models() for the bundled set).
	// FaceFinder is required; PupilLocator is needed to align; EmbedManifest
	// and EmbedWeights to embed.
	Models Models
	// Detect, when non-nil, fixes the detection parameters. Otherwise each
	// image gets detect.ParamsFor its size (faces from 1/8 of the shorter
	// side up to the whole image).
	Detect *detect.Params
	// Align, when non-nil, sets the pupil search; nil means
	// align.DefaultOptions(). Its Landmarks field is ignored: use Landmarks.
	Align *align.Options
	// Landmarks turns on pigo's 15 landmark points for every face (it needs
	// Models.Landmarks and costs about as much again as the pupils). Off by
	// default: alignment needs the pupils only.
	Landmarks bool
	// Rolled makes Detect and Faces also look for faces rolled up to about
	// ±65° (a sweep of detect.DefaultAngles: about seven times the cost of
	// an upright scan, with more false detections). A Stream finds rolled
	// faces at a fraction of that cost (StreamOptions.Rolled).
	Rolled bool
	// Track, when non-nil, configures the trackers; nil means
	// track.DefaultConfig().
	Track *track.Config
	// EmbedThreads splits each embedding across this many goroutines
	// (native builds; 0 or 1 means the calling goroutine only).
	EmbedThreads int
}

// Face is a detected face with its eyes and landmarks located and, from
// Faces, its embedding.
type Face struct {
	// Box is the detector's square box in image coordinates.
	Box image.Rectangle
	// Score is the detector's cluster score (higher is more certain).
	Score float32
	// LeftEye and RightEye are the pupil centres, image-left and image-right.
	LeftEye, RightEye align.Point
	// EyesFound is false when the eyes were estimated from the box because
	// the pupil search gave implausible points.
	EyesFound bool
	// Landmarks holds pigo's 15 landmark points when they were searched for.
	Landmarks []align.Landmark
	// Roll is the eye line's angle in radians (positive: clockwise on screen).
	Roll float64
	// Chip maps image coordinates into the 150x150 face chip.
	Chip align.Transform
	// Embedding is the face's 128 numbers when Embedded is true (Faces
	// fills it; Detect leaves it empty). Track passes it to the tracker,
	// which then re-identifies faces that leave and come back.
	Embedding match.Embedding
	Embedded  bool
	// Detection is the raw detector output.
	Detection detect.Face
}

// Pipeline runs detect → align → embed → track on models loaded once.
//
// A Pipeline is safe for concurrent use by many goroutines: the parsed
// models are immutable and shared, and every call takes its buffers from a
// pool (a detector, an aligner's scratch, an embedding workspace), so results
// are identical to serial use. Track is the exception by nature: it follows
// one stream of frames, so concurrent Track calls are serialised; give each
// camera its own Tracker (NewTracker).
type Pipeline struct {
	opts    Options
	cascade *detect.Cascade
	pupils  *align.Aligner // pupils only; prototype (workspaces hold clones)
	marks   *align.Aligner // pupils and landmarks, when Models.Landmarks is given
	model   *embed.Model
	tcfg    track.Config

	pool sync.Pool // *workspace

	mu      sync.Mutex // guards tracker (the default stream of Track)
	tracker *Tracker
}

// workspace is everything one call needs besides the shared models.
type workspace struct {
	det     *detect.Detector
	detSize image.Point
	pupils  *align.Aligner
	marks   *align.Aligner
	ws      *embed.Workspace
	gray    []uint8
	dets    []detect.Face
	result  align.Result
	chip    *image.RGBA
}

// New loads the models in o and returns a ready Pipeline.
func New(o Options) (*Pipeline, error) {
	if len(o.Models.FaceFinder) == 0 {
		return nil, fmt.Errorf("%w: Options.Models.FaceFinder is empty (use assets.Models() for the bundled set)", ErrNoModels)
	}
	if o.Detect != nil {
		if err := o.Detect.Validate(); err != nil {
			return nil, fmt.Errorf("facelib: %w", err)
		}
	}
	return build(o, o.Models, nil)
}

// With returns a Pipeline with p's options and models plus the non-empty
// fields of m (Landmarks entries are added to p's). Only the models in m
// are parsed; the rest are shared with p. It is how a program that fetches
// its models one by one (the browser) grows its pipeline.
func (p *Pipeline) With(m Models) (*Pipeline, error) {
	o := p.opts
	all := o.Models
	if len(m.FaceFinder) > 0 {
		all.FaceFinder = m.FaceFinder
	}
	if len(m.PupilLocator) > 0 {
		all.PupilLocator = m.PupilLocator
	}
	if len(m.Landmarks) > 0 {
		lm := make(map[string][]byte, len(all.Landmarks)+len(m.Landmarks))
		for k, v := range all.Landmarks {
			lm[k] = v
		}
		for k, v := range m.Landmarks {
			lm[k] = v
		}
		all.Landmarks = lm
	}
	all.EmbedManifest, all.EmbedWeights = m.EmbedManifest, m.EmbedWeights
	return build(o, all, &pipelineParts{p: p, new: m})
}

// pipelineParts says which models build may take from an existing Pipeline.
type pipelineParts struct {
	p   *Pipeline
	new Models
}

// build parses what it must of m into a Pipeline with options o. Weights are
// dropped once parsed (the network keeps its own prepared copy).
func build(o Options, m Models, base *pipelineParts) (*Pipeline, error) {
	p := &Pipeline{opts: o}
	p.opts.Models = m
	p.opts.Models.EmbedManifest, p.opts.Models.EmbedWeights = nil, nil
	var err error
	if base != nil && len(base.new.FaceFinder) == 0 {
		p.cascade = base.p.cascade
	} else if p.cascade, err = detect.ParseCascade(m.FaceFinder); err != nil {
		return nil, fmt.Errorf("facelib: face finder: %w", err)
	}
	if o.Landmarks && len(m.Landmarks) == 0 {
		return nil, fmt.Errorf("%w: Options.Landmarks needs Options.Models.Landmarks", ErrNoModels)
	}
	if len(m.PupilLocator) > 0 {
		ao := align.DefaultOptions()
		if o.Align != nil {
			ao = *o.Align
		}
		ao.Landmarks = false
		if base != nil && len(base.new.PupilLocator) == 0 && base.p.pupils != nil {
			p.pupils = base.p.pupils
		} else if p.pupils, err = align.New(m.PupilLocator, nil, ao); err != nil {
			return nil, fmt.Errorf("facelib: aligner: %w", err)
		}
		if len(m.Landmarks) > 0 {
			ao.Landmarks = true
			if base != nil && len(base.new.PupilLocator) == 0 && len(base.new.Landmarks) == 0 && base.p.marks != nil {
				p.marks = base.p.marks
			} else if p.marks, err = align.New(m.PupilLocator, m.Landmarks, ao); err != nil {
				return nil, fmt.Errorf("facelib: landmarks: %w", err)
			}
		}
	} else if o.Landmarks {
		return nil, fmt.Errorf("%w: Options.Landmarks needs Options.Models.PupilLocator", ErrNoModels)
	}
	switch {
	case len(m.EmbedManifest) > 0 || len(m.EmbedWeights) > 0:
		if p.model, err = embed.Load(m.EmbedManifest, m.EmbedWeights); err != nil {
			return nil, fmt.Errorf("facelib: embedding model: %w", err)
		}
	case base != nil:
		p.model = base.p.model
	}
	p.tcfg = track.DefaultConfig()
	if o.Track != nil {
		p.tcfg = *o.Track
	}
	if p.tracker, err = p.NewTracker(); err != nil {
		return nil, err
	}
	p.pool.New = func() any { return p.newWorkspace() }
	return p, nil
}

func (p *Pipeline) newWorkspace() *workspace {
	w := &workspace{chip: image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))}
	if p.pupils != nil {
		w.pupils = p.pupils.Clone()
	}
	if p.marks != nil {
		w.marks = p.marks.Clone()
	}
	if p.model != nil {
		w.ws = p.model.NewWorkspace(embed.WithThreads(p.opts.EmbedThreads))
	}
	return w
}

// aligner returns w's aligner for a call with or without landmarks (nil
// without the pupil model).
func (w *workspace) aligner(landmarks bool) *align.Aligner {
	if landmarks && w.marks != nil {
		return w.marks
	}
	return w.pupils
}

func (p *Pipeline) get() *workspace  { return p.pool.Get().(*workspace) }
func (p *Pipeline) put(w *workspace) { p.pool.Put(w) }

// CanAlign reports whether the pipeline has the pupil model.
func (p *Pipeline) CanAlign() bool { return p.pupils != nil }

// HasLandmarks reports whether the pipeline has the landmark models.
func (p *Pipeline) HasLandmarks() bool { return p.marks != nil }

// CanEmbed reports whether the pipeline has the embedding model.
func (p *Pipeline) CanEmbed() bool { return p.model != nil }

// Detect finds the faces in img, highest score first, and locates each face's
// eyes (and landmarks) when the pupil model is loaded. The returned slice and
// its Landmarks are freshly allocated; use DetectInto on a live path.
func (p *Pipeline) Detect(img image.Image) ([]Face, error) {
	return p.DetectInto(img, nil)
}

// DetectInto is Detect appending to dst[:0], reusing dst's Landmarks storage.
func (p *Pipeline) DetectInto(img image.Image, dst []Face) ([]Face, error) {
	w := p.get()
	defer p.put(w)
	return p.detectInto(w, img, dst)
}

// Faces finds every face in img, highest score first, with its eyes located
// and its embedding computed: the call to reach for first ("who is this?").
// It needs the pupil and embedding models. Faces the network cannot embed
// (a chip entirely outside the image) are left out.
func (p *Pipeline) Faces(img image.Image) ([]Face, error) {
	return p.FacesInto(img, nil)
}

// FacesInto is Faces appending to dst[:0].
func (p *Pipeline) FacesInto(img image.Image, dst []Face) ([]Face, error) {
	if p.pupils == nil {
		return dst[:0], fmt.Errorf("%w: Faces needs Options.Models.PupilLocator", ErrNoModels)
	}
	if p.model == nil {
		return dst[:0], fmt.Errorf("%w: Faces needs Options.Models.EmbedManifest and EmbedWeights", ErrNoModels)
	}
	w := p.get()
	defer p.put(w)
	faces, err := p.detectInto(w, img, dst)
	if err != nil {
		return faces, err
	}
	out := faces[:0]
	for _, f := range faces {
		if err := f.Chip.Warp(w.chip, img); err != nil {
			continue
		}
		e, err := w.ws.Embed(w.chip)
		if err != nil {
			return out, fmt.Errorf("facelib: %w", err)
		}
		f.Embedding, f.Embedded = e, true
		out = append(out, f)
	}
	return out, nil
}

func (p *Pipeline) detectInto(w *workspace, img image.Image, dst []Face) ([]Face, error) {
	if img == nil {
		return dst[:0], fmt.Errorf("facelib: %w: nil image", ErrBadImage)
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return dst[:0], fmt.Errorf("facelib: %w: empty %v", ErrBadImage, b)
	}
	if int64(b.Dx())*int64(b.Dy()) > detect.MaxPixels {
		return dst[:0], fmt.Errorf("facelib: %w: %dx%d is over %d pixels", ErrBadImage, b.Dx(), b.Dy(), detect.MaxPixels)
	}
	g := detect.GrayFrom(img, w.gray)
	switch img.(type) {
	case *image.Gray, *image.YCbCr:
		// GrayFrom used the image's own pixels: not ours to reuse.
	default:
		w.gray = g.Pix[:cap(g.Pix)]
	}
	d, err := p.detectorFor(w, g.Width, g.Height)
	if err != nil {
		return dst[:0], err
	}
	if p.opts.Rolled {
		w.dets, err = d.DetectAngles(g, detect.DefaultAngles(), w.dets)
	} else {
		w.dets, err = d.Detect(g, w.dets)
	}
	if err != nil {
		return dst[:0], fmt.Errorf("facelib: %w", err)
	}
	return locate(w.aligner(p.opts.Landmarks), &w.result, g, b.Min, w.dets, dst)
}

// locate turns detections in g (whose origin is at off in the caller's
// image) into Faces, with their eyes when a is not nil, appending to dst[:0].
func locate(a *align.Aligner, res *align.Result, g detect.Gray, off image.Point, dets []detect.Face, dst []Face) ([]Face, error) {
	dst = dst[:0]
	for _, df := range dets {
		var f Face
		if len(dst) < cap(dst) {
			f = dst[:len(dst)+1][len(dst)]
		}
		lm := f.Landmarks[:0]
		f = Face{Detection: df, Box: df.Rect().Add(off), Score: df.Score, Landmarks: lm}
		if a != nil {
			res.Landmarks = f.Landmarks
			if err := a.Locate(g, df, res); err != nil {
				return dst, fmt.Errorf("facelib: %w", err)
			}
			r := res
			o := align.Point{X: float64(off.X), Y: float64(off.Y)}
			f.LeftEye = align.Point{X: r.LeftEye.X + o.X, Y: r.LeftEye.Y + o.Y}
			f.RightEye = align.Point{X: r.RightEye.X + o.X, Y: r.RightEye.Y + o.Y}
			f.EyesFound = r.EyesFound
			f.Roll = r.Roll
			f.Landmarks = r.Landmarks
			for i := range f.Landmarks {
				f.Landmarks[i].X += o.X
				f.Landmarks[i].Y += o.Y
			}
			f.Chip = align.ChipTransform(f.LeftEye, f.RightEye, ChipSize, align.ChipPadding)
		}
		dst = append(dst, f)
	}
	return dst, nil
}

// detectorFor returns w's detector for a w×h image: the fixed parameters of
// Options.Detect, or detect.ParamsFor the size.
func (p *Pipeline) detectorFor(w *workspace, width, height int) (*detect.Detector, error) {
	size := image.Point{X: width, Y: height}
	if w.det != nil && (p.opts.Detect != nil || w.detSize == size) {
		return w.det, nil
	}
	params := detect.ParamsFor(width, height)
	if p.opts.Detect != nil {
		params = *p.opts.Detect
	}
	d, err := detect.New(p.cascade, params)
	if err != nil {
		return nil, fmt.Errorf("facelib: %w", err)
	}
	w.det, w.detSize = d, size
	return d, nil
}

// Align cuts the 150x150 face chip of f out of img: the face rotated upright
// and scaled the way the embedding network was trained (dlib's 5-point face
// chip, padding 0.25).
func (p *Pipeline) Align(img image.Image, f Face) (*image.RGBA, error) {
	chip := image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))
	return chip, p.AlignInto(chip, img, f)
}

// AlignInto is Align writing into a caller-owned 150x150 chip.
func (p *Pipeline) AlignInto(chip *image.RGBA, img image.Image, f Face) error {
	if f.Chip == (align.Transform{}) {
		return fmt.Errorf("%w: the face has no eye positions (load Models.PupilLocator)", ErrNoModels)
	}
	if err := f.Chip.Warp(chip, img); err != nil {
		return fmt.Errorf("facelib: %w", err)
	}
	return nil
}

// Embed returns the 128-d embedding of a 150x150 face chip, exactly as
// face-api computes it (not L2-normalised; compare with match.Distance and
// match.DefaultThreshold, dlib's Euclidean 0.6).
func (p *Pipeline) Embed(chip *image.RGBA) (match.Embedding, error) {
	if p.model == nil {
		return match.Embedding{}, fmt.Errorf("%w: Options.Models.EmbedManifest/EmbedWeights are empty", ErrNoModels)
	}
	w := p.get()
	defer p.put(w)
	e, err := w.ws.Embed(chip)
	if err != nil {
		return match.Embedding{}, fmt.Errorf("facelib: %w", err)
	}
	return e, nil
}

// Track folds one frame's faces, taken at time t since the stream started,
// into the pipeline's own tracker and returns the tracks to report, by ID.
// Faces with an embedding (from Faces) let the tracker re-identify a face
// that leaves and comes back. The returned slice is reused by the next
// call. Calls are serialised; for several streams use NewTracker.
func (p *Pipeline) Track(faces []Face, t time.Duration) ([]track.Track, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tracker.Update(faces, t)
}

// Tracker returns the pipeline's own tracker (the one Track feeds), for line
// counts and the timeline. Do not use it concurrently with Track.
func (p *Pipeline) Tracker() *track.Tracker { return p.tracker.Tracker }

// NewTracker returns a tracker for one more stream of frames, configured by
// Options.Track. It is not safe for concurrent use.
func (p *Pipeline) NewTracker() (*Tracker, error) {
	t, err := track.New(p.tcfg)
	if err != nil {
		return nil, fmt.Errorf("facelib: tracker: %w", err)
	}
	return &Tracker{Tracker: t}, nil
}

// Tracker follows the Faces of one stream of frames (see Pipeline.NewTracker).
type Tracker struct {
	*track.Tracker
	dets []track.Detection
}

// Update converts faces to detections (with their embeddings, when
// Embedded) and folds them into the tracker, at time t since the stream
// started. Track.Detection indexes faces.
func (t *Tracker) Update(faces []Face, now time.Duration) ([]track.Track, error) {
	t.dets = t.dets[:0]
	for i := range faces {
		f := &faces[i]
		r := f.Box
		d := track.Detection{
			Box:   track.Box{X: float64(r.Min.X), Y: float64(r.Min.Y), W: float64(r.Dx()), H: float64(r.Dy())},
			Score: f.Score,
		}
		if f.Embedded {
			d.Embedding = f.Embedding[:]
		}
		t.dets = append(t.dets, d)
	}
	tracks, err := t.Tracker.Update(t.dets, now)
	if err != nil {
		return nil, fmt.Errorf("facelib: %w", err)
	}
	return tracks, nil
}
