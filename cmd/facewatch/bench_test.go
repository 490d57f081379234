package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/facewatch/facewatch/internal/bench"
)

// TestBenchCommand runs the whole report in its quick form and checks that
// every stage is there with usable numbers. It asserts no speed: only that
// each measurement happened, is positive and finite, and that ratios are
// within a sane band (a ratio off by 100x means a broken measurement, not a
// slow machine).
func TestBenchCommand(t *testing.T) {
	stdout, stderr, code := runCLI(t, "bench", "-quick", "-json", "-skip-wasm", "-skip-tfjs", "-skip-simd")
	if code != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
	}
	var rep benchReport
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("stdout is not the report: %v\n%s", err, stdout)
	}
	if !rep.Quick || rep.Rounds != quickConfig.rounds || rep.Machine.Go != runtime.Version() || rep.Machine.CPUs < 1 || rep.Seconds <= 0 {
		t.Errorf("report header: %+v", rep)
	}
	if _, err := os.Stat("/proc/loadavg"); err == nil && (rep.LoadStart == nil || rep.LoadEnd == nil) {
		t.Error("the machine has /proc/loadavg but the report has no load")
	}
	if rep.Busy != (len(rep.Warnings) > 0) && rep.LoadStart != nil {
		t.Errorf("busy %v but warnings %q", rep.Busy, rep.Warnings)
	}

	// Rows per stage, and which of them carry a reference (and a target).
	want := []struct {
		stage   string
		rows    int
		refs    int // rows with a reference measured in-process
		targets int
		unit    string
	}{
		{"memory", 1, 0, 1, "MB"},
		{"detect", 3, 3, 3, "ms"},
		{"align", 5, 2, 0, "ms"},
		{"track", 1, 0, 1, "ms"},
		// The threaded row refers to the single-threaded one.
		{"embed", min(2, runtime.GOMAXPROCS(0)), min(1, runtime.GOMAXPROCS(0)-1), 0, "ms"},
		{"search", 1, 1, 1, "ms"},
	}
	byStage := map[string][]benchRow{}
	for _, r := range rep.Rows {
		byStage[r.Stage] = append(byStage[r.Stage], r)
	}
	if len(byStage) != len(want) {
		t.Errorf("stages %v, want %d", keys(byStage), len(want))
	}
	for _, w := range want {
		rows := byStage[w.stage]
		if len(rows) != w.rows {
			t.Errorf("%s: %d rows, want %d", w.stage, len(rows), w.rows)
			continue
		}
		refs, targets := 0, 0
		for _, r := range rows {
			name := r.Stage + " " + r.Name
			if r.Unit != w.unit || r.Name == "" || r.Runs < 1 {
				t.Errorf("%s: unit %q, runs %d", name, r.Unit, r.Runs)
			}
			if !(r.Value > 0) || math.IsInf(r.Value, 0) || r.Min > r.Value || r.Max < r.Value || r.Min <= 0 {
				t.Errorf("%s: value %v (min %v, max %v), want positive and within min..max", name, r.Value, r.Min, r.Max)
			}
			if r.Unit == "ms" {
				if r.Allocs < 0 || r.Runs != quickConfig.rounds {
					t.Errorf("%s: allocs %v, runs %d", name, r.Allocs, r.Runs)
				}
				if runtime.GOOS == "linux" && !(r.CPU > 0) {
					t.Errorf("%s: no CPU time", name)
				}
			}
			if r.Target != "" {
				targets++
				if r.Met == nil {
					t.Errorf("%s: target %q without a verdict", name, r.Target)
				}
			} else if r.Met != nil {
				t.Errorf("%s: verdict without a target", name)
			}
			if len(r.Refs) > 0 {
				refs++
			}
			for _, f := range r.Refs {
				if f.Name == "" || !(f.Value > 0) || !(f.Ratio > 0.01 && f.Ratio < 100) {
					t.Errorf("%s: reference %+v, want a positive value and a ratio within 0.01..100", name, f)
				}
				// References measured in this process have CPU times too.
				if runtime.GOOS == "linux" && !(f.CPU > 0 && f.CPURatio > 0.01 && f.CPURatio < 100) {
					t.Errorf("%s: reference %+v, want a CPU time and a CPU ratio within 0.01..100", name, f)
				}
				// The ratio is a median of per-round ratios, so it need not
				// equal value/ref exactly, but it cannot be far from it.
				if q := r.Value / f.Value / f.Ratio; q < 0.2 || q > 5 {
					t.Errorf("%s vs %s: ratio %v but medians %v / %v", name, f.Name, f.Ratio, r.Value, f.Value)
				}
			}
		}
		if refs != w.refs || targets != w.targets {
			t.Errorf("%s: %d rows with references and %d with targets, want %d and %d", w.stage, refs, targets, w.refs, w.targets)
		}
	}
	// The memory row brackets its peak: live afterwards ≤ tight peak.
	if m := byStage["memory"]; len(m) == 1 && m[0].Min > m[0].Value {
		t.Errorf("memory: live %v MB above the peak %v MB", m[0].Min, m[0].Value)
	}
	if s := byStage["search"]; len(s) == 1 && len(s[0].Refs) != 2 {
		t.Errorf("search: %d references, want the plain scan and the byte read", len(s[0].Refs))
	}

	// Skipped stages say why and what to do.
	skipped := map[string]benchSkip{}
	for _, s := range rep.Skipped {
		skipped[s.Stage] = s
	}
	for _, st := range []string{"embed-wasm", "embed-wasm-simd", "embed-simd", "embed tfjs references"} {
		s, ok := skipped[st]
		if !ok || !strings.Contains(s.Reason, "-skip-") || s.Fix == "" {
			t.Errorf("skipped %q: %+v, %v", st, s, ok)
		}
	}
	for _, st := range []string{"memory", "detect", "align", "track", "embed", "search"} {
		if !strings.Contains(stderr, "bench: "+st) {
			t.Errorf("no progress for %s on stderr:\n%s", st, stderr)
		}
	}
}

