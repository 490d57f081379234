package match

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

var (
	sinkF32  float32
	sinkF64  float64
	sinkCand []Candidate
)

func BenchmarkDistance(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	x, y := randomEmbedding(r), randomEmbedding(r)
	b.Run("Euclidean", func(b *testing.B) {
		for b.Loop() {
			sinkF32 += Distance(&x, &y)
		}
	})
	b.Run("Squared", func(b *testing.B) {
		for b.Loop() {
			sinkF32 += SquaredDistance(&x, &y)
		}
	})
	b.Run("Cosine", func(b *testing.B) {
		for b.Loop() {
			sinkF32 += Cosine(&x, &y)
		}
	})
	b.Run("Validate", func(b *testing.B) {
		for b.Loop() {
			if x.Validate() != nil {
				b.Fatal("invalid")
			}
		}
	})
}

// galleries are built once per process: the 1M one is 512 MB of floats.
var (
	galleryOnce sync.Map // size → func() *Gallery
)

func benchGallery(n int) *Gallery {
	f, _ := galleryOnce.LoadOrStore(n, sync.OnceValue(func() *Gallery {
		r := rand.New(rand.NewPCG(uint64(n), 7))
		g := NewGallery()
		if err := g.Grow(n); err != nil {
			panic(err)
		}
		for i := range n {
			if err := g.Add(fmt.Sprintf("id%07d", i), randomEmbedding(r)); err != nil {
				panic(err)
			}
		}
		return g
	}))
	return f.(func() *Gallery)()
}

var sizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}, {"1M", 1_000_000}}

// BenchmarkSearch is a 1:N top-10 search. Compare the 1M case with
// BenchmarkScan/1M: the same bytes read by the plainest loops.
func BenchmarkSearch(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			g := benchGallery(sz.n)
			probe := randomEmbedding(rand.New(rand.NewPCG(9, 9)))
			buf := make([]Candidate, 0, 10)
			b.SetBytes(int64(sz.n) * Dim * 4)
			b.ResetTimer()
			for b.Loop() {
				buf, _ = g.Search(buf, &probe, 10)
			}
			sinkCand = buf
		})
	}
}

// BenchmarkSearchQuantized is BenchmarkSearch on an int8 snapshot (a
// quarter of the bytes; distances approximate).
func BenchmarkSearchQuantized(b *testing.B) {
	for _, sz := range sizes[1:] {
		b.Run(sz.name, func(b *testing.B) {
			z := benchGallery(sz.n).Quantize()
			probe := randomEmbedding(rand.New(rand.NewPCG(9, 9)))
			buf := make([]Candidate, 0, 10)
			b.SetBytes(int64(z.Bytes()))
			b.ResetTimer()
			for b.Loop() {
				buf, _ = z.Search(buf, &probe, 10)
			}
			sinkCand = buf
		})
	}
}

// BenchmarkScan reads the 1M gallery's storage without any search logic:
// the floor a search is measured against.
func BenchmarkScan(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			g := benchGallery(sz.n)
			data := g.data
			probe := randomEmbedding(rand.New(rand.NewPCG(9, 9)))
			bytes := int64(len(data)) * 4
			b.Run("sum", func(b *testing.B) {
				b.SetBytes(bytes)
				// One accumulator: the plainest possible loop.
				for b.Loop() {
					var s float32
					for _, x := range data {
						s += x
					}
					sinkF32 += s
				}
			})
			b.Run("sum8", func(b *testing.B) {
				b.SetBytes(bytes)
				// Eight accumulators: as close to memory bandwidth as scalar Go gets.
				for b.Loop() {
					sinkF32 += sum8(data)
				}
			})
			b.Run("sqdist", func(b *testing.B) {
				b.SetBytes(bytes)
				// A straightforward loop computing every squared distance and the minimum.
				for b.Loop() {
					sinkF32 += plainScan(data, &probe)
				}
			})
		})
	}
}

// sum8 adds up data with eight accumulators: as close to memory bandwidth
// as scalar Go gets, the floor a search is compared with.
func sum8(data []float32) float32 {
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	d := data
	for len(d) >= 8 {
		s0 += d[0]
		s1 += d[1]
		s2 += d[2]
		s3 += d[3]
		s4 += d[4]
		s5 += d[5]
		s6 += d[6]
		s7 += d[7]
		d = d[8:]
	}
	return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
}

// plainScan is the straightforward search a gallery is compared with: every
// squared distance to probe, keeping the minimum.
func plainScan(data []float32, probe *Embedding) float32 {
	best := float32(1e30)
	for off := 0; off < len(data); off += Dim {
		var s float32
		for j := 0; j < Dim; j++ {
			d := data[off+j] - probe[j]
			s += d * d
		}
		best = min(best, s)
	}
	return best
}

func BenchmarkVerify(b *testing.B) {
	g := benchGallery(1_000)
	r := rand.New(rand.NewPCG(2, 2))
	probe := randomEmbedding(r)
	// An ID with 5 embeddings.
	for range 5 {
		if err := g.Add("multi", near(r, probe, 0.03)); err != nil {
			b.Fatal(err)
		}
	}
	defer g.Remove("multi")
	for b.Loop() {
		v, _ := g.Verify("multi", &probe)
		sinkF32 += v.Distance
	}
}
