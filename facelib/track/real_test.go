package track_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/facewatch/facewatch/internal/fixture"

	"github.com/facewatch/facewatch/facelib/track"
)

// labelledBox returns the hand-labelled face box of file in the project's
// ground truth (assets/testdata/truth.json).
func labelledBox(t *testing.T, file string) track.Box {
	t.Helper()
	faces, _ := fixture.MustTruth(t).Faces(file)
	if len(faces) != 1 {
		t.Fatalf("hand labels: no single face labelled in %s", file)
	}
	b := faces[0].Box
	return track.Box{X: b[0], Y: b[1], W: b[2] - b[0], H: b[3] - b[1]}
}

// A ten-second sequence built from the hand-labelled face of astronaut.png
// (512x512, the face box about 108 px), moved and scaled as a person in
// front of a webcam would be, at 15 frames per second (the rate of
// detection plus embedding in the browser). The detector model follows the
// cascade detector: centre jitter of 4% of the face size, sizes on its scan
// grid (steps of 1.1×), integer pixels, 10% of frames missed, and nothing
// while the face is out of the picture.
func TestLabelledFaceSequence(t *testing.T) {
	const fps = 15.0
	const n = 150
	base := labelledBox(t, "astronaut.png")
	bc := base.Center()
	// The true box at frame k: where the face is, how big, whether seen.
	truthAt := func(k int) (track.Box, bool) {
		s, x, y := 1.0, bc.X, bc.Y
		switch u := float64(k) / fps; {
		case u < 2: // still
		case u < 4: // pans right at 60 px/s
			x += 60 * (u - 2)
		case u < 6: // steps towards the camera: 1.0× → 1.5×
			x += 120
			s = 1 + 0.25*(u-4)
		case u < 7: // turns away (out of view for 0.6 s from 6.2 s)
			x, s = bc.X+120, 1.5
			if u >= 6.2 && u < 6.8 {
				return track.Box{}, false
			}
		default: // steps back and pans left at 40 px/s
			x, s = bc.X+120-40*(u-7), math.Max(1.5-0.25*(u-7), 1)
		}
		return square(x, y, base.W*s), true
	}
	rng := rand.New(rand.NewPCG(61, 1))
	var frames []frame
	for k := 0; k < n; k++ {
		f := frame{t: at(fps, k)}
		if b, ok := truthAt(k); ok && rng.Float64() >= 0.1 {
			c := b.Center()
			step := math.Round(math.Log(b.W/20) / math.Log(1.1)) // scan grid
			s := math.Round(20 * math.Pow(1.1, step))
			cx := c.X + 0.04*b.W*rng.NormFloat64()
			cy := c.Y + 0.04*b.W*rng.NormFloat64()
			f.truth = []gtBox{{0, b}}
			f.dets = []track.Detection{{Box: track.Box{X: math.Round(cx - s/2), Y: math.Round(cy - s/2), W: s, H: s}, Score: 30}}
		}
		frames = append(frames, f)
	}

	cfg := track.DefaultConfig()
	s := run(t, cfg, frames)
	if s.ids != 1 || s.idSwitches != 0 || s.falsePos != 0 {
		t.Fatalf("%+v; want one ID, no switch, no false positive", s)
	}

	tr, _ := track.New(cfg)
	var detIoU, trackIoU float64
	var compared int
	var panV []float64
	var last track.Track
	for k, f := range frames {
		got, err := tr.Update(f.dets, f.t)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || len(f.truth) == 0 {
			continue
		}
		last = got[0]
		g := f.truth[0].box
		detIoU += f.dets[0].Box.IoU(g)
		trackIoU += got[0].Box.IoU(g)
		compared++
		if u := float64(k) / fps; u >= 3 && u < 4 { // settled into the pan
			panV = append(panV, got[0].Velocity[0])
		}
	}
	detIoU /= float64(compared)
	trackIoU /= float64(compared)
	t.Logf("mean IoU with the truth: detections %.3f, tracks %.3f", detIoU, trackIoU)
	if trackIoU < 0.8 || trackIoU <= detIoU {
		t.Errorf("track boxes mean IoU %.3f (detections %.3f): want ≥ 0.8 and better than the raw detections", trackIoU, detIoU)
	}
	mean := 0.0
	for _, v := range panV {
		mean += v
	}
	mean /= float64(len(panV))
	if math.Abs(mean-60) > 12 {
		t.Errorf("mean velocity during the 60 px/s pan: %.1f px/s", mean)
	}
	// Seen in two intervals, split by the 0.6 s out of view (longer than
	// TimelineMinGap); detector dropouts of a frame or two are bridged.
	// Dwell, the time in view, is their total length.
	iv := last.Intervals(nil)
	if len(iv) != 2 || iv[0].Start != 0 || iv[0].End > at(fps, 92) || iv[1].Start < at(fps, 102) || iv[1].End != last.LastSeen {
		t.Errorf("intervals %v: want two, split around 6.2–6.8 s", iv)
	}
	var dwell time.Duration
	for _, x := range iv {
		dwell += x.End - x.Start
	}
	if last.Dwell != dwell {
		t.Errorf("dwell %v, intervals %v add up to %v", last.Dwell, iv, dwell)
	}
}
