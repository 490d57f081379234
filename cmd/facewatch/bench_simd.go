package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/facewatch/facewatch/internal/bench"
	"github.com/facewatch/facewatch/internal/site"
)

// goTestSpec is one of facelib/embed's test binaries that the embed stage
// runs in a subprocess: the js/wasm builds (plain and SIMD) under node and
// the native SIMD build, so that every build is timed in the same rounds as
// the tfjs references.
type goTestSpec struct {
	stage string // the stage name in the report and in skip entries
	wasm  bool   // GOOS=js GOARCH=wasm, run under node
	simd  bool   // built by site.SIMDToolchain with GOEXPERIMENT=simd
}

// simdToolchain returns the GOROOT of site.SIMDToolchain, fetching it
// through the module proxy the first time.
func simdToolchain(ctx context.Context, goBin string) (string, error) {
	cmd := exec.CommandContext(ctx, goBin, "env", "GOVERSION", "GOROOT")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+site.SIMDToolchain)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	f := strings.Fields(string(out))
	if err != nil || len(f) != 2 || f[0] != site.SIMDToolchain {
		why := lastLines(stderr.String(), 1)
		if why == "" && err != nil {
			why = err.Error()
		}
		return "", fmt.Errorf("Go %s could not be had: %s", site.SIMDToolchain, why)
	}
	return f[1], nil
}

// prepareGoTest compiles facelib/embed's tests as spec says into a
// temporary directory and returns a func that runs BenchmarkEmbed once, or
// nil after recording why it cannot. cleanup removes the binary.
func (r *benchRun) prepareGoTest(ctx context.Context, spec goTestSpec) (run func(ctx context.Context) (bench.GoBench, error), cleanup func()) {
	cleanup = func() {}
	switch {
	case spec.wasm && r.skipWasm:
		r.skip(spec.stage, "-skip-wasm given", "drop -skip-wasm to time the embedding compiled to WebAssembly")
		return nil, cleanup
	case spec.simd && r.skipSIMD:
		r.skip(spec.stage, "-skip-simd given", "drop -skip-simd to time the build with Go "+site.SIMDToolchain+"'s SIMD kernels")
		return nil, cleanup
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		r.skip(spec.stage, "the go toolchain is not on PATH", "install Go 1.26 (https://go.dev/dl/) and put its bin directory on PATH")
		return nil, cleanup
	}
	if spec.wasm {
		if _, err := exec.LookPath("node"); err != nil {
			r.skip(spec.stage, "node is not on PATH (Go's js/wasm programs run under it)", "install Node.js 18 or later (Debian: apt-get install nodejs)")
			return nil, cleanup
		}
	}
	env := os.Environ()
	var goroot string
	if spec.simd {
		r.progress("%s: asking the go command for %s (fetched once through the module proxy, about 76 MB)", spec.stage, site.SIMDToolchain)
		if goroot, err = simdToolchain(ctx, goBin); err != nil {
			r.skip(spec.stage, err.Error(), "let the go command reach the module proxy once (GOTOOLCHAIN="+site.SIMDToolchain+" go version), or pass -skip-simd")
			return nil, cleanup
		}
		env = append(env, "GOTOOLCHAIN="+site.SIMDToolchain, "GOEXPERIMENT=simd")
	} else {
		gr, err := exec.CommandContext(ctx, goBin, "env", "GOROOT").Output()
		if err != nil {
			r.skip(spec.stage, fmt.Sprintf("go env GOROOT failed: %v", err), "check the Go installation")
			return nil, cleanup
		}
		goroot = strings.TrimSpace(string(gr))
	}
	var exe string
	if spec.wasm {
		env = append(env, "GOOS=js", "GOARCH=wasm")
		exe = filepath.Join(goroot, "lib", "wasm", "go_js_wasm_exec")
		if _, err := os.Stat(exe); err != nil {
			r.skip(spec.stage, "no "+exe, "install a complete Go distribution (it ships lib/wasm)")
			return nil, cleanup
		}
	}
	dir, err := os.MkdirTemp("", "facewatch-bench-")
	if err != nil {
		r.skip(spec.stage, err.Error(), "make the temporary directory writable")
		return nil, cleanup
	}
	cleanup = func() { os.RemoveAll(dir) }
	bin := filepath.Join(dir, "embed.test")
	what := spec.describe()
	r.progress("%s: compiling facelib/embed's tests (%s)", spec.stage, what)
	build := exec.CommandContext(ctx, goBin, "test", "-c", "-o", bin, "./facelib/embed")
	build.Dir = r.root
	build.Env = env
	if out, err := build.CombinedOutput(); err != nil {
		r.skip(spec.stage, fmt.Sprintf("go test -c ./facelib/embed (%s) failed: %v: %s", what, err, lastLines(string(out), 5)), "fix the build (run the command by hand)")
		return nil, cleanup
	}
	pkgDir := filepath.Join(r.root, "facelib", "embed") // the tests read ../../assets
	benchtime := fmt.Sprintf("%dx", r.cfg.wasmIters)
	if !spec.wasm {
		benchtime = r.cfg.embedTime
	}
	return func(ctx context.Context) (bench.GoBench, error) {
		// -test.count 2: the first run warms up (under node, V8 compiles
		// the hot functions again, optimised, after their first calls);
		// the second is the one reported.
		args := []string{"-test.run", "^$", "-test.bench", "^BenchmarkEmbed$", "-test.benchmem", "-test.benchtime", benchtime, "-test.count", "2"}
		cmd := exec.CommandContext(ctx, bin, args...)
		if spec.wasm {
			cmd = exec.CommandContext(ctx, exe, append([]string{bin}, args...)...)
		}
		cmd.Dir = pkgDir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return bench.GoBench{}, fmt.Errorf("BenchmarkEmbed (%s) failed: %v: %s", what, err, lastLines(string(out), 5))
		}
		res, err := bench.ParseGoBench(string(out))
		if err != nil || len(res) != 2 {
			return bench.GoBench{}, fmt.Errorf("%d results (want 2) from BenchmarkEmbed (%s): %v: %s", len(res), what, err, lastLines(string(out), 5))
		}
		return res[1], nil
	}, cleanup
}

