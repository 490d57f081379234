package engine

import (
	"errors"
	"image"
	"image/draw"
	"testing"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// reidRun plays a 30 frames/s clip of 640x480 frames through a frame engine
// with re-identification on, embedding every chip it hands out in a second
// engine (the page's second worker) and observing the numbers one frame
// later, as the page does. frameAt returns each frame's picture (nil: an
// empty room). It returns the confirmed IDs seen in each frame.
func reidRun(t *testing.T, reid bool, n int, frameAt func(i int) *image.RGBA) [][]wire.Track {
	t.Helper()
	clock := &fakeClock{step: 1}
	e := New(clock.now)
	for _, m := range []struct {
		name string
		b    []byte
	}{{ModelFaceFinder, assets.FaceFinder()}, {ModelPupils, assets.PupilLocator()}} {
		if err := e.LoadModel(m.name, m.b); err != nil {
			t.Fatal(err)
		}
	}
	rec := New(clock.now) // the recogniser: weights only
	if err := rec.LoadModel(ModelFaceFinder, assets.FaceFinder()); err != nil {
		t.Fatal(err)
	}
	if err := rec.LoadModel(ModelEmbedManifest, assets.EmbedManifest()); err != nil {
		t.Fatal(err)
	}
	if err := rec.LoadModel(ModelEmbedWeights, assets.EmbedWeights()); err != nil {
		t.Fatal(err)
	}
	empty := image.NewRGBA(image.Rect(0, 0, 640, 480))
	var pending uint32
	var pendingEmb, emb []float32
	var out [][]wire.Track
	for i := range n {
		clock.t = float64(i) * 1000 / 30 // the tracker reads the frame time from the clock
		if pending != 0 {
			// Last frame's chip, embedded meanwhile by the second worker.
			if err := e.Observe(pending, pendingEmb); err != nil && !errors.Is(err, ErrStale) {
				t.Fatal(err)
			}
			pending = 0
		}
		img := frameAt(i)
		if img == nil {
			img = empty
		}
		feed(t, e, img, FormatRGBA)
		if _, err := e.Process(Options{Track: true, Reid: reid}); err != nil {
			t.Fatal(err)
		}
		r := e.Result()
		if r.ChipKey != 0 {
			chip, ok := e.Chip()
			if !ok {
				t.Fatal("ChipKey without a chip")
			}
			var err error
			if emb, err = rec.EmbedChip(emb, chip); err != nil {
				t.Fatal(err)
			}
			pending, pendingEmb = r.ChipKey, append(pendingEmb[:0], emb...)
		}
		var tracks []wire.Track
		for _, tr := range r.Tracks {
			if tr.State == wire.Confirmed {
				tracks = append(tracks, tr)
			}
		}
		out = append(out, tracks)
	}
	return out
}

// astronautAt draws the astronaut's head sliding slowly across the frame.
func astronautAt(t *testing.T) func(i int) *image.RGBA {
	src := loadRGBA(t, "astronaut.png")
	frame := image.NewRGBA(image.Rect(0, 0, 640, 480))
	return func(i int) *image.RGBA {
		draw.Draw(frame, frame.Rect, image.Black, image.Point{}, draw.Src)
		draw.Draw(frame, image.Rect(40+2*(i%60), 0, 640, 480), src, image.Point{X: 60, Y: 0}, draw.Src)
		return frame
	}
}

// A face that leaves the view for 4 s and comes back keeps its ID with
// re-identification on, is announced as seen again with its gap and
// distance, and never shows a new ID in between; with it off, it gets a new
// ID.
func TestReidLeaveAndReturn(t *testing.T) {
	if testing.Short() {
		t.Skip("embeds a few dozen chips")
	}
	face := astronautAt(t)
	clip := func(i int) *image.RGBA {
		if i >= 60 && i < 180 { // seconds 2 to 6: nobody there
			return nil
		}
		return face(i)
	}
	for _, tc := range []struct {
		reid bool
		ids  int
	}{{true, 1}, {false, 2}} {
		frames := reidRun(t, tc.reid, 240, clip)
		ids := map[int]bool{}
		var recalled *wire.Track
		for i, tracks := range frames {
			for k, tr := range tracks {
				ids[tr.ID] = true
				if tr.Recalled() && recalled == nil {
					recalled = &frames[i][k]
				}
			}
		}
		if len(ids) != tc.ids {
			t.Errorf("reid %v: IDs %v, want %d", tc.reid, ids, tc.ids)
		}
		if !tc.reid {
			continue
		}
		if recalled == nil {
			t.Fatal("the returning face was not reported as re-identified")
		}
		t.Logf("seen again after %.1f s at distance %.3f", recalled.GapMs/1000, recalled.RecallDist)
		if recalled.GapMs < 3500 || recalled.GapMs > 5000 || !(recalled.RecallDist > 0 && recalled.RecallDist < 0.5) {
			t.Errorf("recall gap %.0f ms, distance %v; want about 4 s and a same-person distance", recalled.GapMs, recalled.RecallDist)
		}
	}
}

// A different person stepping into the place the first one left gets a new
// ID.
func TestReidStrangerGetsNewID(t *testing.T) {
	if testing.Short() {
		t.Skip("embeds a few dozen chips")
	}
	first := astronautAt(t)
	other := loadRGBA(t, "pigo-sample.jpg")
	frame := image.NewRGBA(image.Rect(0, 0, 640, 480))
	clip := func(i int) *image.RGBA {
		switch {
		case i < 60:
			return first(i)
		case i < 120:
			return nil
		default:
			draw.Draw(frame, frame.Rect, image.Black, image.Point{}, draw.Src)
			draw.Draw(frame, frame.Rect, other, image.Point{}, draw.Src)
			return frame
		}
	}
	frames := reidRun(t, true, 200, clip)
	before, after := map[int]bool{}, map[int]bool{}
	for i, tracks := range frames {
		for _, tr := range tracks {
			if i < 60 {
				before[tr.ID] = true
			} else {
				after[tr.ID] = true
				if tr.Recalled() {
					t.Errorf("frame %d: the stranger was re-identified as %d (distance %.3f)", i, tr.ID, tr.RecallDist)
				}
			}
		}
	}
	if len(before) == 0 || len(after) == 0 {
		t.Fatalf("IDs before %v, after %v: both faces should be tracked", before, after)
	}
	for id := range after {
		if before[id] {
			t.Errorf("the stranger was given the first person's ID %d", id)
		}
	}
}
