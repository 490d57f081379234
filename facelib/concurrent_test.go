package facelib_test

import (
	"errors"
	"image"
	"sync"
	"testing"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib"
)

// TestConcurrentUseMatchesSerial shares one Pipeline between goroutines,
// each running Faces on every labelled photo, and checks every result equals
// the serial one (run it under -race).
func TestConcurrentUseMatchesSerial(t *testing.T) {
	p := newPipeline(t)
	names := []string{"astronaut.png", "pigo-sample.jpg", "faceapi-sample1.jpg", "faceapi-sample5.jpg"}
	imgs := make([]image.Image, len(names))
	want := make([][]facelib.Face, len(names))
	for i, n := range names {
		imgs[i] = loadImage(t, n)
		var err error
		if want[i], err = p.Faces(imgs[i]); err != nil || len(want[i]) == 0 {
			t.Fatalf("%s: %d faces, %v", n, len(want[i]), err)
		}
	}
	const workers, rounds = 4, 2
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds*len(names))
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				for k := range names {
					i := (k + g) % len(names) // each goroutine in its own order
					got, err := p.Faces(imgs[i])
					if err != nil {
						errs <- names[i] + ": " + err.Error()
						continue
					}
					if !sameFaces(got, want[i]) {
						errs <- names[i] + ": result differs from the serial one"
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func sameFaces(a, b []facelib.Face) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Box != b[i].Box || a[i].LeftEye != b[i].LeftEye || a[i].RightEye != b[i].RightEye ||
			a[i].Embedding != b[i].Embedding || a[i].Embedded != b[i].Embedded {
			return false
		}
	}
	return true
}

// TestFacesNeedModels checks Faces names the missing model.
func TestFacesNeedModels(t *testing.T) {
	all := assets.Models()
	m := facelib.Models{FaceFinder: all.FaceFinder, PupilLocator: all.PupilLocator}
	p, err := facelib.New(facelib.Options{Models: m})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Faces(loadImage(t, "astronaut.png")); !errors.Is(err, facelib.ErrNoModels) {
		t.Fatalf("Faces without the embedding model: %v, want ErrNoModels", err)
	}
}
