package track

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The filter must recover a constant velocity from noisy positions and track
// the position more closely than the raw measurements do.
func TestKalmanConstantVelocity(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fps      float64
		v, noise float64 // px/s, px (std)
	}{
		{"30fps slow", 30, 40, 3},
		{"30fps fast", 30, 300, 3},
		{"10fps", 10, 120, 4},
		{"still", 30, 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			const size = 80.0
			q := sq(4 * size)
			r := sq(tc.noise)
			dt := 1 / tc.fps
			var f kf1
			var rawErr, filtErr float64
			n := 0
			for k := 0; k < int(4*tc.fps); k++ {
				truth := 100 + tc.v*float64(k)*dt
				z := truth + rng.NormFloat64()*tc.noise
				if k == 0 {
					f.init(z, r, sq(2*size))
					continue
				}
				f.predict(dt, q)
				f.correct(z, r)
				if k >= int(tc.fps) { // after a second of warm-up
					rawErr += sq(z - truth)
					filtErr += sq(f.x - truth)
					n++
				}
			}
			rawRMS, filtRMS := math.Sqrt(rawErr/float64(n)), math.Sqrt(filtErr/float64(n))
			if filtRMS >= rawRMS {
				t.Errorf("filtered RMS error %.2f px ≥ raw %.2f px", filtRMS, rawRMS)
			}
			// Velocity within 15 px/s (about 0.2 face sizes per second).
			if math.Abs(f.v-tc.v) > 15 {
				t.Errorf("velocity %.1f px/s, want %.1f", f.v, tc.v)
			}
		})
	}
}

func TestKalmanPredictGrowsUncertainty(t *testing.T) {
	var f kf1
	f.init(10, 1, 4)
	f.v = 5
	p0 := f.p00
	f.predict(0.5, 1)
	if f.x != 12.5 {
		t.Errorf("x = %v, want 12.5", f.x)
	}
	if !(f.p00 > p0) {
		t.Errorf("p00 %v did not grow from %v", f.p00, p0)
	}
	f.predict(0, 1) // no time, no change
	if f.x != 12.5 {
		t.Errorf("dt=0 moved x to %v", f.x)
	}
}
