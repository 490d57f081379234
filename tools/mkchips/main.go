// Command mkchips writes the 150x150 face chips facelib/embed's parity tests
// run on, into assets/testdata/chips: aligned face chips cut from the test
// images at their hand-labelled eye centres (assets/testdata/truth.json) with
// facelib/align's dlib-template chip (ChipTransform + Warp), and a few
// synthetic chips (gradient, seeded noise, flat grey, checkerboard).
//
// After changing a chip, regenerate the reference descriptors too:
//
//	go run ./tools/mkchips && node tools/golden.mjs
//
// Run it from the repository root.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg"
	"image/png"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/internal/fixture"
)

const size = 150

func main() {
	dir := flag.String("dir", "assets/testdata", "test data directory")
	out := flag.String("out", "assets/testdata/chips", "output directory")
	images := flag.String("images", "astronaut.png,pigo-sample.jpg,faceapi-sample1.jpg,faceapi-sample3.jpg", "images to cut face chips from")
	perImage := flag.Int("faces", 2, "at most this many faces per image")
	truthPath := flag.String("truth", "", "hand-labelled faces (default <dir>/truth.json)")
	flag.Parse()
	if *truthPath == "" {
		*truthPath = filepath.Join(*dir, "truth.json")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	// Start clean so a chip that is no longer made does not linger.
	old, _ := filepath.Glob(filepath.Join(*out, "*.png"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			log.Fatal(err)
		}
	}
	t, err := fixture.ReadLabels(*truthPath)
	if err != nil {
		log.Fatal(err)
	}
	want := map[string]bool{}
	for _, n := range strings.Split(*images, ",") {
		want[n] = true
	}
	for _, im := range t.Images {
		if !want[im.File] {
			continue
		}
		src, err := fixture.DecodeFile(filepath.Join(*dir, im.File))
		if err != nil {
			log.Fatal(err)
		}
		n := 0
		for _, f := range im.Faces {
			if !f.HasEyes() || n >= *perImage {
				continue
			}
			// truth.json measures from the corner of the top-left pixel,
			// facelib/align from its centre.
			l := align.Point{X: f.EyeL[0] - 0.5, Y: f.EyeL[1] - 0.5}
			r := align.Point{X: f.EyeR[0] - 0.5, Y: f.EyeR[1] - 0.5}
			chip := image.NewRGBA(image.Rect(0, 0, size, size))
			if err := align.ChipTransform(l, r, size, align.ChipPadding).Warp(chip, src); err != nil {
				log.Fatalf("%s: %v", im.File, err)
			}
			name := strings.TrimSuffix(im.File, filepath.Ext(im.File))
			save(filepath.Join(*out, fmt.Sprintf("face-%s-%d.png", name, n)), chip)
			n++
		}
	}
	for name, img := range synthetic() {
		save(filepath.Join(*out, "synth-"+name+".png"), img)
	}
}

func save(path string, img image.Image) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(path)
}

// synthetic returns non-face chips that exercise the whole input range.
func synthetic() map[string]*image.RGBA {
	m := map[string]*image.RGBA{}
	g := image.NewRGBA(image.Rect(0, 0, size, size))
	n := image.NewRGBA(image.Rect(0, 0, size, size))
	flat := image.NewRGBA(image.Rect(0, 0, size, size))
	chk := image.NewRGBA(image.Rect(0, 0, size, size))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range size {
		for x := range size {
			g.SetRGBA(x, y, color.RGBA{uint8(x * 255 / (size - 1)), uint8(y * 255 / (size - 1)), uint8((x + y) * 255 / (2 * (size - 1))), 255})
			n.SetRGBA(x, y, color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255})
			flat.SetRGBA(x, y, color.RGBA{128, 128, 128, 255})
			v := uint8(0)
			if (x/10+y/10)%2 == 0 {
				v = 255
			}
			chk.SetRGBA(x, y, color.RGBA{v, v, 255 - v, 255})
		}
	}
	m["gradient"], m["noise"], m["grey"], m["checker"] = g, n, flat, chk
	return m
}
