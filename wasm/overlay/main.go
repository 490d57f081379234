//go:build js

package main

import (
	"image/color"
	"math"
	"syscall/js"
	"time"
	"unsafe"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/facewatch/facewatch/wasm/internal/scene"
	"github.com/facewatch/facewatch/wasm/internal/sprite"
	"github.com/facewatch/facewatch/wasm/internal/wire"
)

type game struct {
	parent  js.Value
	uint8   js.Value
	perf    js.Value
	lastSeq int
	buf     []byte
	res     wire.Result
	haveRes bool
	list    scene.List
	view    scene.View
	w, h    int

	lastFrame   float64 // page clock, ms
	tickPending bool
	tick        js.Func
	setTimeout  js.Value

	op    ebiten.DrawImageOptions
	pixel *ebiten.Image // a white pixel of the sprite sheet
	disc  *ebiten.Image // a white disc of the sprite sheet

	drawn     bool // a frame with a result has been drawn
	announced bool // the page has been told the overlay is ready
}

func (g *game) Update() error {
	if g.drawn && !g.announced {
		// The previous frame drew a result and has been presented: the
		// page can stop drawing its own boxes.
		g.announced = true
		if f := g.parent.Get("facewatchOverlayReady"); f.Type() == js.TypeFunction {
			f.Invoke()
		}
	}
	fr := g.parent.Get("facewatchFrame")
	if !fr.Truthy() {
		g.haveRes = false // the page stopped its source: draw nothing
		g.list.Shapes = g.list.Shapes[:0]
		return nil
	}
	if seq := fr.Get("seq").Int(); seq != g.lastSeq {
		g.lastSeq = seq
		// A typed array from the parent's realm is not a Uint8Array of
		// this one (CopyBytesToGo checks instanceof): copy it across first.
		local := g.uint8.New(fr.Get("bytes"))
		n := local.Get("byteLength").Int()
		if cap(g.buf) < n {
			g.buf = make([]byte, n+n/2)
		}
		g.buf = g.buf[:n]
		js.CopyBytesToGo(g.buf, local)
		if n%4 == 0 && n > 0 {
			f := unsafe.Slice((*float32)(unsafe.Pointer(&g.buf[0])), n/4)
			g.haveRes = wire.Decode(f, &g.res) == nil
		}
	}
	g.view = scene.View{
		Scene:     fr.Get("scene").Int(),
		Step:      fr.Get("step").Int(),
		ElapsedMs: g.perf.Call("now").Float() - fr.Get("stepStart").Float(),
		Reduced:   fr.Get("reduced").Truthy(),
		Mirror:    fr.Get("mirror").Truthy(),
	}
	if ds := fr.Get("displayScale"); ds.Type() == js.TypeNumber {
		g.view.DisplayScale = float32(ds.Float())
	}
	if g.haveRes {
		g.list.Build(&g.res, g.view)
	}
	g.lastFrame = g.perf.Call("now").Float()
	if g.list.Animating && !g.tickPending {
		// Animate at about 25 frames a second, not at the display's rate:
		// on software GL every presented frame costs the GPU process
		// ~15 ms of CPU, so the sweep at 60 Hz halved the worker's rate.
		g.tickPending = true
		g.setTimeout.Invoke(g.tick, animFrameMs)
	}
	return nil
}

// animFrameMs is the interval between animation frames when no new result
// arrives sooner (results wake the overlay themselves).
const animFrameMs = 40

func (g *game) onTick() {
	g.tickPending = false
	if wait := animFrameMs - (g.perf.Call("now").Float() - g.lastFrame); wait > 5 {
		// A result drew a frame meanwhile: wait out the rest of the interval.
		g.tickPending = true
		g.setTimeout.Invoke(g.tick, wait)
		return
	}
	ebiten.ScheduleFrame()
}

func (g *game) Draw(screen *ebiten.Image) {
	if !g.haveRes || g.res.Width == 0 {
		return
	}
	g.drawn = true
	sx := float32(g.w) / float32(g.res.Width)
	sy := float32(g.h) / float32(g.res.Height)
	for i := range g.list.Shapes {
		s := &g.list.Shapes[i]
		w := max(1, s.Width*sx)
		switch s.Kind {
		case scene.StrokeRect:
			x, y, rw, rh := s.X0*sx, s.Y0*sy, s.X1*sx, s.Y1*sy
			g.rect(screen, x-w/2, y-w/2, rw+w, w, s.Color)
			g.rect(screen, x-w/2, y+rh-w/2, rw+w, w, s.Color)
			g.rect(screen, x-w/2, y+w/2, w, rh-w, s.Color)
			g.rect(screen, x+rw-w/2, y+w/2, w, rh-w, s.Color)
		case scene.FillRect:
			g.rect(screen, s.X0*sx, s.Y0*sy, s.X1*sx, s.Y1*sy, s.Color)
		case scene.Line:
			g.line(screen, s.X0*sx, s.Y0*sy, s.X1*sx, s.Y1*sy, w, s.Color)
		case scene.FillCircle, scene.StrokeCircle:
			g.circle(screen, s.X0*sx, s.Y0*sy, max(1, s.X1*sx), s.Color)
		}
	}
}

