package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"
	"unsafe"

	pigo "github.com/esimov/pigo/core"
	xdraw "golang.org/x/image/draw"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/facelib/embed"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/facelib/track"
	"github.com/facewatch/facewatch/internal/bench"
	"github.com/facewatch/facewatch/internal/imgload"
	"github.com/facewatch/facewatch/internal/site"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "measure every stage's speed on this machine against its reference (pigo, tfjs, a plain scan)",
		run:     runBench,
	})
}

// The inputs the report measures, relative to the source tree. The frame is
// the one facelib/detect's benchmarks use (a group photo scaled to 640 wide
// and cropped to 480 rows: four faces); the chip is the one
// tools/bench-tfjs.mjs and facelib/embed's benchmarks use by default, so the
// three embedding timings run the same input.
const (
	benchFrameFile = "assets/testdata/faceapi-sample6.jpg"
	benchChipFile  = "assets/testdata/chips/face-astronaut-0.png"
	benchTFJS      = "tools/bench-tfjs.mjs"
	benchTopK      = 10
)

// benchReport is the whole report; -json prints it as is. Its shape is
// stable: every field is always present (null or empty when not measured).
type benchReport struct {
	Tool    string        `json:"tool"`
	Command string        `json:"command"`
	Quick   bool          `json:"quick"`
	Rounds  int           `json:"rounds"`
	Machine bench.Machine `json:"machine"`
	// LoadStart and LoadEnd are the load averages (1, 5, 15 minutes) when
	// the run started and ended; null where /proc/loadavg is missing.
	LoadStart *bench.Load `json:"load_start"`
	LoadEnd   *bench.Load `json:"load_end"`
	Busy      bool        `json:"busy"`
	Warnings  []string    `json:"warnings"`
	Frame     string      `json:"frame"`
	Chip      string      `json:"chip"`
	Rows      []benchRow  `json:"rows"`
	Skipped   []benchSkip `json:"skipped"`
	// Rotation is rolled-face detection: recall on the labelled photos
	// turned by 0/±15/±30/±45° and the cost against upright-only scans.
	Rotation *rotationReport `json:"rotation"`
	Seconds  float64         `json:"seconds"`
}

