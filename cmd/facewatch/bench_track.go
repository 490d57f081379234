package main

// The tracking stage.

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/track"
)

// stageTrack times one tracker update with ten moving faces (boxes only).
func (r *benchRun) stageTrack() error {
	const n = 10
	tr, err := track.New(track.DefaultConfig())
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	dets := make([]track.Detection, n)
	k := 0 // frame counter: times keep increasing across rounds
	fn := func(b *testing.B) {
		for b.Loop() {
			for id := range dets {
				ph := float64(k) / 30 * (0.5 + 0.13*float64(id))
				s := 40 + 4*float64(id)
				cx := 100 + 200*float64(id%4) + 50*math.Cos(ph) + 2*rng.NormFloat64()
				cy := 100 + 200*float64(id/4) + 40*math.Sin(1.3*ph) + 2*rng.NormFloat64()
				dets[id] = track.Detection{Box: track.Box{X: cx - s/2, Y: cy - s/2, W: s, H: s}, Score: 20}
			}
			if _, err := tr.Update(dets, time.Duration(k)*time.Second/30); err != nil {
				b.Fatal(err)
			}
			k++
		}
	}
	res := r.measure("track", r.cfg.benchTime, []benchItem{{key: "update", fn: fn}})
	row := row("track", "Update, 10 faces (boxes only)", res["update"])
	row.target("≤ 0.1 ms", row.Value <= 0.1)
	r.add(row)
	return nil
}
