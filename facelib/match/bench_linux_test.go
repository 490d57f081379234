//go:build linux

package match

import (
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// threadCPU returns the CPU time consumed by the calling OS thread.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSearchVsScan interleaves a 1:N top-10 search of the 1M gallery
// with plain scans of the same 512 MB, so that both see the same machine
// load, and reports per-operation wall time and thread CPU time for each
// and the ratio search/scan. The plain scans are "sum8" (the float32s
// summed with eight accumulators: about memory bandwidth) and "sqdist" (a
// straightforward loop computing each squared distance). "exact" is the
// search loop without Search's dot-product pre-filter, for comparison.
func BenchmarkSearchVsScan(b *testing.B) {
	g := benchGallery(1_000_000)
	data := g.data
	probe := randomEmbedding(rand.New(rand.NewPCG(9, 9)))
	buf := make([]Candidate, 0, 10)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	sumAll := func() { sinkF32 += sum8(data) }
	sqdist := func() { sinkF32 += plainScan(data, &probe) }
	search := func() { buf, _ = g.Search(buf, &probe, 10) }
	buf2 := make([]Candidate, 0, 10)
	exact := func() {
		h := heap{c: buf2[:0], k: 10}
		worst := float32(1e30)
		d := data
		for r := 0; len(d) >= Dim; r++ {
			x := sqDistArr((*[Dim]float32)(&probe), (*[Dim]float32)(d[:Dim]))
			d = d[Dim:]
			if x > worst {
				continue
			}
			if h.offer(x, g.people[g.owner[r]].id) {
				worst = h.c[0].Distance
			}
		}
		buf2 = h.c
	}

	type acc struct{ wall, cpu time.Duration }
	var aSearch, aSum8, aSq, aEx acc
	timeIt := func(a *acc, f func()) {
		w, c := time.Now(), threadCPU()
		f()
		a.cpu += threadCPU() - c
		a.wall += time.Since(w)
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		timeIt(&aSearch, search)
		timeIt(&aSum8, sumAll)
		timeIt(&aSq, sqdist)
		timeIt(&aEx, exact)
		n++
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
	b.ReportMetric(per(aSearch.wall), "search-ns")
	b.ReportMetric(per(aSearch.cpu), "search-cpu-ns")
	b.ReportMetric(per(aSum8.wall), "sum8-ns")
	b.ReportMetric(per(aSum8.cpu), "sum8-cpu-ns")
	b.ReportMetric(per(aSq.wall), "sqdist-ns")
	b.ReportMetric(per(aSq.cpu), "sqdist-cpu-ns")
	b.ReportMetric(per(aEx.cpu), "exact-cpu-ns")
	b.ReportMetric(float64(aSearch.cpu)/float64(aSum8.cpu), "search/sum8-cpu")
	b.ReportMetric(float64(aSearch.cpu)/float64(aSq.cpu), "search/sqdist-cpu")
}
