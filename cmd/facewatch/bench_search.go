package main

// The search stage: a 1:N search against a plain scan and the read-the-bytes floor.

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"unsafe"

	"github.com/facewatch/facewatch/facelib/match"
)

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
