package align_test

import (
	"fmt"
	"image"
	"image/draw"
	_ "image/png"
	"log"
	"os"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/detect"
)

// Detect a face, locate its pupils and cut out the 150x150 chip the
// embedding network takes.
func Example() {
	f, err := os.Open("../../assets/testdata/astronaut.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)

	g := detect.GrayFrom(rgba, nil)
	fc, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		log.Fatal(err)
	}
	d, err := detect.New(fc, detect.ParamsFor(g.Width, g.Height))
	if err != nil {
		log.Fatal(err)
	}
	faces, err := d.Detect(g, nil)
	if err != nil {
		log.Fatal(err)
	}

	// Pupils only: the chip needs nothing else, and the lps cascades are
	// not loaded at all.
	a, err := align.New(assets.PupilLocator(), nil, align.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	chip := image.NewRGBA(image.Rect(0, 0, align.ChipSize, align.ChipSize))
	var r align.Result // reuse across frames
	for _, face := range faces {
		if err := a.Locate(g, face, &r); err != nil {
			log.Fatal(err)
		}
		if err := r.Chip.Warp(chip, rgba); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("eyes at (%.0f, %.0f) and (%.0f, %.0f), found: %v, roll %.0f°\n",
			r.LeftEye.X, r.LeftEye.Y, r.RightEye.X, r.RightEye.Y, r.EyesFound, r.RollDegrees())
		l := r.Chip.Apply(r.LeftEye)
		fmt.Printf("left eye in the chip at (%.1f, %.1f)\n", l.X, l.Y)
	}
	// Output:
	// eyes at (203, 101) and (247, 104), found: true, roll 3°
	// left eye in the chip at (47.7, 47.1)
}

func ExampleChipTransform() {
	// Eyes 60 px apart, level.
	t := align.ChipTransform(align.Point{X: 100, Y: 120}, align.Point{X: 160, Y: 120}, align.ChipSize, align.ChipPadding)
	fmt.Printf("scale %.3f chip px per image px\n", t.Scale())
	c := t.Inverse().Apply(align.Point{X: 75, Y: 75})
	fmt.Printf("chip centre comes from image (%.1f, %.1f)\n", c.X, c.Y)
	m := t.Matrix()
	fmt.Printf("matrix [%.3f %.3f %.2f; %.3f %.3f %.2f]\n", m[0], m[1], m[2], m[3], m[4], m[5])
	// Output:
	// scale 0.876 chip px per image px
	// chip centre comes from image (131.1, 151.8)
	// matrix [0.876 0.000 -39.88; -0.000 0.876 -57.93]
}

func ExampleTemplateEyes() {
	l, r := align.TemplateEyes(align.ChipSize, align.ChipPadding)
	fmt.Printf("left (%.2f, %.2f), right (%.2f, %.2f)\n", l.X, l.Y, r.X, r.Y)
	// Output:
	// left (47.73, 47.14), right (100.28, 47.12)
}

func ExamplePart_Cascade() {
	for _, p := range []align.Part{align.LeftEyeInner, align.RightEyeInner, align.MouthRight} {
		name, mirrored := p.Cascade()
		fmt.Printf("%s: %s mirrored=%v\n", p, name, mirrored)
	}
	// Output:
	// left eye inner: lp38 mirrored=false
	// right eye inner: lp38 mirrored=true
	// mouth right: lp84 mirrored=true
}
