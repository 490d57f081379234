package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/internal/imgload"
)

func init() {
	register(&command{
		name:    "embed",
		summary: "print each face's 128-number embedding as JSON",
		run:     runEmbed,
	})
	register(&command{
		name:    "compare",
		summary: "compare the faces in two images (distance, same or different)",
		run:     runCompare,
	})
}

type embedResult struct {
	File  string     `json:"file"`
	Faces []jsonFace `json:"faces"`
	Error string     `json:"error,omitempty"`
}

// embeddedFace is a face with its chip's embedding.
type embeddedFace struct {
	face facelib.Face
	emb  match.Embedding
}

func embedFile(p *facelib.Pipeline, file string, maxPixels int) ([]embeddedFace, error) {
	img, err := loadImage(file, maxPixels)
	if err != nil {
		return nil, err
	}
	faces, err := p.Detect(img)
	if err != nil {
		return nil, err
	}
	out := make([]embeddedFace, 0, len(faces))
	for _, f := range faces {
		chip, err := p.Align(img, f)
		if err != nil {
			return nil, err
		}
		e, err := p.Embed(chip)
		if err != nil {
			return nil, err
		}
		out = append(out, embeddedFace{f, e})
	}
	return out, nil
}

func runEmbed(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("embed", "IMAGE...", stderr)
	maxMP := fs.Int("max-megapixels", imgload.DefaultMaxPixels/1_000_000, "refuse images larger than this")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	p, err := newPipeline(true)
	if err != nil {
		return err
	}
	failed := false
	var results []embedResult
	for _, file := range fs.Args() {
		res := embedResult{File: file, Faces: []jsonFace{}}
		faces, err := embedFile(p, file, *maxMP*1_000_000)
		if err != nil {
			failed = true
			res.Error = err.Error()
			fmt.Fprintf(stderr, "facewatch embed: %s: %v\n", file, err)
		}
		for _, ef := range faces {
			jf := toJSONFace(ef.face, true)
			jf.Landmarks = nil
			jf.Embedding = ef.emb[:]
			res.Faces = append(res.Faces, jf)
		}
		results = append(results, res)
	}
	// Compact: 128 numbers per face read better on one line.
	if err := json.NewEncoder(stdout).Encode(results); err != nil {
		return err
	}
	if failed {
		return errFailed
	}
	return nil
}

type comparison struct {
	FaceA    int     `json:"face_a"`
	FaceB    int     `json:"face_b"`
	Distance float64 `json:"distance"`
	Same     bool    `json:"same_person"`
}

func runCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", "IMAGE_A IMAGE_B", stderr)
	threshold := fs.Float64("threshold", match.DefaultThreshold, "Euclidean distance below which two faces count as the same person (dlib's convention: 0.6)")
	asJSON := fs.Bool("json", false, "print JSON")
	maxMP := fs.Int("max-megapixels", imgload.DefaultMaxPixels/1_000_000, "refuse images larger than this")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return errUsage
	}
	if !(*threshold > 0) || math.IsInf(*threshold, 0) {
		return fmt.Errorf("-threshold must be a positive number, got %v", *threshold)
	}
	p, err := newPipeline(true)
	if err != nil {
		return err
	}
	a, b := fs.Arg(0), fs.Arg(1)
	fa, err := embedFile(p, a, *maxMP*1_000_000)
	if err != nil {
		return fmt.Errorf("%s: %w", a, err)
	}
	fb, err := embedFile(p, b, *maxMP*1_000_000)
	if err != nil {
		return fmt.Errorf("%s: %w", b, err)
	}
	for _, c := range []struct {
		file  string
		faces []embeddedFace
	}{{a, fa}, {b, fb}} {
		if len(c.faces) == 0 {
			return fmt.Errorf("%s: no face found (try a larger, frontal, well-lit face)", c.file)
		}
	}
	var cmps []comparison
	for i := range fa {
		for j := range fb {
			d := float64(match.Distance(&fa[i].emb, &fb[j].emb))
			cmps = append(cmps, comparison{i + 1, j + 1, math.Round(d*10000) / 10000, d < *threshold})
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			A           string       `json:"a"`
			B           string       `json:"b"`
			Threshold   float64      `json:"threshold"`
			Comparisons []comparison `json:"comparisons"`
		}{a, b, *threshold, cmps})
	}
	fmt.Fprintf(stdout, "%s: %d %s; %s: %d %s; threshold %.2f (Euclidean; lower is more alike)\n",
		a, len(fa), plural(len(fa), "face", "faces"), b, len(fb), plural(len(fb), "face", "faces"), *threshold)
	for _, c := range cmps {
		verdict := "different people"
		if c.Same {
			verdict = "same person"
		}
		fmt.Fprintf(stdout, "  A face %d (box %v) vs B face %d (box %v): distance %.3f → %s\n",
			c.FaceA, fa[c.FaceA-1].face.Box, c.FaceB, fb[c.FaceB-1].face.Box, c.Distance, verdict)
	}
	return nil
}
