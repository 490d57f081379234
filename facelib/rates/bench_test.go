package rates

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var sinkF64 float64

func benchScores(n int) ([]float64, []float64) {
	r := rand.New(rand.NewPCG(uint64(n), 3))
	gen := make([]float64, n)
	imp := make([]float64, n)
	for i := range gen {
		gen[i] = 0.4 + 0.08*r.NormFloat64()
		imp[i] = 0.75 + 0.08*r.NormFloat64()
	}
	return gen, imp
}

func BenchmarkRates(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		gen, imp := benchScores(n)
		s, err := NewScores(gen, imp, Distances)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("NewScores/%d", n), func(b *testing.B) {
			for b.Loop() {
				s, _ := NewScores(gen, imp, Distances)
				sinkF64 += float64(s.NumGenuine())
			}
		})
		b.Run(fmt.Sprintf("At/%d", n), func(b *testing.B) {
			for b.Loop() {
				r, _ := s.At(0.6)
				sinkF64 += r.FMR
			}
		})
		b.Run(fmt.Sprintf("EER/%d", n), func(b *testing.B) {
			for b.Loop() {
				sinkF64 += s.EER().Rate
			}
		})
		b.Run(fmt.Sprintf("ThresholdForFMR/%d", n), func(b *testing.B) {
			for b.Loop() {
				r, _ := s.ThresholdForFMR(1e-3)
				sinkF64 += r.Threshold
			}
		})
		b.Run(fmt.Sprintf("DET200/%d", n), func(b *testing.B) {
			for b.Loop() {
				sinkF64 += s.DET(200)[0].X
			}
		})
		b.Run(fmt.Sprintf("Histograms50/%d", n), func(b *testing.B) {
			for b.Loop() {
				g, _, _ := s.Histograms(50)
				sinkF64 += float64(g.Total)
			}
		})
	}
	b.Run("BaseRate", func(b *testing.B) {
		for b.Loop() {
			r, _ := BaseRate(BaseRateInput{57_600_000, 1e-6, 0.01, 0.99})
			sinkF64 += r.Precision
		}
	})
	b.Run("Crowd", func(b *testing.B) {
		for b.Loop() {
			r, _ := Crowd(CrowdInput{50_000, BaseRateInput{177_600_000, 1e-6, 1e-4, 0.9}})
			sinkF64 += r.Precision
		}
	})
}
