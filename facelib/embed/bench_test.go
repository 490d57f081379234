package embed_test

import (
	"runtime"
	"testing"

	"github.com/facewatch/facewatch/internal/bench"

	"github.com/facewatch/facewatch/facelib/embed"
)

// BenchmarkEmbed is one face, single-threaded (what the browser build runs).
func BenchmarkEmbed(b *testing.B) {
	benchEmbed(b, 1)
}

// BenchmarkEmbedThreads is one face split across GOMAXPROCS goroutines.
func BenchmarkEmbedThreads(b *testing.B) {
	benchEmbed(b, runtime.GOMAXPROCS(0))
}

func benchEmbed(b *testing.B, threads int) {
	m := loadModel(b)
	chip, _ := readChip(b, readGolden(b).Chips[0].File)
	ws := m.NewWorkspace(embed.WithThreads(threads))
	b.ReportAllocs()
	cpu0, ok := bench.ProcessCPU()
	n := 0
	for b.Loop() {
		if _, err := ws.Embed(chip); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if cpu1, _ := bench.ProcessCPU(); ok && n > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(n)/1e6, "cpu-ms/op")
	}
}

// BenchmarkLoad parses, checks and prepares the real weights.
func BenchmarkLoad(b *testing.B) {
	manifest, weights := readModelFiles(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(weights)))
	for b.Loop() {
		if _, err := embed.Load(manifest, weights); err != nil {
			b.Fatal(err)
		}
	}
}
