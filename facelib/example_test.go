package facelib_test

import (
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"log"
	"os"
	"time"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/match"
)

// open decodes one of the project's test photos.
func open(name string) (image.Image, error) {
	f, err := os.Open("../assets/testdata/" + name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	return img, err
}

// Who is this? Enrol a few known people from one photo each, then ask who
// a new photo shows. Faces returns every face with its 128 numbers.
func Example() {
	p, err := facelib.New(facelib.Options{Models: assets.Models()})
	if err != nil {
		log.Fatal(err)
	}
	known := match.NewGallery() // dlib's threshold 0.6
	for name, file := range map[string]string{
		"astronaut": "eval/astronaut-face1/0-original.jpg",
		"pigo":      "pigo-sample.jpg",
	} {
		img, err := open(file)
		if err != nil {
			log.Fatal(err)
		}
		faces, err := p.Faces(img)
		if err != nil || len(faces) == 0 {
			log.Fatalf("%s: no face (%v)", file, err)
		}
		if err := known.Add(name, faces[0].Embedding); err != nil {
			log.Fatal(err)
		}
	}
	probe, err := open("eval/astronaut-face1/1-darker.jpg")
	if err != nil {
		log.Fatal(err)
	}
	faces, err := p.Faces(probe)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range faces {
		best, err := known.Search(nil, &f.Embedding, 1)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s, same person: %v\n", best[0].ID, best[0].Match)
	}
	// Output:
	// astronaut, same person: true
}

// The stages one by one: find the faces, cut out each one's aligned chip,
// and turn it into 128 numbers.
func ExamplePipeline_Embed() {
	p, err := facelib.New(facelib.Options{Models: assets.Models()})
	if err != nil {
		log.Fatal(err)
	}
	img, err := open("astronaut.png")
	if err != nil {
		log.Fatal(err)
	}
	faces, err := p.Detect(img)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(faces), "face")
	for _, f := range faces {
		chip, err := p.Align(img, f)
		if err != nil {
			log.Fatal(err)
		}
		e, err := p.Embed(chip)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("eyes found: %v, %d numbers\n", f.EyesFound, len(e))
	}
	// Output:
	// 1 face
	// eyes found: true, 128 numbers
}

// Following a face through frames, and knowing it again when it comes back:
// with embeddings (from Faces), the tracker remembers a face that left the
// view and gives it its old ID.
func ExamplePipeline_Track() {
	p, err := facelib.New(facelib.Options{Models: assets.Models()})
	if err != nil {
		log.Fatal(err)
	}
	photo, err := open("astronaut.png")
	if err != nil {
		log.Fatal(err)
	}
	frame := image.NewRGBA(image.Rect(0, 0, 640, 480))
	empty := image.NewRGBA(frame.Rect)
	ids := map[int]bool{}
	for i := 0; i < 90; i++ {
		t := time.Duration(i) * time.Second / 10 // 10 frames a second
		img := image.Image(empty)                // seconds 3 to 6: nobody there
		if i < 30 || i >= 60 {
			draw.Draw(frame, frame.Rect, photo, image.Point{X: 8 * (i % 30), Y: 0}, draw.Src)
			img = frame
		}
		faces, err := p.Faces(img)
		if err != nil {
			log.Fatal(err)
		}
		tracks, err := p.Track(faces, t)
		if err != nil {
			log.Fatal(err)
		}
		for _, tr := range tracks {
			ids[tr.ID] = true
		}
	}
	fmt.Println("IDs given:", len(ids))
	// Output:
	// IDs given: 1
}
