// Package manifest names the model files facewatch ships, once: where each
// lives in assets/, where the site serves it, and the name the browser's
// worker takes it by. The assets package, the site builder, the worker's
// engine and — through the js/manifest.js the builder writes — every page
// read this list. It embeds nothing, so the browser build can import it.
package manifest

import (
	"fmt"
	"strings"

	"github.com/facewatch/facewatch/facelib/align"
)

// File is one model file.
type File struct {
	// Name is what the worker's engine takes the file by (fwLoad).
	Name string
	// Asset is its path in the repository, under assets/.
	Asset string
	// Site is its path in the built site.
	Site string
}

// The worker's names of the models.
const (
	FaceFinder    = "facefinder"
	Pupils        = "puploc"
	EmbedManifest = "face_recognition_model-weights_manifest.json"
	EmbedWeights  = "face_recognition_model.bin"
)

var (
	faceFinder = File{FaceFinder, "assets/cascades/facefinder", "models/facefinder"}
	pupils     = File{Pupils, "assets/cascades/puploc", "models/puploc"}
	embedFiles = []File{
		{EmbedManifest, "assets/models/" + EmbedManifest, "models/" + EmbedManifest},
		{EmbedWeights, "assets/models/" + EmbedWeights, "models/" + EmbedWeights},
	}
)

// FaceFinderFile is pigo's face detection cascade.
func FaceFinderFile() File { return faceFinder }

// PupilsFile is pigo's pupil localisation cascade.
func PupilsFile() File { return pupils }

// LandmarkFiles are the lps landmark cascades alignment uses, in
// align.LandmarkCascades order.
func LandmarkFiles() []File {
	out := make([]File, len(align.LandmarkCascades))
	for i, n := range align.LandmarkCascades {
		out[i] = File{n, "assets/cascades/lps/" + n, "models/lps/" + n}
	}
	return out
}

// EmbedFiles are the recognition network's weights manifest and binary.
func EmbedFiles() []File { return append([]File(nil), embedFiles...) }

// Licences are the licence files the site carries beside the models
// (asset path, site path).
func Licences() [][2]string {
	return [][2]string{
		{"assets/cascades/LICENSE", "models/LICENSE-pigo.txt"},
		{"assets/models/LICENSE-face-api", "models/LICENSE-face-api.txt"},
	}
}

// All returns every model file.
func All() []File {
	out := []File{faceFinder, pupils}
	out = append(out, LandmarkFiles()...)
	return append(out, embedFiles...)
}

// JSPath is where the site carries the list for its pages.
const JSPath = "js/manifest.js"

// JS returns the ES module the site builder writes at JSPath (the source
// tree keeps the same file, checked by a test): the model files by the
// worker's names, with their paths from the site's root.
func JS() []byte {
	var b strings.Builder
	b.WriteString("// manifest.js — the model files the site carries, written by facewatch build\n")
	b.WriteString("// from assets/manifest (Go): each page fetches these paths, relative to the\n")
	b.WriteString("// site's root, and hands the files to the worker by these names.\n")
	entry := func(f File) string { return fmt.Sprintf("{ name: %q, path: %q }", f.Name, f.Site) }
	list := func(fs []File) string {
		parts := make([]string, len(fs))
		for i, f := range fs {
			parts[i] = "    " + entry(f) + ",\n"
		}
		return "[\n" + strings.Join(parts, "") + "  ]"
	}
	fmt.Fprintf(&b, "export const MODELS = Object.freeze({\n")
	fmt.Fprintf(&b, "  faceFinder: %s,\n", entry(faceFinder))
	fmt.Fprintf(&b, "  pupils: %s,\n", entry(pupils))
	fmt.Fprintf(&b, "  landmarks: %s,\n", list(LandmarkFiles()))
	fmt.Fprintf(&b, "  embed: %s,\n", list(embedFiles))
	b.WriteString("});\n")
	return []byte(b.String())
}
