// Command jpegscale downscales a JPEG to a given width (Catmull-Rom, aspect
// ratio kept) and re-encodes it with Go's image/jpeg at a given quality.
//
// scripts/testdata.sh uses it to derive the committed test photos from their
// registry packages. The output depends only on the input bytes, the Go
// toolchain's image/jpeg and golang.org/x/image (both pinned), so it is
// bit-reproducible on any machine with the same go.mod.
//
//	go run ./scripts/jpegscale -w 960 -q 85 in.jpg out.jpg
package main

import (
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"os"

	"golang.org/x/image/draw"
)

func main() {
	width := flag.Int("w", 960, "output width in pixels")
	quality := flag.Int("q", 85, "JPEG quality (1-100)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: jpegscale [-w width] [-q quality] in.jpg out.jpg")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *width, *quality); err != nil {
		fmt.Fprintln(os.Stderr, "jpegscale:", err)
		os.Exit(1)
	}
}

func run(in, out string, width, quality int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	src, err := jpeg.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	b := src.Bounds()
	if width <= 0 || width > b.Dx() {
		return fmt.Errorf("width %d: want 1..%d", width, b.Dx())
	}
	height := (b.Dy()*width + b.Dx()/2) / b.Dx()
	dst := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := jpeg.Encode(o, dst, &jpeg.Options{Quality: quality}); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
