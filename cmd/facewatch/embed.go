package main

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/match"
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

// embedOutput is what embed prints.
type embedOutput struct {
	jsonHeader
	Images []embedResult `json:"images"`
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
	maxMP := maxMegapixelsFlag(fs)
	files, err := parseArgs(fs, args)
	if err != nil {
		return errUsage
	}
	if len(files) == 0 {
		fs.Usage()
		return errUsage
	}
	p, err := newPipeline(true)
	if err != nil {
		return failJSON(stdout, "embed", "", err)
	}
	failed := false
	results := []embedResult{}
	for _, file := range files {
		res := embedResult{File: file, Faces: []jsonFace{}}
		faces, err := embedFile(p, file, maxMP.pixels())
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
	if err := writeJSON(stdout, embedOutput{header("embed"), results}, false); err != nil {
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
	// BelowThreshold is the model's rule for "same person", not a fact
	// about who the faces belong to.
	BelowThreshold bool `json:"below_threshold"`
}

// compareOutput is what compare prints with -json.
type compareOutput struct {
	jsonHeader
	A           string       `json:"a"`
	B           string       `json:"b"`
	FacesA      int          `json:"faces_a"`
	FacesB      int          `json:"faces_b"`
	Threshold   float64      `json:"threshold"`
	Rule        string       `json:"rule"`
	Comparisons []comparison `json:"comparisons"`
}

const compareRule = "a distance below the threshold means the model calls the two faces the same person; it is the model's rule, not a fact about who they are"

func runCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", "IMAGE_A IMAGE_B", stderr)
	threshold := fs.Float64("threshold", match.DefaultThreshold, "Euclidean `distance` below which the model calls two faces the same person (dlib's convention: 0.6)")
	asJSON := fs.Bool("json", false, "print one JSON document (schema_version 1) on stdout, errors included")
	maxMP := maxMegapixelsFlag(fs)
	files, err := parseArgs(fs, args)
	if err != nil {
		return errUsage
	}
	if len(files) != 2 {
		fs.Usage()
		return usageJSON(stdout, *asJSON, "compare", fmt.Sprintf("compare takes two images, got %d arguments", len(files)))
	}
	if !(*threshold > 0) || math.IsInf(*threshold, 0) {
		msg := fmt.Sprintf("-threshold must be a positive number, got %v", *threshold)
		fmt.Fprintf(stderr, "facewatch compare: %s\n", msg)
		return usageJSON(stdout, *asJSON, "compare", msg)
	}
	fail := func(file string, err error) error {
		if file != "" {
			err = fmt.Errorf("%s: %w", file, err)
		}
		if *asJSON {
			return failJSON(stdout, "compare", file, err)
		}
		return err
	}
	p, err := newPipeline(true)
	if err != nil {
		return fail("", err)
	}
	a, b := files[0], files[1]
	fa, err := embedFile(p, a, maxMP.pixels())
	if err != nil {
		return fail(a, err)
	}
	fb, err := embedFile(p, b, maxMP.pixels())
	if err != nil {
		return fail(b, err)
	}
	for _, c := range []struct {
		file  string
		faces []embeddedFace
	}{{a, fa}, {b, fb}} {
		if len(c.faces) == 0 {
			return fail(c.file, errors.New("no face found (try a larger, frontal, well-lit face)"))
		}
	}
	cmps := []comparison{}
	for i := range fa {
		for j := range fb {
			d := float64(match.Distance(&fa[i].emb, &fb[j].emb))
			cmps = append(cmps, comparison{i + 1, j + 1, math.Round(d*10000) / 10000, d < *threshold})
		}
	}
	if *asJSON {
		return writeJSON(stdout, compareOutput{header("compare"), a, b, len(fa), len(fb), *threshold, compareRule, cmps}, true)
	}
	fmt.Fprintf(stdout, "%s: %d %s; %s: %d %s (Euclidean distance between embeddings; lower is more alike)\n",
		a, len(fa), plural(len(fa), "face", "faces"), b, len(fb), plural(len(fb), "face", "faces"))
	for _, c := range cmps {
		verdict := fmt.Sprintf("below the threshold %g: the model calls them the same person", *threshold)
		if !c.BelowThreshold {
			verdict = fmt.Sprintf("not below the threshold %g: the model calls them different people", *threshold)
		}
		fmt.Fprintf(stdout, "  A face %d (box %v) vs B face %d (box %v): distance %.3f — %s\n",
			c.FaceA, fa[c.FaceA-1].face.Box, c.FaceB, fb[c.FaceB-1].face.Box, c.Distance, verdict)
	}
	fmt.Fprintln(stdout, "The threshold is the model's rule, not a fact: different people can fall below it and one person's photos above it.")
	return nil
}