// Every shape is a scaled copy of a sub-image of one small sprite sheet (a
// white pixel and a disc), so ebiten batches the whole frame into a single
// draw call; its vector package would issue stencil passes per shape. The
// sheet's pixels come from package sprite, computed rather than drawn: the
// overlay's start-up runs on the page's main thread.
const discSize = sprite.DiscSize

func (g *game) initSprites() {
	sheet := ebiten.NewImage(sprite.Width, sprite.Height)
	sheet.WritePixels(sprite.Sheet())
	g.disc = sheet.SubImage(sprite.Disc).(*ebiten.Image)
	g.pixel = sheet.SubImage(sprite.Pixel).(*ebiten.Image)
}

func (g *game) rect(dst *ebiten.Image, x, y, w, h float32, c color.RGBA) {
	if w <= 0 || h <= 0 {
		return
	}
	g.op.GeoM.Reset()
	g.op.GeoM.Scale(float64(w), float64(h))
	g.op.GeoM.Translate(float64(x), float64(y))
	g.op.ColorScale.Reset()
	g.op.ColorScale.ScaleWithColor(c)
	dst.DrawImage(g.pixel, &g.op)
}

func (g *game) line(dst *ebiten.Image, x0, y0, x1, y1, w float32, c color.RGBA) {
	dx, dy := float64(x1-x0), float64(y1-y0)
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	g.op.GeoM.Reset()
	g.op.GeoM.Scale(l, float64(w))
	g.op.GeoM.Translate(0, -float64(w)/2)
	g.op.GeoM.Rotate(math.Atan2(dy, dx))
	g.op.GeoM.Translate(float64(x0), float64(y0))
	g.op.ColorScale.Reset()
	g.op.ColorScale.ScaleWithColor(c)
	dst.DrawImage(g.pixel, &g.op)
}

func (g *game) circle(dst *ebiten.Image, x, y, r float32, c color.RGBA) {
	g.op.GeoM.Reset()
	g.op.GeoM.Scale(float64(2*r)/discSize, float64(2*r)/discSize)
	g.op.GeoM.Translate(float64(x-r), float64(y-r))
	g.op.ColorScale.Reset()
	g.op.ColorScale.ScaleWithColor(c)
	dst.DrawImage(g.disc, &g.op)
}

func (g *game) Layout(w, h int) (int, int) {
	g.w, g.h = w, h
	return w, h
}

// yield gives the page's main thread back for a moment: the overlay runs on
// its parent page's thread (a same-origin iframe), and Go on js/wasm returns
// to the browser's event loop whenever every goroutine is waiting. Start-up
// is split at these points so the page can handle worker results and draw
// in between, instead of one task of the whole start-up.
func yield() { time.Sleep(time.Millisecond) }

func main() {
	yield() // package initialisation (ebiten's shaders among it) was one task
	g := &game{
		parent: js.Global().Get("parent"),
		uint8:  js.Global().Get("Uint8Array"),
	}
	g.perf = g.parent.Get("performance") // the page's clock: stepStart comes from it
	g.initSprites()
	yield()
	g.setTimeout = js.Global().Get("setTimeout")
	g.tick = js.FuncOf(func(js.Value, []js.Value) any {
		g.onTick()
		return nil
	})
	defer g.tick.Release()
	wake := js.FuncOf(func(js.Value, []js.Value) any {
		ebiten.ScheduleFrame()
		return nil
	})
	defer wake.Release()
	js.Global().Set("fwWake", wake)

	ebiten.SetFPSMode(ebiten.FPSModeVsyncOffMinimum)
	ebiten.SetScreenClearedEveryFrame(true)
	ebiten.SetRunnableOnUnfocused(true)
	ebiten.SetWindowTitle("facewatch overlay")
	if err := ebiten.RunGameWithOptions(g, &ebiten.RunGameOptions{
		ScreenTransparent: true,
		DisableHiDPI:      true,
		InitUnfocused:     true,
	}); err != nil {
		js.Global().Get("console").Call("error", "facewatch overlay: "+err.Error())
	}
}
