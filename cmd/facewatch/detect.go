package main

import (
	"errors"
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
)

func init() {
	register(&command{
		name:    "detect",
		summary: "find faces, pupils and landmarks in images",
		run:     runDetect,
	})
}

// detectOutput is what detect prints with -json.
type detectOutput struct {
	jsonHeader
	Images []detectResult `json:"images"`
}

type detectResult struct {
	File      string     `json:"file"`
	Width     int        `json:"width,omitempty"`
	Height    int        `json:"height,omitempty"`
	Faces     []jsonFace `json:"faces"`
	Annotated string     `json:"annotated,omitempty"`
	Error     string     `json:"error,omitempty"`
}

func runDetect(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("detect", "IMAGE...", stderr)
	asJSON := fs.Bool("json", false, "print one JSON document (schema_version 1) on stdout")
	annotate := fs.String("annotate", "", "draw the faces into PNGs: for one image, this `path` (or NAME-faces.png in it if it is a folder); for several, an existing folder that gets one NAME-faces.png per image")
	maxMP := maxMegapixelsFlag(fs)
	noLandmarks := fs.Bool("no-landmarks", false, "skip the 15 landmark points (faster)")
	files, err := parseArgs(fs, args)
	if err != nil {
		return errUsage
	}
	if len(files) == 0 {
		fs.Usage()
		return usageJSON(stdout, *asJSON, "detect", "no images given")
	}
	var outs []string
	if *annotate != "" {
		if outs, err = annotatePaths(*annotate, files); err != nil {
			if *asJSON {
				return failJSON(stdout, "detect", "", err)
			}
			return err
		}
	}
	p, err := newDetectPipeline(!*noLandmarks)
	if err != nil {
		if *asJSON {
			return failJSON(stdout, "detect", "", err)
		}
		return err
	}
	results := []detectResult{}
	failed := false
	for i, file := range files {
		res := detectResult{File: file, Faces: []jsonFace{}}
		faces, img, err := detectFile(p, file, maxMP.pixels())
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
		if !*asJSON {
			fmt.Fprintf(stdout, "%s: %d %s (%dx%d)\n", file, len(faces), plural(len(faces), "face", "faces"), res.Width, res.Height)
			for i, f := range res.Faces {
				fmt.Fprintln(stdout, describeFace(i, f))
			}
		}
		if outs != nil {
			if err := writePNG(outs[i], drawFaces(img, faces)); err != nil {
				failed = true
				res.Error = fmt.Sprintf("writing %s: %v", outs[i], err)
				fmt.Fprintf(stderr, "facewatch detect: %s: %s\n", file, res.Error)
			} else {
				res.Annotated = outs[i]
				if !*asJSON {
					fmt.Fprintf(stdout, "  drawn to %s\n", outs[i])
				}
			}
		}
		results = append(results, res)
	}
	if *asJSON {
		if err := writeJSON(stdout, detectOutput{header("detect"), results}, true); err != nil {
			return err
		}
	}
	if failed {
		return errFailed
	}
	return nil
}

// annotatePaths decides where each input's drawing goes, before anything is
// decoded: one image may be drawn to any path, several only into an existing
// folder, as NAME-faces.png, and never two to the same file or over an input.
func annotatePaths(target string, files []string) ([]string, error) {
	st, err := os.Stat(target)
	isDir := err == nil && st.IsDir()
	if len(files) == 1 && !isDir {
		if filepath.Clean(target) == filepath.Clean(files[0]) {
			return nil, fmt.Errorf("-annotate %s would overwrite the input; give another path", target)
		}
		return []string{target}, nil
	}
	if !isDir {
		return nil, fmt.Errorf("-annotate %s: with %d images, give an existing folder (one NAME-faces.png is written into it per image) or one image at a time", target, len(files))
	}
	outs := make([]string, len(files))
	inputs := map[string]bool{}
	for _, f := range files {
		inputs[filepath.Clean(f)] = true
	}
	seen := map[string]string{}
	for i, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		out := filepath.Join(target, base+"-faces.png")
		if prev, dup := seen[out]; dup {
			return nil, fmt.Errorf("-annotate %s: %s and %s would both be drawn to %s; annotate them separately", target, prev, f, out)
		}
		if inputs[filepath.Clean(out)] {
			return nil, fmt.Errorf("-annotate %s: drawing %s would overwrite the input %s", target, f, out)
		}
		seen[out] = f
		outs[i] = out
	}
	return outs, nil
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

// writePNG writes img to path, replacing only a regular file.
func writePNG(path string, img image.Image) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return errors.New("exists and is not a regular file")
	}
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
