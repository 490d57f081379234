package engine

import (
	"errors"
	"fmt"
	"math"

	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// ChipSide is the side of the aligned face chip, in pixels.
const ChipSide = 150

// MaxSide caps a frame's width and height.
const MaxSide = 4096

// Errors.
var (
	ErrNoModel   = errors.New("engine: face finder cascade not loaded")
	ErrBadModel  = errors.New("engine: model rejected")
	ErrFrameSize = errors.New("engine: bad frame size")
	ErrFormat    = errors.New("engine: unknown pixel format")
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
	Candidates bool // keep the raw cascade windows (find scene)
	Pupils     bool // locate pupils (needs the puploc cascade)
	Landmarks  bool // landmarks too (needs lps cascades and pupils)
	Chip       bool // build the 150x150 chip of the largest face (needs pupils)
	Track      bool // update the tracker
	Still      bool // a still image: tracker untouched, flag set
	GrabMs     float32
}

// Params tune detection.
type Params struct {
	MinSize, MaxSize   int
	Shift, ScaleFactor float64
	IoU                float64 // clustering threshold
	MinScore           float32 // clustered score below which a face is dropped
	// Perturbs is the number of puploc perturbations. pigo's RunDetector
	// sorts a fixed 63-entry pool whatever the count, so anything below 63
	// returns stale values: keep 63 while pigo is called directly.
	Perturbs int
}

// DefaultParams are what held 30 fps in a browser worker at 640x480.
func DefaultParams() Params {
	return Params{MinSize: 60, MaxSize: 1000, Shift: 0.1, ScaleFactor: 1.1, IoU: 0.2, MinScore: 5, Perturbs: 63}
}

// Engine runs the per-frame pipeline. It is not safe for concurrent use: the
// worker feeds it one frame at a time.
type Engine struct {
	now    func() float64 // milliseconds, injected
	params Params

	det   detector
	align aligner
	trk   tracker

	format        Format
	width, height int
	pix           []byte // frame as copied in (gray or 4-byte)
	gray          []byte // grey view: pix itself for FormatGray, else grayBuf
	grayBuf       []byte

	seq   uint32
	res   wire.Result
	out   []float32
	chip  []byte
	hasCh bool
}

// New returns an engine timing its stages with now (milliseconds).
func New(now func() float64, p Params) *Engine {
	e := &Engine{now: now, params: p, chip: make([]byte, ChipSide*ChipSide*4)}
	e.trk.init()
	return e
}

// Params returns the detection parameters in use.
func (e *Engine) Params() Params { return e.params }

// LoadModel accepts one model file by its site name: "facefinder", "puploc",
// or an lps cascade name ("lp38", …).
func (e *Engine) LoadModel(name string, b []byte) error {
	var err error
	switch {
	case name == "facefinder":
		err = e.det.load(b)
	case name == "puploc":
		err = e.align.loadPuploc(b)
	case len(name) > 2 && name[:2] == "lp":
		err = e.align.loadLandmark(name, b)
	default:
		return fmt.Errorf("%w: unknown model %q", ErrBadModel, name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Ready reports whether detection can run.
func (e *Engine) Ready() bool { return e.det.ok() }

// HasPupils reports whether the pupil cascade is loaded.
func (e *Engine) HasPupils() bool { return e.align.puploc != nil }

// HasLandmarks reports whether any landmark cascade is loaded.
func (e *Engine) HasLandmarks() bool { return len(e.align.lps) > 0 }

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

// Chip returns the last chip (ChipSide² RGBA) and whether it is valid for the
// last processed frame.
func (e *Engine) Chip() ([]byte, bool) { return e.chip, e.hasCh }

// Process runs the pipeline on the frame last copied into Frame's buffer and
// returns the packed results; the slice is reused by the next call.
func (e *Engine) Process(opt Options) ([]float32, error) {
	if !e.det.ok() {
		return nil, ErrNoModel
	}
	if e.width == 0 {
		return nil, fmt.Errorf("%w: no frame", ErrFrameSize)
	}
	t0 := e.now()
	e.toGray()
	r := &e.res
	r.Reset()
	e.seq++
	r.Seq = e.seq & (1<<24 - 1)
	r.Width, r.Height = e.width, e.height
	p := e.params
	r.Sweep = wire.Sweep{MinSize: p.MinSize, MaxSize: min(p.MaxSize, e.width, e.height), Shift: float32(p.Shift), Scale: float32(p.ScaleFactor)}
	if opt.Still {
		r.Flags |= wire.FlagStill
	}

	// Detect.
	t1 := e.now()
	faces := e.det.run(e.gray, e.width, e.height, p)
	if opt.Candidates {
		r.Flags |= wire.FlagCandidates
		for _, d := range e.det.raw {
			if len(r.Candidates) == wire.MaxCandidates {
				break
			}
			s := float32(d.Scale)
			r.Candidates = append(r.Candidates, wire.Candidate{X: float32(d.Col) - s/2, Y: float32(d.Row) - s/2, Size: s, Q: d.Q})
		}
	}
	for _, d := range faces {
		if len(r.Faces) == wire.MaxFaces {
			break
		}
		f := r.AddFace()
		s := float32(d.Scale)
		f.X, f.Y, f.W, f.H, f.Score = float32(d.Col)-s/2, float32(d.Row)-s/2, s, s, d.Q
		f.Left, f.Right = wire.Point{X: wire.NaN, Y: wire.NaN}, wire.Point{X: wire.NaN, Y: wire.NaN}
	}

	// Align.
	t2 := e.now()
	e.hasCh = false
	if opt.Pupils && e.align.puploc != nil {
		for i := range r.Faces {
			f := &r.Faces[i]
			e.align.pupils(f, e.gray, e.width, e.height, p.Perturbs)
			if opt.Landmarks && f.HasPupils() {
				f.Landmarks = e.align.landmarks(f, e.gray, e.width, e.height, p.Perturbs, f.Landmarks)
			}
		}
		if opt.Chip {
			if best := largestWithPupils(r.Faces); best >= 0 {
				e.buildChip(&r.Faces[best])
				e.hasCh = true
				r.Flags |= wire.FlagChip
			}
		}
	}

	// Track.
	t3 := e.now()
	if opt.Track && !opt.Still {
		e.trk.update(r, t3)
	}
	e.trk.line(r)
	t4 := e.now()

	r.Timings = wire.Timings{
		Grab:   opt.GrabMs + float32(t1-t0),
		Detect: float32(t2 - t1),
		Align:  float32(t3 - t2),
		Track:  float32(t4 - t3),
		Total:  opt.GrabMs + float32(t4-t0),
	}
	e.out = r.Append(e.out[:0])
	return e.out, nil
}

// Result returns the last result, decoded (for tests and native callers).
func (e *Engine) Result() *wire.Result { return &e.res }

// toGray makes e.gray the frame's luma.
func (e *Engine) toGray() {
	n := e.width * e.height
	if e.format == FormatGray {
		e.gray = e.pix[:n]
		return
	}
	if cap(e.grayBuf) < n {
		e.grayBuf = make([]byte, n)
	}
	e.gray = e.grayBuf[:n]
	ri, bi := 0, 2
	if e.format == FormatBGRA {
		ri, bi = 2, 0
	}
	pix := e.pix
	for i := range n {
		q := pix[4*i : 4*i+4 : 4*i+4]
		// ITU-R BT.601 luma in fixed point, as image/color does.
		e.gray[i] = uint8((19595*uint32(q[ri]) + 38470*uint32(q[1]) + 7471*uint32(q[bi]) + 1<<15) >> 16)
	}
}

func largestWithPupils(faces []wire.Face) int {
	best, side := -1, float32(0)
	for i := range faces {
		if faces[i].HasPupils() && faces[i].W > side {
			best, side = i, faces[i].W
		}
	}
	return best
}

// buildChip warps the face into the 150x150 chip the recognition network
// expects, from the two eye centres (dlib's get_face_chip_details template
// with padding 0.25, see DESIGN.md): side ≈ 2.89 × eye distance, centred
// 0.524 eye distances below the eye midpoint, rotated with the eye line.
func (e *Engine) buildChip(f *wire.Face) {
	lx, ly := float64(f.Left.X), float64(f.Left.Y)
	rx, ry := float64(f.Right.X), float64(f.Right.Y)
	dx, dy := rx-lx, ry-ly
	// Rotate the eye vector 90° toward the mouth (y down): (dx, dy) → (−dy, dx).
	cx := (lx+rx)/2 + 0.524*(-dy)
	cy := (ly+ry)/2 + 0.524*dx
	side := 2 * 0.963365 * 1.5 * math.Hypot(dx, dy)
	cos, sin := dx/math.Hypot(dx, dy), dy/math.Hypot(dx, dy)
	if math.IsNaN(cos) {
		cos, sin = 1, 0
	}
	step := side / ChipSide
	rgba := e.format != FormatGray
	ri, bi := 0, 2
	if e.format == FormatBGRA {
		ri, bi = 2, 0
	}
	for v := range ChipSide {
		for u := range ChipSide {
			ox := (float64(u) + 0.5 - ChipSide/2) * step
			oy := (float64(v) + 0.5 - ChipSide/2) * step
			x := cx + ox*cos - oy*sin
			y := cy + ox*sin + oy*cos
			o := e.chip[4*(v*ChipSide+u):]
			if rgba {
				o[0] = e.sample(x, y, 4, ri)
				o[1] = e.sample(x, y, 4, 1)
				o[2] = e.sample(x, y, 4, bi)
			} else {
				g := e.sample(x, y, 1, 0)
				o[0], o[1], o[2] = g, g, g
			}
			o[3] = 255
		}
	}
}

// sample reads channel ch of the frame at (x, y) bilinearly, clamping at the
// border.
func (e *Engine) sample(x, y float64, bpp, ch int) uint8 {
	x -= 0.5
	y -= 0.5
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	at := func(xi, yi int) float64 {
		xi = max(0, min(e.width-1, xi))
		yi = max(0, min(e.height-1, yi))
		return float64(e.pix[(yi*e.width+xi)*bpp+ch])
	}
	ix, iy := int(x0), int(y0)
	v := (at(ix, iy)*(1-fx)+at(ix+1, iy)*fx)*(1-fy) + (at(ix, iy+1)*(1-fx)+at(ix+1, iy+1)*fx)*fy
	return uint8(max(0, min(255, math.Round(v))))
}
