package main

// The memory stage: the heap one embedding needs.

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/embed"
)

// stageMemory measures the heap one embedding needs, from the weights' bytes
// to the descriptor, single-threaded as in the browser. It runs first, on a
// quiet heap. A goroutine samples the heap in use (runtime/metrics, no
// stop-the-world) while the model loads and embeds one chip; with the
// collector at GOGC=1 the highest sample is, within a percent or so, the most
// data live at any moment: the value and the target. The same run at the
// default GOGC=100 (the highest sample there is the max) shows what the
// runtime actually takes when it collects lazily, and the heap still live
// afterwards (model + workspace) is the min.
func (r *benchRun) stageMemory() error {
	r.progress("memory: loading the model and embedding one chip while sampling the heap")
	var ws *embed.Workspace
	load := func() error {
		// The browser holds the fetched files in its heap; so do we.
		man, w := bytes.Clone(assets.EmbedManifest()), bytes.Clone(assets.EmbedWeights())
		m, err := embed.Load(man, w)
		if err != nil {
			return err
		}
		ws = m.NewWorkspace()
		_, err = ws.Embed(r.chip)
		return err
	}
	tight, _, err := peakHeap(1, load)
	if err != nil {
		return err
	}
	ws = nil // so that the second run starts without the first's model
	lazy, live, err := peakHeap(100, load)
	if err != nil {
		return err
	}
	runtime.KeepAlive(ws)
	row := benchRow{
		Stage: "memory", Name: "peak heap: load model + embed 1 chip", Unit: "MB",
		Value: sig4(mb(tight)), Min: sig4(mb(live)), Max: sig4(mb(lazy)), Allocs: -1, Runs: 1, Refs: []benchRef{},
		Note: fmt.Sprintf("most live data at any moment (heap sampled at GOGC=1), counting the 6.4 MB weights file as the browser holds it; "+
			"%.1f MB stay live afterwards (model + workspace); at the default GOGC=100 the heap peaked at %.1f MB", mb(live), mb(lazy)),
	}
	row.target("≤ 64 MB", row.Value <= 64)
	r.add(row)
	return nil
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// peakHeap runs f with the collector at gcPercent and returns the highest
// heap in use seen while it ran and the heap still live after it (after a
// collection), both above the live heap before it.
func peakHeap(gcPercent int, f func() error) (peak, after uint64, err error) {
	old := debug.SetGCPercent(gcPercent)
	defer debug.SetGCPercent(old)
	const heapInUse = "/memory/classes/heap/objects:bytes"
	read := func(s []metrics.Sample) uint64 {
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[0].Value.Uint64()
	}
	runtime.GC()
	base := read([]metrics.Sample{{Name: heapInUse}})
	done := make(chan struct{})
	var max uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: heapInUse}}
		for {
			if v := read(s); v > max {
				max = v
			}
			select {
			case <-done:
				return
			case <-time.After(50 * time.Microsecond):
			}
		}
	}()
	err = f()
	close(done)
	wg.Wait()
	runtime.GC()
	end := read([]metrics.Sample{{Name: heapInUse}})
	sub := func(a uint64) uint64 {
		if a < base {
			return 0
		}
		return a - base
	}
	return sub(max), sub(end), err
}
