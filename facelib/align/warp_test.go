package align

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/facewatch/facewatch/facelib/detect"
)

// plainImage hides the concrete type so Warp takes its generic path.
type plainImage struct{ image.Image }

func crop(src *image.RGBA, r image.Rectangle) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Rect, src, r.Min, draw.Src)
	return out
}

// TestWarpIdentity: an integer translation copies pixels exactly, from every
// source type and from a raw frame.
func TestWarpIdentity(t *testing.T) {
	src := loadRGBA(t, "astronaut.png")
	r := image.Rect(180, 60, 280, 170)
	want := crop(src, r)
	tr := Transform{A: 1, Tx: -float64(r.Min.X), Ty: -float64(r.Min.Y)}

	nrgba := image.NewNRGBA(src.Rect)
	draw.Draw(nrgba, nrgba.Rect, src, image.Point{}, draw.Src)
	// A sub-image: bounds not at the origin, points stay in its coordinates.
	sub := src.SubImage(image.Rect(100, 40, 400, 300)).(*image.RGBA)
	grayImg := image.NewGray(src.Rect)
	draw.Draw(grayImg, grayImg.Rect, src, image.Point{}, draw.Src)
	wantGray := image.NewRGBA(want.Rect)
	draw.Draw(wantGray, wantGray.Rect, grayImg, r.Min, draw.Src)

	cases := []struct {
		name string
		src  image.Image
		want *image.RGBA
	}{
		{"RGBA", src, want},
		{"NRGBA", nrgba, want},
		{"sub-image", sub, want},
		{"Gray", grayImg, wantGray},
		{"generic", plainImage{src}, want},
	}
	for _, c := range cases {
		dst := image.NewRGBA(want.Rect)
		if err := tr.Warp(dst, c.src); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !bytes.Equal(dst.Pix, c.want.Pix) {
			t.Errorf("%s: integer translation did not copy the pixels", c.name)
		}
	}
	dst := image.NewRGBA(want.Rect)
	// A frame with padding at the end of each row.
	stride := 4*src.Rect.Dx() + 12
	pix := make([]uint8, stride*src.Rect.Dy())
	for y := 0; y < src.Rect.Dy(); y++ {
		copy(pix[y*stride:], src.Pix[y*src.Stride:y*src.Stride+4*src.Rect.Dx()])
	}
	if err := tr.WarpFrame(dst, Frame{Pix: pix, Width: src.Rect.Dx(), Height: src.Rect.Dy(), Stride: stride}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dst.Pix, want.Pix) {
		t.Error("WarpFrame: integer translation did not copy the pixels")
	}
}

// TestWarpYCbCr: a decoded JPEG (YCbCr) warps like its RGBA conversion.
func TestWarpYCbCr(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(assetsDir, "testdata", "pigo-sample.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	ycc, ok := img.(*image.YCbCr)
	if !ok {
		t.Fatalf("decoded %T, want *image.YCbCr", img)
	}
	rgba := image.NewRGBA(ycc.Rect)
	draw.Draw(rgba, rgba.Rect, ycc, image.Point{}, draw.Src)
	tr := ChipTransform(Point{113.8, 183.0}, Point{204.1, 181.8}, ChipSize, ChipPadding)
	a, c := image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize)), image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))
	if err := tr.Warp(a, ycc); err != nil {
		t.Fatal(err)
	}
	if err := tr.Warp(c, rgba); err != nil {
		t.Fatal(err)
	}
	worst := 0
	for i := range a.Pix {
		worst = max(worst, absInt(int(a.Pix[i])-int(c.Pix[i])))
	}
	if worst > 1 {
		t.Errorf("YCbCr and RGBA chips differ by up to %d levels", worst)
	}
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestWarpBilinear: a half-pixel shift averages neighbours; outside the image
// is black.
func TestWarpBilinear(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 4, 1))
	for x, v := range []uint8{0, 100, 200, 50} {
		src.SetRGBA(x, 0, color.RGBA{v, v / 2, 255 - v, 255})
	}
	dst := image.NewRGBA(image.Rect(0, 0, 5, 1))
	// chip x = image x + 0.5 - 1 → chip pixel u samples image x = u + 0.5.
	tr := Transform{A: 1, Tx: -0.5}
	if err := tr.Warp(dst, src); err != nil {
		t.Fatal(err)
	}
	want := []color.RGBA{{50, 25, 205, 255}, {150, 75, 105, 255}, {125, 63, 130, 255}, {0, 0, 0, 255}, {0, 0, 0, 255}}
	for u, w := range want {
		if got := dst.RGBAAt(u, 0); absInt(int(got.R)-int(w.R)) > 1 || absInt(int(got.G)-int(w.G)) > 1 || absInt(int(got.B)-int(w.B)) > 1 || got.A != 255 {
			t.Errorf("pixel %d = %v, want %v", u, got, w)
		}
	}
}

// TestWarpSupersamples: shrinking a one-pixel checkerboard four times must
// give mid grey, not the aliased black or white a single sample would.
func TestWarpSupersamples(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 400, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 400; x++ {
			if (x+y)%2 == 0 {
				src.Pix[y*400+x] = 255
			}
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, 60, 60))
	tr := Transform{A: 0.25, Tx: 10, Ty: 10} // image (40..280) → chip (20..80)
	if err := tr.Warp(dst, src); err != nil {
		t.Fatal(err)
	}
	for v := 12; v < 48; v++ {
		for u := 12; u < 48; u++ {
			if g := dst.RGBAAt(u, v).R; g < 117 || g > 138 {
				t.Fatalf("chip pixel (%d,%d) = %d, want about 127", u, v, g)
			}
		}
	}
}

