package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/facelib/embed"
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
	restore, err := bench.UseBenchFlags()
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

// benchItem is one thing to time in a stage.
type benchItem struct {
	key string
	per float64 // operations per b.Loop iteration (0 means 1)
	fn  func(b *testing.B)
}

// series is an item's samples, one per round.
type series struct{ ns, cpu, allocs []float64 }

// add appends one round's sample.
func (se *series) add(s bench.Sample) {
	se.ns = append(se.ns, s.Ns)
	se.cpu = append(se.cpu, s.CPU)
	se.allocs = append(se.allocs, s.Allocs)
}

// measure runs every item once per round, items alternating within each
// round so that an item and its reference see the same load.
func (r *benchRun) measure(stage, benchTime string, items []benchItem) map[string]*series {
	bench.SetBenchTime(benchTime)
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
			s := bench.Once(it.fn, per)
			se := out[it.key]
			se.add(s)
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