// benchRow is one measurement. Value is the median over the rounds, in Unit
// ("ms" per operation, or "MB").
type benchRow struct {
	Stage string  `json:"stage"`
	Name  string  `json:"name"`
	Unit  string  `json:"unit"`
	Value float64 `json:"value"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	// CPU is the median process CPU time per operation in ms (all threads),
	// 0 where it was not measured.
	CPU float64 `json:"cpu_ms"`
	// Allocs is the heap allocations per operation, -1 where not measured.
	Allocs float64    `json:"allocs_per_op"`
	Runs   int        `json:"runs"`
	Refs   []benchRef `json:"refs"`
	Target string     `json:"target"`
	// Met says whether Target is met; null when the row has no target or
	// its reference was skipped.
	Met  *bool  `json:"met"`
	Note string `json:"note"`
}

// benchRef is a reference measurement for a row. Ratio is the row's value
// divided by the reference's (below 1: ours is faster), the median of the
// per-round ratios, each pair taken under the same machine load. CPURatio is
// the same for process CPU time per operation, where both sides were
// measured in this process (0 otherwise): on a busy machine it is the
// steadier of the two, since time spent waiting for a core is not in it.
type benchRef struct {
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	CPU      float64 `json:"cpu_ms"`
	Allocs   float64 `json:"allocs_per_op"`
	Ratio    float64 `json:"ratio"`
	CPURatio float64 `json:"cpu_ratio"`
}

// judged returns the ratio a target is judged on: the CPU-time ratio when
// there is one (both sides single-threaded, so it is the work done, not the
// waiting), else the wall-clock ratio.
func (f benchRef) judged() float64 {
	if f.CPURatio > 0 {
		return f.CPURatio
	}
	return f.Ratio
}

// benchSkip is a stage (or a reference) that did not run, why, and what to
// install or do to run it.
type benchSkip struct {
	Stage  string `json:"stage"`
	Reason string `json:"reason"`
	Fix    string `json:"fix"`
}

// benchConfig is how much work one run does.
type benchConfig struct {
	rounds      int
	benchTime   string // per sample of the fast stages
	embedTime   string // per sample of the native embedding
	gallery     int    // embeddings in the 1:N gallery
	tfjsRuns    int    // per round and backend
	tfjsWarmup  int
	wasmIters   int // embeddings per round in wasm (-test.benchtime Nx)
	subprocWait time.Duration
}

var (
	fullConfig  = benchConfig{rounds: 5, benchTime: "500ms", embedTime: "1s", gallery: 1_000_000, tfjsRuns: 4, tfjsWarmup: 2, wasmIters: 4, subprocWait: 20 * time.Minute}
	quickConfig = benchConfig{rounds: 3, benchTime: "40ms", embedTime: "2x", gallery: 100_000, tfjsRuns: 2, tfjsWarmup: 1, wasmIters: 2, subprocWait: 10 * time.Minute}
)

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", "", stderr)
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	quick := fs.Bool("quick", false, "short runs and a 100,000-embedding gallery (for tests; numbers are rougher)")
	skipWasm := fs.Bool("skip-wasm", false, "skip the Go embedding compiled to WebAssembly (needs the go toolchain and node)")
	skipTFJS := fs.Bool("skip-tfjs", false, "skip the tfjs references (needs node and tools/node_modules)")
	skipSIMD := fs.Bool("skip-simd", false, "skip the builds with Go "+site.SIMDToolchain+"'s SIMD kernels (GOEXPERIMENT=simd; the go command fetches that toolchain once through the module proxy)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: facewatch bench [-json] [-quick] [-skip-wasm] [-skip-tfjs] [-skip-simd]

Measures every stage of facelib on this machine, in one run, next to its
reference: detection against raw pigo, alignment against pigo's puploc and
landmark cascades, tracking, the embedding natively and compiled to
WebAssembly against face-api on tfjs (cpu and wasm backends, via node
tools/bench-tfjs.mjs), each both as plain Go and built with Go 1.27's SIMD
kernels (GOEXPERIMENT=simd, in a subprocess), a 1:N search against a plain scan of the same
embeddings, and the heap one embedding needs. Go stages run in this process
with testing.Benchmark, several rounds alternating each measurement with its
reference; the median is shown. Run it from inside the facewatch source tree
(it reads a test image and the node tools from there). A full run takes a few
minutes; progress goes to stderr.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "facewatch bench: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := site.FindRoot(wd)
	if err != nil {
		return err
	}
	cfg := fullConfig
	if *quick {
		cfg = quickConfig
	}
	restore, err := useBenchFlags()
	if err != nil {
		return err
	}
	defer restore()

	r := &benchRun{
		cfg: cfg, root: root, log: stderr,
		skipWasm: *skipWasm, skipTFJS: *skipTFJS, skipSIMD: *skipSIMD,
		report: benchReport{
			Tool:    "facewatch bench",
			Command: strings.Join(append([]string{"facewatch", "bench"}, args...), " "),
			Quick:   *quick,
			Rounds:  cfg.rounds,
			Machine: bench.ThisMachine(),
			Frame:   benchFrameFile + " scaled to 640 wide, top 640x480",
			Chip:    benchChipFile,
		},
	}
	if err := r.run(); err != nil {
		return err
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(&r.report)
	}
	printBench(stdout, &r.report)
	if r.report.Rotation != nil {
		fmt.Fprintln(stdout)
		printRotation(stdout, *r.report.Rotation)
	}
	return nil
}

// stageRotation measures rolled-face detection (bench_rotation.go); a quick
// run turns the photos by 0 and ±30° only.
func (r *benchRun) stageRotation() error {
	cfg := defaultRotationConfig
	if r.report.Quick {
		cfg.Turns = []float64{0, 30, -30}
		cfg.Rounds = 1
		cfg.MinTime = 50 * time.Millisecond
	}
	rep, err := measureRotation(r.root, cfg)
	if err != nil {
		return err
	}
	r.report.Rotation = &rep
	return nil
}

// useBenchFlags makes testing.Benchmark usable here: testing.Init registers
// the test flags (outside "go test" the benchmark machinery needs them) and
// the returned func restores the -test.benchtime the process had.
func useBenchFlags() (restore func(), err error) {
	testing.Init()
	f := flag.Lookup("test.benchtime")
	if f == nil {
		return nil, errors.New("testing flags not registered")
	}
	old := f.Value.String()
	return func() { flag.Set("test.benchtime", old) }, nil
}

func setBenchTime(d string) {
	if err := flag.Set("test.benchtime", d); err != nil {
		panic("facewatch bench: bad benchtime " + d) // constant inputs only
	}
}

// benchRun holds one run's inputs and results.
type benchRun struct {
	cfg                benchConfig
	root               string
	log                io.Writer
	skipWasm, skipTFJS bool
	skipSIMD           bool
	report             benchReport

	frame *image.RGBA
	gray  detect.Gray
	faces []detect.Face
	chip  *image.RGBA
}

func (r *benchRun) progress(format string, a ...any) {
	fmt.Fprintf(r.log, "bench: "+format+"\n", a...)
}

func (r *benchRun) skip(stage, reason, fix string) {
	r.report.Skipped = append(r.report.Skipped, benchSkip{Stage: stage, Reason: reason, Fix: fix})
	r.progress("%s skipped: %s", stage, reason)
}

func (r *benchRun) run() error {
	start := time.Now()
	if l, err := bench.ReadLoad(); err == nil {
		r.report.LoadStart = &l
		r.report.Busy = bench.Busy(l[0], r.report.Machine.CPUs)
		r.progress("load average %.2f %.2f %.2f on %d CPUs", l[0], l[1], l[2], r.report.Machine.CPUs)
	} else {
		r.report.Warnings = append(r.report.Warnings, "no load average on this system ("+err.Error()+"): check by hand that the machine is idle")
	}
	if err := r.loadInputs(); err != nil {
		return err
	}
	stages := []struct {
		name string
		run  func() error
	}{
		{"memory", r.stageMemory},
		{"detect", r.stageDetect},
		{"align", r.stageAlign},
		{"track", r.stageTrack},
		{"search", r.stageSearch},
		{"embed", r.stageEmbed},
		{"rotation", r.stageRotation},
	}
	for _, s := range stages {
		t := time.Now()
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		r.progress("%s done in %.1f s", s.name, time.Since(t).Seconds())
		debug.FreeOSMemory() // the search stage leaves a gallery of up to 1 GB behind
	}
	// Busy is judged from the load before the run: the run itself adds up
	// to GOMAXPROCS to the end figure.
	if l, err := bench.ReadLoad(); err == nil {
		r.report.LoadEnd = &l
	}
	if r.report.Busy {
		end := ""
		if le := r.report.LoadEnd; le != nil {
			end = fmt.Sprintf(", %.1f at the end", le[0])
		}
		r.report.Warnings = append(r.report.Warnings, fmt.Sprintf(
			"the machine was busy (load average %.1f at the start%s, on %d CPUs): wall-clock times are inflated and noisy. "+
				"The CPU column and the ratios (each measurement alternated round by round with its reference) are steadier; re-run on an idle machine for absolute numbers.",
			r.report.LoadStart[0], end, r.report.Machine.CPUs))
	}
	r.report.Seconds = sig4(time.Since(start).Seconds())
	if r.report.Rows == nil {
		r.report.Rows = []benchRow{}
	}
	if r.report.Skipped == nil {
		r.report.Skipped = []benchSkip{}
	}
	if r.report.Warnings == nil {
		r.report.Warnings = []string{}
	}
	return nil
}

// loadInputs reads the frame and the chip from the source tree and finds the
// frame's faces.
func (r *benchRun) loadInputs() error {
	src, err := loadImage(filepath.Join(r.root, benchFrameFile), imgload.DefaultMaxPixels)
	if err != nil {
		return fmt.Errorf("benchmark frame: %w", err)
	}
	b := src.Bounds()
	h := b.Dy() * 640 / b.Dx()
	if h < 480 {
		return fmt.Errorf("benchmark frame %s: too wide for a 640x480 crop", benchFrameFile)
	}
	scaled := image.NewRGBA(image.Rect(0, 0, 640, h))
	xdraw.CatmullRom.Scale(scaled, scaled.Bounds(), src, b, xdraw.Src, nil)
	r.frame = scaled.SubImage(image.Rect(0, 0, 640, 480)).(*image.RGBA)
	if r.gray, err = detect.GrayFromRGBA(r.frame.Pix, 640, 480, r.frame.Stride, nil); err != nil {
		return err
	}
	c, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		return err
	}
	d, err := detect.New(c, detect.DefaultParams())
	if err != nil {
		return err
	}
	if r.faces, err = d.Detect(r.gray, nil); err != nil {
		return err
	}
	if len(r.faces) == 0 {
		return fmt.Errorf("no face found in the benchmark frame %s", benchFrameFile)
	}
	r.report.Frame += fmt.Sprintf(" (%d faces at MinSize %d)", len(r.faces), detect.DefaultParams().MinSize)

	img, err := loadImage(filepath.Join(r.root, benchChipFile), imgload.DefaultMaxPixels)
	if err != nil {
		return fmt.Errorf("benchmark chip: %w", err)
	}
	r.chip = image.NewRGBA(image.Rect(0, 0, embed.ChipSize, embed.ChipSize))
	if img.Bounds().Dx() != embed.ChipSize || img.Bounds().Dy() != embed.ChipSize {
		return fmt.Errorf("benchmark chip %s is not %dx%d", benchChipFile, embed.ChipSize, embed.ChipSize)
	}
	draw.Draw(r.chip, r.chip.Rect, img, img.Bounds().Min, draw.Src)
	return nil
}

// sample is one testing.Benchmark run, per operation.
type sample struct {
	ns, cpu, allocs float64
}

// benchOnce runs fn under testing.Benchmark and returns its cost per
// operation, dividing by per (e.g. the faces in a frame). fn must keep its
// set-up outside b.Loop's loop short: the CPU time is taken around it.
func benchOnce(fn func(b *testing.B), per float64) sample {
	var cpu time.Duration
	var n int
	cpuOK := false
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		c0, ok0 := bench.ProcessCPU()
		fn(b)
		c1, ok1 := bench.ProcessCPU()
		cpu, n, cpuOK = c1-c0, b.N, ok0 && ok1
	})
	s := sample{ns: math.NaN(), cpu: math.NaN(), allocs: math.NaN()}
	if res.N > 0 {
		s.ns = float64(res.T.Nanoseconds()) / float64(res.N) / per
		s.allocs = float64(res.MemAllocs) / float64(res.N) / per
	}
	if cpuOK && n > 0 {
		s.cpu = float64(cpu.Nanoseconds()) / float64(n) / per
	}
	return s
}

// benchItem is one thing to time in a stage.
type benchItem struct {
	key string
	per float64 // operations per b.Loop iteration (0 means 1)
	fn  func(b *testing.B)
}

// series is an item's samples, one per round.
type series struct{ ns, cpu, allocs []float64 }

// measure runs every item once per round, items alternating within each
// round so that an item and its reference see the same load.
func (r *benchRun) measure(stage, benchTime string, items []benchItem) map[string]*series {
	setBenchTime(benchTime)
	out := map[string]*series{}
	for _, it := range items {
		out[it.key] = &series{}
	}
	for round := range r.cfg.rounds {
		r.progress("%s: round %d/%d", stage, round+1, r.cfg.rounds)
		for _, it := range items {
			per := it.per
			if per <= 0 {
				per = 1
			}
			s := benchOnce(it.fn, per)
			se := out[it.key]
			se.ns = append(se.ns, s.ns)
			se.cpu = append(se.cpu, s.cpu)
			se.allocs = append(se.allocs, s.allocs)
		}
	}
	return out
}

// row makes a row in ms from a series.
func row(stage, name string, s *series) benchRow {
	sum := bench.Summarize(s.ns)
	return benchRow{
		Stage: stage, Name: name, Unit: "ms",
		Value:  ms(sum.Median),
		Min:    ms(sum.Min),
		Max:    ms(sum.Max),
		CPU:    ms(bench.Median(s.cpu)),
		Allocs: allocs(bench.Median(s.allocs)),
		Runs:   sum.N,
		Refs:   []benchRef{},
	}
}

// ref makes a reference for a row measured alongside it.
func ref(name string, ours, theirs *series) benchRef {
	return benchRef{
		Name:     name,
		Value:    ms(bench.Median(theirs.ns)),
		CPU:      ms(bench.Median(theirs.cpu)),
		Allocs:   allocs(bench.Median(theirs.allocs)),
		Ratio:    sig4(bench.PairedRatio(ours.ns, theirs.ns)),
		CPURatio: sig4(bench.PairedRatio(ours.cpu, theirs.cpu)),
	}
}

// target sets a row's target: ok reports whether it is met.
func (row *benchRow) target(t string, ok bool) {
	row.Target = t
	row.Met = &ok
}

func (r *benchRun) add(rows ...benchRow) { r.report.Rows = append(r.report.Rows, rows...) }

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

// stageDetect times facelib/detect against raw pigo (RunCascade +
// ClusterDetections) on the same frame with the same parameters.
func (r *benchRun) stageDetect() error {
	c, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		return err
	}
	pg, err := pigo.NewPigo().Unpack(assets.FaceFinder())
	if err != nil {
		return err
	}
	sizes := []int{40, 60, 100}
	var items []benchItem
	found := map[int][2]int{}
	for _, size := range sizes {
		p := detect.DefaultParams()
		p.MinSize = size
		d, err := detect.New(c, p)
		if err != nil {
			return err
		}
		g := r.gray
		dst, err := d.Detect(g, nil)
		if err != nil {
			return err
		}
		cp := pigo.CascadeParams{
			MinSize: p.MinSize, MaxSize: p.MaxSize,
			ShiftFactor: p.ShiftFactor, ScaleFactor: p.ScaleFactor,
			ImageParams: pigo.ImageParams{Pixels: g.Pix, Rows: g.Height, Cols: g.Width, Dim: g.Stride},
		}
		found[size] = [2]int{len(dst), len(pg.ClusterDetections(pg.RunCascade(cp, 0), detect.ClusterIoU))}
		items = append(items,
			benchItem{key: fmt.Sprint("ours", size), fn: func(b *testing.B) {
				for b.Loop() {
					dst, _ = d.Detect(g, dst)
				}
			}},
			benchItem{key: fmt.Sprint("pigo", size), fn: func(b *testing.B) {
				for b.Loop() {
					pg.ClusterDetections(pg.RunCascade(cp, 0), detect.ClusterIoU)
				}
			}},
		)
	}
	res := r.measure("detect", r.cfg.benchTime, items)
	for _, size := range sizes {
		ours, theirs := res[fmt.Sprint("ours", size)], res[fmt.Sprint("pigo", size)]
		row := row("detect", fmt.Sprintf("640x480, MinSize %d", size), ours)
		rf := ref("pigo", ours, theirs)
		row.Refs = append(row.Refs, rf)
		row.target("≤ 1.1×", rf.judged() <= 1.1)
		row.Note = fmt.Sprintf("%d faces after the score filter and suppression; pigo (RunCascade + ClusterDetections, same parameters): %d clusters", found[size][0], found[size][1])
		r.add(row)
	}
	return nil
}

// pigoEyeScale is facelib/align's pupil search scale (a fraction of the face
// box side); the start points come from align.EstimateEyes, as in Locate.
const pigoEyeScale = 0.3

// stageAlign times pupils, landmarks and the chip warp per face of the
// frame, and pigo's own puploc/lps runs from the same start points.
func (r *benchRun) stageAlign() error {
	g, faces := r.gray, r.faces
	per := float64(len(faces))
	aligner := func(n int, lm bool) (func(b *testing.B), error) {
		o := align.DefaultOptions()
		if n > 0 {
			o.Perturbations = n
		}
		o.Landmarks = lm
		var lps map[string][]byte
		if lm {
			lps = assets.Landmarks()
		}
		a, err := align.New(assets.PupilLocator(), lps, o)
		if err != nil {
			return nil, err
		}
		var res align.Result
		return func(b *testing.B) {
			for b.Loop() {
				for _, f := range faces {
					if err := a.Locate(g, f, &res); err != nil {
						b.Fatal(err)
					}
				}
			}
		}, nil
	}
	def := align.DefaultOptions().Perturbations
	var items []benchItem
	for _, c := range []struct {
		key string
		n   int
		lm  bool
	}{{"pupils", 0, false}, {"landmarks", 0, true}, {"pupils63", 63, false}, {"landmarks63", 63, true}} {
		fn, err := aligner(c.n, c.lm)
		if err != nil {
			return err
		}
		items = append(items, benchItem{key: c.key, per: per, fn: fn})
	}

	plc, err := pigo.NewPuplocCascade().UnpackCascade(assets.PupilLocator())
	if err != nil {
		return err
	}
	lps := map[string]*pigo.PuplocCascade{}
	for name, data := range assets.Landmarks() {
		if lps[name], err = pigo.NewPuplocCascade().UnpackCascade(data); err != nil {
			return err
		}
	}
	ip := pigo.ImageParams{Pixels: g.Pix, Rows: g.Height, Cols: g.Width, Dim: g.Stride}
	pigoLocate := func(lm bool) func(b *testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				for _, f := range faces {
					le, re := align.EstimateEyes(f)
					s := pigoEyeScale * float32(f.Size)
					l := plc.RunDetector(pigo.Puploc{Row: int(le.Y), Col: int(le.X), Scale: s, Perturbs: 63}, ip, 0, false)
					rt := plc.RunDetector(pigo.Puploc{Row: int(re.Y), Col: int(re.X), Scale: s, Perturbs: 63}, ip, 0, false)
					if !lm {
						continue
					}
					for p := align.Part(0); p < align.NumParts; p++ {
						name, flip := p.Cascade()
						lps[name].GetLandmarkPoint(l, rt, ip, 63, flip)
					}
				}
			}
		}
	}
	items = append(items,
		benchItem{key: "pigo-pupils63", per: per, fn: pigoLocate(false)},
		benchItem{key: "pigo-landmarks63", per: per, fn: pigoLocate(true)},
	)

	// The warp: each face's chip from the 640x480 RGBA frame.
	a, err := align.New(assets.PupilLocator(), nil, align.DefaultOptions())
	if err != nil {
		return err
	}
	var ts []align.Transform
	for _, f := range faces {
		var res align.Result
		if err := a.Locate(g, f, &res); err != nil {
			return err
		}
		ts = append(ts, res.Chip)
	}
	frame := align.Frame{Pix: r.frame.Pix, Width: 640, Height: 480, Stride: r.frame.Stride}
	chip := image.NewRGBA(image.Rect(0, 0, align.ChipSize, align.ChipSize))
	items = append(items, benchItem{key: "warp", per: per, fn: func(b *testing.B) {
		for b.Loop() {
			for _, t := range ts {
				if err := t.WarpFrame(chip, frame); err != nil {
					b.Fatal(err)
				}
			}
		}
	}})

	res := r.measure("align", r.cfg.benchTime, items)
	pigoRef := func(key string, ours string) benchRef {
		return ref("pigo "+map[bool]string{false: "puploc", true: "puploc + lps"}[strings.Contains(key, "landmarks")]+", 63", res[ours], res[key])
	}
	add := func(key, name string, refKey string) {
		row := row("align", name, res[key])
		if refKey != "" {
			row.Refs = append(row.Refs, pigoRef(refKey, key))
		}
		r.add(row)
	}
	add("pupils", fmt.Sprintf("pupils/face, %d perturbations (default)", def), "")
	add("landmarks", fmt.Sprintf("pupils + 15 landmarks/face, %d", def), "")
	add("pupils63", "pupils/face, 63", "pigo-pupils63")
	r.report.Rows[len(r.report.Rows)-1].Note = fmt.Sprintf("per face over the frame's %d faces; pigo's RunDetector and GetLandmarkPoint run from the same start points (align.EstimateEyes, search scale %.1f × box)", len(faces), pigoEyeScale)
	add("landmarks63", "pupils + 15 landmarks/face, 63", "pigo-landmarks63")
	add("warp", "warp a 150x150 chip/face", "")
	r.report.Rows[len(r.report.Rows)-1].Note = "bilinear, from the 640x480 RGBA frame (align.Transform.WarpFrame)"
	return nil
}

// stageTrack times one tracker update with ten moving faces (boxes only).
func (r *benchRun) stageTrack() error {
	const n = 10
	tr, err := track.New(track.DefaultConfig())
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	dets := make([]track.Detection, n)
	k := 0 // frame counter: times keep increasing across rounds
	fn := func(b *testing.B) {
		for b.Loop() {
			for id := range dets {
				ph := float64(k) / 30 * (0.5 + 0.13*float64(id))
				s := 40 + 4*float64(id)
				cx := 100 + 200*float64(id%4) + 50*math.Cos(ph) + 2*rng.NormFloat64()
				cy := 100 + 200*float64(id/4) + 40*math.Sin(1.3*ph) + 2*rng.NormFloat64()
				dets[id] = track.Detection{Box: track.Box{X: cx - s/2, Y: cy - s/2, W: s, H: s}, Score: 20}
			}
			if _, err := tr.Update(dets, time.Duration(k)*time.Second/30); err != nil {
				b.Fatal(err)
			}
			k++
		}
	}
	res := r.measure("track", r.cfg.benchTime, []benchItem{{key: "update", fn: fn}})
	row := row("track", "Update, 10 faces (boxes only)", res["update"])
	row.target("≤ 0.1 ms", row.Value <= 0.1)
	r.add(row)
	return nil
}

// stageSearch times a top-10 1:N search of a gallery of random embeddings
// against plain scans of the same embeddings.
func (r *benchRun) stageSearch() error {
	n := r.cfg.gallery
	r.progress("search: building a gallery of %d random embeddings (%d MB, plus a flat copy for the plain scans)", n, n*match.Dim*4>>20)
	rng := rand.New(rand.NewPCG(1, 2))
	// Components with the spread of real descriptors: norm about 1.29.
	sigma := 1.29 / math.Sqrt(match.Dim)
	flat := make([]float32, n*match.Dim)
	for i := range flat {
		flat[i] = float32(rng.NormFloat64() * sigma)
	}
	g := match.NewGallery()
	if err := g.Grow(n); err != nil {
		return err
	}
	var e match.Embedding
	for i := range n {
		copy(e[:], flat[i*match.Dim:])
		if err := g.Add("p"+strconv.Itoa(i), e); err != nil {
			return err
		}
	}
	var probe match.Embedding
	for i := range probe {
		probe[i] = float32(rng.NormFloat64() * sigma)
	}
	buf := make([]match.Candidate, 0, benchTopK)
	var sink float32
	items := []benchItem{
		{key: "search", fn: func(b *testing.B) {
			for b.Loop() {
				var err error
				if buf, err = g.Search(buf, &probe, benchTopK); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{key: "sqdist", fn: func(b *testing.B) {
			// The plainest search: every squared distance, keep the minimum.
			for b.Loop() {
				best := float32(math.MaxFloat32)
				for off := 0; off < len(flat); off += match.Dim {
					var s float32
					row := flat[off : off+match.Dim]
					for j, x := range row {
						d := x - probe[j]
						s += d * d
					}
					best = min(best, s)
				}
				sink += best
			}
		}},
		{key: "read", fn: func(b *testing.B) {
			// The floor: every byte of the same embeddings read once by
			// the standard library's vectorised byte count, doing nearly
			// nothing with them (about memory speed).
			raw := unsafe.Slice((*byte)(unsafe.Pointer(&flat[0])), len(flat)*4)
			for b.Loop() {
				sink += float32(bytes.Count(raw, []byte{0x5a}))
			}
		}},
	}
	res := r.measure("search", r.cfg.benchTime, items)
	runtime.KeepAlive(sink)
	row := row("search", fmt.Sprintf("top-%d of %s", benchTopK, thousands(n)), res["search"])
	plain := ref("plain scan", res["search"], res["sqdist"])
	row.Refs = append(row.Refs, plain,
		ref("read the bytes", res["search"], res["read"]))
	row.target("≤ 1.5×", plain.judged() <= 1.5)
	row.Note = fmt.Sprintf("random Gaussian embeddings (norm about 1.29), %d MB per search; plain scan = a loop computing the squared distance to every embedding and keeping the minimum; read the bytes = bytes.Count over the same memory (vectorised: about memory speed, the floor for any exhaustive search)", n*match.Dim*4>>20)
	r.add(row)
	return nil
}

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
	setBenchTime(r.cfg.embedTime)
	for round := range r.cfg.rounds {
		r.progress("embed: round %d/%d: native", round+1, r.cfg.rounds)
		for _, it := range items {
			s := benchOnce(it.fn, 1)
			se := native[it.key]
			se.ns = append(se.ns, s.ns)
			se.cpu = append(se.cpu, s.cpu)
			se.allocs = append(se.allocs, s.allocs)
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
		srow.Note = fmt.Sprintf("facelib/embed's BenchmarkEmbed built by %s with GOEXPERIMENT=simd (archsimd kernels: AVX2+FMA on amd64, else the scalar code) and run as a subprocess in the same rounds; CPU from its cpu-ms/op", site.SIMDToolchain)
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
		wrow.Note = fmt.Sprintf("the same, built by %s with GOEXPERIMENT=simd (archsimd kernels compiled to wasm SIMD128: the playground's worker.wasm) and run by that release's go_js_wasm_exec", site.SIMDToolchain)
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

// printBench writes the report as a table.
func printBench(w io.Writer, rep *benchReport) {
	mode := "full run"
	if rep.Quick {
		mode = "quick run (-quick): short samples, rough numbers"
	}
	fmt.Fprintf(w, "facewatch bench: per-stage speed on this machine (%s)\n\n", mode)
	m := rep.Machine
	cpu := m.CPUModel
	if cpu == "" {
		cpu = "CPU model unknown"
	}
	fmt.Fprintf(w, "machine  %s/%s, %d CPUs (GOMAXPROCS %d), %s, %s\n", m.GOOS, m.GOARCH, m.CPUs, m.GOMAXPROCS, cpu, m.Go)
	if rep.LoadStart != nil {
		fmt.Fprintf(w, "load     %.2f %.2f %.2f at the start", rep.LoadStart[0], rep.LoadStart[1], rep.LoadStart[2])
		if rep.LoadEnd != nil {
			fmt.Fprintf(w, ", %.2f %.2f %.2f at the end", rep.LoadEnd[0], rep.LoadEnd[1], rep.LoadEnd[2])
		}
		fmt.Fprintln(w, " (1, 5, 15 min averages)")
	}
	for _, x := range rep.Warnings {
		fmt.Fprintf(w, "WARNING  %s\n", x)
	}
	fmt.Fprintf(w, "frame    %s\n", rep.Frame)
	fmt.Fprintf(w, "chip     %s\n", rep.Chip)
	fmt.Fprintf(w, "rounds   %d per measurement, alternating with the reference; medians shown\n", rep.Rounds)
	fmt.Fprintln(w, "ratio    ours / reference (below 1: ours is faster), wall clock and CPU time; targets are judged on CPU time where there is one")
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "stage\tmeasurement\tmedian\tcpu\tallocs\treference\tref median\tratio\tcpu ratio\ttarget\tmet")
	for _, r := range rep.Rows {
		met := ""
		if r.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*r.Met]
		}
		val := fmtNum(r.Value) + " " + r.Unit
		refs := r.Refs
		if len(refs) == 0 {
			refs = []benchRef{{}}
		}
		for i, f := range refs {
			if i == 0 {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t", r.Stage, r.Name, val, fmtCPU(r.CPU, r.Unit), fmtAllocs(r.Allocs))
			} else {
				fmt.Fprint(tw, "\t\t\t\t\t")
			}
			switch {
			case f.Name == "":
				fmt.Fprint(tw, "–\t\t\t\t")
			case f.CPURatio > 0:
				fmt.Fprintf(tw, "%s\t%s ms\t%s×\t%s×\t", f.Name, fmtNum(f.Value), fmtNum(f.Ratio), fmtNum(f.CPURatio))
			default:
				fmt.Fprintf(tw, "%s\t%s ms\t%s×\t–\t", f.Name, fmtNum(f.Value), fmtNum(f.Ratio))
			}
			if i == 0 {
				fmt.Fprintf(tw, "%s\t%s\n", r.Target, met)
			} else {
				fmt.Fprint(tw, "\t\n")
			}
		}
	}
	tw.Flush()
	var notes []string
	for _, r := range rep.Rows {
		if r.Note != "" {
			notes = append(notes, fmt.Sprintf("  %s — %s: %s", r.Stage, r.Name, r.Note))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nnotes")
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintln(w, "\nskipped")
		for _, s := range rep.Skipped {
			fmt.Fprintf(w, "  %s: %s. To run it: %s.\n", s.Stage, s.Reason, s.Fix)
		}
	}
	fmt.Fprintf(w, "\ntook %.0f s\n", rep.Seconds)
}

// ms converts ns to ms, rounded to 4 significant digits; NaN becomes 0.
func ms(ns float64) float64 { return sig4(ns / 1e6) }

func allocs(v float64) float64 {
	if math.IsNaN(v) {
		return -1
	}
	return math.Round(v*100) / 100
}

// sig4 rounds to 4 significant digits, mapping NaN and Inf to 0 (JSON
// has no NaN).
func sig4(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	if v == 0 {
		return 0
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	return f
}

// fmtNum prints 3 significant digits, without exponents for the ranges
// the report has.
func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case v == 0:
		return "0"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

func fmtCPU(v float64, unit string) string {
	if v == 0 || unit != "ms" {
		return "–"
	}
	return fmtNum(v) + " ms"
}

func fmtAllocs(v float64) string {
	if v < 0 {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// thousands writes n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// lastLines returns the last n non-empty lines of s, joined by " | ".
func lastLines(s string, n int) string {
	var ls []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			ls = append(ls, l)
		}
	}
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, " | ")
}
