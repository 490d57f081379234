package engine

import (
	"errors"
	"fmt"
	"image"
	"runtime/debug"
	"strings"
	"time"

	"github.com/facewatch/facewatch/assets/manifest"
	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/facelib/track"
	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// ChipSide is the side of the aligned face chip, in pixels.
const ChipSide = facelib.ChipSize

// MaxSide caps a frame's width and height.
const MaxSide = 4096

// Errors.
var (
	ErrNoModel   = errors.New("engine: face finder cascade not loaded")
	ErrBadModel  = errors.New("engine: model rejected")
	ErrFrameSize = errors.New("engine: bad frame size")
	ErrFormat    = errors.New("engine: unknown pixel format")
	// ErrStale means an embedding came back for a chip whose track is gone.
	ErrStale = errors.New("engine: stale chip")
)

// Model names, as the page sends them (and as the site lays the files out:
// models/facefinder, models/puploc, models/lps/<name>, models/<weights>).
const (
	ModelFaceFinder    = manifest.FaceFinder
	ModelPupils        = manifest.Pupils
	ModelEmbedManifest = manifest.EmbedManifest
	ModelEmbedWeights  = manifest.EmbedWeights
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
	Embed      bool // embed that chip here (stills; live frames use Reid's path)
	Track      bool // update the tracker
	// Reid re-identifies faces: the tracker remembers faces that left and
	// gives a returning face its old ID. Each frame, the chip of at most one
	// track that wants an embedding is attached (FlagChip with Result.ChipKey
	// set); the caller embeds it elsewhere (EmbedChip in a second worker) and
	// hands the numbers back with Observe. Needs the puploc cascade.
	Reid bool
	// Guided lets the tracker guide the detector (facelib.StreamOptions):
	// the Tracked scene on a slow device. The find scene shows the full
	// sweep and leaves it off.
	Guided bool
	// Rolled finds faces rolled up to about ±65° (facelib.StreamOptions).
	Rolled bool
	Still  bool // a still image: the tracker is left alone
	GrabMs float32
}

// Engine runs the per-frame pipeline on facelib's facade. It is not safe for
// concurrent use: the worker feeds it one frame at a time.
type Engine struct {
	now func() float64 // milliseconds, injected

	p      *facelib.Pipeline
	stream *facelib.Stream
	puploc []byte
	lps    map[string][]byte
	embedM []byte // manifest and weights until both are in
	embedW []byte

	detW, detH int // frame size the stream's tracker was made for
	reid       bool
	line       wire.Line // the tracker's counting line

	format        Format
	width, height int
	pix           []byte // frame as copied in
	grayIm        image.Gray
	rgbaIm        image.RGBA

	trail   []track.Point
	counts  []track.LineCount
	wanting []track.Track // tracks that want an embedding this frame

	seq    uint32
	res    wire.Result
	out    []float32
	chip   *image.RGBA
	hasCh  bool
	nextRq uint32
	reqs   [32]request // ring of chips handed out for embedding
	turn   int         // which wanting track gets the next chip
}

// request ties a chip handed out for embedding to its track.
type request struct {
	id  uint32
	key uint64
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
// ModelEmbedWeights (the network loads once both have arrived). The face
// finder comes first; the others grow the pipeline as they arrive.
func (e *Engine) LoadModel(name string, b []byte) error {
	var m facelib.Models
	switch {
	case name == ModelFaceFinder:
		m.FaceFinder = b
	case name == ModelPupils:
		m.PupilLocator = b
		if len(e.lps) == len(align.LandmarkCascades) {
			m.Landmarks = e.lps
		}
	case strings.HasPrefix(name, "lp") && isLandmark(name):
		e.lps[name] = b
		if e.puploc == nil || len(e.lps) < len(align.LandmarkCascades) {
			return nil // a partial set would draw a partial face
		}
		m.Landmarks = e.lps
	case name == ModelEmbedManifest:
		e.embedM = b
		if e.embedW == nil {
			return nil
		}
		m.EmbedManifest, m.EmbedWeights = e.embedM, e.embedW
	case name == ModelEmbedWeights:
		e.embedW = b
		if e.embedM == nil {
			return nil
		}
		m.EmbedManifest, m.EmbedWeights = e.embedM, e.embedW
	default:
		return fmt.Errorf("%w: unknown model %q", ErrBadModel, name)
	}
	if err := e.grow(m); err != nil {
		switch {
		case len(m.EmbedWeights) > 0:
			e.embedM, e.embedW = nil, nil
		case strings.HasPrefix(name, "lp"):
			delete(e.lps, name)
		}
		return fmt.Errorf("%w: %s: %w", ErrBadModel, name, err)
	}
	switch {
	case name == ModelPupils:
		e.puploc = b
	case len(m.EmbedWeights) > 0:
		e.embedM, e.embedW = nil, nil // parsed: let the bytes go
	}
	return nil
}

// liveAlign is the pupil and landmark search for live frames: 15 perturbed
// runs of each cascade instead of facelib's 31. The landmarks are drawn, not
// measured, and with every face's 15 points the 31 runs cost the frame path
// its camera rate in the find scene's steps 4–6 (about 18 ms a face in wasm,
// against 9).
var liveAlign = func() align.Options {
	o := align.DefaultOptions()
	o.Perturbations = 15
	return o
}()

// grow builds the pipeline with the models in m added.
func (e *Engine) grow(m facelib.Models) error {
	if e.p == nil && len(m.FaceFinder) == 0 {
		return ErrNoModel
	}
	if len(m.EmbedWeights) > 0 {
		// Loading builds about 40 MB of prepared weights and drops as much
		// garbage on the way. A wasm program's memory never shrinks, so
		// collect eagerly while loading: the default pacing lets the peak
		// reach about 80 MB, eager collection keeps it near the live size
		// (about 60 MB).
		defer debug.SetGCPercent(debug.SetGCPercent(10))
	}
	var p *facelib.Pipeline
	var err error
	if e.p == nil {
		p, err = facelib.New(facelib.Options{Models: m, Align: &liveAlign})
	} else {
		p, err = e.p.With(m)
	}
	if err != nil {
		return err
	}
	e.p = p
	if e.stream != nil {
		e.stream.Use(p)
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

// Ready reports whether detection can run.
func (e *Engine) Ready() bool { return e.p != nil }

// HasPupils reports whether the pupil cascade is loaded.
func (e *Engine) HasPupils() bool { return e.p != nil && e.p.CanAlign() }

// HasLandmarks reports whether every landmark cascade is loaded.
func (e *Engine) HasLandmarks() bool { return e.p != nil && e.p.HasLandmarks() }

// HasEmbed reports whether the recognition network is loaded.
func (e *Engine) HasEmbed() bool { return e.p != nil && e.p.CanEmbed() }

// Pipeline returns the engine's facelib pipeline (nil before the face
// finder), so that other code in the worker (the story scenes,
// wasm/internal/story) runs on the same parsed models. A Pipeline is safe for
// concurrent use.
func (e *Engine) Pipeline() *facelib.Pipeline { return e.p }

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

// EmbedChip computes the 128 numbers of a ChipSide² RGBA chip (from another
// engine's Chip) into dst. It is the second worker's whole job: it keeps the
// network's 90 ms or so off the frame path.
func (e *Engine) EmbedChip(dst []float32, pix []byte) ([]float32, error) {
	if !e.HasEmbed() {
		return dst, fmt.Errorf("%w: the recognition network is not loaded", ErrNoModel)
	}
	if len(pix) != len(e.chip.Pix) {
		return dst, fmt.Errorf("%w: chip of %d bytes, want %d", ErrFrameSize, len(pix), len(e.chip.Pix))
	}
	copy(e.chip.Pix, pix)
	d, err := e.p.Embed(e.chip)
	if err != nil {
		return dst, err
	}
	return append(dst[:0], d[:]...), nil
}

// Observe hands back the embedding of the chip attached to an earlier
// result (its Result.ChipKey). A chip whose track has gone, or one too old
// to remember, is ignored with an error wrapping ErrStale.
func (e *Engine) Observe(key uint32, emb []float32) error {
	if e.stream == nil || key == 0 {
		return fmt.Errorf("%w: no such chip", ErrStale)
	}
	r := &e.reqs[key%uint32(len(e.reqs))]
	if r.id != key {
		return fmt.Errorf("%w: chip %d", ErrStale, key)
	}
	r.id = 0
	v, err := match.FromSlice(emb)
	if err != nil {
		return err
	}
	if err := e.stream.Observe(r.key, v); err != nil {
		if errors.Is(err, track.ErrStale) {
			return fmt.Errorf("%w: %w", ErrStale, err)
		}
		return err
	}
	return nil
}

// Process runs the pipeline on the frame last copied into Frame's buffer and
// returns the packed results; the slice is reused by the next call.
func (e *Engine) Process(opt Options) ([]float32, error) {
	if e.p == nil {
		return nil, ErrNoModel
	}
	if e.width == 0 {
		return nil, fmt.Errorf("%w: no frame", ErrFrameSize)
	}
	t0 := e.now()
	img, err := e.prepare(opt.Reid)
	if err != nil {
		return nil, err
	}
	r := &e.res
	r.Reset()
	e.seq++
	r.Seq = e.seq & (1<<24 - 1)
	r.Width, r.Height = e.width, e.height
	if opt.Still {
		r.Flags |= wire.FlagStill
	}
	reid := opt.Reid && opt.Track && !opt.Still && e.p.CanAlign()

	// Detect, and locate the eyes (and landmarks).
	t1 := e.now()
	so := facelib.StreamOptions{
		Candidates: opt.Candidates, Eyes: (opt.Pupils || reid) && e.p.CanAlign(), Landmarks: opt.Landmarks,
		Guided: opt.Guided && opt.Track && !opt.Still, Rolled: opt.Rolled,
	}
	faces, err := e.stream.Detect(img, so)
	if err != nil {
		return nil, err
	}
	p := e.stream.Params()
	r.Sweep = wire.Sweep{MinSize: p.MinSize, MaxSize: min(p.MaxSize, e.width, e.height), Shift: float32(p.ShiftFactor), Scale: float32(p.ScaleFactor)}
	if opt.Candidates {
		r.Flags |= wire.FlagCandidates
		cands := e.stream.Candidates()
		for _, c := range cands[:min(len(cands), wire.MaxCandidates)] {
			b := c.Rect()
			r.Candidates = append(r.Candidates, wire.Candidate{X: float32(b.Min.X), Y: float32(b.Min.Y), Size: float32(c.Size), Q: c.Score})
		}
	}
	t2 := e.now()
	e.hasCh = false
	best, bestSide := -1, 0
	for i := range faces[:min(len(faces), wire.MaxFaces)] {
		f := &faces[i]
		o := r.AddFace()
		b := f.Box
		o.X, o.Y, o.W, o.H, o.Score = float32(b.Min.X), float32(b.Min.Y), float32(b.Dx()), float32(b.Dy()), f.Score
		o.Left, o.Right = wire.Point{X: wire.NaN, Y: wire.NaN}, wire.Point{X: wire.NaN, Y: wire.NaN}
		if !so.Eyes || !opt.Pupils {
			continue
		}
		for _, l := range f.Landmarks {
			o.Landmarks = append(o.Landmarks, wire.Point{X: float32(l.X), Y: float32(l.Y)})
		}
		if !f.EyesFound {
			continue
		}
		o.Left = wire.Point{X: float32(f.LeftEye.X), Y: float32(f.LeftEye.Y)}
		o.Right = wire.Point{X: float32(f.RightEye.X), Y: float32(f.RightEye.Y)}
		if b.Dx() > bestSide {
			best, bestSide = i, b.Dx()
		}
	}
	if opt.Chip && best >= 0 && e.stream.Chip(e.chip, faces[best]) == nil {
		e.hasCh = true
		r.Flags |= wire.FlagChip
	}

	// Embed the chip (stills: one frame, no hurry).
	t3 := e.now()
	if opt.Embed && e.hasCh && e.p.CanEmbed() {
		if d, err := e.stream.Embed(e.chip); err == nil {
			r.Embedding = append(r.Embedding, d[:]...)
		}
	}

	// Track.
	t4 := e.now()
	if opt.Track && !opt.Still {
		if err := e.track(r, t4, faces, reid); err != nil {
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

// prepare wraps the frame as an image for the facade and makes the stream
// and its tracker fit the frame size and the re-identification setting. Only
// a size change (or turning re-identification on or off) allocates.
func (e *Engine) prepare(reid bool) (image.Image, error) {
	var img image.Image
	switch e.format {
	case FormatGray:
		e.grayIm = image.Gray{Pix: e.pix, Stride: e.width, Rect: image.Rect(0, 0, e.width, e.height)}
		img = &e.grayIm
	case FormatBGRA:
		// Swap to RGBA in place: the buffer is ours and used once.
		for i := 0; i+3 < len(e.pix); i += 4 {
			e.pix[i], e.pix[i+2] = e.pix[i+2], e.pix[i]
		}
		e.format = FormatRGBA
		fallthrough
	case FormatRGBA:
		e.rgbaIm = image.RGBA{Pix: e.pix, Stride: 4 * e.width, Rect: image.Rect(0, 0, e.width, e.height)}
		img = &e.rgbaIm
	}
	if e.stream == nil || e.detW != e.width || e.detH != e.height || e.reid != reid {
		cfg := track.DefaultConfig()
		cfg.ReportLost = true
		cfg.ReportTentative = true
		if !reid {
			cfg.Memory = 0 // nothing remembered: a face that comes back is new
		}
		mid := float64(e.width) / 2
		// Drawn bottom to top, so a face moving left to right counts In.
		cfg.Lines = []track.Line{{A: track.Point{X: mid, Y: float64(e.height)}, B: track.Point{X: mid, Y: 0}}}
		e.line = wire.Line{X1: float32(mid), Y1: float32(e.height), X2: float32(mid), Y2: 0}
		s, err := e.p.NewStream(&cfg)
		if err != nil {
			return nil, err
		}
		e.stream, e.detW, e.detH, e.reid = s, e.width, e.height, reid
		clear(e.reqs[:])
	}
	return img, nil
}

func (e *Engine) track(r *wire.Result, nowMs float64, faces []facelib.Face, reid bool) error {
	tracks, err := e.stream.Track(time.Duration(nowMs * float64(time.Millisecond)))
	if err != nil {
		return err
	}
	want := -1 // the track whose chip goes out for embedding this frame
	if reid {
		e.wanting = e.stream.Tracker().ToEmbed(e.wanting[:0])
		want = e.pickWanting(e.wanting, faces)
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
		o.RecallDist = wire.NaN
		if tr.Recalled {
			o.GapMs = float32(tr.Gap.Seconds() * 1000)
			o.RecallDist = float32(tr.RecallDistance)
		}
		e.trail = tr.Trail(e.trail[:0])
		for _, p := range e.trail {
			o.Trail = append(o.Trail, wire.Point{X: float32(p.X), Y: float32(p.Y)})
		}
	}
	if want >= 0 {
		tr := &e.wanting[want]
		if e.stream.Chip(e.chip, faces[tr.Detection]) == nil {
			e.nextRq = e.nextRq%(1<<24-1) + 1
			e.reqs[e.nextRq%uint32(len(e.reqs))] = request{id: e.nextRq, key: tr.Key}
			e.hasCh = true
			r.Flags |= wire.FlagChip
			r.ChipKey = e.nextRq
		}
	}
	e.counts = e.stream.Tracker().Crossings(e.counts[:0])
	r.Line = e.line
	if len(e.counts) > 0 {
		r.In, r.Out = e.counts[0].In, e.counts[0].Out
	}
	return nil
}

// pickWanting returns the index of the track whose chip is embedded next,
// or -1: a held new track first (its ID waits on it), otherwise the wanting
// tracks take turns. Only faces with located eyes make a chip.
func (e *Engine) pickWanting(tracks []track.Track, faces []facelib.Face) int {
	wants := func(tr *track.Track) bool {
		return tr.Detection >= 0 && tr.Detection < len(faces) && faces[tr.Detection].EyesFound
	}
	n := 0
	for i := range tracks {
		if tr := &tracks[i]; wants(tr) {
			if tr.ID == 0 {
				return i
			}
			n++
		}
	}
	if n == 0 {
		return -1
	}
	e.turn++
	k := e.turn % n
	for i := range tracks {
		if wants(&tracks[i]) {
			if k == 0 {
				return i
			}
			k--
		}
	}
	return -1
}
