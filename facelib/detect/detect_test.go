package detect_test

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
	"testing"

	pigo "github.com/esimov/pigo/core"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/detect"
)

// TestTruth runs the detector with ParamsFor on every labelled image and
// checks it against the hand labels: each required face is matched by a
// detection with IoU >= 0.5, and no detection falls outside the labelled
// faces (so the no-face images give none).
func TestTruth(t *testing.T) {
	c := cascade(t)
	var tot score
	for _, im := range loadTruth(t) {
		t.Run(im.File, func(t *testing.T) {
			g := grayOf(t, im.File)
			d, err := detect.New(c, detect.ParamsFor(g.Width, g.Height))
			if err != nil {
				t.Fatal(err)
			}
			dets, err := d.Detect(g, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, matched := match(im.Faces, dets)
			tot.add(s)
			for i, f := range im.Faces {
				if !f.Optional && matched[i] == 0 {
					t.Errorf("labelled face %d %v (%s) not detected; detections %v", i, f.Box, f.Note, dets)
				}
			}
			if s.falsePos != 0 {
				t.Errorf("%d false positives among %v", s.falsePos, dets)
			}
			required := s.required
			if n := len(dets); n < required || n > len(im.Faces) {
				t.Errorf("%d faces detected, want %d..%d", n, required, len(im.Faces))
			}
			for i := 1; i < len(dets); i++ {
				if dets[i].Score > dets[i-1].Score {
					t.Errorf("detections not sorted by score: %v", dets)
				}
			}
		})
	}
	t.Logf("recall %d/%d, optional %d, false positives %d", tot.found, tot.required, tot.optionalFound, tot.falsePos)
}

// pigoRun is raw pigo: RunCascade then ClusterDetections at detect.ClusterIoU.
func pigoRun(pg *pigo.Pigo, g detect.Gray, p detect.Params) (raw, clusters []pigo.Detection) {
	cp := pigo.CascadeParams{
		MinSize: p.MinSize, MaxSize: p.MaxSize,
		ShiftFactor: p.ShiftFactor, ScaleFactor: p.ScaleFactor,
		ImageParams: pigo.ImageParams{Pixels: g.Pix, Rows: g.Height, Cols: g.Width, Dim: g.Stride},
	}
	raw = pg.RunCascade(cp, 0)
	raw = slices.Clone(raw)
	clusters = pg.ClusterDetections(slices.Clone(raw), detect.ClusterIoU)
	return raw, clusters
}

func unpackPigo(t testing.TB) *pigo.Pigo {
	t.Helper()
	pg, err := pigo.NewPigo().Unpack(assets.FaceFinder())
	if err != nil {
		t.Fatal(err)
	}
	return pg
}

func toFaces(d []pigo.Detection) []detect.Face {
	f := make([]detect.Face, len(d))
	for i, x := range d {
		f[i] = detect.Face{Row: x.Row, Col: x.Col, Size: x.Scale, Score: x.Q}
	}
	return f
}

// TestMatchesPigo checks that the reimplemented scan and clustering give
// exactly pigo's detections (same windows, bit-identical scores, same
// clusters in the same order) on real images, with and without a stride.
func TestMatchesPigo(t *testing.T) {
	c := cascade(t)
	pg := unpackPigo(t)
	strided := paddedGray(grayOf(t, "faceapi-sample3.jpg"), 37)
	tests := []struct {
		file    string
		g       detect.Gray
		minSize int
		shift   float64
		scale   float64
	}{
		{file: "astronaut.png", minSize: 20, shift: 0.1, scale: 1.1},
		{file: "pigo-sample.jpg", minSize: 40, shift: 0.1, scale: 1.1},
		{file: "faceapi-sample6.jpg", minSize: 60, shift: 0.1, scale: 1.1},
		{file: "faceapi-sample5.jpg", minSize: 50, shift: 0.05, scale: 1.2},
		{file: "faceapi-sample3.jpg (stride+37)", g: strided, minSize: 60, shift: 0.15, scale: 1.05},
		{file: "coins.png", minSize: 20, shift: 0.1, scale: 1.1},
		{file: "chelsea.png", minSize: 30, shift: 0.2, scale: 1.3},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			g := tc.g
			if g.Pix == nil {
				g = grayOf(t, tc.file)
			}
			p := detect.DefaultParams()
			p.MinSize, p.MaxSize, p.ShiftFactor, p.ScaleFactor = tc.minSize, 1000, tc.shift, tc.scale
			d, err := detect.New(c, p)
			if err != nil {
				t.Fatal(err)
			}
			wantRaw, wantClusters := pigoRun(pg, g, p)
			raw, err := d.Candidates(g, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(raw, toFaces(wantRaw)) {
				t.Fatalf("candidates differ from pigo.RunCascade: %d vs %d", len(raw), len(wantRaw))
			}
			clusters, err := d.Clusters(g, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(clusters, toFaces(wantClusters)) {
				t.Fatalf("clusters differ from pigo.ClusterDetections:\n got %v\nwant %v", clusters, toFaces(wantClusters))
			}
			if len(wantRaw) == 0 && tc.file != "chelsea.png" {
				t.Fatalf("pigo found nothing: the comparison is vacuous")
			}
		})
	}
}

// paddedGray copies g into a buffer whose rows are pad bytes longer than the
// image, with the padding filled with noise the detector must not read.
func paddedGray(g detect.Gray, pad int) detect.Gray {
	stride := g.Width + pad
	pix := make([]uint8, g.Height*stride)
	for i := range pix {
		pix[i] = uint8(i * 7919 >> 3)
	}
	for y := 0; y < g.Height; y++ {
		copy(pix[y*stride:y*stride+g.Width], g.Pix[y*g.Stride:y*g.Stride+g.Width])
	}
	return detect.Gray{Pix: pix, Width: g.Width, Height: g.Height, Stride: stride}
}

// TestStride checks that images with stride > width give the same faces as
// a compact copy: a sub-image of a larger RGBA canvas (converted by
// GrayFrom), a sub-image of an image.Gray and of an image.YCbCr (used in
// place), and raw RGBA with padded rows.
func TestStride(t *testing.T) {
	c := cascade(t)
	src := decode(t, "faceapi-sample3.jpg")
	b := src.Bounds()
	// The photo placed at (50, 30) inside a larger canvas, with other content around.
	canvas := image.NewRGBA(image.Rect(0, 0, b.Dx()+120, b.Dy()+70))
	draw.Draw(canvas, canvas.Bounds(), decode(t, "faceapi-sample6.jpg"), image.Point{}, draw.Src)
	at := image.Rect(50, 30, 50+b.Dx(), 30+b.Dy())
	draw.Draw(canvas, at, src, b.Min, draw.Src)
	sub := canvas.SubImage(at).(*image.RGBA)

	compact := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(compact, compact.Bounds(), src, b.Min, draw.Src)
	want := detectAll(t, c, detect.GrayFrom(compact, nil))
	if len(want) != 3 {
		t.Fatalf("compact image: %d faces, want the 3 labelled ones: %v", len(want), want)
	}

	grayCanvas := image.NewGray(canvas.Bounds())
	draw.Draw(grayCanvas, grayCanvas.Bounds(), canvas, image.Point{}, draw.Src)
	graySub := grayCanvas.SubImage(at).(*image.Gray)

	ycc := src.(*image.YCbCr) // the JPEG decoder's output
	yccCompact := detect.GrayFrom(ycc, nil)
	yccBig := image.NewYCbCr(image.Rect(0, 0, b.Dx()+64, b.Dy()+16), ycc.SubsampleRatio)
	// Copy the Y plane into the bigger image at (32, 8): only Y matters.
	for y := 0; y < b.Dy(); y++ {
		copy(yccBig.Y[yccBig.YOffset(32, 8+y):], ycc.Y[ycc.YOffset(0, y):ycc.YOffset(0, y)+b.Dx()])
	}
	yccSub := yccBig.SubImage(image.Rect(32, 8, 32+b.Dx(), 8+b.Dy())).(*image.YCbCr)

	rgbaPadded, err := detect.GrayFromRGBA(sub.Pix, b.Dx(), b.Dy(), sub.Stride, nil)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		g          detect.Gray
		want       []detect.Face
		wantStride int
	}{
		{"RGBA sub-image via GrayFrom", detect.GrayFrom(sub, nil), want, b.Dx()},
		{"RGBA sub-image via GrayFromRGBA", rgbaPadded, want, b.Dx()},
		{"Gray sub-image in place", detect.GrayFrom(graySub, nil), want, grayCanvas.Stride},
		{"YCbCr sub-image in place", detect.GrayFrom(yccSub, nil), detectAll(t, c, yccCompact), yccBig.YStride},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.g.Stride != tc.wantStride || tc.g.Width != b.Dx() || tc.g.Height != b.Dy() {
				t.Fatalf("gray %dx%d stride %d, want %dx%d stride %d", tc.g.Width, tc.g.Height, tc.g.Stride, b.Dx(), b.Dy(), tc.wantStride)
			}
			if got := detectAll(t, c, tc.g); !slices.Equal(got, tc.want) {
				t.Errorf("faces %v, want %v", got, tc.want)
			}
		})
	}
}

