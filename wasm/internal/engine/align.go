package engine

import (
	"fmt"
	"sort"

	pigo "github.com/esimov/pigo/core"

	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// aligner locates pupils and landmarks with pigo's puploc and lps cascades.
// It stands in until facelib/align lands.
type aligner struct {
	puploc *pigo.PuplocCascade
	lps    map[string]*pigo.PuplocCascade
	names  []string
}

// Landmark cascades in the order they are reported: the eye cascades give a
// point for each eye (the second one mirrored), the mouth cascades one point,
// lp84 a second mirrored one — pigo's own 15-point set.
var (
	eyeCascades   = []string{"lp46", "lp44", "lp42", "lp38", "lp312"}
	mouthCascades = []string{"lp93", "lp84", "lp82", "lp81"}
)

func unpackPuploc(b []byte) (c *pigo.PuplocCascade, err error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadModel, len(b))
	}
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("%w: %v", ErrBadModel, r)
		}
	}()
	c, err = pigo.NewPuplocCascade().UnpackCascade(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	return c, nil
}

func (a *aligner) loadPuploc(b []byte) error {
	c, err := unpackPuploc(b)
	if err != nil {
		return err
	}
	a.puploc = c
	return nil
}

func (a *aligner) loadLandmark(name string, b []byte) error {
	c, err := unpackPuploc(b)
	if err != nil {
		return err
	}
	if a.lps == nil {
		a.lps = make(map[string]*pigo.PuplocCascade)
	}
	a.lps[name] = c
	a.names = a.names[:0]
	for n := range a.lps {
		a.names = append(a.names, n)
	}
	sort.Strings(a.names)
	return nil
}

// pupils sets f.Left and f.Right (image left and right), or leaves them NaN.
func (a *aligner) pupils(f *wire.Face, gray []byte, w, h, perturbs int) {
	img := pigo.ImageParams{Pixels: gray, Rows: h, Cols: w, Dim: w}
	s := f.W
	row := f.Y + s/2
	col := f.X + s/2
	l := a.puploc.RunDetector(pigo.Puploc{
		Row: int(row - 0.075*s), Col: int(col - 0.175*s), Scale: s * 0.25, Perturbs: perturbs,
	}, img, 0, false)
	r := a.puploc.RunDetector(pigo.Puploc{
		Row: int(row - 0.075*s), Col: int(col + 0.185*s), Scale: s * 0.25, Perturbs: perturbs,
	}, img, 0, false)
	if l.Row <= 0 || l.Col <= 0 || r.Row <= 0 || r.Col <= 0 {
		return
	}
	f.Left = wire.Point{X: float32(l.Col), Y: float32(l.Row)}
	f.Right = wire.Point{X: float32(r.Col), Y: float32(r.Row)}
}

// landmarks appends the face's landmark points to dst.
func (a *aligner) landmarks(f *wire.Face, gray []byte, w, h, perturbs int, dst []wire.Point) []wire.Point {
	img := pigo.ImageParams{Pixels: gray, Rows: h, Cols: w, Dim: w}
	l := &pigo.Puploc{Row: int(f.Left.Y), Col: int(f.Left.X), Scale: 1, Perturbs: perturbs}
	r := &pigo.Puploc{Row: int(f.Right.Y), Col: int(f.Right.X), Scale: 1, Perturbs: perturbs}
	add := func(p *pigo.Puploc) {
		if p.Row > 0 && p.Col > 0 && p.Row < h && p.Col < w {
			dst = append(dst, wire.Point{X: float32(p.Col), Y: float32(p.Row)})
		}
	}
	for _, n := range eyeCascades {
		if c := a.lps[n]; c != nil {
			add(c.GetLandmarkPoint(l, r, img, perturbs, false))
			add(c.GetLandmarkPoint(l, r, img, perturbs, true))
		}
	}
	for _, n := range mouthCascades {
		if c := a.lps[n]; c != nil {
			add(c.GetLandmarkPoint(l, r, img, perturbs, false))
		}
	}
	if c := a.lps["lp84"]; c != nil {
		add(c.GetLandmarkPoint(l, r, img, perturbs, true))
	}
	return dst
}
