package engine

import (
	"errors"
	"fmt"
	"image"
	"runtime/debug"
	"strings"
	"time"

	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/facelib/embed"
	"github.com/facewatch/facewatch/facelib/track"
	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// ChipSide is the side of the aligned face chip, in pixels.
const ChipSide = align.ChipSize

// MaxSide caps a frame's width and height.
const MaxSide = 4096

// Errors.
var (
	ErrNoModel   = errors.New("engine: face finder cascade not loaded")
	ErrBadModel  = errors.New("engine: model rejected")
	ErrFrameSize = errors.New("engine: bad frame size")
	ErrFormat    = errors.New("engine: unknown pixel format")
)

// Model names, as the page sends them (and as the site lays the files out:
// models/facefinder, models/puploc, models/lps/<name>, models/<weights>).
const (
	ModelFaceFinder    = "facefinder"
	ModelPupils        = "puploc"
	ModelEmbedManifest = "face_recognition_model-weights_manifest.json"
	ModelEmbedWeights  = "face_recognition_model.bin"
)

// Format is the layout of the pixels the caller copied in.
type Format int

// Pixel formats the browser hands over.
const (
	// FormatGray is one byte per pixel: a VideoFrame's I420/NV12 Y plane.
	FormatGray Format = iota
	// FormatRGBA is ImageData / RGBX VideoFrames.
	FormatRGBA
	// FormatBGRA is BGRA / BGRX VideoFrames.
	FormatBGRA
)

// BytesPerPixel returns 1 or 4.
func (f Format) BytesPerPixel() int {
	if f == FormatGray {
		return 1
	}
	return 4
}

// Options select what Process computes for a frame.
type Options struct {
	Candidates bool // keep the raw cascade windows (find scene; a second scan)
	Pupils     bool // locate pupils (needs the puploc cascade)
	Landmarks  bool // landmarks too (needs the lps cascades)
	Chip       bool // cut the 150x150 chip of the largest face (needs pupils)
	Embed      bool // embed that chip (needs the recognition weights)
	Track      bool // update the tracker
	Still      bool // a still image: the tracker is left alone
	GrabMs     float32
}

// Engine runs the per-frame pipeline. It is not safe for concurrent use: the
// worker feeds it one frame at a time.
type Engine struct {
	now func() float64 // milliseconds, injected

	cascade  *detect.Cascade
	det      *detect.Detector
	detW     int // frame size the detector was made for
	detH     int
	puploc   []byte
	lps      map[string][]byte
	pupils   *align.Aligner // pupils only
	marks    *align.Aligner // pupils and landmarks
	manifest []byte
	weights  []byte
	model    *embed.Model
	ws       *embed.Workspace
	trk      *track.Tracker
	line     wire.Line // the tracker's counting line

	format        Format
	width, height int
	pix           []byte // frame as copied in
	grayBuf       []byte
	gray          detect.Gray

	faces  []detect.Face
	cands  []detect.Face
	dets   []track.Detection
	trail  []track.Point
	counts []track.LineCount
	loc    align.Result

	seq    uint32
	res    wire.Result
	out    []float32
	chip   *image.RGBA
	hasCh  bool
	grayIm image.Gray
}

// New returns an engine timing its stages with now (milliseconds).
func New(now func() float64) *Engine {
	return &Engine{
		now:  now,
		chip: image.NewRGBA(image.Rect(0, 0, ChipSide, ChipSide)),
		lps:  map[string][]byte{},
	}
}

// LoadModel accepts one model file by its name: ModelFaceFinder,
// ModelPupils, an lps cascade ("lp38", …), ModelEmbedManifest or
// ModelEmbedWeights (the network loads once both have arrived).
func (e *Engine) LoadModel(name string, b []byte) error {
	var err error
	switch {
	case name == ModelFaceFinder:
		var c *detect.Cascade
		if c, err = detect.ParseCascade(b); err == nil {
			e.cascade, e.det, e.detW, e.detH = c, nil, 0, 0
		}
	case name == ModelPupils:
		var a *align.Aligner
		if a, err = align.New(b, nil, align.DefaultOptions()); err == nil {
			e.puploc, e.pupils = b, a
			err = e.rebuildLandmarks()
		}
	case strings.HasPrefix(name, "lp") && isLandmark(name):
		e.lps[name] = b
		err = e.rebuildLandmarks()
		if err != nil {
			delete(e.lps, name)
		}
	case name == ModelEmbedManifest:
		e.manifest = b
		err = e.loadEmbed()
	case name == ModelEmbedWeights:
		e.weights = b
		err = e.loadEmbed()
	default:
		return fmt.Errorf("%w: unknown model %q", ErrBadModel, name)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBadModel, name, err)
	}
	return nil
}

