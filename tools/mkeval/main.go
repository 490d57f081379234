// Command mkeval builds the committed recognition evaluation set,
// assets/testdata/eval/PERSON/*.jpg, from the hand-labelled test photos.
//
// No labelled face data set can be fetched where facewatch is built, so each
// labelled frontal face in assets/testdata becomes one "person" and its
// genuine pairs come from realistic capture changes of the same photo:
// lighting, blur, heavy JPEG, a small rotation, a shifted crop, a smaller
// scale and a mirror image. That measures robustness to capture conditions,
// not to age, pose, make-up or time between photos, and the impostor pairs
// are few people (see the README).
//
//	go run ./tools/mkeval            # rewrite assets/testdata/eval
//
// The output is deterministic for a given Go toolchain.
package main

import (
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/facewatch/facewatch/internal/fixture"

	"github.com/disintegration/imaging"
)

const (
	testdata = "assets/testdata"
	outDir   = "assets/testdata/eval"
	maxSide  = 240 // crops are downscaled to at most this many pixels
)

// variant is one realistic change of the original crop.
type variant struct {
	name string
	make func(src image.Image, box image.Rectangle) image.Image
}

func cropAround(src image.Image, box image.Rectangle, shiftX, shiftY, grow float64) image.Image {
	cx := float64(box.Min.X+box.Max.X)/2 + shiftX*float64(box.Dx())
	cy := float64(box.Min.Y+box.Max.Y)/2 + shiftY*float64(box.Dy())
	half := grow * float64(box.Dx()) / 2
	r := image.Rect(int(cx-half), int(cy-half), int(cx+half), int(cy+half)).Intersect(src.Bounds())
	img := imaging.Crop(src, r)
	if img.Bounds().Dx() > maxSide {
		img = imaging.Resize(img, maxSide, 0, imaging.Lanczos)
	}
	return img
}

var variants = []variant{
	{"original", func(s image.Image, b image.Rectangle) image.Image { return cropAround(s, b, 0, 0, 2) }},
	{"darker", func(s image.Image, b image.Rectangle) image.Image {
		return imaging.AdjustGamma(imaging.AdjustBrightness(cropAround(s, b, 0, 0, 2), -25), 0.75)
	}},
	{"brighter", func(s image.Image, b image.Rectangle) image.Image {
		return imaging.AdjustContrast(imaging.AdjustBrightness(cropAround(s, b, 0, 0, 2), 25), -15)
	}},
	{"blur", func(s image.Image, b image.Rectangle) image.Image {
		return imaging.Blur(cropAround(s, b, 0, 0, 2), 1.6)
	}},
	{"rotated", func(s image.Image, b image.Rectangle) image.Image {
		return imaging.Rotate(cropAround(s, b, 0, 0, 2), 9, image.Black)
	}},
	{"shifted", func(s image.Image, b image.Rectangle) image.Image { return cropAround(s, b, 0.22, -0.12, 1.8) }},
	{"small", func(s image.Image, b image.Rectangle) image.Image {
		c := cropAround(s, b, 0, 0, 2)
		return imaging.Resize(c, c.Bounds().Dx()*45/100, 0, imaging.Box)
	}},
	{"mirrored", func(s image.Image, b image.Rectangle) image.Image { return imaging.FlipH(cropAround(s, b, 0, 0, 2)) }},
}

// quality is the JPEG quality per variant; "jpeg" variants are the heavy ones.
func quality(name string) int {
	if name == "shifted" {
		return 20 // heavy compression on one variant
	}
	return 88
}

func main() {
	log.SetFlags(0)
	doc, err := fixture.ReadLabels(filepath.Join(testdata, "truth.json"))
	if err != nil {
		log.Fatal("run from the repository root: ", err)
	}
	if err := os.RemoveAll(outDir); err != nil {
		log.Fatal(err)
	}
	people := 0
	for _, im := range doc.Images {
		src, err := imaging.Open(filepath.Join(testdata, im.File))
		if err != nil {
			log.Fatal(err)
		}
		stem := strings.TrimSuffix(im.File, filepath.Ext(im.File))
		for i, f := range im.Faces {
			if f.Optional || !f.HasEyes() {
				continue
			}
			box := image.Rect(int(math.Round(f.Box[0])), int(math.Round(f.Box[1])), int(math.Round(f.Box[2])), int(math.Round(f.Box[3])))
			dir := filepath.Join(outDir, fmt.Sprintf("%s-face%d", stem, i+1))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				log.Fatal(err)
			}
			for k, v := range variants {
				out := filepath.Join(dir, fmt.Sprintf("%d-%s.jpg", k, v.name))
				w, err := os.Create(out)
				if err != nil {
					log.Fatal(err)
				}
				if err := jpeg.Encode(w, v.make(src, box), &jpeg.Options{Quality: quality(v.name)}); err != nil {
					log.Fatal(err)
				}
				if err := w.Close(); err != nil {
					log.Fatal(err)
				}
			}
			people++
		}
	}
	fmt.Printf("wrote %d people × %d images to %s\n", people, len(variants), outDir)
}
