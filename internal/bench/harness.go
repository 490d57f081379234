package bench

import (
	"errors"
	"flag"
	"math"
	"testing"
	"time"
)

// The harness runs on package testing on purpose, and so the facewatch
// binary links it: testing.Benchmark is Go's own calibrated benchmark loop,
// so facewatch bench measures each stage exactly as "go test -bench" measures
// the package benchmarks, and the two sets of numbers can be compared. A loop
// of our own would be a second harness to trust.

// UseBenchFlags makes testing.Benchmark usable here: testing.Init registers
// the test flags (outside "go test" the benchmark machinery needs them) and
// the returned func restores the -test.benchtime the process had.
func UseBenchFlags() (restore func(), err error) {
	testing.Init()
	f := flag.Lookup("test.benchtime")
	if f == nil {
		return nil, errors.New("testing flags not registered")
	}
	old := f.Value.String()
	return func() { flag.Set("test.benchtime", old) }, nil
}

// SetBenchTime sets the -test.benchtime testing.Benchmark runs for.
func SetBenchTime(d string) {
	if err := flag.Set("test.benchtime", d); err != nil {
		panic("bench: bad benchtime " + d) // constant inputs only
	}
}

// Sample is one testing.Benchmark run, per operation.
type Sample struct {
	Ns, CPU, Allocs float64
}

// Once runs fn under testing.Benchmark and returns its cost per
// operation, dividing by per (e.g. the faces in a frame). fn must keep its
// set-up outside b.Loop's loop short: the CPU time is taken around it.
func Once(fn func(b *testing.B), per float64) Sample {
	var cpu time.Duration
	var n int
	cpuOK := false
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		c0, ok0 := ProcessCPU()
		fn(b)
		c1, ok1 := ProcessCPU()
		cpu, n, cpuOK = c1-c0, b.N, ok0 && ok1
	})
	s := Sample{Ns: math.NaN(), CPU: math.NaN(), Allocs: math.NaN()}
	if res.N > 0 {
		s.Ns = float64(res.T.Nanoseconds()) / float64(res.N) / per
		s.Allocs = float64(res.MemAllocs) / float64(res.N) / per
	}
	if cpuOK && n > 0 {
		s.CPU = float64(cpu.Nanoseconds()) / float64(n) / per
	}
	return s
}
