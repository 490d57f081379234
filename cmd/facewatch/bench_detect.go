package main

// The detection stage: facelib/detect against raw pigo.

import (
	"fmt"
	"testing"

	pigo "github.com/esimov/pigo/core"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/detect"
)

// stageDetect times facelib/detect against raw pigo (RunCascade +
// ClusterDetections) on the same frame with the same parameters.
func (r *benchRun) stageDetect() error {
	c, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		return err
	}
	pg, err := pigo.NewPigo().Unpack(assets.FaceFinder())
	if err != nil {
		return err
	}
	sizes := []int{40, 60, 100}
	var items []benchItem
	found := map[int][2]int{}
	for _, size := range sizes {
		p := detect.DefaultParams()
		p.MinSize = size
		d, err := detect.New(c, p)
		if err != nil {
			return err
		}
		g := r.gray
		dst, err := d.Detect(g, nil)
		if err != nil {
			return err
		}
		cp := pigo.CascadeParams{
			MinSize: p.MinSize, MaxSize: p.MaxSize,
			ShiftFactor: p.ShiftFactor, ScaleFactor: p.ScaleFactor,
			ImageParams: pigo.ImageParams{Pixels: g.Pix, Rows: g.Height, Cols: g.Width, Dim: g.Stride},
		}
		found[size] = [2]int{len(dst), len(pg.ClusterDetections(pg.RunCascade(cp, 0), detect.ClusterIoU))}
		items = append(items,
			benchItem{key: fmt.Sprint("ours", size), fn: func(b *testing.B) {
				for b.Loop() {
					dst, _ = d.Detect(g, dst)
				}
			}},
			benchItem{key: fmt.Sprint("pigo", size), fn: func(b *testing.B) {
				for b.Loop() {
					pg.ClusterDetections(pg.RunCascade(cp, 0), detect.ClusterIoU)
				}
			}},
		)
	}
	res := r.measure("detect", r.cfg.benchTime, items)
	for _, size := range sizes {
		ours, theirs := res[fmt.Sprint("ours", size)], res[fmt.Sprint("pigo", size)]
		row := row("detect", fmt.Sprintf("640x480, MinSize %d", size), ours)
		rf := ref("pigo", ours, theirs)
		row.Refs = append(row.Refs, rf)
		row.target("≤ 1.1×", rf.judged() <= 1.1)
		row.Note = fmt.Sprintf("%d faces after the score filter and suppression; pigo (RunCascade + ClusterDetections, same parameters): %d clusters", found[size][0], found[size][1])
		r.add(row)
	}
	return nil
}
