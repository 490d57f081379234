package scene

import (
	"image/color"
	"math"
	"strconv"

	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// Scene ids, as the page sends them.
const (
	Find  = 1
	Track = 2
)

// Steps of the find scene.
const (
	StepSweep = iota + 1
	StepCandidates
	StepCluster
	StepLandmarks
	StepChip
	StepEmbed
)

// SweepPeriodMs is how long the animated sweep takes to show all its scales.
const SweepPeriodMs = 8000

// sweepScales is how many of the cascade's scales the sweep animation shows.
const sweepScales = 4

// View is the page's state the drawing depends on.
type View struct {
	Scene     int
	Step      int
	ElapsedMs float64 // since the step began
	Reduced   bool    // prefers-reduced-motion: no moving sweep
	Mirror    bool    // the video is shown mirrored (a selfie camera)
	// DisplayScale is screen pixels per video pixel (0 means 1): strokes
	// and digits keep a legible size on a phone's small video.
	DisplayScale float32
}

// unit is the basic stroke width in video pixels: about 2 px on a 480-line
// frame, and never under 2 screen pixels.
func unit(r *wire.Result, v View) float32 {
	u := max(2, float32(r.Height)/240)
	if v.DisplayScale > 0 {
		u = max(u, 2/v.DisplayScale)
	}
	return u
}

// Kind is a shape's kind.
type Kind uint8

// Shape kinds.
const (
	StrokeRect Kind = iota
	FillRect
	Line
	FillCircle
	StrokeCircle
)

// Shape is one thing to draw, in video pixels. Rects use X0, Y0 (top left),
// X1, Y1 (width, height); lines go from (X0, Y0) to (X1, Y1); circles are
// centred at (X0, Y0) with radius X1. Width is the stroke width in video
// pixels.
type Shape struct {
	Kind           Kind
	X0, Y0, X1, Y1 float32
	Width          float32
	Color          color.RGBA
}

// List is a reusable display list.
type List struct {
	Shapes []Shape
	// Animating reports that the drawing changes with time alone, so the
	// overlay should keep drawing frames even without new results.
	Animating bool

	w, h   float32 // frame size
	mirror bool
	digits []byte
	scales []int
}

// Colours (premultiplied alpha, as ebiten expects).
var (
	Yellow   = color.RGBA{0xff, 0xcc, 0x00, 0xff}
	Cyan     = color.RGBA{0x4d, 0xc3, 0xff, 0xff}
	White    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	Magenta  = color.RGBA{0xff, 0x4d, 0xd2, 0xff}
	Lime     = color.RGBA{0x7c, 0xff, 0x6b, 0xff}
	Grey     = color.RGBA{0x99, 0x99, 0x99, 0x99}
	palette  = []color.RGBA{Yellow, Cyan, {0xff, 0x5f, 0xa2, 0xff}, Lime, {0xff, 0x8c, 0x42, 0xff}, {0xb1, 0x8c, 0xff, 0xff}, {0x4d, 0xff, 0xd2, 0xff}, {0xff, 0x4d, 0x4d, 0xff}}
	Orange   = color.RGBA{0xff, 0x8c, 0x42, 0xff}
	lineGrey = color.RGBA{0xdd, 0xdd, 0xdd, 0xdd}
)

// TrackColor is the colour of a track ID; the page's timeline uses the same
// palette (js/app.js) so an ID has one colour everywhere.
func TrackColor(id int) color.RGBA { return palette[id%len(palette)] }

// fade scales a colour's alpha (premultiplied).
func fade(c color.RGBA, a float32) color.RGBA {
	a = max(0, min(1, a))
	return color.RGBA{uint8(float32(c.R) * a), uint8(float32(c.G) * a), uint8(float32(c.B) * a), uint8(float32(c.A) * a)}
}

// Build fills l for result r as seen in view v. It reuses l's storage.
func (l *List) Build(r *wire.Result, v View) {
	l.Shapes = l.Shapes[:0]
	l.Animating = false
	l.w, l.h = float32(r.Width), float32(r.Height)
	l.mirror = v.Mirror
	if r.Width == 0 || r.Height == 0 {
		return
	}
	switch v.Scene {
	case Track:
		l.track(r, v)
	case Find:
		l.find(r, v)
	}
}

func (l *List) find(r *wire.Result, v View) {
	unit := unit(r, v)
	switch v.Step {
	case StepSweep:
		l.sweep(r, v, unit)
	case StepCandidates:
		for _, c := range r.Candidates {
			l.rect(c.X, c.Y, c.Size, c.Size, unit/2, fade(Orange, 0.35+min(c.Q, 10)/15))
		}
	case StepCluster:
		for _, c := range r.Candidates {
			l.rect(c.X, c.Y, c.Size, c.Size, unit/2, fade(Orange, 0.25))
		}
		for _, f := range r.Faces {
			l.rect(f.X, f.Y, f.W, f.H, unit*1.5, Yellow)
			l.number(f.X, f.Y-9*unit, unit*1.5, int(f.Score+0.5), Yellow)
		}
	default: // landmarks, chip, embed
		for i := range r.Faces {
			f := &r.Faces[i]
			l.rect(f.X, f.Y, f.W, f.H, unit, fade(Yellow, 0.6))
			if f.HasPupils() {
				l.circle(f.Left.X, f.Left.Y, max(3, f.W/30), Magenta)
				l.circle(f.Right.X, f.Right.Y, max(3, f.W/30), Magenta)
			}
			for _, p := range f.Landmarks {
				l.circle(p.X, p.Y, max(2, f.W/50), Lime)
			}
			if v.Step >= StepChip && f.HasPupils() {
				l.chipFrame(f, unit)
			}
		}
	}
}

// Scales returns the window sizes the cascade tries, in pigo's order:
// from min, growing by ×scale (at least 2 px) while ≤ max.
func Scales(s wire.Sweep, dst []int) []int {
	dst = dst[:0]
	if s.MinSize <= 0 || s.MaxSize < s.MinSize || !(s.Scale > 1) {
		return dst
	}
	for size := s.MinSize; size <= s.MaxSize && len(dst) < 256; {
		dst = append(dst, size)
		size = int(float64(size) + math.Max(2, float64(size)*float64(s.Scale)-float64(size)))
	}
	return dst
}

// Windows returns how many windows of the given size the cascade evaluates on
// a w×h frame, and the step between them (pigo's loop).
func Windows(size int, shift float32, w, h int) (cols, rows, step int) {
	step = max(1, int(float64(shift)*float64(size)))
	off := size/2 + 1
	if w-off < off || h-off < off {
		return 0, 0, step
	}
	cols = (w-2*off)/step + 1
	rows = (h-2*off)/step + 1
	return cols, rows, step
}

// sweep draws the cascade's window sliding over the frame at a few of its
// scales, or, with reduced motion, a still sample of the windows.
func (l *List) sweep(r *wire.Result, v View, unit float32) {
	// Show scales up to half the frame: larger windows hide the picture.
	sw := r.Sweep
	sw.MaxSize = max(sw.MinSize, min(sw.MaxSize, min(r.Width, r.Height)/2))
	l.scales = Scales(sw, l.scales)
	if len(l.scales) == 0 {
		return
	}
	pick := func(i int) int { // sweepScales scales spread over the range
		if len(l.scales) == 1 {
			return l.scales[0]
		}
		return l.scales[i*(len(l.scales)-1)/(sweepScales-1)]
	}
	if v.Reduced {
		// A still picture instead of motion: for a few scales, one row of
		// windows side by side (every window the cascade tries overlaps
		// these), small scales at the top, large ones lower down.
		for i := range sweepScales {
			size := pick(i)
			cols, rows, step := Windows(size, r.Sweep.Shift, r.Width, r.Height)
			if cols == 0 {
				continue
			}
			s := float32(size)
			off := float32(size/2 + 1)
			y := off + float32((rows-1)*i/(sweepScales-1)*step)
			every := max(1, (size+step-1)/step)
			for c := 0; c < cols; c += every {
				x := off + float32(c*step)
				l.rect(x-s/2, y-s/2, s, s, unit/2, fade(Cyan, 0.6))
			}
			l.number(off-s/2+unit, y-s/2+unit, unit, size, Cyan)
		}
		return
	}
	l.Animating = true
	t := math.Mod(v.ElapsedMs, SweepPeriodMs) / SweepPeriodMs * sweepScales
	k := int(t)
	p := t - float64(k)
	size := pick(min(k, sweepScales-1))
	cols, rows, step := Windows(size, r.Sweep.Shift, r.Width, r.Height)
	if cols == 0 {
		return
	}
	n := cols * rows
	cur := min(n-1, int(p*float64(n)))
	off := float32(size/2 + 1)
	s := float32(size)
	const trail = 24
	for j := max(0, cur-trail); j <= cur; j++ {
		x := off + float32((j%cols)*step)
		y := off + float32((j/cols)*step)
		a := float32(0.15)
		w := unit / 2
		if j == cur {
			a, w = 1, unit
		}
		l.rect(x-s/2, y-s/2, s, s, w, fade(Cyan, a))
	}
	// Windows of this size the sweep has already passed and the cascade
	// accepted light up (when the page asked for candidates).
	for _, c := range r.Candidates {
		if int(c.Size+0.5) != size {
			continue
		}
		col := int((c.X+s/2-off)/float32(step) + 0.5)
		row := int((c.Y+s/2-off)/float32(step) + 0.5)
		if row*cols+col <= cur {
			l.rect(c.X, c.Y, s, s, unit/2, Orange)
		}
	}
	l.number(2*unit, 2*unit, unit*1.5, size, Cyan)
}

// chipFrame draws the square the 150x150 chip is cut from (see
// engine.buildChip for the template).
func (l *List) chipFrame(f *wire.Face, unit float32) {
	dx, dy := f.Right.X-f.Left.X, f.Right.Y-f.Left.Y
	d := float32(math.Hypot(float64(dx), float64(dy)))
	if d == 0 {
		return
	}
	cx := (f.Left.X+f.Right.X)/2 - 0.524*dy
	cy := (f.Left.Y+f.Right.Y)/2 + 0.524*dx
	half := 0.963365 * 1.5 * d
	ux, uy := dx/d*half, dy/d*half // along the eye line
	vx, vy := -uy, ux              // toward the mouth
	var px, py [4]float32
	for i, s := range [4][2]float32{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		px[i] = cx + s[0]*ux + s[1]*vx
		py[i] = cy + s[0]*uy + s[1]*vy
	}
	// Each side runs half a stroke past its corners so the corners close.
	ex, ey := dx/d*unit/2, dy/d*unit/2
	for i := range 4 {
		j := (i + 1) % 4
		sx, sy := ex, ey // along the eye line for sides 0 and 2
		if i%2 == 1 {
			sx, sy = -ey, ex
		}
		if i >= 2 {
			sx, sy = -sx, -sy
		}
		l.line(px[i]-sx, py[i]-sy, px[j]+sx, py[j]+sy, unit, White)
	}
}

func (l *List) track(r *wire.Result, v View) {
	unit := unit(r, v)
	// The counting line, dashed.
	ln := r.Line
	dx, dy := ln.X2-ln.X1, ln.Y2-ln.Y1
	length := float32(math.Hypot(float64(dx), float64(dy)))
	if length > 0 {
		dash := 8 * unit
		for s := float32(0); s < length; s += 2 * dash {
			e := min(length, s+dash)
			l.line(ln.X1+dx*s/length, ln.Y1+dy*s/length, ln.X1+dx*e/length, ln.Y1+dy*e/length, unit, lineGrey)
		}
	}
	for i := range r.Tracks {
		tr := &r.Tracks[i]
		c := TrackColor(tr.ID)
		switch tr.State {
		case wire.Tentative:
			l.rect(tr.X, tr.Y, tr.W, tr.H, unit/2, Grey)
			continue
		case wire.Lost:
			c = fade(c, 0.4)
		}
		for j := 1; j < len(tr.Trail); j++ {
			a, b := tr.Trail[j-1], tr.Trail[j]
			l.line(a.X, a.Y, b.X, b.Y, unit, fade(c, 0.25+0.75*float32(j)/float32(len(tr.Trail))))
		}
		l.rect(tr.X, tr.Y, tr.W, tr.H, unit*1.5, c)
		// ID above the box, seconds in view below it.
		l.number(tr.X, tr.Y-11*unit, unit*2, tr.ID, c)
		l.number(tr.X, tr.Y+tr.H+3*unit, unit*1.2, int(tr.AgeMs/1000), c)
	}
}

// ---- primitives (mirroring applied here) ----

func (l *List) mx(x float32) float32 {
	if l.mirror {
		return l.w - x
	}
	return x
}

func (l *List) rect(x, y, w, h, width float32, c color.RGBA) {
	if l.mirror {
		x = l.w - x - w
	}
	l.Shapes = append(l.Shapes, Shape{Kind: StrokeRect, X0: x, Y0: y, X1: w, Y1: h, Width: width, Color: c})
}

func (l *List) fill(x, y, w, h float32, c color.RGBA) {
	l.Shapes = append(l.Shapes, Shape{Kind: FillRect, X0: x, Y0: y, X1: w, Y1: h, Color: c})
}

func (l *List) line(x0, y0, x1, y1, width float32, c color.RGBA) {
	l.Shapes = append(l.Shapes, Shape{Kind: Line, X0: l.mx(x0), Y0: y0, X1: l.mx(x1), Y1: y1, Width: width, Color: c})
}

func (l *List) circle(x, y, r float32, c color.RGBA) {
	l.Shapes = append(l.Shapes, Shape{Kind: FillCircle, X0: l.mx(x), Y0: y, X1: r, Color: c})
}

// glyphs are 3x5 bitmaps of the digits, one row per 3 bits (MSB left).
var glyphs = [10][5]uint8{
	{7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
	{7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
}

// number draws n with block digits whose pixels are px video pixels, the
// left edge at x as seen on screen (so digits read left to right even when
// the video is mirrored), on a dark backing for contrast.
func (l *List) number(x, y, px float32, n int, c color.RGBA) {
	if n < 0 {
		n = 0
	}
	l.digits = strconv.AppendInt(l.digits[:0], int64(n), 10)
	w := float32(len(l.digits))*4*px + px
	if l.mirror {
		x = l.w - x - w // keep the number over the same box edge
	}
	x = max(0, min(l.w-w, x))
	y = max(0, min(l.h-7*px, y))
	l.fill(x, y, w, 7*px, color.RGBA{0, 0, 0, 0x99})
	for i, d := range l.digits {
		g := glyphs[d-'0']
		gx := x + px + float32(i)*4*px
		for row := range 5 {
			for col := range 3 {
				if g[row]&(4>>col) != 0 {
					l.fill(gx+float32(col)*px, y+px+float32(row)*px, px, px, c)
				}
			}
		}
	}
}
