package engine

import (
	"fmt"
	"sort"

	pigo "github.com/esimov/pigo/core"
)

// detector runs pigo's face finder. It stands in until facelib/detect lands;
// the worker's contract with the page does not change when it is swapped.
type detector struct {
	pg       *pigo.Pigo
	raw      []pigo.Detection // every window that passed, before clustering
	clusters []pigo.Detection
	faces    []pigo.Detection
}

func (d *detector) ok() bool { return d.pg != nil }

func (d *detector) load(b []byte) (err error) {
	// pigo's Unpack indexes the bytes without bounds checks and panics on a
	// truncated file; turn that into an error.
	if len(b) < 16 {
		return fmt.Errorf("%w: %d bytes", ErrBadModel, len(b))
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrBadModel, r)
		}
	}()
	pg, err := pigo.NewPigo().Unpack(b)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	d.pg = pg
	return nil
}

// run detects faces: the cascade's windows (kept in d.raw), pigo's
// clustering, a score threshold, and a suppression of boxes nested in a
// stronger one (pigo's clustering leaves them).
func (d *detector) run(gray []byte, w, h int, p Params) []pigo.Detection {
	cp := pigo.CascadeParams{
		MinSize:     p.MinSize,
		MaxSize:     min(p.MaxSize, w, h),
		ShiftFactor: p.Shift,
		ScaleFactor: p.ScaleFactor,
		ImageParams: pigo.ImageParams{Pixels: gray, Rows: h, Cols: w, Dim: w},
	}
	d.raw = d.pg.RunCascade(cp, 0)
	// ClusterDetections sorts its input in place; cluster a copy so d.raw
	// keeps the sweep order for the find scene.
	d.clusters = append(d.clusters[:0], d.raw...)
	d.clusters = d.pg.ClusterDetections(d.clusters, p.IoU)
	sort.Slice(d.clusters, func(i, j int) bool { return d.clusters[i].Q > d.clusters[j].Q })
	d.faces = d.faces[:0]
	for _, c := range d.clusters {
		if c.Q < p.MinScore {
			continue
		}
		nested := false
		for _, f := range d.faces {
			if contains(f, c) {
				nested = true
				break
			}
		}
		if !nested {
			d.faces = append(d.faces, c)
		}
	}
	return d.faces
}

// contains reports whether c's centre lies inside f's box.
func contains(f, c pigo.Detection) bool {
	half := f.Scale / 2
	return c.Row > f.Row-half && c.Row < f.Row+half && c.Col > f.Col-half && c.Col < f.Col+half
}
