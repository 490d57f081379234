package track_test

import (
	"fmt"
	"time"

	"github.com/facewatch/facewatch/facelib/track"
)

// One face, moving right 6 px per frame at 30 frames per second. It is
// reported from its third detection (ConfirmHits), missed in frame 4 (then
// lost and not reported) and re-found with the same ID in frame 5.
func ExampleTracker_Update() {
	tr, err := track.New(track.DefaultConfig())
	if err != nil {
		panic(err)
	}
	for k := 0; k < 7; k++ {
		var dets []track.Detection
		if k != 4 {
			box := track.Box{X: 100 + 6*float64(k), Y: 80, W: 64, H: 64}
			dets = append(dets, track.Detection{Box: box, Score: 12})
		}
		now := time.Duration(k) * time.Second / 30
		tracks, err := tr.Update(dets, now)
		if err != nil {
			panic(err)
		}
		fmt.Printf("frame %d:", k)
		for _, t := range tracks {
			c := t.Box.Center()
			fmt.Printf(" #%d %v centre (%.0f, %.0f) moving %.0f px/s", t.ID, t.State, c.X, c.Y, t.Velocity[0])
		}
		fmt.Println()
	}
	// Output:
	// frame 0:
	// frame 1:
	// frame 2: #1 confirmed centre (143, 112) moving 143 px/s
	// frame 3: #1 confirmed centre (149, 112) moving 165 px/s
	// frame 4:
	// frame 5: #1 confirmed centre (162, 112) moving 177 px/s
	// frame 6: #1 confirmed centre (168, 112) moving 180 px/s
}

// Counting the faces that cross a line drawn across the picture: In is
// downward for a line drawn left to right.
func ExampleConfig_lines() {
	cfg := track.DefaultConfig()
	cfg.Lines = []track.Line{{A: track.Point{X: 0, Y: 240}, B: track.Point{X: 640, Y: 240}}}
	tr, err := track.New(cfg)
	if err != nil {
		panic(err)
	}
	for k := 0; k < 60; k++ {
		down := track.Box{X: 100, Y: 100 + 5*float64(k), W: 60, H: 60} // walks down
		up := track.Box{X: 400, Y: 400 - 5*float64(k), W: 60, H: 60}   // walks up
		if _, err := tr.Update([]track.Detection{{Box: down}, {Box: up}}, time.Duration(k)*time.Second/30); err != nil {
			panic(err)
		}
	}
	c := tr.Crossings(nil)[0]
	fmt.Printf("in %d, out %d\n", c.In, c.Out)
	// Output:
	// in 1, out 1
}

// Who was seen when: a face seen for a second, hidden for half a second,
// seen again for a second, then gone for good.
func ExampleTracker_Timeline() {
	tr, err := track.New(track.DefaultConfig())
	if err != nil {
		panic(err)
	}
	box := track.Box{X: 200, Y: 100, W: 80, H: 80}
	for k := 0; k < 150; k++ {
		var dets []track.Detection
		if k < 30 || (k >= 45 && k < 75) {
			dets = append(dets, track.Detection{Box: box})
		}
		if _, err := tr.Update(dets, time.Duration(k)*time.Second/30); err != nil {
			panic(err)
		}
	}
	for _, s := range tr.Timeline(nil) {
		fmt.Printf("#%d %v: in view %v\n", s.ID, s.State, s.Dwell.Round(time.Millisecond))
		for _, iv := range s.Intervals {
			fmt.Printf("  %v – %v\n", iv.Start.Round(time.Millisecond), iv.End.Round(time.Millisecond))
		}
	}
	// Output:
	// #1 removed: in view 1.933s
	//   0s – 967ms
	//   1.5s – 2.467s
}

// A track's trail: its last centres, oldest first, appended to a buffer the
// caller reuses from frame to frame.
func ExampleTrack_Trail() {
	cfg := track.DefaultConfig()
	cfg.ConfirmHits = 1
	cfg.TrailLen = 4
	tr, err := track.New(cfg)
	if err != nil {
		panic(err)
	}
	var trail []track.Point
	for k := 0; k < 6; k++ {
		box := track.Box{X: 10 * float64(k), Y: 0, W: 40, H: 40}
		tracks, err := tr.Update([]track.Detection{{Box: box}}, time.Duration(k)*time.Second/10)
		if err != nil {
			panic(err)
		}
		trail = tracks[0].Trail(trail[:0])
	}
	for _, p := range trail {
		fmt.Printf("(%.1f, %.1f) ", p.X, p.Y)
	}
	fmt.Println()
	// Output:
	// (39.8, 20.0) (50.0, 20.0) (60.0, 20.0) (70.0, 20.0)
}

// Re-identification: a face in view for 2 s leaves for 4 s — far longer
// than MaxLost, so its track is removed — and comes back on the other side
// of the picture. Its embedding, computed after Update for the detections
// the tracker asks for (in another worker, say) and handed back with
// Observe, gives it its ID back; it is never shown under a new one.
func ExampleTracker_Observe() {
	tr, err := track.New(track.DefaultConfig())
	if err != nil {
		panic(err)
	}
	// What the embedder would say of the face, before and after: two
	// photos of one person are near, never equal.
	before := []float32{0.10, 0.70, -0.20, 0.40}
	after := []float32{0.12, 0.68, -0.18, 0.41}
	var reqs []track.Track
	shown := map[string]bool{}
	for k := 0; k < 300; k++ {
		now := time.Duration(k) * time.Second / 30
		var dets []track.Detection
		switch {
		case k < 60:
			dets = []track.Detection{{Box: track.Box{X: 100, Y: 80, W: 90, H: 90}}}
		case k >= 180:
			dets = []track.Detection{{Box: track.Box{X: 420, Y: 100, W: 96, H: 96}}}
		}
		tracks, err := tr.Update(dets, now)
		if err != nil {
			panic(err)
		}
		for _, t := range tracks {
			line := fmt.Sprintf("Face %d", t.ID)
			if t.Recalled {
				line += fmt.Sprintf(" — seen again after %v (distance %.2f)", t.Gap.Round(time.Millisecond), t.RecallDistance)
			}
			if !shown[line] {
				shown[line] = true
				fmt.Printf("%v: %s\n", now.Round(time.Millisecond), line)
			}
		}
		// The embedder answers the tracker's requests; here at once.
		emb := before
		if k >= 180 {
			emb = after
		}
		for _, x := range tr.ToEmbed(reqs[:0]) {
			if err := tr.Observe(x.Key, emb); err != nil {
				panic(err)
			}
		}
	}
	for _, s := range tr.Timeline(nil) {
		fmt.Printf("#%d %v: in view %v, %d stretches\n", s.ID, s.State, s.Dwell.Round(time.Millisecond), len(s.Intervals))
	}
	fmt.Println("IDs given:", tr.IDs())
	// Output:
	// 67ms: Face 1
	// 6.067s: Face 1 — seen again after 4.033s (distance 0.04)
	// #1 confirmed: in view 5.933s, 2 stretches
	// IDs given: 1
}
