package site

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

// ErrNoSource is returned by SourceRoot when no facewatch source tree can be
// found.
var ErrNoSource = errors.New("no facewatch source tree found: run facewatch inside a checkout, or install a released version (go install " +
	ModulePath + "/cmd/facewatch@latest) so that its source is in the Go module cache; serve -dir DIR serves a site built earlier without any source")

// SourceRoot finds the facewatch source tree to build the playground from,
// so that an installed facewatch works from any folder:
//
//  1. the module root above dir (FindRoot), when run inside a checkout;
//  2. the tree this program was compiled from, when it is still there: the
//     checkout "go install ./cmd/facewatch" ran in, or the module cache copy
//     "go install …/cmd/facewatch@version" compiled;
//  3. for a released version, its copy in the module cache, downloaded with
//     "go mod download" if needed (a copied binary).
//
// goCmd is the go command used for step 3; empty means "go" from PATH.
func SourceRoot(ctx context.Context, dir, goCmd string) (string, error) {
	if root, err := FindRoot(dir); err == nil {
		return root, nil
	}
	if root, ok := compiledRoot(); ok {
		return root, nil
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path != ModulePath {
		return "", ErrNoSource
	}
	root, err := moduleCacheRoot(ctx, goCmd, bi.Main.Version)
	if err != nil {
		return "", fmt.Errorf("%w (%v)", ErrNoSource, err)
	}
	return root, nil
}

// compiledRoot is the module root this file was compiled in, if that tree
// still holds the facewatch go.mod. Builds with -trimpath record no
// absolute path and give false.
func compiledRoot() (string, bool) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", false
	}
	root := filepath.Dir(filepath.Dir(filepath.Dir(file))) // internal/site/root.go
	if mod, err := modulePath(filepath.Join(root, "go.mod")); err != nil || mod != ModulePath {
		return "", false
	}
	return root, true
}

// moduleCacheRoot returns the module cache directory of facewatch at
// version, downloading it if it is not there yet. Development builds
// ("(devel)", or pseudo-versions of uncommitted trees) cannot be fetched.
func moduleCacheRoot(ctx context.Context, goCmd, version string) (string, error) {
	if version == "" || version == "(devel)" || strings.HasSuffix(version, "+dirty") {
		return "", fmt.Errorf("this is a development build (version %q) and its source tree is gone", version)
	}
	if goCmd == "" {
		p, err := exec.LookPath("go")
		if err != nil {
			return "", ErrNoGo
		}
		goCmd = p
	}
	cmd := exec.CommandContext(ctx, goCmd, "mod", "download", "-json", ModulePath+"@"+version)
	cmd.Dir = os.TempDir() // outside any module
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", ModulePath, version, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w\n%s", ModulePath, version, err, stderr.Bytes())
	}
	if mod, err := modulePath(filepath.Join(info.Dir, "go.mod")); err != nil || mod != ModulePath {
		return "", fmt.Errorf("go mod download %s@%s gave no usable source", ModulePath, version)
	}
	return info.Dir, nil
}

// DefaultOut is where serve builds the site when no output is given: out/site
// in a checkout, and a folder in the user's cache for a module cache copy,
// which must stay as downloaded.
func DefaultOut(root string) (string, error) {
	base := filepath.Base(root)
	if _, version, ok := strings.Cut(base, "@"); ok {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no cache folder to build the site in (%v); give one with -out", err)
		}
		version = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
				return r
			}
			return '_'
		}, version)
		return filepath.Join(cache, "facewatch", "site", version), nil
	}
	return filepath.Join(root, "out", "site"), nil
}