// TestWarpedChipHasEyesAtTemplate warps real faces with Locate's chip and
// runs the pupil cascade again inside the chip: the pupils it finds there
// must sit on the template eye positions, each within the pupil locator's
// own error bound (maxPupilErrIOD of the chip's eye distance), and on
// average with no offset (a geometric mistake in Warp, such as a half-pixel
// shift or a wrong rotation sign, would show up as a mean offset).
func TestWarpedChipHasEyesAtTemplate(t *testing.T) {
	a := newAligner(t, Options{Perturbations: 63, Seed: 1})
	wl, wr := TemplateEyes(ChipSize, ChipPadding)
	iod := dist(wl, wr)
	chip := image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))
	var sum Point
	var n int
	for _, lf := range labelFiles {
		for _, im := range loadLabels(t, lf).Images {
			if len(im.Faces) == 0 {
				continue
			}
			img := loadRGBA(t, im.File)
			g := grayOf(img)
			for _, d := range detectLabelled(t, g, im.Faces) {
				var r Result
				if err := a.Locate(g, d.face, &r); err != nil {
					t.Fatal(err)
				}
				if err := r.Chip.Warp(chip, img); err != nil {
					t.Fatal(err)
				}
				cg := detect.GrayFrom(chip, nil)
				// The face box a detector would give for this chip: eyes
				// 2*eyeSide box sides apart, eyeUp sides above its centre.
				size := iod / (2 * eyeSide)
				f := detect.Face{Row: int(math.Round(wl.Y + eyeUp*size)), Col: int(math.Round((wl.X + wr.X) / 2)), Size: int(math.Round(size))}
				var cr Result
				if err := a.Locate(cg, f, &cr); err != nil {
					t.Fatal(err)
				}
				if e := max(dist(cr.LeftEye, wl), dist(cr.RightEye, wr)); e > maxPupilErrIOD*iod || !cr.EyesFound {
					t.Errorf("%s: pupils in the chip at %.1f %.1f, template %.1f %.1f (off by %.2f px)", im.File, cr.LeftEye, cr.RightEye, wl, wr, e)
				}
				sum.X += cr.LeftEye.X - wl.X + cr.RightEye.X - wr.X
				sum.Y += cr.LeftEye.Y - wl.Y + cr.RightEye.Y - wr.Y
				n += 2
			}
		}
	}
	mean := Point{sum.X / float64(n), sum.Y / float64(n)}
	t.Logf("%d pupils found in chips; mean offset from the template %.2f px", n, mean)
	if math.Abs(mean.X) > 1 || math.Abs(mean.Y) > 1 {
		t.Errorf("pupils in the chips are offset from the template by %.2f px on average", mean)
	}
}

func TestWarpErrors(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 10, 10))
	chip := image.NewRGBA(image.Rect(0, 0, 5, 5))
	ok := Transform{A: 1}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"nil dst", ok.Warp(nil, src), ErrBadImage},
		{"empty dst", ok.Warp(&image.RGBA{}, src), ErrBadImage},
		{"short dst", ok.Warp(&image.RGBA{Pix: make([]uint8, 10), Stride: 20, Rect: image.Rect(0, 0, 5, 5)}, src), ErrBadImage},
		{"nil src", ok.Warp(chip, nil), ErrBadImage},
		{"empty src", ok.Warp(chip, image.NewRGBA(image.Rectangle{})), ErrBadImage},
		{"zero transform", Transform{}.Warp(chip, src), ErrBadTransform},
		{"NaN transform", Transform{A: math.NaN()}.Warp(chip, src), ErrBadTransform},
		{"coincident eyes", ChipTransform(Point{3, 3}, Point{3, 3}, 5, 0.25).Warp(chip, src), ErrBadTransform},
		{"frame short pixels", ok.WarpFrame(chip, Frame{Pix: make([]uint8, 39), Width: 10, Height: 1, Stride: 40}), ErrBadImage},
		{"frame stride", ok.WarpFrame(chip, Frame{Pix: make([]uint8, 400), Width: 10, Height: 10, Stride: 39}), ErrBadImage},
		{"frame zero", ok.WarpFrame(chip, Frame{}), ErrBadImage},
		{"frame huge", ok.WarpFrame(chip, Frame{Pix: make([]uint8, 4), Width: 1 << 20, Height: 1 << 20, Stride: 4 << 20}), ErrBadImage},
		{"frame ok", ok.WarpFrame(chip, Frame{Pix: make([]uint8, 40), Width: 10, Height: 1, Stride: 40}), nil},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) || (c.want == nil) != (c.err == nil) {
			t.Errorf("%s: err %v, want %v", c.name, c.err, c.want)
		}
	}
}

func TestChipRGB(t *testing.T) {
	chip := image.NewRGBA(image.Rect(0, 0, 2, 2))
	chip.Pix = []uint8{1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255, 10, 11, 12, 255}
	buf := ChipRGB(nil, chip)
	if want := []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; !bytes.Equal(buf, want) {
		t.Fatalf("ChipRGB = %v, want %v", buf, want)
	}
	if n := testing.AllocsPerRun(10, func() { buf = ChipRGB(buf, chip) }); n != 0 {
		t.Errorf("ChipRGB with a reused buffer: %v allocations", n)
	}
}
