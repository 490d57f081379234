package main

// The embedding stage: plain and SIMD builds, natively and in wasm, next to tfjs.

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/embed"
	"github.com/facewatch/facewatch/internal/bench"
	"github.com/facewatch/facewatch/internal/site"
)

// stageEmbed times the embedding of one chip natively (one and GOMAXPROCS
// threads, in this process), compiled to WebAssembly under node (facelib/
// embed's BenchmarkEmbed built with GOOS=js GOARCH=wasm), and face-api's
// network on tfjs's cpu, wasm-SIMD and wasm backends (tools/bench-tfjs.mjs).
// Each round runs all of them one after the other, so every ratio pairs
// measurements taken under the same load.
func (r *benchRun) stageEmbed() error {
	m, err := embed.Load(assets.EmbedManifest(), assets.EmbedWeights())
	if err != nil {
		return err
	}
	procs := runtime.GOMAXPROCS(0)
	embedWith := func(ws *embed.Workspace) func(b *testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				if _, err := ws.Embed(r.chip); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	wss := []*embed.Workspace{m.NewWorkspace()}
	if procs > 1 {
		wss = append(wss, m.NewWorkspace(embed.WithThreads(procs)))
	}
	var items []benchItem
	for i, ws := range wss {
		// One untimed embedding first: the workspace's pages are touched
		// and the helper goroutines started.
		if _, err := ws.Embed(r.chip); err != nil {
			return err
		}
		items = append(items, benchItem{key: []string{"1", "n"}[i], fn: embedWith(ws)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.subprocWait)
	defer cancel()
	tfjs := r.prepareTFJS()
	// The other builds run as subprocesses in the same rounds: plain Go
	// and SIMD compiled to wasm (under node), and the native SIMD build.
	subs := []*subSeries{
		r.newSub(ctx, goTestSpec{stage: "embed-wasm", wasm: true}),
		r.newSub(ctx, goTestSpec{stage: "embed-wasm-simd", wasm: true, simd: true}),
		r.newSub(ctx, goTestSpec{stage: "embed-simd", simd: true}),
	}
	for _, x := range subs {
		defer x.cleanup()
	}

	native := map[string]*series{}
	for _, it := range items {
		native[it.key] = &series{}
	}
	tf := map[string]*series{"cpu": {}, "wasm-simd": {}, "wasm": {}}
	var tfjsInfo *bench.TFJSReport
	bench.SetBenchTime(r.cfg.embedTime)
	for round := range r.cfg.rounds {
		r.progress("embed: round %d/%d: native", round+1, r.cfg.rounds)
		for _, it := range items {
			s := bench.Once(it.fn, 1)
			se := native[it.key]
			se.add(s)
		}
		if tfjs != nil {
			r.progress("embed: round %d/%d: tfjs (%d runs per backend after %d warm-ups; the cpu backend takes seconds a run)", round+1, r.cfg.rounds, r.cfg.tfjsRuns, r.cfg.tfjsWarmup)
			rep, err := tfjs(ctx)
			if err != nil {
				r.skip("embed tfjs references", err.Error(), "run node "+benchTFJS+" by hand to see why; npm ci in tools/ if its modules are broken")
				tfjs, tfjsInfo = nil, nil
				tf = map[string]*series{"cpu": {}, "wasm-simd": {}, "wasm": {}}
			} else {
				tfjsInfo = rep
				for name, se := range tf {
					if x, ok := rep.Backend(name); ok {
						se.ns = append(se.ns, x.MedianMs*1e6)
					} else {
						se.ns = append(se.ns, math.NaN())
					}
				}
			}
		}
		for _, x := range subs {
			x.round(ctx, r, round)
		}
	}
	gw, gws, gns := &subs[0].s, &subs[1].s, &subs[2].s

	one := row("embed", "native, 1 thread", native["1"])
	tfRefs := func(ours *series, names ...string) []benchRef {
		var refs []benchRef
		for _, name := range names {
			se := tf[name]
			if v := bench.Median(se.ns); !math.IsNaN(v) {
				label := map[string]string{"cpu": "tfjs cpu", "wasm-simd": "tfjs wasm SIMD", "wasm": "tfjs wasm no-SIMD"}[name]
				refs = append(refs, benchRef{Name: label, Value: ms(v), Allocs: -1, Ratio: sig4(bench.PairedRatio(ours.ns, se.ns))})
			}
		}
		return refs
	}
	one.Refs = append(one.Refs, tfRefs(native["1"], "cpu", "wasm-simd", "wasm")...)
	one.Note = "this binary, a " + thisBuild()
	if tfjsInfo != nil {
		one.Note += fmt.Sprintf("; tfjs: face-api %s's network on tfjs %s in node %s, one thread, on the same chip (%s); each round's tfjs figure is the median of its %d runs",
			tfjsInfo.FaceAPI, tfjsInfo.TFJS, tfjsInfo.Node, benchTFJS, r.cfg.tfjsRuns)
	}
	r.add(one)
	if len(gns.ns) > 0 {
		srow := row("embed-simd", "native SIMD build, 1 thread", gns)
		srow.Refs = append(srow.Refs, tfRefs(gns, "wasm-simd", "cpu")...)
		if len(srow.Refs) > 0 && srow.Refs[0].Name == "tfjs wasm SIMD" {
			srow.target("≤ 0.4×", srow.Refs[0].Ratio <= 0.4)
		}
		srow.Refs = append(srow.Refs, ref("native, 1 thread ("+thisBuild()+")", gns, native["1"]))
		srow.Note = fmt.Sprintf("facelib/embed's BenchmarkEmbed built by %s with GOEXPERIMENT=simd (archsimd kernels and the GEMM loops in Go assembly: AVX2+FMA on amd64, else the scalar code) and run as a subprocess in the same rounds; CPU from its cpu-ms/op", site.SIMDToolchain)
		r.add(srow)
	}
	if procs > 1 {
		nrow := row("embed", fmt.Sprintf("native, %d threads", procs), native["n"])
		nrow.Refs = append(nrow.Refs, ref("native, 1 thread", native["n"], native["1"]))
		nrow.Note = "CPU is summed over the threads"
		r.add(nrow)
	}
	if len(gw.ns) > 0 {
		wrow := row("embed-wasm", "Go in wasm (node), 1 thread", gw)
		wrow.Refs = append(wrow.Refs, tfRefs(gw, "wasm-simd", "wasm")...)
		if len(wrow.Refs) > 0 && wrow.Refs[0].Name == "tfjs wasm SIMD" {
			wrow.target("< 1×", wrow.Refs[0].Ratio < 1)
		}
		wrow.Note = fmt.Sprintf("facelib/embed's BenchmarkEmbed built with GOOS=js GOARCH=wasm (plain Go: the playground's worker-scalar.wasm) and run by Go's go_js_wasm_exec (node); each round times %d embeddings after %[1]d untimed ones in the same process; no CPU time from inside node", r.cfg.wasmIters)
		r.add(wrow)
	}
	if len(gws.ns) > 0 {
		wrow := row("embed-wasm-simd", "Go in wasm SIMD (node), 1 thread", gws)
		wrow.Refs = append(wrow.Refs, tfRefs(gws, "wasm-simd", "wasm")...)
		if len(wrow.Refs) > 0 && wrow.Refs[0].Name == "tfjs wasm SIMD" {
			wrow.target("≤ 0.8×", wrow.Refs[0].Ratio <= 0.8)
		}
		if len(gw.ns) > 0 {
			wrow.Refs = append(wrow.Refs, benchRef{Name: "Go in wasm (node)", Value: ms(bench.Median(gw.ns)), Allocs: -1, Ratio: sig4(bench.PairedRatio(gws.ns, gw.ns))})
		}
		wrow.Note = fmt.Sprintf("the same, built by %s with GOEXPERIMENT=simd (archsimd kernels and the GEMM loops in Go assembly, in wasm SIMD128: the playground's worker.wasm) and run by that release's go_js_wasm_exec", site.SIMDToolchain)
		r.add(wrow)
	}
	return nil
}

// prepareTFJS checks that tools/bench-tfjs.mjs can run and returns a func
// that runs it once, or nil after recording why it cannot.
func (r *benchRun) prepareTFJS() func(ctx context.Context) (*bench.TFJSReport, error) {
	const stage = "embed tfjs references"
	if r.skipTFJS {
		r.skip(stage, "-skip-tfjs given", "drop -skip-tfjs to compare with face-api on tfjs")
		return nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		r.skip(stage, "node is not on PATH", "install Node.js 18 or later (Debian: apt-get install nodejs npm), then npm ci in tools/")
		return nil
	}
	script := filepath.Join(r.root, benchTFJS)
	if _, err := os.Stat(script); err != nil {
		r.skip(stage, benchTFJS+" is missing from the source tree", "run from a complete facewatch checkout")
		return nil
	}
	for _, mod := range []string{"@vladmandic/face-api", "@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm"} {
		if _, err := os.Stat(filepath.Join(r.root, "tools", "node_modules", mod, "package.json")); err != nil {
			r.skip(stage, "tools/node_modules has no "+mod, "run npm ci in tools/ (installs the pinned face-api and tfjs)")
			return nil
		}
	}
	return func(ctx context.Context) (*bench.TFJSReport, error) {
		cmd := exec.CommandContext(ctx, node, script,
			"--chip", filepath.Join(r.root, benchChipFile),
			"--runs", strconv.Itoa(r.cfg.tfjsRuns), "--warmup", strconv.Itoa(r.cfg.tfjsWarmup))
		cmd.Dir = r.root
		var out, errOut bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &errOut
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("node %s failed: %v: %s", benchTFJS, err, lastLines(errOut.String(), 3))
		}
		rep, err := bench.ParseTFJS(out.Bytes())
		if err != nil {
			return nil, err
		}
		for _, x := range rep.Results {
			if x.Error != "" {
				return nil, fmt.Errorf("tfjs backend %s failed: %s", x.Backend, x.Error)
			}
		}
		return rep, nil
	}
}

// prepareWasm compiles facelib/embed's tests for js/wasm (the scalar
// build) and returns a func that runs BenchmarkEmbed once under node, or nil
// after recording why it cannot. cleanup removes the binary.
func (r *benchRun) prepareWasm(ctx context.Context) (run func(ctx context.Context) (bench.GoBench, error), cleanup func()) {
	return r.prepareGoTest(ctx, goTestSpec{stage: "embed-wasm", wasm: true})
}
