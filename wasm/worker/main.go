//go:build js

package main

import (
	"encoding/json"
	"errors"
	"syscall/js"
	"time"
	"unsafe"

	"github.com/facewatch/facewatch/wasm/internal/engine"
	"github.com/facewatch/facewatch/wasm/internal/story"
)

// Option bits of fwProcess, mirrored in playground/js/worker.js.
const (
	optCandidates = 1 << iota
	optPupils
	optLandmarks
	optChip
	optTrack
	optStill
	optEmbed
	optReid
	optGuided
	optRolled
)

func main() {
	start := time.Now()
	now := func() float64 { return float64(time.Since(start).Nanoseconds()) / 1e6 }
	e := engine.New(now)
	var lastErr string
	var out, emb []float32
	chipIn := make([]byte, engine.ChipSide*engine.ChipSide*4)
	obs := make([]float32, 128)
	done := make(chan struct{})

	global := js.Global()
	funcs := map[string]js.Func{
		"fwLoad": js.FuncOf(func(_ js.Value, a []js.Value) any {
			if len(a) < 2 {
				return "fwLoad(name, bytes)"
			}
			b := make([]byte, a[1].Get("byteLength").Int())
			js.CopyBytesToGo(b, a[1])
			if err := e.LoadModel(a[0].String(), b); err != nil {
				return err.Error()
			}
			return ""
		}),
		"fwProcess": js.FuncOf(func(_ js.Value, a []js.Value) any {
			if len(a) < 6 {
				lastErr = "fwProcess(format, width, height, pixels, options, grabMs)"
				return -1
			}
			t0 := now()
			buf, err := e.Frame(engine.Format(a[0].Int()), a[1].Int(), a[2].Int())
			if err != nil {
				lastErr = err.Error()
				return -1
			}
			if n := js.CopyBytesToGo(buf, a[3]); n != len(buf) {
				lastErr = "fwProcess: pixel buffer shorter than the frame"
				return -1
			}
			o := a[4].Int()
			grab := float32(a[5].Float() + (now() - t0))
			out, err = e.Process(engine.Options{
				Candidates: o&optCandidates != 0,
				Pupils:     o&optPupils != 0,
				Landmarks:  o&optLandmarks != 0,
				Chip:       o&optChip != 0,
				Track:      o&optTrack != 0,
				Still:      o&optStill != 0,
				Embed:      o&optEmbed != 0,
				Reid:       o&optReid != 0,
				Guided:     o&optGuided != 0,
				Rolled:     o&optRolled != 0,
				GrabMs:     grab,
			})
			if err != nil {
				lastErr = err.Error()
				return -1
			}
			return 4 * len(out)
		}),
		"fwError": js.FuncOf(func(js.Value, []js.Value) any { return lastErr }),
		// The recogniser (a second worker running this same program with the
		// recognition network loaded) embeds a frame worker's chip:
		// fwEmbedChip(chip Uint8Array, out Uint8Array over a Float32Array(128))
		// → "" or an error.
		"fwEmbedChip": js.FuncOf(func(_ js.Value, a []js.Value) any {
			if len(a) < 2 || a[0].Get("byteLength").Int() != len(chipIn) || a[1].Get("byteLength").Int() != 4*len(obs) {
				return "fwEmbedChip(chip of 150x150 RGBA, out)"
			}
			js.CopyBytesToGo(chipIn, a[0])
			var err error
			if emb, err = e.EmbedChip(emb, chipIn); err != nil {
				return err.Error()
			}
			js.CopyBytesToJS(a[1], unsafe.Slice((*byte)(unsafe.Pointer(&emb[0])), 4*len(emb)))
			return ""
		}),
		// The frame worker gets the numbers back: fwObserve(key, Uint8Array over
		// a Float32Array(128)).
		"fwObserve": js.FuncOf(func(_ js.Value, a []js.Value) any {
			if len(a) < 2 || a[1].Get("byteLength").Int() != 4*len(obs) {
				return "fwObserve(key, embedding)"
			}
			js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&obs[0])), 4*len(obs)), a[1])
			if err := e.Observe(uint32(a[0].Int()), obs); err != nil {
				return err.Error()
			}
			return ""
		}),
		"fwRead": js.FuncOf(func(_ js.Value, a []js.Value) any {
			if len(a) < 1 || len(out) == 0 {
				return 0
			}
			b := unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), 4*len(out))
			return js.CopyBytesToJS(a[0], b)
		}),
		"fwChip": js.FuncOf(func(_ js.Value, a []js.Value) any {
			chip, ok := e.Chip()
			if len(a) < 1 || !ok {
				return false
			}
			js.CopyBytesToJS(a[0], chip)
			return true
		}),
	}
	// The story scenes (wasm/internal/story): JSON in, JSON out; faces of a
	// still image on the engine's models, chips kept for fwStoryChips.
	xtr := story.NewExtractor()
	var chips, still []byte
	var strangers *story.Strangers // the bundled stranger gallery, once the page sends it
	answer := func(b []byte, err error) any {
		if err != nil {
			return map[string]any{"error": err.Error()}
		}
		return map[string]any{"json": string(b)}
	}
	funcs["fwStory"] = js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) < 1 {
			return answer(nil, errors.New("fwStory(json)"))
		}
		return answer(story.HandleWith([]byte(a[0].String()), strangers))
	})
	funcs["fwStoryStrangers"] = js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) < 2 {
			return answer(nil, errors.New("fwStoryStrangers(manifest, vectors)"))
		}
		n := a[1].Get("byteLength").Int()
		if n > story.MaxStrangers*4*128 {
			return answer(nil, story.ErrStrangers)
		}
		v := make([]byte, n)
		js.CopyBytesToGo(v, a[1])
		s, err := story.ParseStrangers([]byte(a[0].String()), v)
		if err == nil {
			err = s.Warm()
		}
		if err != nil {
			return answer(nil, err)
		}
		strangers = s
		return answer(json.Marshal(map[string]int{"n": len(s.Faces)}))
	})
	funcs["fwStoryFaces"] = js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) < 3 {
			return answer(nil, errors.New("fwStoryFaces(width, height, pixels)"))
		}
		n := a[2].Get("byteLength").Int()
		if n > 4*story.MaxSide*story.MaxSide {
			return answer(nil, story.ErrImage)
		}
		if cap(still) < n {
			still = make([]byte, n)
		}
		still = still[:n]
		js.CopyBytesToGo(still, a[2])
		faces, c, err := xtr.Faces(e.Pipeline(), still, a[0].Int(), a[1].Int(), chips[:0])
		chips = c
		if err != nil {
			return answer(nil, err)
		}
		return answer(json.Marshal(faces))
	})
	funcs["fwStoryChips"] = js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) < 1 {
			return 0
		}
		return js.CopyBytesToJS(a[0], chips)
	})
	funcs["fwClose"] = js.FuncOf(func(js.Value, []js.Value) any {
		close(done)
		return nil
	})
	for name, f := range funcs {
		global.Set(name, f)
	}
	<-done
	for name, f := range funcs {
		global.Delete(name)
		f.Release()
	}
}
