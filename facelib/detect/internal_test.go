package detect

import (
	"image/jpeg"
	"os"
	"testing"
)

// TestClassifyPaths checks that the offset-table classifier (used for
// every image below 1 GB) gives bit-identical scores to the plain one (used
// above), which mirrors pigo's classifyRegion, on windows of a real photo
// at several scales and strides.
func TestClassifyPaths(t *testing.T) {
	b, err := os.ReadFile("../../assets/cascades/facefinder")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCascade(b)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../../assets/testdata/pigo-sample.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	g := GrayFrom(img, nil)
	w, h := g.Width, g.Height
	for _, stride := range []int{w, w + 13} {
		pix := make([]uint8, h*stride)
		for y := 0; y < h; y++ {
			copy(pix[y*stride:], g.Pix[y*g.Stride:y*g.Stride+w])
		}
		accepted, deep := 0, 0
		for _, s := range []int{40, 75, 120, 200, 243} {
			off := c.offsets(s, stride, nil)
			if len(off) != 2*min(fastTrees, c.trees)*((1<<c.depth)-1) {
				t.Fatalf("offsets: %d entries", len(off))
			}
			o := s/2 + 1
			for r := o; r <= h-o; r += 2 {
				for col := o; col <= w-o; col += 2 {
					a := c.classify(r, col, s, pix, stride)
					b := c.classifyOff(off, r, col, s, pix, stride)
					if a != b {
						t.Fatalf("stride %d window (%d,%d,%d): classify %v, classifyOff %v", stride, r, col, s, a, b)
					}
					if a > 0 {
						accepted++
					}
					if a != -1 {
						deep++
					}
				}
			}
		}
		if deep == 0 {
			t.Fatal("no window passed every tree: the comparison only covered early rejections")
		}
		t.Logf("stride %d: %d windows accepted", stride, accepted)
	}
}
