// Command mkchips writes the 150x150 face chips facelib/embed's parity tests
// run on, into assets/testdata/chips: aligned face chips cut from the test
// images at their hand-labelled eye centres (assets/testdata/truth.json), and
// a few synthetic chips (gradient, seeded noise, flat grey, checkerboard).
//
// After changing a chip, regenerate the reference descriptors too:
//
//	go run ./tools/mkchips && node tools/golden.mjs
//
// Run it from the repository root.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg"
	"image/png"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

const size = 150

// truth is the subset of assets/testdata/truth.json mkchips reads.
type truth struct {
	Images []struct {
		File  string `json:"file"`
		Faces []struct {
			EyeL []float64 `json:"eye_l"`
			EyeR []float64 `json:"eye_r"`
		} `json:"faces"`
	} `json:"images"`
}

func main() {
	dir := flag.String("dir", "assets/testdata", "test data directory")
	out := flag.String("out", "assets/testdata/chips", "output directory")
	images := flag.String("images", "astronaut.png,pigo-sample.jpg,faceapi-sample1.jpg", "images to cut face chips from")
	perImage := flag.Int("faces", 3, "at most this many faces per image")
	truthPath := flag.String("truth", "", "hand-labelled faces (default <dir>/truth.json)")
	flag.Parse()
	if *truthPath == "" {
		*truthPath = filepath.Join(*dir, "truth.json")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(*truthPath)
	if err != nil {
		log.Fatal(err)
	}
	var t truth
	if err := json.Unmarshal(b, &t); err != nil {
		log.Fatalf("truth.json: %v", err)
	}
	want := map[string]bool{}
	for _, n := range strings.Split(*images, ",") {
		want[n] = true
	}
	for _, im := range t.Images {
		if !want[im.File] {
			continue
		}
		src, err := load(filepath.Join(*dir, im.File))
		if err != nil {
			log.Fatal(err)
		}
		n := 0
		for _, f := range im.Faces {
			if len(f.EyeL) != 2 || len(f.EyeR) != 2 || n >= *perImage {
				continue
			}
			chip := faceChip(src, f.EyeL[0], f.EyeL[1], f.EyeR[0], f.EyeR[1], 0.25)
			name := strings.TrimSuffix(im.File, filepath.Ext(im.File))
			save(filepath.Join(*out, fmt.Sprintf("face-%s-%d.png", name, n)), chip)
			n++
		}
	}
	for name, img := range synthetic() {
		save(filepath.Join(*out, "synth-"+name+".png"), img)
	}
}

func load(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	return img, err
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

// faceChip cuts a dlib-style face chip from the two eye centres (in image
// pixels, either order): centre = eye midpoint + 0.524 × the eye vector
// rotated 90° toward the mouth; side = 2 × 0.963365 × (1 + 2·padding) × eye
// distance; rotated so the eye line is horizontal. Bilinear sampling,
// edge pixels repeated outside the image.
func faceChip(src image.Image, lx, ly, rx, ry, padding float64) *image.RGBA {
	if lx > rx {
		lx, ly, rx, ry = rx, ry, lx, ly
	}
	vx, vy := rx-lx, ry-ly
	dist := math.Hypot(vx, vy)
	cx := (lx+rx)/2 - 0.524*vy
	cy := (ly+ry)/2 + 0.524*vx
	side := 2 * 0.963365 * (1 + 2*padding) * dist
	ux, uy := vx/dist, vy/dist // chip x axis in the image
	wx, wy := -uy, ux          // chip y axis
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			fx := (float64(x)+0.5)/size - 0.5
			fy := (float64(y)+0.5)/size - 0.5
			sx := cx + side*(fx*ux+fy*wx) - 0.5
			sy := cy + side*(fx*uy+fy*wy) - 0.5
			dst.SetRGBA(x, y, bilinear(src, sx, sy))
		}
	}
	return dst
}

func bilinear(src image.Image, x, y float64) color.RGBA {
	b := src.Bounds()
	x0, y0 := math.Floor(x), math.Floor(y)
	ax, ay := x-x0, y-y0
	at := func(xi, yi int) [3]float64 {
		xi = min(max(xi, b.Min.X), b.Max.X-1)
		yi = min(max(yi, b.Min.Y), b.Max.Y-1)
		r, g, bb, _ := src.At(xi, yi).RGBA()
		return [3]float64{float64(r >> 8), float64(g >> 8), float64(bb >> 8)}
	}
	p00, p10 := at(int(x0), int(y0)), at(int(x0)+1, int(y0))
	p01, p11 := at(int(x0), int(y0)+1), at(int(x0)+1, int(y0)+1)
	var c [3]uint8
	for i := range 3 {
		v := (p00[i]*(1-ax)+p10[i]*ax)*(1-ay) + (p01[i]*(1-ax)+p11[i]*ax)*ay
		c[i] = uint8(min(max(math.Round(v), 0), 255))
	}
	return color.RGBA{c[0], c[1], c[2], 255}
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
