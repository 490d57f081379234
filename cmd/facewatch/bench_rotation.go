package main

import (
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"
	"time"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/internal/fixture"
	"github.com/facewatch/facewatch/internal/imgload"
	"github.com/facewatch/facewatch/internal/site"
)

// The rolled-face part of the benchmark report: how many labelled faces
// upright-only detection and the detect.DefaultAngles sweep find when the
// labelled photos are turned, how well the pupils of the rolled faces are
// located, and what the sweep costs against one upright scan on the
// 640x480 benchmark frame.

// rotationTruthFile holds the hand labels of the photos in assets/testdata.
const rotationTruthFile = "assets/testdata/truth.json"

// Pupil bounds of facelib/align's labelled-photo tests: an eye counts as
// located when it is within 0.15 eye distances and 6 px of its label.
const (
	rotationEyeTolIOD = 0.15
	rotationEyeTolPx  = 6.0
)

// rotationConfig says what benchRotation measures.
type rotationConfig struct {
	// Turns are the degrees the labelled photos are turned by,
	// counter-clockwise on screen (a face turned by +30° is rolled -30°).
	Turns []float64
	// MinTime is how long each timing round runs at least; Rounds how many
	// rounds are taken (the median is reported).
	MinTime time.Duration
	Rounds  int
}

var defaultRotationConfig = rotationConfig{
	Turns:   []float64{0, 15, -15, 30, -30, 45, -45},
	MinTime: 300 * time.Millisecond,
	Rounds:  3,
}

// rotationRecall is one turn of the photos.
type rotationRecall struct {
	Turn            float64 `json:"turn_degrees"`
	Required        int     `json:"required_faces"`
	UprightFound    int     `json:"upright_found"`
	SweepFound      int     `json:"sweep_found"`
	UprightFalsePos int     `json:"upright_false_positives"`
	SweepFalsePos   int     `json:"sweep_false_positives"`
	// Eyes of the labelled faces with both eyes that the sweep found, and
	// how many of them Locate puts within the align tests' bound.
	Eyes       int     `json:"eyes"`
	EyesWithin int     `json:"eyes_within_bound"`
	MeanEyeErr float64 `json:"mean_eye_error_iod"`
}

// rotationCost is one detection mode on the 640x480 frame.
type rotationCost struct {
	Mode    string  `json:"mode"`
	Angles  int     `json:"angles"`
	Ms      float64 `json:"ms"`
	Upright float64 `json:"x_upright"`
	Faces   int     `json:"faces"`
}

// rotationReport is the whole rolled-face report.
type rotationReport struct {
	Photos int              `json:"photos"`
	Sweep  []float64        `json:"sweep_degrees"`
	Recall []rotationRecall `json:"recall"`
	Cost   []rotationCost   `json:"cost"`
}

// benchRotation measures rolled-face detection from inside the facewatch
// source tree (it reads the labelled photos and the benchmark frame from
// assets/testdata) and prints the report to w.
func benchRotation(w io.Writer) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := site.FindRoot(wd)
	if err != nil {
		return err
	}
	rep, err := measureRotation(root, defaultRotationConfig)
	if err != nil {
		return err
	}
	printRotation(w, rep)
	return nil
}

// rotLabel is a labelled face turned with its photo, in truth.json's
// pixel-corner coordinates.
type rotLabel struct {
	box      image.Rectangle // the labelled square at the turned centre
	eyes     bool
	l, r     align.Point
	optional bool
}

