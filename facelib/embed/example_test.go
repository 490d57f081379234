package embed_test

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/embed"
)

// chip reads a 150x150 face chip (made by facelib/align) as *image.RGBA.
func chip(name string) *image.RGBA {
	f, err := os.Open("../../assets/testdata/chips/" + name)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		panic(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	return rgba
}

func distance(a, b embed.Descriptor) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

// Load the bundled network, then embed two different people's face chips
// with one Workspace (no allocation per face). The raw descriptors are
// compared by Euclidean distance, as face-api and dlib do: different people
// are usually further apart than 0.6.
func Example() {
	m, err := embed.Load(assets.EmbedManifest(), assets.EmbedWeights())
	if err != nil {
		fmt.Println(err)
		return
	}
	ws := m.NewWorkspace()
	a, err := ws.Embed(chip("face-astronaut-0.png"))
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := ws.Embed(chip("face-pigo-sample-0.png"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d values, norm %.2f\n", len(a), a.Norm())
	fmt.Printf("distance between two people: %.2f\n", distance(a, b))
	u, err := a.Normalized()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("normalised norm: %.2f\n", u.Norm())
	// Output:
	// 128 values, norm 1.45
	// distance between two people: 0.80
	// normalised norm: 1.00
}
