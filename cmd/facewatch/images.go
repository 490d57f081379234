package main

import (
	"fmt"
	"image"
	"runtime"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/decode"
)

// defaultMaxPixels is -max-megapixels' default.
const defaultMaxPixels = decode.DefaultMaxPixels

// loadImage opens one image file, which must be a regular file (a named pipe
// or a device could block forever or never end), and decodes it with
// facelib/decode: over maxPixels pixels, or over the memory that many pixels
// of 8-bit RGBA take, it is refused from its header alone.
func loadImage(path string, maxPixels int) (image.Image, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := decode.Reader(f, decode.Limits{MaxPixels: int64(maxPixels)})
	return img, err
}

// newPipeline builds a pipeline from the bundled models; withEmbed loads the
// 6.4 MB recognition weights too.
func newPipeline(withEmbed bool) (*facelib.Pipeline, error) {
	m := assets.Models()
	if !withEmbed {
		m.EmbedManifest, m.EmbedWeights = nil, nil
	}
	return facelib.New(facelib.Options{Models: m, EmbedThreads: runtime.GOMAXPROCS(0)})
}

type jsonPoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

type jsonBox struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

type jsonLandmark struct {
	Part string  `json:"part"`
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
}

// jsonFace is one face as the CLI prints it.
type jsonFace struct {
	Box       jsonBox        `json:"box"`
	Score     float32        `json:"score"`
	LeftEye   *jsonPoint     `json:"left_eye,omitempty"`
	RightEye  *jsonPoint     `json:"right_eye,omitempty"`
	EyesFound bool           `json:"eyes_found"`
	RollDeg   float64        `json:"roll_deg"`
	Landmarks []jsonLandmark `json:"landmarks,omitempty"`
	Embedding []float32      `json:"embedding,omitempty"`
}

func round1(v float64) float64 { return float64(int64(v*10+sign(v)*0.5)) / 10 }

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

func toJSONFace(f facelib.Face, aligned bool) jsonFace {
	jf := jsonFace{
		Box:   jsonBox{f.Box.Min.X, f.Box.Min.Y, f.Box.Dx(), f.Box.Dy()},
		Score: float32(round1(float64(f.Score))),
	}
	if aligned {
		jf.LeftEye = &jsonPoint{round1(f.LeftEye.X), round1(f.LeftEye.Y)}
		jf.RightEye = &jsonPoint{round1(f.RightEye.X), round1(f.RightEye.Y)}
		jf.EyesFound = f.EyesFound
		jf.RollDeg = round1(f.Roll * 180 / 3.141592653589793)
		for _, l := range f.Landmarks {
			jf.Landmarks = append(jf.Landmarks, jsonLandmark{l.Part.String(), round1(l.X), round1(l.Y)})
		}
	}
	return jf
}

func describeFace(i int, f jsonFace) string {
	s := fmt.Sprintf("  face %d: box %d,%d %dx%d  score %.1f", i+1, f.Box.X, f.Box.Y, f.Box.W, f.Box.H, f.Score)
	if f.LeftEye != nil {
		how := "found"
		if !f.EyesFound {
			how = "estimated from the box"
		}
		s += fmt.Sprintf("  eyes (%.1f,%.1f) (%.1f,%.1f) %s  roll %.1f°  %d landmarks",
			f.LeftEye.X, f.LeftEye.Y, f.RightEye.X, f.RightEye.Y, how, f.RollDeg, len(f.Landmarks))
	}
	return s
}

func bundledWithoutLandmarks() facelib.Models {
	m := assets.Models()
	m.Landmarks = nil
	m.EmbedManifest, m.EmbedWeights = nil, nil
	return m
}
