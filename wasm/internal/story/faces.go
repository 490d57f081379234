package story

import (
	"errors"
	"fmt"
	"image"
	"sort"

	"github.com/facewatch/facewatch/facelib"
)

// ChipBytes is the size of one RGBA face chip.
const ChipBytes = facelib.ChipSize * facelib.ChipSize * 4

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

// Extractor turns an image into embedded faces through facelib's facade.
// It keeps buffers between calls; it is not safe for concurrent use.
type Extractor struct {
	img   image.RGBA
	faces []facelib.Face
	chip  *image.RGBA
}

// NewExtractor returns an empty Extractor.
func NewExtractor() *Extractor {
	return &Extractor{chip: image.NewRGBA(image.Rect(0, 0, facelib.ChipSize, facelib.ChipSize))}
}

// Faces finds up to MaxFaces faces in the w×h RGBA image pix (rows tightly
// packed), largest first, and appends each face's chip (ChipBytes of RGBA)
// to chips. The pipeline needs the face finder, the pupil locator and the
// recognition network (the worker's, engine.Engine.Pipeline). Detection uses
// the project's measured defaults for the image size (faces from 1/8 of the
// shorter side; a finer scan also returned non-faces in the labelled group
// photos, TestFacesOnLabelledPhotos). An image without faces is not an error:
// it returns none.
func (x *Extractor) Faces(p *facelib.Pipeline, pix []byte, w, h int, chips []byte) ([]Face, []byte, error) {
	if p == nil || !p.CanAlign() || !p.CanEmbed() {
		return nil, chips, ErrNoModels
	}
	if w <= 0 || h <= 0 || w > MaxSide || h > MaxSide || len(pix) != w*h*4 {
		return nil, chips, fmt.Errorf("%w: %d bytes for %dx%d", ErrImage, len(pix), w, h)
	}
	x.img = image.RGBA{Pix: pix, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
	var err error
	if x.faces, err = p.FacesInto(&x.img, x.faces); err != nil {
		return nil, chips, err
	}
	// Largest first: in a gallery the big faces are the ones people look at.
	sort.SliceStable(x.faces, func(i, j int) bool { return x.faces[i].Box.Dx() > x.faces[j].Box.Dx() })
	var out []Face
	for _, f := range x.faces[:min(len(x.faces), MaxFaces)] {
		if err := p.AlignInto(x.chip, &x.img, f); err != nil {
			continue
		}
		b := f.Box
		out = append(out, Face{
			X: b.Min.X, Y: b.Min.Y, W: b.Dx(), H: b.Dy(), Score: f.Score,
			EyesFound: f.EyesFound, Embedding: append([]float32(nil), f.Embedding[:]...),
		})
		chips = append(chips, x.chip.Pix...)
	}
	return out, chips, nil
}