func isLandmark(name string) bool {
	for _, n := range align.LandmarkCascades {
		if n == name {
			return true
		}
	}
	return false
}

// rebuildLandmarks makes the landmark aligner once the pupil cascade and
// every landmark cascade are in (a partial set would draw a partial face).
func (e *Engine) rebuildLandmarks() error {
	if e.puploc == nil || len(e.lps) < len(align.LandmarkCascades) {
		return nil
	}
	o := align.DefaultOptions()
	o.Landmarks = true
	a, err := align.New(e.puploc, e.lps, o)
	if err != nil {
		return err
	}
	e.marks = a
	return nil
}

func (e *Engine) loadEmbed() error {
	if e.manifest == nil || e.weights == nil {
		return nil
	}
	// Loading builds about 40 MB of prepared weights and drops as much
	// garbage on the way. A wasm program's memory never shrinks, so collect
	// eagerly while loading: the default pacing lets the peak reach about
	// 80 MB, eager collection keeps it near the live size (about 60 MB).
	old := debug.SetGCPercent(10)
	m, err := embed.Load(e.manifest, e.weights)
	debug.SetGCPercent(old)
	if err != nil {
		e.manifest, e.weights = nil, nil
		return err
	}
	e.model, e.ws = m, m.NewWorkspace()
	e.manifest, e.weights = nil, nil // parsed: let the bytes go
	return nil
}

// Ready reports whether detection can run.
func (e *Engine) Ready() bool { return e.cascade != nil }

// HasPupils reports whether the pupil cascade is loaded.
func (e *Engine) HasPupils() bool { return e.pupils != nil }

// HasLandmarks reports whether every landmark cascade is loaded.
func (e *Engine) HasLandmarks() bool { return e.marks != nil }

// HasEmbed reports whether the recognition network is loaded.
func (e *Engine) HasEmbed() bool { return e.model != nil }

// Shared returns the loaded face finder, pupil aligner and recognition
// network (each nil until loaded), so that other code in the worker (the
// story scenes' gallery, wasm/internal/story) runs on the same parsed models
// instead of a second copy. Callers must not use them concurrently with
// Process.
func (e *Engine) Shared() (*detect.Cascade, *align.Aligner, *embed.Model) {
	return e.cascade, e.pupils, e.model
}

// Frame returns the reused buffer the caller copies a w×h frame of the given
// format into (tightly packed rows). It grows only when a larger frame arrives.
func (e *Engine) Frame(f Format, w, h int) ([]byte, error) {
	if w <= 0 || h <= 0 || w > MaxSide || h > MaxSide {
		return nil, fmt.Errorf("%w: %dx%d", ErrFrameSize, w, h)
	}
	if f < FormatGray || f > FormatBGRA {
		return nil, fmt.Errorf("%w: %d", ErrFormat, f)
	}
	n := w * h * f.BytesPerPixel()
	if cap(e.pix) < n {
		e.pix = make([]byte, n)
	}
	e.pix = e.pix[:n]
	e.format, e.width, e.height = f, w, h
	return e.pix, nil
}

// Chip returns the last chip (ChipSide² RGBA) and whether it belongs to the
// last processed frame.
func (e *Engine) Chip() ([]byte, bool) { return e.chip.Pix, e.hasCh }

// Result returns the last result, decoded (for tests and native callers).
func (e *Engine) Result() *wire.Result { return &e.res }