func (s goTestSpec) describe() string {
	d := "native"
	if s.wasm {
		d = "GOOS=js GOARCH=wasm"
	}
	if s.simd {
		return d + ", " + site.SIMDToolchain + " GOEXPERIMENT=simd"
	}
	return d + ", plain Go"
}

// thisBuild says whether this binary was built with GOEXPERIMENT=simd, so
// that the in-process rows can say which kernels they timed.
func thisBuild() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "GOEXPERIMENT" && strings.Contains(","+s.Value+",", ",simd,") {
				return "SIMD build"
			}
		}
	}
	return "plain Go build"
}

// subSeries collects one subprocess's results, round by round.
type subSeries struct {
	spec    goTestSpec
	run     func(ctx context.Context) (bench.GoBench, error)
	cleanup func()
	s       series
}

func (r *benchRun) newSub(ctx context.Context, spec goTestSpec) *subSeries {
	run, cleanup := r.prepareGoTest(ctx, spec)
	return &subSeries{spec: spec, run: run, cleanup: cleanup}
}

// round runs the subprocess once, recording its result or, on failure, the
// reason (and it is not run again).
func (x *subSeries) round(ctx context.Context, r *benchRun, roundNo int) {
	if x.run == nil {
		return
	}
	r.progress("%s: round %d/%d: %s", x.spec.stage, roundNo+1, r.cfg.rounds, x.spec.describe())
	b, err := x.run(ctx)
	if err != nil {
		r.skip(x.spec.stage, err.Error(), "run go test -bench BenchmarkEmbed ./facelib/embed by hand with the same environment to see why")
		x.run, x.s = nil, series{}
		return
	}
	cpu := math.NaN() // no CPU time from inside node
	if v, ok := b.Metrics["cpu-ms/op"]; ok {
		cpu = v * 1e6
	}
	x.s.ns = append(x.s.ns, b.NsPerOp)
	x.s.cpu = append(x.s.cpu, cpu)
	x.s.allocs = append(x.s.allocs, b.AllocsPerOp)
}
