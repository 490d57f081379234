package main

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"io/fs"
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
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/facelib/rates"
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
	jsonHeader
	Dir     string `json:"dir"`
	Aligned bool   `json:"aligned"`
	People  int    `json:"people"`
	Images  int    `json:"images"`
	// Linked lists the person folders that are symbolic links; eval
	// follows them and says so.
	Linked    []string   `json:"followed_links,omitempty"`
	NoFace    []string   `json:"no_face,omitempty"`
	Failed    []string   `json:"failed,omitempty"`
	Genuine   int        `json:"genuine_pairs"`
	Impostor  int        `json:"impostor_pairs"`
	EER       evalEER    `json:"eer"`
	Table     []evalRate `json:"table"`
	GenuineD  summary    `json:"genuine_distance"`
	ImpostorD summary    `json:"impostor_distance"`
	DET       []evalDET  `json:"det,omitempty"`
}

// evalEER is the equal error rate and the distance at which it is reached.
type evalEER struct {
	Rate      float64 `json:"rate"`
	Threshold float64 `json:"threshold"`
}

// evalRate is one row of the FMR/FNMR table.
type evalRate struct {
	Threshold       float64 `json:"threshold"`
	FMR             float64 `json:"fmr"`
	FNMR            float64 `json:"fnmr"`
	FalseMatches    int     `json:"false_matches"`
	FalseNonMatches int     `json:"false_non_matches"`
}

// evalDET is one point of the DET curve; x and y are the probits of FMR and
// FNMR, the plot's coordinates.
type evalDET struct {
	Threshold float64 `json:"threshold"`
	FMR       float64 `json:"fmr"`
	FNMR      float64 `json:"fnmr"`
	X         float64 `json:"x"`
	Y         float64 `json:"y"`
}