func detectAll(t *testing.T, c *detect.Cascade, g detect.Gray) []detect.Face {
	t.Helper()
	d, err := detect.New(c, detect.ParamsFor(g.Width, g.Height))
	if err != nil {
		t.Fatal(err)
	}
	f, err := d.Detect(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestDetectAllocs checks the per-frame path does not allocate once the
// detector's buffers have grown.
func TestDetectAllocs(t *testing.T) {
	c := cascade(t)
	g := frame640(t)
	d, err := detect.New(c, detect.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]detect.Face, 0, 16)
	var n int
	allocs := testing.AllocsPerRun(5, func() {
		dst, _ = d.Detect(g, dst)
		n = len(dst)
	})
	if allocs != 0 {
		t.Errorf("Detect: %v allocations per call, want 0", allocs)
	}
	if n == 0 {
		t.Error("no faces in the 640x480 frame: the allocation check ran on an empty path")
	}
	rgba := image.NewRGBA(image.Rect(0, 0, 640, 480))
	buf := make([]uint8, 640*480)
	allocs = testing.AllocsPerRun(5, func() {
		_, _ = detect.GrayFromRGBA(rgba.Pix, 640, 480, rgba.Stride, buf)
		_ = detect.GrayFrom(rgba, buf)
	})
	if allocs != 0 {
		t.Errorf("GrayFromRGBA/GrayFrom with a buffer: %v allocations per call, want 0", allocs)
	}
}

func TestDetectBadImage(t *testing.T) {
	d, err := detect.New(cascade(t), detect.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]uint8, 100*100)
	tests := []struct {
		name string
		g    detect.Gray
	}{
		{"zero", detect.Gray{}},
		{"negative width", detect.Gray{Pix: pix, Width: -1, Height: 100, Stride: 100}},
		{"zero height", detect.Gray{Pix: pix, Width: 100, Height: 0, Stride: 100}},
		{"stride below width", detect.Gray{Pix: pix, Width: 100, Height: 100, Stride: 99}},
		{"short pixels", detect.Gray{Pix: pix[:100*100-1], Width: 100, Height: 100, Stride: 100}},
		{"stride too long for pixels", detect.Gray{Pix: pix, Width: 100, Height: 100, Stride: 101}},
		{"huge height", detect.Gray{Pix: pix, Width: 100, Height: math.MaxInt / 50, Stride: 100}},
		{"huge stride", detect.Gray{Pix: pix, Width: 100, Height: 3, Stride: math.MaxInt / 2}},
		{"nil pixels", detect.Gray{Width: 10, Height: 10, Stride: 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := d.Detect(tc.g, nil)
			if !errors.Is(err, detect.ErrBadImage) {
				t.Errorf("Detect: err %v, want ErrBadImage", err)
			}
			if len(f) != 0 {
				t.Errorf("Detect returned faces %v with an error", f)
			}
			if _, err := d.Candidates(tc.g, nil); !errors.Is(err, detect.ErrBadImage) {
				t.Errorf("Candidates: err %v, want ErrBadImage", err)
			}
		})
	}
	// The smallest valid image: no window fits, no faces, no error.
	f, err := d.Detect(detect.Gray{Pix: []uint8{1}, Width: 1, Height: 1, Stride: 1}, nil)
	if err != nil || len(f) != 0 {
		t.Errorf("1x1 image: %v, %v", f, err)
	}
}

