package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/internal/imgload"
)

func init() {
	register(&command{
		name:    "detect",
		summary: "find faces, pupils and landmarks in images",
		run:     runDetect,
	})
}

type detectResult struct {
	File   string     `json:"file"`
	Width  int        `json:"width,omitempty"`
	Height int        `json:"height,omitempty"`
	Faces  []jsonFace `json:"faces"`
	Error  string     `json:"error,omitempty"`
}

func runDetect(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("detect", "IMAGE...", stderr)
	asJSON := fs.Bool("json", false, "print JSON (one array of results)")
	annotate := fs.String("annotate", "", "draw the faces: an output PNG for one image, or a folder for several")
	maxMP := fs.Int("max-megapixels", imgload.DefaultMaxPixels/1_000_000, "refuse images larger than this")
	noLandmarks := fs.Bool("no-landmarks", false, "skip the 15 landmark points (faster)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	files := fs.Args()
	if len(files) == 0 {
		fs.Usage()
		return errUsage
	}
	p, err := newDetectPipeline(!*noLandmarks)
	if err != nil {
		return err
	}
	if *annotate != "" && len(files) > 1 {
		if err := os.MkdirAll(*annotate, 0o755); err != nil {
			return err
		}
	}
	var results []detectResult
	failed := false
	for _, file := range files {
		res := detectResult{File: file, Faces: []jsonFace{}}
		faces, img, err := detectFile(p, file, *maxMP*1_000_000)
		if err != nil {
			failed = true
			res.Error = err.Error()
			fmt.Fprintf(stderr, "facewatch detect: %s: %v\n", file, err)
			results = append(results, res)
			continue
		}
		res.Width, res.Height = img.Bounds().Dx(), img.Bounds().Dy()
		for _, f := range faces {
			res.Faces = append(res.Faces, toJSONFace(f, p.CanAlign()))
		}
		results = append(results, res)
		if !*asJSON {
			fmt.Fprintf(stdout, "%s: %d %s (%dx%d)\n", file, len(faces), plural(len(faces), "face", "faces"), res.Width, res.Height)
			for i, f := range res.Faces {
				fmt.Fprintln(stdout, describeFace(i, f))
			}
		}
		if *annotate != "" {
			out := *annotate
			if len(files) > 1 {
				base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
				out = filepath.Join(*annotate, base+"-faces.png")
			}
			if err := writePNG(out, drawFaces(img, faces)); err != nil {
				failed = true
				fmt.Fprintf(stderr, "facewatch detect: %s: writing %s: %v\n", file, out, err)
			} else if !*asJSON {
				fmt.Fprintf(stdout, "  drawn to %s\n", out)
			}
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	}
	if failed {
		return errFailed
	}
	return nil
}

func newDetectPipeline(landmarks bool) (*facelib.Pipeline, error) {
	m := bundledWithoutLandmarks()
	if landmarks {
		m.Landmarks = assets.Landmarks()
	}
	return facelib.New(facelib.Options{Models: m, Landmarks: landmarks})
}

func detectFile(p *facelib.Pipeline, file string, maxPixels int) ([]facelib.Face, image.Image, error) {
	img, err := loadImage(file, maxPixels)
	if err != nil {
		return nil, nil, err
	}
	faces, err := p.Detect(img)
	return faces, img, err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var (
	boxColour      = color.RGBA{0, 230, 118, 255}
	eyeColour      = color.RGBA{255, 64, 64, 255}
	landmarkColour = color.RGBA{255, 214, 0, 255}
)

// drawFaces returns a copy of img with each face's box, pupils and landmarks drawn.
func drawFaces(img image.Image, faces []facelib.Face) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(b)
	draw.Draw(out, b, img, b.Min, draw.Src)
	for _, f := range faces {
		t := max(2, f.Box.Dx()/60)
		for i := 0; i < t; i++ {
			strokeRect(out, f.Box.Inset(-i), boxColour)
		}
		r := max(2, f.Box.Dx()/40)
		if f.Chip.Valid() {
			disc(out, int(f.LeftEye.X), int(f.LeftEye.Y), r, eyeColour)
			disc(out, int(f.RightEye.X), int(f.RightEye.Y), r, eyeColour)
		}
		for _, l := range f.Landmarks {
			disc(out, int(l.X), int(l.Y), max(1, r/2+1), landmarkColour)
		}
	}
	return out
}

func strokeRect(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for x := r.Min.X; x < r.Max.X; x++ {
		img.SetRGBA(x, r.Min.Y, c)
		img.SetRGBA(x, r.Max.Y-1, c)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		img.SetRGBA(r.Min.X, y, c)
		img.SetRGBA(r.Max.X-1, y, c)
	}
}

func disc(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for y := -r; y <= r; y++ {
		for x := -r; x <= r; x++ {
			if x*x+y*y <= r*r {
				img.SetRGBA(cx+x, cy+y, c)
			}
		}
	}
}
