//go:build js

package main

import (
	"syscall/js"
	"unsafe"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"github.com/facewatch/facewatch/wasm/internal/scene"
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
}

func (g *game) Update() error {
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
	if g.list.Animating {
		ebiten.ScheduleFrame()
	}
	return nil
}

func (g *game) Draw(screen *ebiten.Image) {
	if !g.haveRes || g.res.Width == 0 {
		return
	}
	sx := float32(g.w) / float32(g.res.Width)
	sy := float32(g.h) / float32(g.res.Height)
	for i := range g.list.Shapes {
		s := &g.list.Shapes[i]
		w := max(1, s.Width*sx)
		switch s.Kind {
		case scene.StrokeRect:
			vector.StrokeRect(screen, s.X0*sx, s.Y0*sy, s.X1*sx, s.Y1*sy, w, s.Color, false)
		case scene.FillRect:
			vector.FillRect(screen, s.X0*sx, s.Y0*sy, s.X1*sx, s.Y1*sy, s.Color, false)
		case scene.Line:
			vector.StrokeLine(screen, s.X0*sx, s.Y0*sy, s.X1*sx, s.Y1*sy, w, s.Color, false)
		case scene.FillCircle:
			vector.FillCircle(screen, s.X0*sx, s.Y0*sy, max(1, s.X1*sx), s.Color, false)
		case scene.StrokeCircle:
			vector.StrokeCircle(screen, s.X0*sx, s.Y0*sy, max(1, s.X1*sx), w, s.Color, false)
		}
	}
}

func (g *game) Layout(w, h int) (int, int) {
	g.w, g.h = w, h
	return w, h
}

func main() {
	g := &game{
		parent: js.Global().Get("parent"),
		uint8:  js.Global().Get("Uint8Array"),
	}
	g.perf = g.parent.Get("performance") // the page's clock: stepStart comes from it
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
