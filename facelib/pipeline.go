package facelib

import (
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/facelib/embed"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/facelib/track"
)

var (
	// ErrNoModels means Options.Models lacks a model the call needs.
	ErrNoModels = errors.New("facelib: model not loaded")
	// ErrBadImage means the image is empty or too large.
	ErrBadImage = errors.New("facelib: bad image")
)

// Options configures a Pipeline. The zero value of every field but Models
// means "the defaults".
type Options struct {
	// Models supplies the model bytes (assets.Models() for the bundled set).
	// FaceFinder is required; PupilLocator is needed to align; EmbedManifest
	// and EmbedWeights to embed.
	Models Models
	// Detect, when non-nil, fixes the detection parameters. Otherwise each
	// image gets detect.ParamsFor its size (faces from 1/8 of the shorter
	// side up to the whole image).
	Detect *detect.Params
	// Align sets the pupil/landmark search. The zero value means
	// align.DefaultOptions() with landmarks on.
	Align align.Options
	// Track, when non-nil, configures the tracker; nil means
	// track.DefaultConfig().
	Track *track.Config
	// EmbedThreads splits each embedding across this many goroutines
	// (native builds; 0 or 1 means the calling goroutine only).
	EmbedThreads int
}

// Face is a detected face with its eyes and landmarks located.
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
	// Detection is the raw detector output.
	Detection detect.Face
}

// Pipeline runs detect → align → embed → track. It keeps buffers between
// calls, so one Pipeline must not be used by two goroutines at once; make one
// per goroutine (the models' bytes can be shared).
type Pipeline struct {
	opts     Options
	cascade  *detect.Cascade
	detector *detect.Detector
	detSize  image.Point
	aligner  *align.Aligner
	model    *embed.Model
	ws       *embed.Workspace
	tracker  *track.Tracker

	gray   []uint8
	dets   []detect.Face
	result align.Result
	tdets  []track.Detection
}

// New loads the models in o and returns a ready Pipeline.
func New(o Options) (*Pipeline, error) {
	if len(o.Models.FaceFinder) == 0 {
		return nil, fmt.Errorf("%w: Options.Models.FaceFinder is empty (use assets.Models() for the bundled set)", ErrNoModels)
	}
	p := &Pipeline{opts: o}
	var err error
	if p.cascade, err = detect.ParseCascade(o.Models.FaceFinder); err != nil {
		return nil, fmt.Errorf("facelib: face finder: %w", err)
	}
	if o.Detect != nil {
		if p.detector, err = detect.New(p.cascade, *o.Detect); err != nil {
			return nil, fmt.Errorf("facelib: %w", err)
		}
	}
	if len(o.Models.PupilLocator) > 0 {
		ao := o.Align
		if ao == (align.Options{}) {
			ao = align.DefaultOptions()
			ao.Landmarks = len(o.Models.Landmarks) > 0
		}
		if p.aligner, err = align.New(o.Models.PupilLocator, o.Models.Landmarks, ao); err != nil {
			return nil, fmt.Errorf("facelib: aligner: %w", err)
		}
	}
	if len(o.Models.EmbedManifest) > 0 || len(o.Models.EmbedWeights) > 0 {
		if p.model, err = embed.Load(o.Models.EmbedManifest, o.Models.EmbedWeights); err != nil {
			return nil, fmt.Errorf("facelib: embedding model: %w", err)
		}
		p.ws = p.model.NewWorkspace(embed.WithThreads(o.EmbedThreads))
	}
	tc := track.DefaultConfig()
	if o.Track != nil {
		tc = *o.Track
	}
	if p.tracker, err = track.New(tc); err != nil {
		return nil, fmt.Errorf("facelib: tracker: %w", err)
	}
	return p, nil
}

