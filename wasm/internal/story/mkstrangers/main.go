//go:build !js

// Command mkstrangers (a native tool: the build tag keeps it out of the
// site's wasm) builds the bundled stranger gallery, assets/strangers,
// from the face crops of scikit-image's lfw_subset.npy (Debian package
// python3-skimage 0.19.3-8; see assets/strangers/SOURCES).
//
// Each 25×25 grey crop is enlarged 8× (Catmull-Rom) onto a mid-grey
// 320×320 canvas and goes through the same path as a photo the visitor adds
// in the browser: story.Extractor (detection, pupils, the 150×150 chip, the
// 128 numbers). It writes
//
//	strangers.json  the manifest (ids, source index, whether the pupils were found)
//	strangers.f32   the vectors, face after face, 128 little-endian float32 each
//	strangers.png   the original crops, 10 per row, unchanged pixels
//
//	go run ./wasm/internal/story/mkstrangers -npy PATH/lfw_subset.npy -out assets/strangers
//
// scripts/strangers.sh fetches the package and runs this. The output is
// deterministic for a given Go toolchain and architecture.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"golang.org/x/image/draw"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib"
	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/wasm/internal/story"
)

// NPYSHA256 is the sum of lfw_subset.npy in python3-skimage 0.19.3-8.
const NPYSHA256 = "9560ec2f5edfac01973f63a8a99d00053fecd11e21877e18038fbe500f8e872c"

const (
	side    = 25  // crop size in the source
	faces   = 100 // the first 100 crops are faces, the next 100 are not
	scale   = 8
	pad     = 60
	cols    = 10
	version = 1
)

func main() {
	npy := flag.String("npy", "", "path of lfw_subset.npy")
	out := flag.String("out", "assets/strangers", "output directory")
	flag.Parse()
	if err := run(*npy, *out); err != nil {
		log.Fatal(err)
	}
}

// readNPY returns the crops of a (N, 25, 25) little-endian float64 array.
func readNPY(b []byte) ([]float64, int, error) {
	if len(b) < 10 || !bytes.HasPrefix(b, []byte("\x93NUMPY")) || b[6] != 1 {
		return nil, 0, errors.New("not a version 1 .npy file")
	}
	hl := int(binary.LittleEndian.Uint16(b[8:10]))
	if 10+hl > len(b) {
		return nil, 0, errors.New("truncated .npy header")
	}
	h := string(b[10 : 10+hl])
	m := regexp.MustCompile(`'descr': '<f8', 'fortran_order': False, 'shape': \((\d+), 25, 25\)`).FindStringSubmatch(h)
	if m == nil {
		return nil, 0, fmt.Errorf("unexpected .npy header %q", h)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n > 1<<16 {
		return nil, 0, fmt.Errorf(".npy holds %s crops (at most %d)", m[1], 1<<16)
	}
	data := b[10+hl:]
	if len(data) != n*side*side*8 {
		return nil, 0, fmt.Errorf(".npy holds %d bytes for %d crops", len(data), n)
	}
	v := make([]float64, n*side*side)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return v, n, nil
}

func run(npy, out string) error {
	b, err := os.ReadFile(npy)
	if err != nil {
		return err
	}
	if s := sha256.Sum256(b); hex.EncodeToString(s[:]) != NPYSHA256 {
		return fmt.Errorf("%s: sha256 %x, want %s (python3-skimage 0.19.3-8)", npy, s, NPYSHA256)
	}
	v, n, err := readNPY(b)
	if err != nil {
		return err
	}
	if n < faces {
		return fmt.Errorf("%d crops, want at least %d", n, faces)
	}
	m, err := facelib.New(facelib.Options{Models: assets.Models()})
	if err != nil {
		return err
	}
	x := story.NewExtractor()
	man := story.StrangerManifest{Version: version, Dim: match.Dim, Vectors: "strangers.f32", Thumbs: "strangers.png", ThumbSize: side, ThumbCols: cols}
	var vec []byte
	sprite := image.NewGray(image.Rect(0, 0, cols*side, (faces+cols-1)/cols*side))
	big := 25*scale + 2*pad
	canvas := image.NewRGBA(image.Rect(0, 0, big, big))
	for i := 0; i < faces; i++ {
		g := image.NewGray(image.Rect(0, 0, side, side))
		for p := range g.Pix {
			g.Pix[p] = uint8(math.Round(math.Min(1, math.Max(0, v[i*side*side+p])) * 255))
		}
		draw.Draw(sprite, image.Rect((i%cols)*side, (i/cols)*side, (i%cols+1)*side, (i/cols+1)*side), g, image.Point{}, draw.Src)
		draw.Draw(canvas, canvas.Bounds(), &image.Uniform{color.Gray{128}}, image.Point{}, draw.Src)
		draw.CatmullRom.Scale(canvas, image.Rect(pad, pad, pad+side*scale, pad+side*scale), g, g.Bounds(), draw.Src, nil)
		found, _, err := x.Faces(m, canvas.Pix, big, big, nil)
		if err != nil {
			return fmt.Errorf("crop %d: %w", i, err)
		}
		if len(found) == 0 {
			log.Printf("crop %d: no face found; left out", i)
			continue
		}
		f := found[0] // the largest
		man.Faces = append(man.Faces, story.StrangerFace{ID: fmt.Sprintf("lfw-%03d", i), Index: i, EyesFound: f.EyesFound})
		for _, x := range f.Embedding {
			vec = binary.LittleEndian.AppendUint32(vec, math.Float32bits(x))
		}
	}
	if _, err := story.ParseStrangers(mustJSON(man), vec); err != nil {
		return err
	}
	var pb bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&pb, sprite); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"strangers.json": mustJSON(man), "strangers.f32": vec, "strangers.png": pb.Bytes()} {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	log.Printf("%d of %d faces embedded into %s", len(man.Faces), faces, out)
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		panic(err) // unreachable: plain structs
	}
	return append(b, '\n')
}
