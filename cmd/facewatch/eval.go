package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/disintegration/imaging"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/internal/imgload"
)

func init() {
	register(&command{
		name:    "eval",
		summary: "measure recognition errors on a folder of person/*.jpg (EER, FMR/FNMR, DET plot)",
		run:     runEval,
	})
}

// evalReport is what eval prints with -json.
type evalReport struct {
	Dir       string           `json:"dir"`
	Aligned   bool             `json:"aligned"`
	People    int              `json:"people"`
	Images    int              `json:"images"`
	NoFace    []string         `json:"no_face,omitempty"`
	Failed    []string         `json:"failed,omitempty"`
	Genuine   int              `json:"genuine_pairs"`
	Impostor  int              `json:"impostor_pairs"`
	EER       match.EER        `json:"eer"`
	Table     []match.Rate     `json:"table"`
	GenuineD  summary          `json:"genuine_distance"`
	ImpostorD summary          `json:"impostor_distance"`
	DET       []match.DETPoint `json:"det,omitempty"`
}

type summary struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
}

func summarise(v []float64) summary {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return summary{round4(s[0]), round4(s[len(s)/2]), round4(s[len(s)-1])}
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

type evalSample struct {
	person string
	emb    match.Embedding
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", "DIR", stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	plotPath := fs.String("plot", "", "write a DET plot (PNG) to this file")
	noAlign := fs.Bool("noalign", false, "embed an unrotated crop of the detector box instead of the aligned chip, to see what alignment is worth")
	thresholds := fs.String("thresholds", "0.4,0.5,0.6,0.7,0.8", "comma-separated distance thresholds for the FMR/FNMR table")
	maxMP := fs.Int("max-megapixels", imgload.DefaultMaxPixels/1_000_000, "refuse images larger than this")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	ts, err := parseThresholds(*thresholds)
	if err != nil {
		return err
	}
	dir := fs.Arg(0)
	files, err := evalFiles(dir)
	if err != nil {
		return err
	}
	p, err := newPipeline(true)
	if err != nil {
		return err
	}
	rep := evalReport{Dir: dir, Aligned: !*noAlign, Images: len(files)}
	prog := newProgress(stderr, len(files))
	var samples []evalSample
	people := map[string]bool{}
	chip := image.NewRGBA(image.Rect(0, 0, align.ChipSize, align.ChipSize))
	for i, f := range files {
		prog.step(i, f.path)
		e, err := evalEmbed(p, f.path, *maxMP*1_000_000, *noAlign, chip)
		switch {
		case errors.Is(err, errNoFace):
			rep.NoFace = append(rep.NoFace, f.path)
			continue
		case err != nil:
			rep.Failed = append(rep.Failed, f.path)
			fmt.Fprintf(stderr, "facewatch eval: %s: %v\n", f.path, err)
			continue
		}
		samples = append(samples, evalSample{f.person, e})
		people[f.person] = true
	}
	prog.done()
	rep.People = len(people)
	var genuine, impostor []float64
	for i := range samples {
		for j := i + 1; j < len(samples); j++ {
			d := float64(match.Distance(&samples[i].emb, &samples[j].emb))
			if samples[i].person == samples[j].person {
				genuine = append(genuine, d)
			} else {
				impostor = append(impostor, d)
			}
		}
	}
	rep.Genuine, rep.Impostor = len(genuine), len(impostor)
	if len(genuine) == 0 || len(impostor) == 0 {
		return fmt.Errorf("%s: need at least two people with two usable photos each (got %d genuine and %d impostor pairs); the layout is DIR/PERSON/*.jpg",
			dir, len(genuine), len(impostor))
	}
	scores, err := match.NewScores(genuine, impostor, match.Distances)
	if err != nil {
		return err
	}
	rep.EER = scores.EER()
	if rep.Table, err = scores.CurveAt(ts); err != nil {
		return err
	}
	rep.GenuineD, rep.ImpostorD = summarise(genuine), summarise(impostor)
	det := scores.DET(400)
	if *plotPath != "" {
		title := "aligned chips"
		if *noAlign {
			title = "unaligned crops (-noalign)"
		}
		if err := writeDETPlot(*plotPath, det, fmt.Sprintf("DET, %s: %d people, EER %.1f%%", title, rep.People, 100*rep.EER.Rate)); err != nil {
			return fmt.Errorf("writing the plot: %w", err)
		}
	}
	if *asJSON {
		rep.DET = det
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printEval(stdout, rep, *plotPath)
	}
	if len(rep.Failed) > 0 {
		return errFailed
	}
	return nil
}

var errNoFace = errors.New("no face found")

func evalEmbed(p *facelib.Pipeline, path string, maxPixels int, noAlign bool, chip *image.RGBA) (match.Embedding, error) {
	img, err := loadImage(path, maxPixels)
	if err != nil {
		return match.Embedding{}, err
	}
	faces, err := p.Detect(img)
	if err != nil {
		return match.Embedding{}, err
	}
	if len(faces) == 0 {
		return match.Embedding{}, errNoFace
	}
	// The person is the face nearest the centre: crops of group photos
	// can show a neighbour at the edge.
	b := img.Bounds()
	cx, cy := float64(b.Min.X+b.Max.X)/2, float64(b.Min.Y+b.Max.Y)/2
	best := faces[0]
	bestD := math.Inf(1)
	for _, f := range faces {
		fx, fy := float64(f.Box.Min.X+f.Box.Max.X)/2, float64(f.Box.Min.Y+f.Box.Max.Y)/2
		if d := math.Hypot(fx-cx, fy-cy); d < bestD {
			best, bestD = f, d
		}
	}
	if noAlign {
		crop := imaging.Resize(imaging.Crop(img, best.Box), align.ChipSize, align.ChipSize, imaging.Linear)
		copy(chip.Pix, crop.Pix)
	} else if err := p.AlignInto(chip, img, best); err != nil {
		return match.Embedding{}, err
	}
	return p.Embed(chip)
}

type evalFile struct{ person, path string }

func evalFiles(dir string) ([]evalFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []evalFile
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		imgs, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, im := range imgs {
			switch strings.ToLower(filepath.Ext(im.Name())) {
			case ".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp":
				files = append(files, evalFile{e.Name(), filepath.Join(dir, e.Name(), im.Name())})
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no images in person folders; the layout is DIR/PERSON/*.jpg", dir)
	}
	return files, nil
}

func parseThresholds(s string) ([]float64, error) {
	var ts []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("-thresholds: %q is not a positive number", f)
		}
		ts = append(ts, v)
	}
	return ts, nil
}

func printEval(w io.Writer, r evalReport, plotPath string) {
	how := "aligned 150x150 chips"
	if !r.Aligned {
		how = "unaligned detector-box crops (-noalign)"
	}
	fmt.Fprintf(w, "%s: %d people, %d images, %s\n", r.Dir, r.People, r.Images, how)
	if len(r.NoFace) > 0 {
		fmt.Fprintf(w, "no face found in %d images (left out): %s\n", len(r.NoFace), strings.Join(r.NoFace, ", "))
	}
	fmt.Fprintf(w, "genuine pairs %d (distance min %.3f, median %.3f, max %.3f)\n", r.Genuine, r.GenuineD.Min, r.GenuineD.Median, r.GenuineD.Max)
	fmt.Fprintf(w, "impostor pairs %d (distance min %.3f, median %.3f, max %.3f)\n", r.Impostor, r.ImpostorD.Min, r.ImpostorD.Median, r.ImpostorD.Max)
	fmt.Fprintf(w, "EER %.2f%% at distance %.3f\n\n", 100*r.EER.Rate, r.EER.Threshold)
	fmt.Fprintf(w, "%-10s %-22s %-22s\n", "threshold", "FMR (false matches)", "FNMR (missed matches)")
	for _, t := range r.Table {
		fmt.Fprintf(w, "%-10.2f %6.2f%% %-14s %6.2f%% %s\n", t.Threshold,
			100*t.FMR, fmt.Sprintf("(%d/%d)", t.FalseMatches, r.Impostor),
			100*t.FNMR, fmt.Sprintf("(%d/%d)", t.FalseNonMatches, r.Genuine))
	}
	if plotPath != "" {
		fmt.Fprintf(w, "\nDET plot written to %s\n", plotPath)
	}
}

// progress reports how far a long loop has got: a self-overwriting line on a
// terminal, a line every tenth of the way otherwise.
type progress struct {
	w     io.Writer
	n     int
	tty   bool
	every int
}

func newProgress(w io.Writer, n int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, n: n, tty: tty, every: max(1, n/10)}
}

func (p *progress) step(i int, what string) {
	switch {
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[Kembedding %d/%d  %s", i+1, p.n, what)
	case i%p.every == 0:
		fmt.Fprintf(p.w, "embedding %d/%d …\n", i+1, p.n)
	}
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "embedded %d images\n", p.n)
}

// probit is the standard normal quantile, the DET plot's axis scale.
func probit(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

type probitTicks struct{}

func (probitTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, p := range []float64{0.0001, 0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 0.999} {
		v := probit(p)
		if v < lo || v > hi {
			continue
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(100*p, 'g', -1, 64) + "%"})
	}
	return ticks
}

func writeDETPlot(path string, det []match.DETPoint, title string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "false match rate (impostors accepted)"
	p.Y.Label.Text = "false non-match rate (genuine rejected)"
	p.X.Tick.Marker = probitTicks{}
	p.Y.Tick.Marker = probitTicks{}
	pts := make(plotter.XYs, len(det))
	for i, d := range det {
		pts[i] = plotter.XY{X: d.X, Y: d.Y}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	line.Width = vg.Points(2)
	p.Add(line, plotter.NewGrid())
	// Show the whole curve: its ends sit half a count from 0 and 1.
	lo, hi := 0.0, 0.0
	for _, d := range det {
		lo, hi = min(lo, d.X, d.Y), max(hi, d.X, d.Y)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo-0.1, hi+0.1, lo-0.1, hi+0.1
	return p.Save(5*vg.Inch, 5*vg.Inch, path)
}
