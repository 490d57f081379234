package site

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceRootOutsideTree checks that outside any checkout the source this
// program was compiled from is found (tests compile with absolute paths,
// as go install does).
func TestSourceRootOutsideTree(t *testing.T) {
	want, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	got, err := SourceRoot(context.Background(), t.TempDir(), "")
	if err != nil || got != want {
		t.Errorf("SourceRoot from a temporary folder = %q, %v; want %q", got, err, want)
	}
}

func TestDefaultOut(t *testing.T) {
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	tests := []struct{ root, want string }{
		{"/home/ana/facewatch", "/home/ana/facewatch/out/site"},
		{"/home/ana/go/pkg/mod/github.com/facewatch/facewatch@v1.2.0", filepath.Join(cache, "facewatch", "site", "v1.2.0")},
		{"/m/github.com/facewatch/facewatch@v0.0.0-20261201-abc+incompatible", filepath.Join(cache, "facewatch", "site", "v0.0.0-20261201-abc_incompatible")},
	}
	for _, tt := range tests {
		if got, err := DefaultOut(tt.root); err != nil || got != tt.want {
			t.Errorf("DefaultOut(%s) = %q, %v; want %q", tt.root, got, err, tt.want)
		}
	}
}

// TestModuleCacheRoot fetches facewatch at a released version through a
// local file:// module proxy into an empty module cache, as a copied binary
// whose source is gone would.
func TestModuleCacheRoot(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	proxy := t.TempDir()
	dir := filepath.Join(proxy, "github.com", "facewatch", "facewatch", "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod := "module " + ModulePath + "\n\ngo 1.26\n"
	files := map[string]string{
		"list":        "v0.9.0\n",
		"v0.9.0.info": `{"Version":"v0.9.0","Time":"2026-12-01T00:00:00Z"}`,
		"v0.9.0.mod":  gomod,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zf, err := os.Create(filepath.Join(dir, "v0.9.0.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	for name, body := range map[string]string{"go.mod": gomod, "README.md": "facewatch\n"} {
		w, err := zw.Create(ModulePath + "@v0.9.0/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zf.Close()

	cache := t.TempDir()
	t.Setenv("GOPROXY", "file://"+filepath.ToSlash(proxy))
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOFLAGS", "-modcacherw") // so the temporary cache can be removed
	t.Setenv("GOTOOLCHAIN", "local")

	got, err := moduleCacheRoot(context.Background(), goCmd, "v0.9.0")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, "github.com", "facewatch", "facewatch@v0.9.0"); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if out, _ := DefaultOut(got); strings.HasPrefix(out, cache) {
		t.Errorf("DefaultOut(%s) = %s: it would write into the module cache", got, out)
	}

	for _, v := range []string{"(devel)", "", "v0.0.0-20261201204500-9e1472543fe2+dirty"} {
		if _, err := moduleCacheRoot(context.Background(), goCmd, v); err == nil || !strings.Contains(err.Error(), "development build") {
			t.Errorf("version %q: %v, want a development-build error", v, err)
		}
	}
	if _, err := moduleCacheRoot(context.Background(), goCmd, "v0.8.0"); err == nil || !strings.Contains(err.Error(), "go mod download") {
		t.Errorf("unpublished version: %v", err)
	}
	if _, err := moduleCacheRoot(context.Background(), "", "v0.9.0"); err != nil && !errors.Is(err, ErrNoGo) {
		t.Errorf("default go command: %v", err)
	}
}
