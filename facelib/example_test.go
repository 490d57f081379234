package facelib_test

import (
	"fmt"
	"image"
	_ "image/png"
	"os"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/match"
)

func decode(name string) image.Image {
	f, err := os.Open("../assets/testdata/" + name)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		panic(err)
	}
	return img
}

// The whole pipeline in a few lines: find the faces, cut out each one's
// aligned chip, and turn it into 128 numbers.
func Example() {
	p, err := facelib.New(facelib.Options{Models: assets.Models()})
	if err != nil {
		fmt.Println(err)
		return
	}
	img := decode("astronaut.png")
	faces, _ := p.Detect(img)
	fmt.Println(len(faces), "face")
	for _, f := range faces {
		chip, _ := p.Align(img, f)
		e, _ := p.Embed(chip)
		fmt.Printf("eyes found: %v, %d numbers\n", f.EyesFound, len(e))
	}
	// Output:
	// 1 face
	// eyes found: true, 128 numbers
}

// Comparing two faces: dlib's convention is "same person" below a Euclidean
// distance of 0.6.
func ExamplePipeline_Embed() {
	p, _ := facelib.New(facelib.Options{Models: assets.Models()})
	embedding := func(name string) match.Embedding {
		img := decode(name)
		faces, _ := p.Detect(img)
		chip, _ := p.Align(img, faces[0])
		e, _ := p.Embed(chip)
		return e
	}
	a, b := embedding("astronaut.png"), embedding("pigo-sample.jpg")
	fmt.Println("same person:", match.Distance(&a, &b) < match.DefaultThreshold)
	// Output:
	// same person: false
}