// Process runs the pipeline on the frame last copied into Frame's buffer and
// returns the packed results; the slice is reused by the next call.
func (e *Engine) Process(opt Options) ([]float32, error) {
	if e.cascade == nil {
		return nil, ErrNoModel
	}
	if e.width == 0 {
		return nil, fmt.Errorf("%w: no frame", ErrFrameSize)
	}
	t0 := e.now()
	if err := e.prepare(); err != nil {
		return nil, err
	}
	r := &e.res
	r.Reset()
	e.seq++
	r.Seq = e.seq & (1<<24 - 1)
	r.Width, r.Height = e.width, e.height
	p := e.det.Params()
	r.Sweep = wire.Sweep{MinSize: p.MinSize, MaxSize: min(p.MaxSize, e.width, e.height), Shift: float32(p.ShiftFactor), Scale: float32(p.ScaleFactor)}
	if opt.Still {
		r.Flags |= wire.FlagStill
	}

	// Detect.
	t1 := e.now()
	var err error
	if e.faces, err = e.det.Detect(e.gray, e.faces); err != nil {
		return nil, err
	}
	if opt.Candidates {
		if e.cands, err = e.det.Candidates(e.gray, e.cands); err != nil {
			return nil, err
		}
		r.Flags |= wire.FlagCandidates
		for _, c := range e.cands[:min(len(e.cands), wire.MaxCandidates)] {
			b := c.Rect()
			r.Candidates = append(r.Candidates, wire.Candidate{X: float32(b.Min.X), Y: float32(b.Min.Y), Size: float32(c.Size), Q: c.Score})
		}
	}
	for _, d := range e.faces[:min(len(e.faces), wire.MaxFaces)] {
		f := r.AddFace()
		b := d.Rect()
		f.X, f.Y, f.W, f.H, f.Score = float32(b.Min.X), float32(b.Min.Y), float32(b.Dx()), float32(b.Dy()), d.Score
		f.Left, f.Right = wire.Point{X: wire.NaN, Y: wire.NaN}, wire.Point{X: wire.NaN, Y: wire.NaN}
	}

	// Align: pupils (and landmarks) for every face, the chip for the largest.
	t2 := e.now()
	e.hasCh = false
	a := e.pupils
	if opt.Landmarks && e.marks != nil {
		a = e.marks
	}
	best, bestSide := -1, 0
	if opt.Pupils && a != nil {
		for i := range r.Faces {
			if err := a.Locate(e.gray, e.faces[i], &e.loc); err != nil {
				continue // a face box the aligner rejects: no pupils for it
			}
			f := &r.Faces[i]
			if e.loc.EyesFound {
				f.Left = wire.Point{X: float32(e.loc.LeftEye.X), Y: float32(e.loc.LeftEye.Y)}
				f.Right = wire.Point{X: float32(e.loc.RightEye.X), Y: float32(e.loc.RightEye.Y)}
				if e.faces[i].Size > bestSide {
					best, bestSide = i, e.faces[i].Size
				}
			}
			for _, l := range e.loc.Landmarks {
				f.Landmarks = append(f.Landmarks, wire.Point{X: float32(l.X), Y: float32(l.Y)})
			}
		}
	}
	if opt.Chip && best >= 0 {
		f := &r.Faces[best]
		t := align.ChipTransform(align.Point{X: float64(f.Left.X), Y: float64(f.Left.Y)},
			align.Point{X: float64(f.Right.X), Y: float64(f.Right.Y)}, align.ChipSize, align.ChipPadding)
		if e.warp(t) == nil {
			e.hasCh = true
			r.Flags |= wire.FlagChip
		}
	}

	// Embed the chip.
	t3 := e.now()
	if opt.Embed && e.hasCh && e.ws != nil {
		d, err := e.ws.Embed(e.chip)
		if err == nil {
			r.Embedding = append(r.Embedding, d[:]...)
		}
	}

	// Track.
	t4 := e.now()
	if opt.Track && !opt.Still {
		if err := e.track(r, t4); err != nil {
			return nil, err
		}
	}
	t5 := e.now()

	r.Timings = wire.Timings{
		Grab:   opt.GrabMs + float32(t1-t0),
		Detect: float32(t2 - t1),
		Align:  float32(t3 - t2),
		Embed:  float32(t4 - t3),
		Track:  float32(t5 - t4),
		Total:  opt.GrabMs + float32(t5-t0),
	}
	e.out = r.Append(e.out[:0])
	return e.out, nil
}