// measureRotation runs the measurements of cfg on the source tree at root.
func measureRotation(root string, cfg rotationConfig) (rotationReport, error) {
	var rep rotationReport
	truth, err := fixture.ReadLabels(filepath.Join(root, rotationTruthFile))
	if err != nil {
		return rep, fmt.Errorf("labels: %w", err)
	}
	if len(truth.Images) == 0 {
		return rep, fmt.Errorf("%s lists no photos", rotationTruthFile)
	}
	c, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		return rep, err
	}
	al, err := align.New(assets.PupilLocator(), nil, align.DefaultOptions())
	if err != nil {
		return rep, err
	}
	angles := detect.DefaultAngles()
	for _, a := range angles {
		rep.Sweep = append(rep.Sweep, math.Round(a*180/math.Pi))
	}
	rep.Photos = len(truth.Images)
	photos := make([]image.Image, len(truth.Images))
	for i, im := range truth.Images {
		if photos[i], err = loadImage(filepath.Join(root, "assets", "testdata", im.File), imgload.DefaultMaxPixels); err != nil {
			return rep, fmt.Errorf("labelled photo: %w", err)
		}
	}
	var up, sweep []detect.Face
	for _, deg := range cfg.Turns {
		rc := rotationRecall{Turn: deg}
		var errSum float64
		for i, im := range truth.Images {
			src := photos[i]
			turned, move := turnPhoto(src, deg)
			g := detect.GrayFrom(turned, nil)
			var labels []rotLabel
			for _, f := range im.Faces {
				cx, cy := move((f.Box[0]+f.Box[2])/2, (f.Box[1]+f.Box[3])/2)
				half := (f.Box[2] - f.Box[0]) / 2
				l := rotLabel{
					box:      image.Rect(int(cx-half), int(cy-half), int(cx+half), int(cy+half)),
					optional: f.Optional,
				}
				if f.EyeL != nil && f.EyeR != nil {
					l.eyes = true
					l.l.X, l.l.Y = move(f.EyeL[0], f.EyeL[1])
					l.r.X, l.r.Y = move(f.EyeR[0], f.EyeR[1])
				}
				labels = append(labels, l)
			}
			sb := src.Bounds()
			d, err := detect.New(c, detect.ParamsFor(sb.Dx(), sb.Dy()))
			if err != nil {
				return rep, err
			}
			if up, err = d.Detect(g, up); err != nil {
				return rep, err
			}
			if sweep, err = d.DetectAngles(g, angles, sweep); err != nil {
				return rep, err
			}
			req, foundUp, fpUp, _ := matchTurned(labels, up)
			_, foundSw, fpSw, matched := matchTurned(labels, sweep)
			rc.Required += req
			rc.UprightFound += foundUp
			rc.SweepFound += foundSw
			rc.UprightFalsePos += fpUp
			rc.SweepFalsePos += fpSw
			for li, l := range labels {
				if l.optional || !l.eyes || matched[li] < 0 {
					continue
				}
				var res align.Result
				if err := al.Locate(g, sweep[matched[li]], &res); err != nil {
					return rep, err
				}
				// truth.json measures from pixel corners, align from centres.
				iod := math.Hypot(l.r.X-l.l.X, l.r.Y-l.l.Y)
				for _, e := range [][2]align.Point{{res.LeftEye, l.l}, {res.RightEye, l.r}} {
					err := math.Hypot(e[0].X+0.5-e[1].X, e[0].Y+0.5-e[1].Y)
					rc.Eyes++
					errSum += err / iod
					if err <= rotationEyeTolIOD*iod && err <= rotationEyeTolPx {
						rc.EyesWithin++
					}
				}
			}
		}
		if rc.Eyes > 0 {
			rc.MeanEyeErr = errSum / float64(rc.Eyes)
		}
		rep.Recall = append(rep.Recall, rc)
	}
	cost, err := rotationCosts(root, c, cfg)
	if err != nil {
		return rep, err
	}
	rep.Cost = cost
	return rep, nil
}

// matchTurned greedily pairs detections (best first) with the unmatched
// labelled face of highest IoU >= 0.5, as facelib/detect's tests do. It
// returns the required faces, how many were matched, the false positives
// (detections matching no face and not centred on an optional one) and, per
// label, the index of its detection or -1.
func matchTurned(labels []rotLabel, dets []detect.Face) (required, found, falsePos int, matched []int) {
	matched = make([]int, len(labels))
	for i, l := range labels {
		matched[i] = -1
		if !l.optional {
			required++
		}
	}
	for di, d := range dets {
		best, bestIoU := -1, 0.5
		for li, l := range labels {
			if matched[li] >= 0 {
				continue
			}
			if iou := detect.IoU(l.box, d.Rect()); iou >= bestIoU {
				best, bestIoU = li, iou
			}
		}
		if best < 0 {
			onOptional := false
			for _, l := range labels {
				if l.optional && image.Pt(d.Col, d.Row).In(l.box) {
					onOptional = true
				}
			}
			if !onOptional {
				falsePos++
			}
			continue
		}
		matched[best] = di
		if !labels[best].optional {
			found++
		}
	}
	return required, found, falsePos, matched
}

// turnPhoto turns src by deg degrees counter-clockwise on screen about its
// centre (Catmull-Rom, on a canvas just big enough for the corners, left
// black) and returns it with the map of truth.json coordinates into it.
func turnPhoto(src image.Image, deg float64) (*image.RGBA, func(x, y float64) (float64, float64)) {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	b := src.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	w2 := int(math.Ceil(w*math.Abs(cos) + h*math.Abs(sin) - 1e-9))
	h2 := int(math.Ceil(w*math.Abs(sin) + h*math.Abs(cos) - 1e-9))
	dst := image.NewRGBA(image.Rect(0, 0, w2, h2))
	scx, scy := w/2, h/2
	dcx, dcy := float64(w2)/2, float64(h2)/2
	m := f64.Aff3{cos, sin, dcx - cos*(scx+float64(b.Min.X)) - sin*(scy+float64(b.Min.Y)),
		-sin, cos, dcy + sin*(scx+float64(b.Min.X)) - cos*(scy+float64(b.Min.Y))}
	xdraw.CatmullRom.Transform(dst, m, src, b, xdraw.Src, nil)
	return dst, func(x, y float64) (float64, float64) {
		x, y = x-scx, y-scy
		return dcx + x*cos + y*sin, dcy - x*sin + y*cos
	}
}