func TestNewBadParams(t *testing.T) {
	c := cascade(t)
	mod := func(f func(*detect.Params)) detect.Params {
		p := detect.DefaultParams()
		f(&p)
		return p
	}
	nan := math.NaN()
	tests := []struct {
		name string
		p    detect.Params
	}{
		{"zero", detect.Params{}},
		{"MinSize 3", mod(func(p *detect.Params) { p.MinSize = 3 })},
		{"negative MinSize", mod(func(p *detect.Params) { p.MinSize = -60 })},
		{"MaxSize below MinSize", mod(func(p *detect.Params) { p.MaxSize = p.MinSize - 1 })},
		{"ShiftFactor 0", mod(func(p *detect.Params) { p.ShiftFactor = 0 })},
		{"ShiftFactor above 1", mod(func(p *detect.Params) { p.ShiftFactor = 1.5 })},
		{"ShiftFactor NaN", mod(func(p *detect.Params) { p.ShiftFactor = nan })},
		{"ScaleFactor 1", mod(func(p *detect.Params) { p.ScaleFactor = 1 })},
		{"ScaleFactor Inf", mod(func(p *detect.Params) { p.ScaleFactor = math.Inf(1) })},
		{"ScaleFactor NaN", mod(func(p *detect.Params) { p.ScaleFactor = nan })},
		{"IoUThreshold negative", mod(func(p *detect.Params) { p.IoUThreshold = -0.1 })},
		{"IoUThreshold above 1", mod(func(p *detect.Params) { p.IoUThreshold = 1.1 })},
		{"IoUThreshold NaN", mod(func(p *detect.Params) { p.IoUThreshold = nan })},
		{"MinScore NaN", mod(func(p *detect.Params) { p.MinScore = float32(nan) })},
		{"MinScore -Inf", mod(func(p *detect.Params) { p.MinScore = float32(math.Inf(-1)) })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := detect.New(c, tc.p)
			if !errors.Is(err, detect.ErrBadParams) || d != nil {
				t.Errorf("New(%+v) = %v, %v; want ErrBadParams", tc.p, d, err)
			}
		})
	}
	if _, err := detect.New(nil, detect.DefaultParams()); !errors.Is(err, detect.ErrBadCascade) {
		t.Errorf("New(nil cascade): %v, want ErrBadCascade", err)
	}
	// Valid extremes are accepted, and a huge MaxSize does not hang or overflow.
	p := mod(func(p *detect.Params) { p.MaxSize = math.MaxInt; p.ShiftFactor = 1; p.ScaleFactor = 4 })
	d, err := detect.New(c, p)
	if err != nil {
		t.Fatalf("New(%+v): %v", p, err)
	}
	if _, err := d.Detect(grayOf(t, "astronaut.png"), nil); err != nil {
		t.Fatal(err)
	}
}

