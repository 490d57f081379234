package story

import (
	"errors"
	"fmt"
	"image"

	"github.com/facewatch/facewatch/facelib/align"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/facelib/embed"
)

// ChipBytes is the size of one RGBA face chip.
const ChipBytes = align.ChipSize * align.ChipSize * 4

// MaxSide caps the width and height of an image given to Faces: the page
// scales photos down to at most this side before sending them.
const MaxSide = 2048

// MaxFaces caps the faces taken from one image (a crowd photo would
// otherwise cost seconds of embedding).
const MaxFaces = 24

// Errors.
var (
	// ErrNoModels means the face finder, the pupil locator or the
	// recognition network has not been loaded yet.
	ErrNoModels = errors.New("story: models not loaded")
	// ErrImage means the pixels do not make a w×h RGBA image within MaxSide.
	ErrImage = errors.New("story: bad image")
)

// Models are the worker's parsed models (engine.Engine.Shared).
type Models struct {
	Finder *detect.Cascade
	Pupils *align.Aligner
	Net    *embed.Model
}

// Face is one face found in an image, aligned and embedded.
type Face struct {
	// X, Y, W, H is the detector's box in image pixels.
	X     int     `json:"x"`
	Y     int     `json:"y"`
	W     int     `json:"w"`
	H     int     `json:"h"`
	Score float32 `json:"score"`
	// EyesFound is false when the pupils were estimated from the box; the
	// chip (and so the embedding) is then less reliable.
	EyesFound bool `json:"eyesFound"`
	// Embedding is the network's 128 numbers for the face's chip.
	Embedding []float32 `json:"embedding"`
}

// Extractor turns an image into embedded faces. It keeps buffers between
// calls; it is not safe for concurrent use.
type Extractor struct {
	det        *detect.Detector
	finder     *detect.Cascade
	detW, detH int
	gray       []byte
	faces      []detect.Face
	loc        align.Result
	chip       *image.RGBA
	net        *embed.Model
	ws         *embed.Workspace
}

// NewExtractor returns an empty Extractor.
func NewExtractor() *Extractor {
	return &Extractor{chip: image.NewRGBA(image.Rect(0, 0, align.ChipSize, align.ChipSize))}
}

// galleryParams are the detection parameters for a still photo: the
// project's measured defaults for the image size (faces from 1/8 of the
// shorter side). A finer scan (1/16) also returned non-faces in the
// labelled group photos (TestFacesOnLabelledPhotos).
func galleryParams(w, h int) detect.Params { return detect.ParamsFor(w, h) }

// Faces finds up to MaxFaces faces in the w×h RGBA image pix (rows tightly
// packed), largest first, and appends each face's chip (ChipBytes of RGBA)
// to chips. An image without faces is not an error: it returns none.
func (x *Extractor) Faces(m Models, pix []byte, w, h int, chips []byte) ([]Face, []byte, error) {
	if m.Finder == nil || m.Pupils == nil || m.Net == nil {
		return nil, chips, ErrNoModels
	}
	if w <= 0 || h <= 0 || w > MaxSide || h > MaxSide || len(pix) != w*h*4 {
		return nil, chips, fmt.Errorf("%w: %d bytes for %dx%d", ErrImage, len(pix), w, h)
	}
	if x.det == nil || x.finder != m.Finder || x.detW != w || x.detH != h {
		d, err := detect.New(m.Finder, galleryParams(w, h))
		if err != nil {
			return nil, chips, err
		}
		x.det, x.finder, x.detW, x.detH = d, m.Finder, w, h
	}
	if x.net != m.Net {
		x.net, x.ws = m.Net, m.Net.NewWorkspace()
	}
	g, err := detect.GrayFromRGBA(pix, w, h, 4*w, x.gray)
	if err != nil {
		return nil, chips, fmt.Errorf("%w: %w", ErrImage, err)
	}
	x.gray = g.Pix
	if x.faces, err = x.det.Detect(g, x.faces); err != nil {
		return nil, chips, err
	}
	// Largest first: in a gallery the big faces are the ones people look at.
	faces := append([]detect.Face(nil), x.faces...)
	sortBySize(faces)
	var out []Face
	for _, f := range faces {
		if len(out) == MaxFaces {
			break
		}
		if err := m.Pupils.Locate(g, f, &x.loc); err != nil {
			continue // a box the aligner rejects (at the border): skip it
		}
		t := align.ChipTransform(x.loc.LeftEye, x.loc.RightEye, align.ChipSize, align.ChipPadding)
		if err := t.WarpFrame(x.chip, align.Frame{Pix: pix, Width: w, Height: h, Stride: 4 * w}); err != nil {
			continue
		}
		d, err := x.ws.Embed(x.chip)
		if err != nil {
			return nil, chips, err
		}
		b := f.Rect()
		out = append(out, Face{
			X: b.Min.X, Y: b.Min.Y, W: b.Dx(), H: b.Dy(), Score: f.Score,
			EyesFound: x.loc.EyesFound, Embedding: append([]float32(nil), d[:]...),
		})
		chips = append(chips, x.chip.Pix...)
	}
	return out, chips, nil
}

func sortBySize(f []detect.Face) {
	// Insertion sort: at most a few dozen faces; stable, so equal sizes keep
	// the detector's score order.
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && f[j].Size > f[j-1].Size; j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}
