package manifest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/facewatch/facewatch/assets/manifest"
)

// The source tree's js/manifest.js is the one the builder writes, and every
// listed file exists in assets/.
func TestManifest(t *testing.T) {
	root := filepath.Join("..", "..")
	got, err := os.ReadFile(filepath.Join(root, "playground", filepath.FromSlash(manifest.JSPath)))
	if err != nil {
		t.Fatal(err)
	}
	if want := manifest.JS(); !bytes.Equal(got, want) {
		t.Errorf("playground/%s differs from manifest.JS(); write it again with:\n  go run ./assets/manifest/writejs > playground/%s\nwant:\n%s", manifest.JSPath, manifest.JSPath, want)
	}
	seen := map[string]bool{}
	for _, f := range manifest.All() {
		if seen[f.Name] {
			t.Errorf("name %q listed twice", f.Name)
		}
		seen[f.Name] = true
		if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(f.Asset))); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: %v", f.Asset, err)
		}
	}
	for _, l := range manifest.Licences() {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(l[0]))); err != nil {
			t.Errorf("%s: %v", l[0], err)
		}
	}
}
