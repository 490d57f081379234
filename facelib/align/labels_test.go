package align

import (
	"image"
	"math"
	"path/filepath"
	"sync"
	"testing"

	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/internal/fixture"
)

// labelSet is the ground-truth format of assets/testdata/truth.json
// (internal/fixture): face boxes [x0, y0, x1, y1] and eye centres, eye_l
// being image-left. Faces marked optional (strongly tilted, three-quarter,
// profile) and faces without both eyes are neither required nor penalised.
type (
	labelSet  = fixture.Labels
	labelFace = fixture.Face
)

func eyeL(l labelFace) Point      { return Point{l.EyeL[0], l.EyeL[1]} }
func eyeR(l labelFace) Point      { return Point{l.EyeR[0], l.EyeR[1]} }
func eyeDist(l labelFace) float64 { return dist(eyeL(l), eyeR(l)) }

func dist(a, b Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// labelSource is a label file and the coordinate of the centre of the
// top-left pixel in it: truth.json measures from the pixel's corner (centre
// at 0.5), this package from its centre (0).
type labelSource struct {
	path   string
	centre float64
}

// labelFiles are the label sets the accuracy tests use: the project's ground
// truth and this package's own independent hand labels of the two portraits
// (testdata/labels.json; the two labellers agree within 1.3 px).
var labelFiles = []labelSource{
	{assetsDir + "/testdata/truth.json", 0.5},
	{"testdata/labels.json", 0},
}

// loadLabels reads a label file, converts it to this package's pixel-centre
// coordinates and keeps only the faces with both eyes that are not optional.
func loadLabels(t testing.TB, src labelSource) labelSet {
	t.Helper()
	read, err := fixture.ReadLabels(filepath.FromSlash(src.path))
	if err != nil {
		t.Fatal(err)
	}
	ls := *read // a copy: the eyes are moved below
	ls.Images = append([]fixture.Image(nil), read.Images...)
	for i := range ls.Images {
		ls.Images[i].Faces = append([]fixture.Face(nil), ls.Images[i].Faces...)
	}
	n := 0
	for i := range ls.Images {
		kept := ls.Images[i].Faces[:0]
		for _, f := range ls.Images[i].Faces {
			if f.Optional || f.EyeL == nil || f.EyeR == nil {
				continue
			}
			for j := range f.Box {
				f.Box[j] -= src.centre
			}
			l, r := *f.EyeL, *f.EyeR
			l[0], l[1], r[0], r[1] = l[0]-src.centre, l[1]-src.centre, r[0]-src.centre, r[1]-src.centre
			f.EyeL, f.EyeR = &l, &r
			kept = append(kept, f)
		}
		ls.Images[i].Faces = kept
		n += len(kept)
	}
	if n == 0 {
		t.Fatalf("%s: no labelled faces with eyes", src.path)
	}
	return ls
}

// detected pairs a labelled face with the detection that covers it.
type detected struct {
	label labelFace
	face  detect.Face
}

var (
	detMu    sync.Mutex
	detCache = map[*uint8][]detect.Face{}
)

// detectAll runs facelib/detect over g once per pixel buffer and caches the
// faces (the images are shared, read-only, between tests).
func detectAll(t testing.TB, g detect.Gray) []detect.Face {
	t.Helper()
	detMu.Lock()
	defer detMu.Unlock()
	if f, ok := detCache[&g.Pix[0]]; ok {
		return f
	}
	fc, err := detect.ParseCascade(readAsset(t, "cascades/facefinder"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := detect.New(fc, detect.ParamsFor(g.Width, g.Height))
	if err != nil {
		t.Fatal(err)
	}
	dets, err := d.Detect(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	detCache[&g.Pix[0]] = dets
	return dets
}

// detectLabelled pairs each labelled face with the detection whose box
// overlaps its labelled box most (IoU >= 0.3).
func detectLabelled(t testing.TB, g detect.Gray, faces []labelFace) []detected {
	t.Helper()
	dets := detectAll(t, g)
	var out []detected
	for _, lf := range faces {
		box := image.Rect(int(lf.Box[0]), int(lf.Box[1]), int(lf.Box[2]), int(lf.Box[3]))
		best, bestIoU := -1, 0.3
		for i, f := range dets {
			if iou := detect.IoU(box, f.Rect()); iou >= bestIoU {
				best, bestIoU = i, iou
			}
		}
		if best >= 0 {
			out = append(out, detected{lf, dets[best]})
		}
	}
	return out
}