// TestScales checks the window enumeration against the scan: every raw
// detection is one of the enumerated windows, windows lie inside the image,
// and the first pass is at MinSize.
func TestScales(t *testing.T) {
	c := cascade(t)
	g := frame640(t)
	p := detect.DefaultParams()
	p.MinSize = 40
	d, err := detect.New(c, p)
	if err != nil {
		t.Fatal(err)
	}
	scales := d.Scales(g.Width, g.Height, nil)
	if len(scales) == 0 || scales[0].Size != p.MinSize {
		t.Fatalf("scales %v: want the first at MinSize %d", scales, p.MinSize)
	}
	windows := map[detect.Face]bool{}
	total := 0
	bounds := image.Rect(0, 0, g.Width, g.Height)
	for i, s := range scales {
		if i > 0 && s.Size <= scales[i-1].Size {
			t.Fatalf("scale sizes not increasing: %v", scales)
		}
		if s.Size > p.MaxSize || s.Size > min(g.Width, g.Height) {
			t.Fatalf("scale %v beyond MaxSize %d or the image", s, p.MaxSize)
		}
		for r := 0; r < s.Rows; r++ {
			for c := 0; c < s.Cols; c++ {
				w := s.Window(r, c)
				if !w.Rect().In(bounds) {
					t.Fatalf("window %v (%v) outside the %v image", w, w.Rect(), bounds)
				}
				windows[w] = true
			}
		}
		total += s.Windows()
	}
	if total != len(windows) {
		t.Fatalf("%d windows enumerated, %d distinct", total, len(windows))
	}
	raw, err := d.Candidates(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 {
		t.Fatal("no raw detections")
	}
	for _, f := range raw {
		w := f
		w.Score = 0
		if !windows[w] {
			t.Fatalf("raw detection %v is not an enumerated window", f)
		}
	}
	if got := d.Scales(10, 10, nil); len(got) != 0 {
		t.Errorf("10x10 image: scales %v, want none", got)
	}
}

// TestGrayFrom checks every conversion path against image/color.GrayModel
// (and the Y plane for YCbCr), on sub-images with non-zero origins.
func TestGrayFrom(t *testing.T) {
	src := decode(t, "astronaut.png") // *image.RGBA or NRGBA from the PNG decoder
	r := image.Rect(13, 7, 13+200, 7+150)
	rgba := image.NewRGBA(src.Bounds())
	draw.Draw(rgba, rgba.Bounds(), src, image.Point{}, draw.Src)
	nrgba := image.NewNRGBA(src.Bounds())
	draw.Draw(nrgba, nrgba.Bounds(), src, image.Point{}, draw.Src)
	// Translucent pixels exercise NRGBA's premultiplication.
	for i := 3; i < len(nrgba.Pix); i += 4 * 5 {
		nrgba.Pix[i] = uint8(i)
	}
	rgba64 := image.NewRGBA64(src.Bounds())
	draw.Draw(rgba64, rgba64.Bounds(), src, image.Point{}, draw.Src)
	gray := image.NewGray(src.Bounds())
	draw.Draw(gray, gray.Bounds(), src, image.Point{}, draw.Src)

	tests := []struct {
		name string
		img  image.Image
	}{
		{"RGBA", rgba.SubImage(r)},
		{"NRGBA", nrgba.SubImage(r)},
		{"RGBA64 (generic path)", rgba64.SubImage(r)},
		{"Gray", gray.SubImage(r)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := detect.GrayFrom(tc.img, nil)
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			if g.Width != r.Dx() || g.Height != r.Dy() {
				t.Fatalf("size %dx%d, want %dx%d", g.Width, g.Height, r.Dx(), r.Dy())
			}
			for y := 0; y < g.Height; y++ {
				for x := 0; x < g.Width; x++ {
					want := color.GrayModel.Convert(tc.img.At(r.Min.X+x, r.Min.Y+y)).(color.Gray).Y
					if got := g.At(x, y); got != want {
						t.Fatalf("(%d,%d): %d, want %d", x, y, got, want)
					}
				}
			}
		})
	}
	t.Run("YCbCr", func(t *testing.T) {
		ycc := decode(t, "pigo-sample.jpg").(*image.YCbCr)
		sub := ycc.SubImage(image.Rect(5, 9, 105, 209)).(*image.YCbCr)
		g := detect.GrayFrom(sub, nil)
		if g.Width != 100 || g.Height != 200 || g.Stride != ycc.YStride {
			t.Fatalf("gray %dx%d stride %d", g.Width, g.Height, g.Stride)
		}
		for y := 0; y < g.Height; y++ {
			for x := 0; x < g.Width; x++ {
				if got, want := g.At(x, y), ycc.Y[ycc.YOffset(5+x, 9+y)]; got != want {
					t.Fatalf("(%d,%d): %d, want Y %d", x, y, got, want)
				}
			}
		}
	})
	t.Run("buffer reuse", func(t *testing.T) {
		buf := make([]uint8, 0, r.Dx()*r.Dy())
		g := detect.GrayFrom(rgba.SubImage(r), buf)
		if &g.Pix[0] != &buf[:1][0] {
			t.Error("GrayFrom did not reuse a big enough buffer")
		}
	})
	t.Run("empty", func(t *testing.T) {
		g := detect.GrayFrom(image.NewRGBA(image.Rect(0, 0, 0, 5)), nil)
		if err := g.Validate(); !errors.Is(err, detect.ErrBadImage) {
			t.Errorf("empty image: %v, want ErrBadImage", err)
		}
	})
}

