package detect_test

import (
	"image"
	_ "image/jpeg"
	_ "image/png"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/internal/fixture"
)

// testdata is the labelled test set (assets/testdata, see its SOURCES).
const testdata = "../../assets/testdata"

// truthFace and truthImage are the hand-labelled faces of
// assets/testdata/truth.json (internal/fixture).
type (
	truthFace  = fixture.Face
	truthImage = fixture.Image
)

var (
	grays   = map[string]detect.Gray{}
	graysMu sync.Mutex
)

func loadTruth(t testing.TB) []truthImage {
	t.Helper()
	l := fixture.MustTruth(t)
	if len(l.Images) == 0 {
		t.Fatal("truth.json lists no images")
	}
	return l.Images
}

// decode reads and decodes a test image.
func decode(t testing.TB, name string) image.Image {
	t.Helper()
	return fixture.MustDecode(t, name)
}

// grayOf returns the (cached) grey version of a test image.
func grayOf(t testing.TB, name string) detect.Gray {
	t.Helper()
	graysMu.Lock()
	defer graysMu.Unlock()
	if g, ok := grays[name]; ok {
		return g
	}
	g := detect.GrayFrom(decode(t, name), nil)
	if err := g.Validate(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	grays[name] = g
	return g
}

// assetsFaceFinder returns pigo's facefinder cascade as bundled.
func assetsFaceFinder() []byte { return assets.FaceFinder() }

func cascade(t testing.TB) *detect.Cascade {
	t.Helper()
	c, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// score is the outcome of matching detections against labels.
type score struct {
	required, found int // required labelled faces, and how many a detection matched
	optionalFound   int // optional faces matched
	falsePos        int // detections matching no labelled face
	dets            int
}

func (s *score) add(o score) {
	s.required += o.required
	s.found += o.found
	s.optionalFound += o.optionalFound
	s.falsePos += o.falsePos
	s.dets += o.dets
}

// minIoU is the overlap a detection needs with a labelled box to count.
const minIoU = 0.5

// onOptional reports whether d's centre lies in an optional face's box: such
// a detection is neither a hit nor a false positive.
func onOptional(faces []truthFace, d detect.Face) bool {
	c := image.Pt(d.Col, d.Row)
	for _, f := range faces {
		if f.Optional && c.In(f.Rect()) {
			return true
		}
	}
	return false
}

// match greedily pairs detections (best score first) with the labelled face
// of highest IoU >= minIoU not yet taken.
func match(faces []truthFace, dets []detect.Face) (s score, matched []int) {
	matched = make([]int, len(faces)) // index+1 of the detection matched to face i
	for _, f := range faces {
		if !f.Optional {
			s.required++
		}
	}
	s.dets = len(dets)
	for di, d := range dets {
		best, bestIoU := -1, minIoU
		for fi, f := range faces {
			if matched[fi] != 0 {
				continue
			}
			if iou := detect.IoU(f.Rect(), d.Rect()); iou >= bestIoU {
				best, bestIoU = fi, iou
			}
		}
		if best < 0 {
			if !onOptional(faces, d) {
				s.falsePos++
			}
			continue
		}
		matched[best] = di + 1
		if faces[best].Optional {
			s.optionalFound++
		} else {
			s.found++
		}
	}
	return s, matched
}

// scaleImage resamples src to fill dst (Catmull-Rom).
func scaleImage(dst *image.RGBA, src image.Image) {
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
}
