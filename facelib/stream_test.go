package facelib_test

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"testing"
	"time"

	"github.com/disintegration/imaging"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/track"
)

// streamRun plays frames through a Stream with options o and returns, per
// frame, the number of faces found, plus the number of full scans.
func streamRun(t *testing.T, frames []*image.RGBA, o facelib.StreamOptions) (found []int, ids map[int]int, full int) {
	t.Helper()
	p := newPipeline(t)
	s, err := p.NewStream(nil)
	if err != nil {
		t.Fatal(err)
	}
	ids = map[int]int{}
	for i, fr := range frames {
		faces, err := s.Detect(fr, o)
		if err != nil {
			t.Fatal(err)
		}
		if s.FullScan() {
			full++
		}
		found = append(found, len(faces))
		tracks, err := s.Track(time.Duration(i) * time.Second / 30)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range tracks {
			if tr.State == track.Confirmed {
				ids[tr.ID]++
			}
		}
	}
	return found, ids, full
}

// A Guided stream finds the moving face in as many frames as full scans do,
// while scanning the whole frame only every few frames.
func TestStreamGuidedRecall(t *testing.T) {
	frames := movingFrames(t, 120)
	fullFound, _, _ := streamRun(t, frames, facelib.StreamOptions{Eyes: true})
	guidedFound, ids, full := streamRun(t, frames, facelib.StreamOptions{Eyes: true, Guided: true})
	count := func(f []int) (n int) {
		for _, v := range f {
			if v > 0 {
				n++
			}
		}
		return n
	}
	a, b := count(fullFound), count(guidedFound)
	t.Logf("face found in %d of 120 frames with full scans, %d guided (%d full scans)", a, b, full)
	if b < a {
		t.Errorf("guided detection found the face in %d frames, full scans in %d", b, a)
	}
	if full > 120/facelib.FullScanEvery+6 {
		t.Errorf("%d full scans in 120 frames, want about %d", full, 120/facelib.FullScanEvery)
	}
	if len(ids) != 1 {
		t.Errorf("track IDs %v, want one", ids)
	}
}

// rolledFrames puts the astronaut's head, rolled by deg degrees
// (counter-clockwise), swaying in a 640x480 frame.
func rolledFrames(t *testing.T, n int, deg float64) []*image.RGBA {
	src := loadImage(t, "astronaut.png")
	head := imaging.Rotate(imaging.Crop(src, image.Rect(110, 10, 350, 270)), deg, color.Gray{Y: 90})
	frames := make([]*image.RGBA, n)
	for i := range frames {
		f := image.NewRGBA(image.Rect(0, 0, 640, 480))
		draw.Draw(f, f.Bounds(), image.NewUniform(color.Gray{Y: 90}), image.Point{}, draw.Src)
		x := 150 + int(30*math.Sin(float64(i)/10))
		draw.Draw(f, head.Bounds().Add(image.Point{X: x, Y: 60}), head, image.Point{}, draw.Src)
		frames[i] = f
	}
	return frames
}

// A head rolled 30° or 45° is missed upright, found by a Rolled stream
// within the sweep's six frames, and then tracked with one ID, guided.
func TestStreamRolledHeads(t *testing.T) {
	for _, deg := range []float64{-45, -30, 30, 45} {
		frames := rolledFrames(t, 60, deg)
		upright, _, _ := streamRun(t, frames[:6], facelib.StreamOptions{Eyes: true})
		found, ids, _ := streamRun(t, frames, facelib.StreamOptions{Eyes: true, Rolled: true, Guided: true})
		n := 0
		for _, v := range found[10:] {
			if v > 0 {
				n++
			}
		}
		t.Logf("%+.0f°: upright finds %v in the first 6 frames; rolled finds the face in %d of the last 50, IDs %v", deg, upright, n, ids)
		if n < 45 {
			t.Errorf("%+.0f°: the rolled face was found in %d of 50 frames", deg, n)
		}
		if len(ids) != 1 {
			t.Errorf("%+.0f°: track IDs %v, want one", deg, ids)
		}
	}
}

// The guided, rolled live path allocates nothing per frame once warm.
func TestStreamDoesNotAllocate(t *testing.T) {
	p := newPipeline(t)
	s, err := p.NewStream(nil)
	if err != nil {
		t.Fatal(err)
	}
	frames := rolledFrames(t, 30, 30)
	o := facelib.StreamOptions{Eyes: true, Rolled: true, Guided: true}
	i := 0
	step := func() {
		if _, err := s.Detect(frames[i%len(frames)], o); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Track(time.Duration(i) * time.Second / 30); err != nil {
			t.Fatal(err)
		}
		i++
	}
	for range 60 {
		step()
	}
	if n := testing.AllocsPerRun(60, step); n != 0 {
		t.Errorf("%.2f allocations per frame, want 0", n)
	}
}

// Options.Rolled finds a rolled head in a still that an upright scan misses,
// with its eyes and embedding.
func TestFacesRolled(t *testing.T) {
	frame := rolledFrames(t, 1, -40)[0]
	if faces, err := newPipeline(t).Faces(frame); err != nil || len(faces) != 0 {
		t.Fatalf("upright: %d faces, %v; want none (the test needs a roll the upright scan misses)", len(faces), err)
	}
	p, err := facelib.New(facelib.Options{Models: assets.Models(), Rolled: true})
	if err != nil {
		t.Fatal(err)
	}
	faces, err := p.Faces(frame)
	if err != nil || len(faces) != 1 {
		t.Fatalf("rolled: %d faces, %v; want 1", len(faces), err)
	}
	f := faces[0]
	if deg := f.Roll * 180 / math.Pi; !f.EyesFound || deg < 25 || deg > 55 {
		t.Errorf("eyes found %v, roll %.0f°; want the eyes and about 40°", f.EyesFound, deg)
	}
}