// rotationCosts times the detection modes on the benchmark frame (the
// group photo scaled to 640 wide, top 480 rows, DefaultParams).
func rotationCosts(root string, c *detect.Cascade, cfg rotationConfig) ([]rotationCost, error) {
	src, err := loadImage(filepath.Join(root, "assets", "testdata", "faceapi-sample6.jpg"), imgload.DefaultMaxPixels)
	if err != nil {
		return nil, fmt.Errorf("benchmark frame: %w", err)
	}
	b := src.Bounds()
	h := b.Dy() * 640 / b.Dx()
	if h < 480 {
		return nil, fmt.Errorf("benchmark frame: too wide for a 640x480 crop")
	}
	scaled := image.NewRGBA(image.Rect(0, 0, 640, h))
	xdraw.CatmullRom.Scale(scaled, scaled.Bounds(), src, b, xdraw.Src, nil)
	g, err := detect.GrayFromRGBA(scaled.Pix, 640, 480, scaled.Stride, nil)
	if err != nil {
		return nil, err
	}
	d, err := detect.New(c, detect.DefaultParams())
	if err != nil {
		return nil, err
	}
	deg := math.Pi / 180
	modes := []struct {
		name   string
		angles []float64
	}{
		{"upright Detect", []float64{0}},
		{"DetectRotated at 30°", []float64{30 * deg}},
		{"DetectAngles 0, ±15° (tracking)", []float64{0, -15 * deg, 15 * deg}},
		{"DetectAngles DefaultAngles (sweep)", detect.DefaultAngles()},
	}
	var out []rotationCost
	dst := make([]detect.Face, 0, 64)
	for _, m := range modes {
		run := func() error {
			var err error
			if len(m.angles) == 1 {
				dst, err = d.DetectRotated(g, m.angles[0], dst)
			} else {
				dst, err = d.DetectAngles(g, m.angles, dst)
			}
			return err
		}
		if err := run(); err != nil { // warm the tables
			return nil, err
		}
		var rounds []float64
		for range max(cfg.Rounds, 1) {
			n := 0
			start := time.Now()
			for time.Since(start) < cfg.MinTime || n == 0 {
				if err := run(); err != nil {
					return nil, err
				}
				n++
			}
			rounds = append(rounds, float64(time.Since(start).Nanoseconds())/float64(n)/1e6)
		}
		sort.Float64s(rounds)
		out = append(out, rotationCost{Mode: m.name, Angles: len(m.angles), Ms: rounds[len(rounds)/2], Faces: len(dst)})
	}
	for i := range out {
		out[i].Upright = out[i].Ms / out[0].Ms
	}
	return out, nil
}

// printRotation writes the report as two tables.
func printRotation(w io.Writer, rep rotationReport) {
	fmt.Fprintf(w, "Rolled faces: the %d labelled photos turned about their centre (Catmull-Rom), ParamsFor the original size; sweep = detect.DefaultAngles %v°\n",
		rep.Photos, rep.Sweep)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "turn\tupright found\tsweep found\tupright FP\tsweep FP\teyes within bound\tmean eye error (IOD)\t")
	for _, r := range rep.Recall {
		fmt.Fprintf(tw, "%+.0f°\t%d/%d\t%d/%d\t%d\t%d\t%d/%d\t%.3f\t\n", r.Turn, r.UprightFound, r.Required, r.SweepFound, r.Required,
			r.UprightFalsePos, r.SweepFalsePos, r.EyesWithin, r.Eyes, r.MeanEyeErr)
	}
	tw.Flush()
	fmt.Fprintf(w, "(eye bound: %.2f eye distances and %.0f px, as facelib/align's labelled-photo tests; FP = detections on no labelled face)\n",
		rotationEyeTolIOD, rotationEyeTolPx)
	fmt.Fprintln(w, "Cost on the 640x480 benchmark frame (DefaultParams, median of rounds):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tangles\tms\t× upright\tfaces\t")
	for _, c := range rep.Cost {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%d\t\n", c.Mode, c.Angles, c.Ms, c.Upright, c.Faces)
	}
	tw.Flush()
}

// stageRotation measures rolled-face detection (bench_rotation.go); a quick
// run turns the photos by 0 and ±30° only.
func (r *benchRun) stageRotation() error {
	cfg := defaultRotationConfig
	if r.report.Quick {
		cfg.Turns = []float64{0, 30, -30}
		cfg.Rounds = 1
		cfg.MinTime = 50 * time.Millisecond
	}
	rep, err := measureRotation(r.root, cfg)
	if err != nil {
		return err
	}
	r.report.Rotation = &rep
	return nil
}