func toEvalRate(r rates.Rate) evalRate {
	return evalRate{r.Threshold, r.FMR, r.FNMR, r.FalseMatches, r.FalseNonMatches}
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
	asJSON := fs.Bool("json", false, "print the report as one JSON document (schema_version 1) on stdout, errors included")
	plotPath := fs.String("plot", "", "write a DET plot (800x800 PNG) to this `file`")
	noAlign := fs.Bool("noalign", false, "embed an unrotated crop of the detector box instead of the aligned chip, to see what alignment is worth")
	thresholds := fs.String("thresholds", "0.4,0.5,0.6,0.7,0.8", "comma-separated distance thresholds for the FMR/FNMR table")
	maxMP := maxMegapixelsFlag(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: facewatch eval [flags] DIR

Measures recognition errors on a folder with one subfolder per person:
DIR/PERSON/*.jpg (or .png, .webp, .gif, .bmp). Every pair of photos of the
same person is a genuine pair, every pair of different people an impostor
pair. Person folders that are symbolic links are followed, and the report
names them. Progress goes to stderr.

Flags may come before or after DIR; "--" ends them.

Flags:
`)
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return errUsage
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageJSON(stdout, *asJSON, "eval", fmt.Sprintf("eval takes one folder, got %d arguments", len(pos)))
	}
	ts, err := parseThresholds(*thresholds)
	if err != nil {
		fmt.Fprintf(stderr, "facewatch eval: %v\n", err)
		return usageJSON(stdout, *asJSON, "eval", err.Error())
	}
	dir := pos[0]
	fail := func(err error) error {
		if *asJSON {
			return failJSON(stdout, "eval", dir, err)
		}
		return err
	}
	files, linked, err := evalFiles(dir)
	if err != nil {
		return fail(err)
	}
	for _, l := range linked {
		fmt.Fprintf(stderr, "facewatch eval: following the symbolic link %s\n", l)
	}
	p, err := newPipeline(true)
	if err != nil {
		return fail(err)
	}
	rep := evalReport{jsonHeader: header("eval"), Dir: dir, Aligned: !*noAlign, Images: len(files), Linked: linked}
	prog := newProgress(stderr, len(files))
	var samples []evalSample
	people := map[string]bool{}
	chip := image.NewRGBA(image.Rect(0, 0, align.ChipSize, align.ChipSize))
	for i, f := range files {
		prog.step(i, f.path)
		e, err := evalEmbed(p, f.path, maxMP.pixels(), *noAlign, chip)
		switch {
		case errors.Is(err, errNoFace):
			rep.NoFace = append(rep.NoFace, f.path)
			continue
		case err != nil:
			rep.Failed = append(rep.Failed, f.path)
			prog.clear()
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
		return fail(fmt.Errorf("%s: need at least two people with two usable photos each (got %d genuine and %d impostor pairs); the layout is DIR/PERSON/*.jpg",
			dir, len(genuine), len(impostor)))
	}
	scores, err := rates.NewScores(genuine, impostor, rates.Distances)
	if err != nil {
		return fail(err)
	}
	eer := scores.EER()
	rep.EER = evalEER{eer.Rate, eer.Threshold}
	table, err := scores.CurveAt(ts)
	if err != nil {
		return fail(err)
	}
	for _, r := range table {
		rep.Table = append(rep.Table, toEvalRate(r))
	}
	rep.GenuineD, rep.ImpostorD = summarise(genuine), summarise(impostor)
	det := scores.DET(400)
	if *plotPath != "" {
		title := "aligned chips"
		if *noAlign {
			title = "unaligned crops (-noalign)"
		}
		title = fmt.Sprintf("DET, %s: %d people, %d genuine and %d impostor pairs", title, rep.People, rep.Genuine, rep.Impostor)
		if err := writeDETPlot(*plotPath, det, eer, title); err != nil {
			return fail(fmt.Errorf("writing the plot: %w", err))
		}
	}
	if *asJSON {
		for _, d := range det {
			rep.DET = append(rep.DET, evalDET{d.Threshold, d.FMR, d.FNMR, d.X, d.Y})
		}
		if err := writeJSON(stdout, rep, true); err != nil {
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

// evalFiles lists DIR/PERSON/IMAGE. Person folders that are symbolic links
// to folders are followed and returned in linked; any other non-folder is
// skipped, as are files without an image extension.
func evalFiles(dir string) (files []evalFile, linked []string, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range ents {
		person := filepath.Join(dir, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			st, err := os.Stat(person)
			if err != nil {
				return nil, nil, fmt.Errorf("person folder %s is a broken symbolic link: %w", person, err)
			}
			if !st.IsDir() {
				continue
			}
			linked = append(linked, person)
		} else if !e.IsDir() {
			continue
		}
		imgs, err := os.ReadDir(person)
		if err != nil {
			return nil, nil, err
		}
		for _, im := range imgs {
			switch strings.ToLower(filepath.Ext(im.Name())) {
			case ".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp":
				files = append(files, evalFile{e.Name(), filepath.Join(person, im.Name())})
			}
		}
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("%s: no images in person folders; the layout is DIR/PERSON/*.jpg", dir)
	}
	return files, linked, nil
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
	if len(r.Linked) > 0 {
		fmt.Fprintf(w, "followed %d person %s: %s\n", len(r.Linked),
			plural(len(r.Linked), "folder that is a symbolic link", "folders that are symbolic links"), strings.Join(r.Linked, ", "))
	}
	if len(r.NoFace) > 0 {
		fmt.Fprintf(w, "no face found in %d images (left out): %s\n", len(r.NoFace), strings.Join(r.NoFace, ", "))
	}
	fmt.Fprintf(w, "genuine pairs %d (distance min %.3f, median %.3f, max %.3f)\n", r.Genuine, r.GenuineD.Min, r.GenuineD.Median, r.GenuineD.Max)
	fmt.Fprintf(w, "impostor pairs %d (distance min %.3f, median %.3f, max %.3f)\n", r.Impostor, r.ImpostorD.Min, r.ImpostorD.Median, r.ImpostorD.Max)
	fmt.Fprintf(w, "EER %.2f%% at distance %.3f (where false matches and missed matches are equally frequent)\n\n", 100*r.EER.Rate, r.EER.Threshold)
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

// clear removes a terminal's progress line before another message.
func (p *progress) clear() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
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

// detPlotPixels is the DET plot's width and height.
const detPlotPixels = 800

// writeDETPlot draws the curve on probit axes, with the line where FMR equals
// FNMR and the equal error rate marked on it.
func writeDETPlot(path string, det []rates.DETPoint, eer rates.EER, title string) error {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(14)
	p.X.Label.Text = "false match rate (impostor pairs accepted)"
	p.Y.Label.Text = "false non-match rate (genuine pairs rejected)"
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Marker = probitTicks{}
		a.Label.TextStyle.Font.Size = vg.Points(12)
		a.Tick.Label.Font.Size = vg.Points(11)
		a.Label.Padding = vg.Points(6)
	}
	pts := make(plotter.XYs, len(det))
	for i, d := range det {
		pts[i] = plotter.XY{X: d.X, Y: d.Y}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	line.Width = vg.Points(2)
	// Show the whole curve: its ends sit half a count from 0 and 1.
	lo, hi := 0.0, 0.0
	for _, d := range det {
		lo, hi = min(lo, d.X, d.Y), max(hi, d.X, d.Y)
	}
	lo, hi = lo-0.1, hi+0.1
	diag, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	if err != nil {
		return err
	}
	diag.Color = color.Gray{160}
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(4)}
	e := probit(min(max(eer.Rate, 1e-6), 1-1e-6))
	mark, err := plotter.NewScatter(plotter.XYs{{X: e, Y: e}})
	if err != nil {
		return err
	}
	mark.GlyphStyle.Shape = draw.CircleGlyph{}
	mark.GlyphStyle.Radius = vg.Points(5)
	mark.GlyphStyle.Color = color.RGBA{200, 30, 30, 255}
	p.Add(plotter.NewGrid(), diag, line, mark)
	p.Legend.Add("DET curve", line)
	p.Legend.Add("FMR = FNMR", diag)
	p.Legend.Add(fmt.Sprintf("EER %.2f%% at distance %.3f", 100*eer.Rate, eer.Threshold), mark)
	// Top left, clear of the diagonal and of a curve's near-vertical start.
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(36), -vg.Points(8)
	p.Legend.TextStyle.Font.Size = vg.Points(12)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi

	side := vg.Length(detPlotPixels) * vg.Inch / vgimg.DefaultDPI
	c := vgimg.NewWith(vgimg.UseWH(side, side), vgimg.UseDPI(vgimg.DefaultDPI))
	dc := draw.New(c)
	// A white page with a margin, so the title and the legend keep clear of
	// the edges.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	m := vg.Points(14)
	p.Draw(draw.Crop(dc, m, -m, m, -m))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
