package detect_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/facewatch/facewatch/facelib/detect"
)

// TestMeasure prints recall and false positives on the labelled set for a
// grid of parameters: the table in doc.go. It is slow, so it runs only with
// FACEWATCH_MEASURE=1.
func TestMeasure(t *testing.T) {
	if os.Getenv("FACEWATCH_MEASURE") == "" {
		t.Skip("set FACEWATCH_MEASURE=1 to measure the parameter table")
	}
	truth := loadTruth(t)
	c := cascade(t)
	type cfg struct {
		name string
		p    func(w, h int) detect.Params
	}
	var cfgs []cfg
	add := func(frac int, q float32, nms, shift float64) {
		name := fmt.Sprintf("short/%-2d %4.1f  %.1f   %.2f", frac, q, nms, shift)
		cfgs = append(cfgs, cfg{name, func(w, h int) detect.Params {
			p := detect.DefaultParams()
			p.MinSize = max(20, min(w, h)/frac)
			p.MaxSize = min(w, h)
			p.MinScore = q
			p.IoUThreshold = nms
			p.ShiftFactor = shift
			return p
		}})
	}
	for _, frac := range []int{8, 10, 12, 16} {
		for _, q := range []float32{0, 3, 5, 8, 12} {
			add(frac, q, 0.3, 0.1)
		}
	}
	for _, nms := range []float64{0.1, 0.2, 0.5, 1} {
		add(12, 0, nms, 0.1)
	}
	for _, shift := range []float64{0.05, 0.15, 0.2} {
		for _, q := range []float32{5, 8} {
			add(12, q, 0.3, shift)
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "MinSize   MinScore IoU ShiftF  required optional FP  (FP per image)\n")
	for _, k := range cfgs {
		var tot score
		var fpImg []string
		optional := 0
		for _, im := range truth {
			for _, f := range im.Faces {
				if f.Optional {
					optional++
				}
			}
			g := grayOf(t, im.File)
			d, err := detect.New(c, k.p(g.Width, g.Height))
			if err != nil {
				t.Fatal(err)
			}
			dets, err := d.Detect(g, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := match(im.Faces, dets)
			tot.add(s)
			if s.falsePos > 0 {
				fpImg = append(fpImg, fmt.Sprintf("%s:%d", strings.TrimPrefix(im.File, "faceapi-"), s.falsePos))
			}
		}
		fmt.Fprintf(&sb, "%s   %2d/%2d    %d/%d    %2d  %s\n", k.name, tot.found, tot.required, tot.optionalFound, optional, tot.falsePos, strings.Join(fpImg, " "))
	}
	t.Log("\n" + sb.String())
}