// CanAlign reports whether the pipeline has the pupil model.
func (p *Pipeline) CanAlign() bool { return p.aligner != nil }

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
	if img == nil {
		return dst[:0], fmt.Errorf("%w: nil image", ErrBadImage)
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return dst[:0], fmt.Errorf("%w: empty %v", ErrBadImage, b)
	}
	if int64(b.Dx())*int64(b.Dy()) > detect.MaxPixels {
		return dst[:0], fmt.Errorf("%w: %dx%d is over %d pixels", ErrBadImage, b.Dx(), b.Dy(), detect.MaxPixels)
	}
	g := detect.GrayFrom(img, p.gray)
	switch img.(type) {
	case *image.Gray, *image.YCbCr:
		// GrayFrom used the image's own pixels: not ours to reuse.
	default:
		p.gray = g.Pix[:cap(g.Pix)]
	}
	d, err := p.detectorFor(g.Width, g.Height)
	if err != nil {
		return dst[:0], err
	}
	if p.dets, err = d.Detect(g, p.dets); err != nil {
		return dst[:0], fmt.Errorf("facelib: %w", err)
	}
	dst = dst[:0]
	for _, df := range p.dets {
		var f Face
		if len(dst) < cap(dst) {
			f = dst[:len(dst)+1][len(dst)]
		}
		f.Detection = df
		f.Box = df.Rect().Add(b.Min)
		f.Score = df.Score
		f.Landmarks = f.Landmarks[:0]
		if p.aligner != nil {
			p.result.Landmarks = f.Landmarks
			if err := p.aligner.Locate(g, df, &p.result); err != nil {
				return dst, fmt.Errorf("facelib: %w", err)
			}
			r := &p.result
			off := align.Point{X: float64(b.Min.X), Y: float64(b.Min.Y)}
			f.LeftEye = align.Point{X: r.LeftEye.X + off.X, Y: r.LeftEye.Y + off.Y}
			f.RightEye = align.Point{X: r.RightEye.X + off.X, Y: r.RightEye.Y + off.Y}
			f.EyesFound = r.EyesFound
			f.Roll = r.Roll
			f.Landmarks = r.Landmarks
			for i := range f.Landmarks {
				f.Landmarks[i].X += off.X
				f.Landmarks[i].Y += off.Y
			}
			f.Chip = align.ChipTransform(f.LeftEye, f.RightEye, align.ChipSize, align.ChipPadding)
		}
		dst = append(dst, f)
	}
	return dst, nil
}

func (p *Pipeline) detectorFor(w, h int) (*detect.Detector, error) {
	if p.opts.Detect != nil {
		return p.detector, nil
	}
	if p.detector != nil && p.detSize == (image.Point{X: w, Y: h}) {
		return p.detector, nil
	}
	d, err := detect.New(p.cascade, detect.ParamsFor(w, h))
	if err != nil {
		return nil, fmt.Errorf("facelib: %w", err)
	}
	p.detector, p.detSize = d, image.Point{X: w, Y: h}
	return d, nil
}

// Align cuts the 150x150 face chip of f out of img: the face rotated upright
// and scaled the way the embedding network was trained (dlib's 5-point face
// chip, padding 0.25).
func (p *Pipeline) Align(img image.Image, f Face) (*image.RGBA, error) {
	chip := image.NewRGBA(image.Rect(0, 0, align.ChipSize, align.ChipSize))
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

// Embed returns the 128-d descriptor of a 150x150 face chip, exactly as
// face-api computes it (not L2-normalised; compare with match.Distance and
// match.DefaultThreshold, dlib's Euclidean 0.6).
func (p *Pipeline) Embed(chip *image.RGBA) (match.Embedding, error) {
	if p.ws == nil {
		return match.Embedding{}, fmt.Errorf("%w: Options.Models.EmbedManifest/EmbedWeights are empty", ErrNoModels)
	}
	d, err := p.ws.Embed(chip)
	if err != nil {
		return match.Embedding{}, fmt.Errorf("facelib: %w", err)
	}
	return match.Embedding(d), nil
}

// Track folds one frame's faces, taken at time t since the stream started,
// into the tracker and returns the confirmed tracks, by ID. The returned
// slice is reused by the next call.
func (p *Pipeline) Track(faces []Face, t time.Duration) ([]track.Track, error) {
	p.tdets = p.tdets[:0]
	for _, f := range faces {
		r := f.Box
		p.tdets = append(p.tdets, track.Detection{
			Box:   track.Box{X: float64(r.Min.X), Y: float64(r.Min.Y), W: float64(r.Dx()), H: float64(r.Dy())},
			Score: f.Score,
		})
	}
	tracks, err := p.tracker.Update(p.tdets, t)
	if err != nil {
		return nil, fmt.Errorf("facelib: %w", err)
	}
	return tracks, nil
}

// Tracker returns the pipeline's tracker, for line counts and the timeline.
func (p *Pipeline) Tracker() *track.Tracker { return p.tracker }
