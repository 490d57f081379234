// Package assets embeds the model files facewatch ships: pigo's cascades
// (cascades/, MIT, see cascades/LICENSE) and the 128-d face recognition
// network's weights (models/, see models/NOTICE). Native programs and tests
// use it for zero set-up; the browser build does not import it and fetches the
// same files as separately cached resources instead.
//
// scripts/assets.sh reproduces every file here from its registry package and
// checks its sha256 against assets/SHA256SUMS.
package assets

import (
	"embed"
	"io/fs"
	"sort"

	"github.com/facewatch/facewatch/facelib"
)

//go:embed cascades/facefinder cascades/puploc cascades/lps
var cascades embed.FS

//go:embed models/face_recognition_model-weights_manifest.json models/face_recognition_model.bin
var models embed.FS

func mustRead(fsys embed.FS, name string) []byte {
	b, err := fsys.ReadFile(name)
	if err != nil {
		// Unreachable: the names are checked by go:embed at build time.
		panic("assets: " + err.Error())
	}
	return b
}

// FaceFinder returns pigo's facefinder cascade.
func FaceFinder() []byte { return mustRead(cascades, "cascades/facefinder") }

// PupilLocator returns pigo's puploc cascade.
func PupilLocator() []byte { return mustRead(cascades, "cascades/puploc") }

// LandmarkNames lists the bundled lps landmark cascades, sorted.
func LandmarkNames() []string {
	ents, _ := fs.ReadDir(cascades, "cascades/lps")
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Landmarks returns every bundled lps landmark cascade by name.
func Landmarks() map[string][]byte {
	m := make(map[string][]byte)
	for _, n := range LandmarkNames() {
		m[n] = mustRead(cascades, "cascades/lps/"+n)
	}
	return m
}

// EmbedManifest returns the tfjs weights manifest of the face recognition network.
func EmbedManifest() []byte {
	return mustRead(models, "models/face_recognition_model-weights_manifest.json")
}

// EmbedWeights returns the quantized weights of the face recognition network.
func EmbedWeights() []byte { return mustRead(models, "models/face_recognition_model.bin") }

// Models returns the full bundled model set for facelib.New.
func Models() facelib.Models {
	return facelib.Models{
		FaceFinder:    FaceFinder(),
		PupilLocator:  PupilLocator(),
		Landmarks:     Landmarks(),
		EmbedManifest: EmbedManifest(),
		EmbedWeights:  EmbedWeights(),
	}
}
