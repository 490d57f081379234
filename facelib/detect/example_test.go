package detect_test

import (
	"fmt"
	"image"
	_ "image/jpeg"
	"log"
	"os"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/detect"
)

func ExampleParseCascade() {
	c, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("depth", c.Depth(), "trees", c.Trees())

	_, err = detect.ParseCascade(assets.FaceFinder()[:1000])
	fmt.Println(err)
	// Output:
	// depth 6 trees 468
	// detect: bad cascade: 1000 bytes, depth 6 and 468 trees need exactly 239632
}

func ExampleDetector_Detect() {
	c, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Open("../../assets/testdata/pigo-sample.jpg")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	g := detect.GrayFrom(img, nil) // a JPEG's Y plane, used in place
	d, err := detect.New(c, detect.ParamsFor(g.Width, g.Height))
	if err != nil {
		log.Fatal(err)
	}
	faces, err := d.Detect(g, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, face := range faces {
		fmt.Printf("face at %v, score %.0f\n", face.Rect(), face.Score)
	}
	// Output:
	// face at (38,86)-(269,317), score 274
}

func ExampleGrayFromRGBA() {
	// A 4x2 RGBA frame laid out like the browser's ImageData, with 8 bytes
	// of padding after each row.
	const w, h, stride = 4, 2, 4*4 + 8
	pix := make([]uint8, stride*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p := pix[y*stride+4*x:]
			p[0], p[1], p[2], p[3] = uint8(60*x), uint8(100*y), 200, 255
		}
	}
	g, err := detect.GrayFromRGBA(pix, w, h, stride, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Width, g.Height, g.Stride, g.Pix)

	_, err = detect.GrayFromRGBA(pix[:39], w, h, stride, nil)
	fmt.Println(err)
	// Output:
	// 4 2 4 [22 40 58 76 81 99 117 135]
	// detect: bad image: 39 bytes, 4x2 RGBA with stride 24 needs 40
}

func ExampleDetector_Scales() {
	c, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		log.Fatal(err)
	}
	d, err := detect.New(c, detect.DefaultParams())
	if err != nil {
		log.Fatal(err)
	}
	total := 0
	scales := d.Scales(640, 480, nil)
	for _, s := range scales {
		total += s.Windows()
	}
	first, last := scales[0], scales[len(scales)-1]
	fmt.Printf("%d scales, %d windows\n", len(scales), total)
	fmt.Printf("first: %dpx windows every %dpx, %dx%d; e.g. %v\n", first.Size, first.Step, first.Cols, first.Rows, first.Window(0, 0).Rect())
	fmt.Printf("last: %dpx windows every %dpx, %dx%d\n", last.Size, last.Step, last.Cols, last.Rows)
	// Output:
	// 23 scales, 38227 windows
	// first: 60px windows every 6px, 97x70; e.g. (1,1)-(61,61)
	// last: 455px windows every 45px, 5x1
}
