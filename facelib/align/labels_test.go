package align

import (
	"encoding/json"
	"image"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/facewatch/facewatch/facelib/detect"
)

// labelSet is the ground-truth format of assets/testdata/truth.json: face
// boxes [x0, y0, x1, y1] and eye centres, eye_l being image-left. Faces
// marked optional (strongly tilted, three-quarter, profile) and faces
// without both eyes are neither required nor penalised.
type labelSet struct {
	Images []struct {
		File  string      `json:"file"`
		Faces []labelFace `json:"faces"`
	} `json:"images"`
}

type labelFace struct {
	Box      [4]float64  `json:"box"`
	EyeL     *[2]float64 `json:"eye_l"`
	EyeR     *[2]float64 `json:"eye_r"`
	Optional bool        `json:"optional"`
}

func (l labelFace) left() Point  { return Point{l.EyeL[0], l.EyeL[1]} }
func (l labelFace) right() Point { return Point{l.EyeR[0], l.EyeR[1]} }
func (l labelFace) iod() float64 { return dist(l.left(), l.right()) }

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
	b, err := os.ReadFile(filepath.FromSlash(src.path))
	if err != nil {
		t.Fatal(err)
	}
	var ls labelSet
	if err := json.Unmarshal(b, &ls); err != nil {
		t.Fatalf("%s: %v", src.path, err)
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