func TestGrayFromRGBABad(t *testing.T) {
	pix := make([]uint8, 4*10*10)
	tests := []struct {
		name            string
		pix             []uint8
		w, h, stride    int
		wantErr         bool
		wantW, wantH    int
		wantPixelsFromX int
	}{
		{name: "ok", pix: pix, w: 10, h: 10, stride: 40},
		{name: "ok, stride > 4w", pix: pix, w: 9, h: 10, stride: 40},
		{name: "ok, last row short", pix: pix[:4*10*9+4*5], w: 5, h: 10, stride: 40},
		{name: "zero width", pix: pix, w: 0, h: 10, stride: 40, wantErr: true},
		{name: "negative height", pix: pix, w: 10, h: -1, stride: 40, wantErr: true},
		{name: "stride < 4w", pix: pix, w: 10, h: 10, stride: 39, wantErr: true},
		{name: "short", pix: pix[:len(pix)-1], w: 10, h: 10, stride: 40, wantErr: true},
		{name: "nil", pix: nil, w: 10, h: 10, stride: 40, wantErr: true},
		{name: "huge", pix: pix, w: 1 << 20, h: 1 << 20, stride: 4 << 20, wantErr: true},
		{name: "overflowing stride", pix: pix, w: 10, h: 10, stride: math.MaxInt / 4, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := detect.GrayFromRGBA(tc.pix, tc.w, tc.h, tc.stride, nil)
			if tc.wantErr {
				if !errors.Is(err, detect.ErrBadImage) {
					t.Errorf("err %v, want ErrBadImage", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Width != tc.w || g.Height != tc.h || g.Stride != tc.w || g.Validate() != nil {
				t.Errorf("gray %dx%d stride %d", g.Width, g.Height, g.Stride)
			}
		})
	}
}

func TestFaceRectAndOverlap(t *testing.T) {
	tests := []struct {
		a, b    detect.Face
		rect    image.Rectangle
		overlap float64
	}{
		{detect.Face{Row: 50, Col: 40, Size: 20}, detect.Face{Row: 50, Col: 40, Size: 10}, image.Rect(30, 40, 50, 60), 1},
		{detect.Face{Row: 50, Col: 40, Size: 21}, detect.Face{Row: 50, Col: 60, Size: 20}, image.Rect(30, 40, 51, 61), 0.05},
		{detect.Face{Row: 10, Col: 10, Size: 10}, detect.Face{Row: 100, Col: 100, Size: 10}, image.Rect(5, 5, 15, 15), 0},
	}
	for _, tc := range tests {
		if got := tc.a.Rect(); got != tc.rect || got.Dx() != tc.a.Size || got.Dy() != tc.a.Size {
			t.Errorf("%+v.Rect() = %v, want %v", tc.a, got, tc.rect)
		}
		if got := detect.Overlap(tc.a, tc.b); math.Abs(got-tc.overlap) > 1e-9 {
			t.Errorf("Overlap(%+v, %+v) = %v, want %v", tc.a, tc.b, got, tc.overlap)
		}
		if got, back := detect.Overlap(tc.a, tc.b), detect.Overlap(tc.b, tc.a); got != back {
			t.Errorf("Overlap not symmetric: %v vs %v", got, back)
		}
	}
	if got := detect.IoU(image.Rect(0, 0, 10, 10), image.Rect(5, 0, 15, 10)); math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("IoU = %v, want 1/3", got)
	}
}

// TestParamsFor checks the size scaling and that DefaultParams is the
// 640x480 case.
func TestParamsFor(t *testing.T) {
	if got, want := detect.ParamsFor(640, 480), detect.DefaultParams(); got != want {
		t.Errorf("ParamsFor(640, 480) = %+v, want DefaultParams %+v", got, want)
	}
	for _, sz := range [][2]int{{1920, 1080}, {960, 640}, {320, 400}, {100, 100}, {16, 16}} {
		p := detect.ParamsFor(sz[0], sz[1])
		if err := p.Validate(); err != nil {
			t.Errorf("ParamsFor(%v): %v", sz, err)
		}
		if short := min(sz[0], sz[1]); short >= 160 && (p.MinSize != short/8 || p.MaxSize != short) {
			t.Errorf("ParamsFor(%v) = %+v: want MinSize %d, MaxSize %d", sz, p, short/8, short)
		}
	}
}

// frame640 is a 640x480 camera-sized frame made from a test photo: the four
// people of faceapi-sample6 (scaled to 640 wide, top 480 rows).
func frame640(t testing.TB) detect.Gray {
	t.Helper()
	src := decode(t, "faceapi-sample6.jpg")
	b := src.Bounds()
	h := b.Dy() * 640 / b.Dx()
	scaled := image.NewRGBA(image.Rect(0, 0, 640, h))
	scaleImage(scaled, src)
	rgba := scaled.SubImage(image.Rect(0, 0, 640, 480)).(*image.RGBA)
	g, err := detect.GrayFromRGBA(rgba.Pix, 640, 480, rgba.Stride, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func ExampleFace_Rect() {
	f := detect.Face{Row: 120, Col: 200, Size: 80, Score: 42}
	fmt.Println(f.Rect())
	// Output: (160,80)-(240,160)
}
