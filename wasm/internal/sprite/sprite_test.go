package sprite

import (
	"math"
	"testing"
)

func alphaAt(pix []byte, x, y int) byte { return pix[4*(y*Width+x)+3] }

// TestSheet checks the sheet against the geometry it stands for: the disc's
// total coverage is the circle's area, pixels well inside are opaque and
// well outside clear, every pixel is premultiplied white, the pixel sprite
// and its surroundings are opaque, the rest is clear.
func TestSheet(t *testing.T) {
	pix := Sheet()
	if len(pix) != 4*Width*Height {
		t.Fatalf("len = %d, want %d", len(pix), 4*Width*Height)
	}
	var area float64
	for y := 0; y < Height; y++ {
		for x := 0; x < Width; x++ {
			i := 4 * (y*Width + x)
			p := pix[i : i+4]
			if p[0] != p[3] || p[1] != p[3] || p[2] != p[3] {
				t.Fatalf("pixel (%d,%d) = %v is not premultiplied white", x, y, p)
			}
			if x >= DiscSize {
				continue
			}
			area += float64(p[3]) / 255
			d := math.Hypot(float64(x)+0.5-DiscSize/2.0, float64(y)+0.5-DiscSize/2.0)
			switch {
			case d < Radius-1 && p[3] != 255:
				t.Errorf("pixel (%d,%d) at distance %.2f inside the disc has alpha %d", x, y, d, p[3])
			case d > Radius+1 && p[3] != 0:
				t.Errorf("pixel (%d,%d) at distance %.2f outside the disc has alpha %d", x, y, d, p[3])
			}
		}
	}
	if want := math.Pi * Radius * Radius; math.Abs(area-want) > 0.01*want {
		t.Errorf("disc coverage %.1f px², want %.1f ± 1 %%", area, want)
	}
	for _, tc := range []struct {
		name  string
		x, y  int
		alpha byte
	}{
		{"disc centre", DiscSize / 2, DiscSize / 2, 255},
		{"disc corner", 0, 0, 0},
		{"pixel sprite", Pixel.Min.X, Pixel.Min.Y, 255},
		{"pixel sprite's neighbour left", Pixel.Min.X - 1, Pixel.Min.Y, 255},
		{"pixel sprite's neighbour below", Pixel.Min.X, Pixel.Max.Y, 255},
		{"below the square", DiscSize, 4, 0},
		{"last pixel", Width - 1, Height - 1, 0},
	} {
		if a := alphaAt(pix, tc.x, tc.y); a != tc.alpha {
			t.Errorf("%s (%d,%d): alpha %d, want %d", tc.name, tc.x, tc.y, a, tc.alpha)
		}
	}
	if !Disc.In(Disc.Union(Pixel)) || Disc.Overlaps(Pixel) || Pixel.Max.X > Width || Disc.Max.Y > Height {
		t.Errorf("sprites %v and %v do not fit apart in %dx%d", Disc, Pixel, Width, Height)
	}
}

func BenchmarkSheet(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Sheet()
	}
}
