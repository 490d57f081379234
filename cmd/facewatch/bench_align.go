package main

// The alignment stage: pupils, landmarks and the chip against pigo.

import (
	"fmt"
	"image"
	"strings"
	"testing"

	pigo "github.com/esimov/pigo/core"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/align"
)

// pigoEyeScale is facelib/align's pupil search scale (a fraction of the face
// box side); the start points come from align.EstimateEyes, as in Locate.
const pigoEyeScale = 0.3

// stageAlign times pupils, landmarks and the chip warp per face of the
// frame, and pigo's own puploc/lps runs from the same start points.
func (r *benchRun) stageAlign() error {
	g, faces := r.gray, r.faces
	per := float64(len(faces))
	aligner := func(n int, lm bool) (func(b *testing.B), error) {
		o := align.DefaultOptions()
		if n > 0 {
			o.Perturbations = n
		}
		o.Landmarks = lm
		var lps map[string][]byte
		if lm {
			lps = assets.Landmarks()
		}
		a, err := align.New(assets.PupilLocator(), lps, o)
		if err != nil {
			return nil, err
		}
		var res align.Result
		return func(b *testing.B) {
			for b.Loop() {
				for _, f := range faces {
					if err := a.Locate(g, f, &res); err != nil {
						b.Fatal(err)
					}
				}
			}
		}, nil
	}
	def := align.DefaultOptions().Perturbations
	var items []benchItem
	for _, c := range []struct {
		key string
		n   int
		lm  bool
	}{{"pupils", 0, false}, {"landmarks", 0, true}, {"pupils63", 63, false}, {"landmarks63", 63, true}} {
		fn, err := aligner(c.n, c.lm)
		if err != nil {
			return err
		}
		items = append(items, benchItem{key: c.key, per: per, fn: fn})
	}

	plc, err := pigo.NewPuplocCascade().UnpackCascade(assets.PupilLocator())
	if err != nil {
		return err
	}
	lps := map[string]*pigo.PuplocCascade{}
	for name, data := range assets.Landmarks() {
		if lps[name], err = pigo.NewPuplocCascade().UnpackCascade(data); err != nil {
			return err
		}
	}
	ip := pigo.ImageParams{Pixels: g.Pix, Rows: g.Height, Cols: g.Width, Dim: g.Stride}
	pigoLocate := func(lm bool) func(b *testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				for _, f := range faces {
					le, re := align.EstimateEyes(f)
					s := pigoEyeScale * float32(f.Size)
					l := plc.RunDetector(pigo.Puploc{Row: int(le.Y), Col: int(le.X), Scale: s, Perturbs: 63}, ip, 0, false)
					rt := plc.RunDetector(pigo.Puploc{Row: int(re.Y), Col: int(re.X), Scale: s, Perturbs: 63}, ip, 0, false)
					if !lm {
						continue
					}
					for p := align.Part(0); p < align.NumParts; p++ {
						name, flip := p.Cascade()
						lps[name].GetLandmarkPoint(l, rt, ip, 63, flip)
					}
				}
			}
		}
	}
	items = append(items,
		benchItem{key: "pigo-pupils63", per: per, fn: pigoLocate(false)},
		benchItem{key: "pigo-landmarks63", per: per, fn: pigoLocate(true)},
	)

	// The warp: each face's chip from the 640x480 RGBA frame.
	a, err := align.New(assets.PupilLocator(), nil, align.DefaultOptions())
	if err != nil {
		return err
	}
	var ts []align.Transform
	for _, f := range faces {
		var res align.Result
		if err := a.Locate(g, f, &res); err != nil {
			return err
		}
		ts = append(ts, res.Chip)
	}
	frame := align.Frame{Pix: r.frame.Pix, Width: 640, Height: 480, Stride: r.frame.Stride}
	chip := image.NewRGBA(image.Rect(0, 0, align.ChipSize, align.ChipSize))
	items = append(items, benchItem{key: "warp", per: per, fn: func(b *testing.B) {
		for b.Loop() {
			for _, t := range ts {
				if err := t.WarpFrame(chip, frame); err != nil {
					b.Fatal(err)
				}
			}
		}
	}})

	res := r.measure("align", r.cfg.benchTime, items)
	pigoRef := func(key string, ours string) benchRef {
		return ref("pigo "+map[bool]string{false: "puploc", true: "puploc + lps"}[strings.Contains(key, "landmarks")]+", 63", res[ours], res[key])
	}
	add := func(key, name string, refKey string) {
		row := row("align", name, res[key])
		if refKey != "" {
			row.Refs = append(row.Refs, pigoRef(refKey, key))
		}
		r.add(row)
	}
	add("pupils", fmt.Sprintf("pupils/face, %d perturbations (default)", def), "")
	add("landmarks", fmt.Sprintf("pupils + 15 landmarks/face, %d", def), "")
	add("pupils63", "pupils/face, 63", "pigo-pupils63")
	r.report.Rows[len(r.report.Rows)-1].Note = fmt.Sprintf("per face over the frame's %d faces; pigo's RunDetector and GetLandmarkPoint run from the same start points (align.EstimateEyes, search scale %.1f × box)", len(faces), pigoEyeScale)
	add("landmarks63", "pupils + 15 landmarks/face, 63", "pigo-landmarks63")
	add("warp", "warp a 150x150 chip/face", "")
	r.report.Rows[len(r.report.Rows)-1].Note = "bilinear, from the 640x480 RGBA frame (align.Transform.WarpFrame)"
	return nil
}