// prepare makes e.gray the frame's luma and the detector and tracker fit the
// frame size. Only a size change allocates.
func (e *Engine) prepare() error {
	var err error
	switch e.format {
	case FormatGray:
		e.gray = detect.Gray{Pix: e.pix, Width: e.width, Height: e.height, Stride: e.width}
	case FormatRGBA:
		e.gray, err = detect.GrayFromRGBA(e.pix, e.width, e.height, 4*e.width, e.grayBuf)
		e.grayBuf = e.gray.Pix
	case FormatBGRA:
		// Swap to RGBA in place: the buffer is ours and used once.
		for i := 0; i+3 < len(e.pix); i += 4 {
			e.pix[i], e.pix[i+2] = e.pix[i+2], e.pix[i]
		}
		e.format = FormatRGBA
		e.gray, err = detect.GrayFromRGBA(e.pix, e.width, e.height, 4*e.width, e.grayBuf)
		e.grayBuf = e.gray.Pix
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFrameSize, err)
	}
	if e.det == nil || e.detW != e.width || e.detH != e.height {
		d, err := detect.New(e.cascade, detect.ParamsFor(e.width, e.height))
		if err != nil {
			return err
		}
		e.det, e.detW, e.detH = d, e.width, e.height
		e.trk = nil
	}
	if e.trk == nil {
		cfg := track.DefaultConfig()
		cfg.ReportLost = true
		cfg.ReportTentative = true
		mid := float64(e.width) / 2
		// Drawn bottom to top, so a face moving left to right counts In.
		cfg.Lines = []track.Line{{A: track.Point{X: mid, Y: float64(e.height)}, B: track.Point{X: mid, Y: 0}}}
		e.line = wire.Line{X1: float32(mid), Y1: float32(e.height), X2: float32(mid), Y2: 0}
		t, err := track.New(cfg)
		if err != nil {
			return err
		}
		e.trk = t
	}
	return nil
}

// warp cuts the chip out of the frame: in colour from an RGBA frame, in grey
// from a Y plane.
func (e *Engine) warp(t align.Transform) error {
	if e.format == FormatGray {
		e.grayIm = image.Gray{Pix: e.gray.Pix, Stride: e.gray.Stride, Rect: image.Rect(0, 0, e.width, e.height)}
		return t.Warp(e.chip, &e.grayIm)
	}
	return t.WarpFrame(e.chip, align.Frame{Pix: e.pix, Width: e.width, Height: e.height, Stride: 4 * e.width})
}

func (e *Engine) track(r *wire.Result, nowMs float64) error {
	e.dets = e.dets[:0]
	for _, f := range r.Faces {
		e.dets = append(e.dets, track.Detection{Box: track.Box{X: float64(f.X), Y: float64(f.Y), W: float64(f.W), H: float64(f.H)}, Score: f.Score})
	}
	tracks, err := e.trk.Update(e.dets, time.Duration(nowMs*float64(time.Millisecond)))
	if err != nil {
		return err
	}
	for i := range tracks[:min(len(tracks), wire.MaxTracks)] {
		tr := &tracks[i]
		o := r.AddTrack()
		o.ID = tr.ID
		o.X, o.Y, o.W, o.H = float32(tr.Box.X), float32(tr.Box.Y), float32(tr.Box.W), float32(tr.Box.H)
		switch tr.State {
		case track.Confirmed:
			o.State = wire.Confirmed
		case track.Lost:
			o.State = wire.Lost
		default:
			o.State = wire.Tentative
		}
		o.AgeMs = float32(tr.Dwell.Seconds() * 1000)
		e.trail = tr.Trail(e.trail[:0])
		for _, p := range e.trail {
			o.Trail = append(o.Trail, wire.Point{X: float32(p.X), Y: float32(p.Y)})
		}
	}
	e.counts = e.trk.Crossings(e.counts[:0])
	r.Line = e.line
	if len(e.counts) > 0 {
		r.In, r.Out = e.counts[0].In, e.counts[0].Out
	}
	return nil
}
