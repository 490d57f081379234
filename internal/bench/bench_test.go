package bench

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		in   []float64
		want Summary
	}{
		{"odd", []float64{3, 1, 2}, Summary{Median: 2, Min: 1, Max: 3, N: 3}},
		{"even", []float64{4, 1, 3, 2}, Summary{Median: 2.5, Min: 1, Max: 4, N: 4}},
		{"one", []float64{7}, Summary{Median: 7, Min: 7, Max: 7, N: 1}},
		{"NaNs ignored", []float64{nan, 5, nan, 1, 3}, Summary{Median: 3, Min: 1, Max: 5, N: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Summarize(tc.in); got != tc.want {
				t.Errorf("Summarize(%v) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
	for _, in := range [][]float64{nil, {nan, nan}} {
		if s := Summarize(in); !math.IsNaN(s.Median) || s.N != 0 {
			t.Errorf("Summarize(%v) = %+v, want NaN median and N 0", in, s)
		}
	}
}

func TestPairedRatio(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want float64
	}{
		// Round 2 ran under load for both: its pair still gives 0.5.
		{"paired under changing load", []float64{1, 10, 1.2}, []float64{2, 20, 2}, 0.5},
		{"zero and NaN pairs skipped", []float64{1, 1, math.NaN(), 3}, []float64{0, 2, 2, 3}, 0.75},
		{"unequal lengths use the common prefix", []float64{2, 4}, []float64{1}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PairedRatio(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("PairedRatio = %v, want %v", got, tc.want)
			}
		})
	}
	if got := PairedRatio([]float64{1}, []float64{0}); !math.IsNaN(got) {
		t.Errorf("no usable pair: got %v, want NaN", got)
	}
}

func TestParseLoad(t *testing.T) {
	tests := []struct {
		in      string
		want    Load
		wantErr bool
	}{
		{"0.52 0.58 0.59 2/345 12345\n", Load{0.52, 0.58, 0.59}, false},
		{"17.98 17.80 12.61 9/612 15259", Load{17.98, 17.80, 12.61}, false},
		{"0.52 0.58", Load{}, true},
		{"", Load{}, true},
		{"a b c", Load{}, true},
		{"-1 0 0", Load{}, true},
	}
	for _, tc := range tests {
		got, err := ParseLoad(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseLoad(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err != nil && !errors.Is(err, ErrNoLoad) {
			t.Errorf("ParseLoad(%q) error %v does not wrap ErrNoLoad", tc.in, err)
		}
	}
}

func TestReadLoad(t *testing.T) {
	l, err := ReadLoad()
	if _, statErr := os.Stat("/proc/loadavg"); statErr != nil {
		if !errors.Is(err, ErrNoLoad) {
			t.Fatalf("no /proc/loadavg: got %v, want ErrNoLoad", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range l {
		if v < 0 || math.IsNaN(v) {
			t.Errorf("load %v", l)
		}
	}
}

func TestBusy(t *testing.T) {
	tests := []struct {
		load float64
		cpus int
		want bool
	}{
		{0.1, 2, false},
		{0.5, 2, false},
		{0.6, 2, true},
		{18, 2, true},
		{3, 16, false},
		{5, 16, true},
		{0.3, 0, true}, // unknown CPU count counts as one
	}
	for _, tc := range tests {
		if got := Busy(tc.load, tc.cpus); got != tc.want {
			t.Errorf("Busy(%v, %d) = %v, want %v", tc.load, tc.cpus, got, tc.want)
		}
	}
}

func TestCPUModel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC   7B13 64-Core Processor\nflags\t: fpu\n\nprocessor\t: 1\nmodel name\t: other\n", "AMD EPYC 7B13 64-Core Processor"},
		{"processor\t: 0\nHardware\t: BCM2835\n", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := CPUModel(strings.NewReader(tc.in)); got != tc.want {
			t.Errorf("CPUModel = %q, want %q", got, tc.want)
		}
	}
	m := ThisMachine()
	if m.CPUs < 1 || m.GOMAXPROCS < 1 || m.Go == "" || m.GOOS == "" || m.GOARCH == "" {
		t.Errorf("ThisMachine() = %+v", m)
	}
}

func TestProcessCPU(t *testing.T) {
	c0, ok := ProcessCPU()
	if !ok {
		t.Skip("no process CPU time on this platform")
	}
	x := 0.0
	for i := range 20_000_000 {
		x += math.Sqrt(float64(i))
	}
	c1, _ := ProcessCPU()
	if c1 <= c0 || x == 0 {
		t.Errorf("CPU time did not advance over a busy loop: %v then %v", c0, c1)
	}
}

// The testdata files are real output: facelib/embed's benchmarks natively
// and compiled to js/wasm, and tools/bench-tfjs.mjs.
func TestParseGoBench(t *testing.T) {
	tests := []struct {
		file string
		want []GoBench
	}{
		{"testdata/gotest-native.txt", []GoBench{
			{Name: "BenchmarkEmbed", Procs: 2, N: 2, NsPerOp: 142125604, BytesPerOp: 0, AllocsPerOp: 0, Metrics: map[string]float64{"cpu-ms/op": 69.65}},
			{Name: "BenchmarkEmbedThreads", Procs: 2, N: 2, NsPerOp: 92774257, BytesPerOp: 112, AllocsPerOp: 1, Metrics: map[string]float64{"cpu-ms/op": 61.15}},
		}},
		{"testdata/gotest-wasm.txt", []GoBench{
			{Name: "BenchmarkEmbed", Procs: 1, N: 2, NsPerOp: 822175744, BytesPerOp: 0, AllocsPerOp: 0},
			{Name: "BenchmarkEmbed", Procs: 1, N: 2, NsPerOp: 449045376, BytesPerOp: 0, AllocsPerOp: 0},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseGoBench(string(b))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d results, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.Name != w.Name || g.Procs != w.Procs || g.N != w.N || g.NsPerOp != w.NsPerOp ||
					g.BytesPerOp != w.BytesPerOp || g.AllocsPerOp != w.AllocsPerOp || len(g.Metrics) != len(w.Metrics) {
					t.Errorf("result %d = %+v, want %+v", i, g, w)
				}
				for k, v := range w.Metrics {
					if g.Metrics[k] != v {
						t.Errorf("result %d metric %s = %v, want %v", i, k, g.Metrics[k], v)
					}
				}
			}
		})
	}
}

func TestParseGoBenchBad(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  error
	}{
		{"empty", "", ErrNoBench},
		{"build failure", "# github.com/x\n./a.go:1: syntax error\nFAIL\tgithub.com/x [build failed]\n", ErrNoBench},
		{"no ns/op", "BenchmarkX-2  \t 10\t 5 B/op\n", ErrNoBench},
		{"zero iterations", "BenchmarkX-2  \t 0\t 100 ns/op\n", ErrNoBench},
		{"garbled metric", "BenchmarkX-2  \t 10\t 100 ns/op\t zz B/op\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseGoBench(tc.in)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestParseTFJS(t *testing.T) {
	b, err := os.ReadFile("testdata/tfjs.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseTFJS(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tool != "tools/bench-tfjs.mjs" || r.Threads != 1 || r.FaceAPI != "1.7.15" || len(r.Results) != 3 {
		t.Errorf("report header %+v", r)
	}
	for _, tc := range []struct {
		backend string
		median  float64
		simd    bool
	}{{"cpu", 2513.647, false}, {"wasm-simd", 185.685, true}, {"wasm", 411.097, false}} {
		x, ok := r.Backend(tc.backend)
		if !ok || x.MedianMs != tc.median || x.SIMD != tc.simd || x.MinMs > x.MedianMs || x.MaxMs < x.MedianMs {
			t.Errorf("backend %s: %+v, %v", tc.backend, x, ok)
		}
	}
	if _, ok := r.Backend("webgl"); ok {
		t.Error("found a backend that did not run")
	}
}

func TestParseTFJSBad(t *testing.T) {
	tests := []struct{ name, in string }{
		{"not JSON", "Hi, looks like you are running TensorFlow.js in Node.js"},
		{"no results", `{"tool":"tools/bench-tfjs.mjs","results":[]}`},
		{"no backend name", `{"results":[{"median_ms":5}]}`},
		{"zero median", `{"results":[{"backend":"cpu","median_ms":0}]}`},
		{"negative median", `{"results":[{"backend":"cpu","median_ms":-3}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseTFJS([]byte(tc.in)); !errors.Is(err, ErrBadTFJS) {
				t.Errorf("error %v, want ErrBadTFJS", err)
			}
		})
	}
	// A failed backend is reported, not an error, and is not usable.
	r, err := ParseTFJS([]byte(`{"results":[{"backend":"wasm","error":"no wasm binary"},{"backend":"cpu","median_ms":900}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Backend("wasm"); ok {
		t.Error("failed backend reported as usable")
	}
	if x, ok := r.Backend("cpu"); !ok || x.MedianMs != 900 {
		t.Errorf("cpu backend %+v %v", x, ok)
	}
}