// TestBenchText checks the table form on a report, without measuring.
func TestBenchText(t *testing.T) {
	yes, no := true, false
	rep := benchReport{
		Quick: true, Rounds: 3,
		Machine:  bench.Machine{GOOS: "linux", GOARCH: "amd64", CPUs: 2, GOMAXPROCS: 2, Go: "go1.26.8"},
		Warnings: []string{"the machine was busy"},
		Rows: []benchRow{
			{Stage: "detect", Name: "640x480, MinSize 60", Unit: "ms", Value: 6.31, CPU: 6.2, Allocs: 0, Refs: []benchRef{{Name: "pigo", Value: 7.5, Ratio: 0.84, CPURatio: 0.91}}, Target: "≤ 1.1×", Met: &yes},
			{Stage: "memory", Name: "peak heap", Unit: "MB", Value: 80, Allocs: -1, Target: "≤ 64 MB", Met: &no, Note: "a note"},
			{Stage: "embed", Name: "native, 1 thread", Unit: "ms", Value: 98.2, Allocs: 0, Refs: []benchRef{{Name: "tfjs cpu", Value: 950, Ratio: 0.1034}, {Name: "tfjs wasm SIMD", Value: 50, Ratio: 1.964}}},
		},
		Skipped: []benchSkip{{Stage: "embed-wasm", Reason: "node is not on PATH", Fix: "install Node.js"}},
	}
	var b bytes.Buffer
	printBench(&b, &rep)
	out := b.String()
	for _, want := range []string{
		"quick run", "WARNING  the machine was busy", "MinSize 60", "6.31 ms", "pigo", "0.84×", "0.91×", "≤ 1.1×", "yes",
		"80.0 MB", "NO", "tfjs cpu", "0.103×", "tfjs wasm SIMD", "1.96×", "a note",
		"embed-wasm: node is not on PATH. To run it: install Node.js.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// The second reference of a row goes on a line of its own.
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "tfjs wasm SIMD") && strings.Contains(l, "native") {
			t.Errorf("second reference shares the row's line: %q", l)
		}
	}
}

// TestBenchSkips checks that the outside stages say what is missing instead
// of failing or vanishing.
func TestBenchSkips(t *testing.T) {
	root := t.TempDir() // a tree without tools/ or node_modules
	tests := []struct {
		name       string
		path       string // PATH for the test
		needNode   bool
		stage      string
		run        func(r *benchRun)
		wantReason string
	}{
		{"no node for tfjs", t.TempDir(), false, "embed tfjs references", func(r *benchRun) { r.prepareTFJS() }, "node is not on PATH"},
		{"no go for wasm", t.TempDir(), false, "embed-wasm", func(r *benchRun) { _, c := r.prepareWasm(context.Background()); c() }, "go toolchain is not on PATH"},
		{"no go for the SIMD build", t.TempDir(), false, "embed-simd", func(r *benchRun) {
			_, c := r.prepareGoTest(context.Background(), goTestSpec{stage: "embed-simd", simd: true})
			c()
		}, "go toolchain is not on PATH"},
		{"SIMD toolchain cannot be had", os.Getenv("PATH"), false, "embed-simd", func(r *benchRun) {
			// An empty module cache and GOPROXY=off: the go command
			// has no way to get the toolchain.
			t.Setenv("GOPROXY", "off")
			t.Setenv("GOFLAGS", "-modcacherw")
			t.Setenv("GOMODCACHE", t.TempDir())
			_, c := r.prepareGoTest(context.Background(), goTestSpec{stage: "embed-simd", simd: true})
			c()
		}, "could not be had"},
		{"no tfjs script", os.Getenv("PATH"), true, "embed tfjs references", func(r *benchRun) { r.prepareTFJS() }, "missing from the source tree"},
		{"no node_modules", os.Getenv("PATH"), true, "embed tfjs references", func(r *benchRun) {
			os.MkdirAll(filepath.Join(r.root, "tools"), 0o755)
			os.WriteFile(filepath.Join(r.root, benchTFJS), []byte("// empty\n"), 0o644)
			r.prepareTFJS()
		}, "tools/node_modules has no"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", tc.path)
			if tc.needNode {
				if _, err := exec.LookPath("node"); err != nil {
					t.Skip("node is not installed")
				}
			}
			var log bytes.Buffer
			r := &benchRun{cfg: quickConfig, root: root, log: &log}
			tc.run(r)
			if len(r.report.Skipped) != 1 {
				t.Fatalf("skipped %+v, want one entry", r.report.Skipped)
			}
			s := r.report.Skipped[0]
			if s.Stage != tc.stage || !strings.Contains(s.Reason, tc.wantReason) || s.Fix == "" {
				t.Errorf("skip %+v, want stage %q, reason containing %q and a fix", s, tc.stage, tc.wantReason)
			}
			if !strings.Contains(log.String(), "skipped") {
				t.Errorf("nothing said on stderr: %q", log.String())
			}
			if len(r.report.Rows) != 0 {
				t.Errorf("rows %+v from a skipped stage", r.report.Rows)
			}
		})
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{{"bench", "extra"}, {"bench", "-nosuchflag"}} {
		if _, _, code := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit code %d, want 2", args, code)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}
