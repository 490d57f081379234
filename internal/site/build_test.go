package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/facewatch/facewatch/assets/manifest"
)

// writeTree writes files (slash paths) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeModule writes a small source tree with the facewatch layout: one main
// package and one library package under wasm/, a playground, cascades,
// weights and a clip.
func fakeModule(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                                                     "module " + ModulePath + "\n\ngo 1.26\n",
		"wasm/hello/main.go":                                         "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from wasm\") }\n",
		"wasm/shared/shared.go":                                      "package shared\n\nconst X = 1\n",
		"playground/index.html":                                      "<!doctype html><title>facewatch</title>" + strings.Repeat("<p data-i18n=\"x\"></p>", 40),
		"playground/overlay.html":                                    "<!doctype html><title>overlay</title>",
		"playground/i18n/en.json":                                    `{"x": "x"}`,
		"playground/.editor-swap":                                    "junk",
		"playground/.cache/junk":                                     "junk",
		"playground/facewatch.wasm":                                  "stale build product",
		"assets/cascades/facefinder":                                 "FACEFINDER",
		"assets/cascades/puploc":                                     "PUPLOC",
		"assets/cascades/LICENSE":                                    "MIT",
		"assets/cascades/lps/lp38":                                   "LP38",
		"assets/cascades/lps/lp42":                                   "LP42",
		"assets/models/LICENSE-face-api":                             "MIT",
		"assets/models/face_recognition_model.bin":                   strings.Repeat("\x00\x01", 1000),
		"assets/models/face_recognition_model-weights_manifest.json": `[{"weights":[]}]`,
		"assets/clips/sample.webm":                                   "\x1a\x45\xdf\xa3webm",
	}
	// Every landmark cascade the model list names (assets/manifest).
	for _, f := range manifest.LandmarkFiles() {
		files[f.Asset] = strings.ToUpper(f.Name)
	}
	writeTree(t, root, files)
	return root
}

func needGo(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH: cannot build wasm")
	}
	return p
}

func TestBuildFakeModule(t *testing.T) {
	needGo(t)
	root := fakeModule(t)
	out := filepath.Join(t.TempDir(), "site")
	var log bytes.Buffer
	if err := Build(context.Background(), Options{Root: root, Out: out, Log: &log, CacheDir: "off", SIMD: "off"}); err != nil {
		t.Fatalf("Build: %v\n%s", err, log.Bytes())
	}
	t.Logf("progress:\n%s", log.Bytes())

	want := map[string]string{ // site path → source path (or "" to check existence only)
		"index.html":                        "playground/index.html",
		"overlay.html":                      "playground/overlay.html",
		"i18n/en.json":                      "playground/i18n/en.json",
		"models/facefinder":                 "assets/cascades/facefinder",
		"models/puploc":                     "assets/cascades/puploc",
		"models/lps/lp38":                   "assets/cascades/lps/lp38",
		"models/lps/lp42":                   "assets/cascades/lps/lp42",
		"models/face_recognition_model.bin": "assets/models/face_recognition_model.bin",
		"models/face_recognition_model-weights_manifest.json": "assets/models/face_recognition_model-weights_manifest.json",
		"models/LICENSE-pigo.txt":                             "assets/cascades/LICENSE",
		"models/LICENSE-face-api.txt":                         "assets/models/LICENSE-face-api",
		"media/sample.webm":                                   "assets/clips/sample.webm",
		"hello.wasm":                                          "",
		"hello.wasm.gz":                                       "",
		"index.html.gz":                                       "",
		"models/face_recognition_model.bin.gz":                "",
		"wasm_exec.js":                                        "",
		"wasm_exec.js.gz":                                     "",
		marker:                                                "",
		manifest.JSPath:                                       "",
	}
	for _, f := range manifest.LandmarkFiles() {
		want[f.Site] = f.Asset
	}
	for name, src := range want {
		got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("missing %s: %v", name, err)
			continue
		}
		if src == "" {
			continue
		}
		orig, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(src)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, orig) {
			t.Errorf("%s differs from %s", name, src)
		}
	}
	for _, name := range []string{"shared.wasm", ".editor-swap", ".cache", "facewatch.wasm", "models/facefinder.gz", "media/sample.webm.gz"} {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(name))); err == nil {
			t.Errorf("%s should not be in the site", name)
		}
	}

	wasm, err := os.ReadFile(filepath.Join(out, "hello.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(wasm, wasmMagic) {
		t.Errorf("hello.wasm starts %x, want the wasm magic %x", wasm[:min(8, len(wasm))], wasmMagic)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	execJS, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err == nil {
		got, _ := os.ReadFile(filepath.Join(out, "wasm_exec.js"))
		if !bytes.Equal(got, execJS) {
			t.Error("wasm_exec.js is not the toolchain's")
		}
	}
	if !strings.Contains(log.String(), "built hello.wasm") || !strings.Contains(log.String(), "gzip") {
		t.Errorf("progress lacks the wasm line:\n%s", log.Bytes())
	}

	// The site must be servable: the handler sends the wasm gzip-encoded.
	if fi, err := os.Stat(filepath.Join(out, "hello.wasm.gz")); err != nil || fi.Size() >= int64(len(wasm)) {
		t.Errorf("hello.wasm.gz is not smaller than hello.wasm")
	}

	// A second build replaces the first, dropping files that are gone.
	if err := os.Remove(filepath.Join(root, "playground", "overlay.html")); err != nil {
		t.Fatal(err)
	}
	if err := Build(context.Background(), Options{Root: root, Out: out, CacheDir: "off", SIMD: "off"}); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "overlay.html")); err == nil {
		t.Error("rebuild kept a file that is no longer in playground/")
	}
	if _, err := os.Stat(filepath.Join(out, "hello.wasm")); err != nil {
		t.Errorf("rebuild: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".site.new-*"))
	if len(leftovers) != 0 {
		t.Errorf("staging directories left behind: %v", leftovers)
	}
}

func TestBuildRefusesForeignDirectory(t *testing.T) {
	root := fakeModule(t)
	out := t.TempDir()
	precious := filepath.Join(out, "thesis.tex")
	if err := os.WriteFile(precious, []byte("years of work"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Build(context.Background(), Options{Root: root, Out: out, Go: "go", CacheDir: "off"})
	if !errors.Is(err, ErrNotSite) {
		t.Fatalf("Build into a foreign directory: %v, want ErrNotSite", err)
	}
	if _, err := os.Stat(precious); err != nil {
		t.Errorf("foreign file lost: %v", err)
	}
}

func TestBuildWasmError(t *testing.T) {
	needGo(t)
	root := fakeModule(t)
	writeTree(t, root, map[string]string{"wasm/hello/main.go": "package main\n\nfunc main() { undefined() }\n"})
	out := filepath.Join(t.TempDir(), "site")
	err := Build(context.Background(), Options{Root: root, Out: out, CacheDir: "off"})
	if err == nil || !strings.Contains(err.Error(), "building hello.wasm") || !strings.Contains(err.Error(), "undefined") {
		t.Fatalf("Build with a broken wasm package: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed build left an output directory")
	}
}

func TestBuildCancelled(t *testing.T) {
	root := fakeModule(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "site")
	if err := Build(ctx, Options{Root: root, Out: out, Go: "go", CacheDir: "off"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Build with a cancelled context: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a cancelled build left an output directory")
	}
}

func TestBuildNeedsOutput(t *testing.T) {
	if err := Build(context.Background(), Options{Root: t.TempDir()}); !errors.Is(err, ErrNoOutput) {
		t.Fatalf("Build without Out: %v, want ErrNoOutput", err)
	}
}

func TestFindRoot(t *testing.T) {
	root := fakeModule(t)
	other := t.TempDir()
	writeTree(t, other, map[string]string{"go.mod": "module example.com/other\n\ngo 1.26\n", "sub/x.txt": ""})
	bare := t.TempDir()

	tests := []struct {
		name, dir, want string
		err             error
	}{
		{"at root", root, root, nil},
		{"below root", filepath.Join(root, "wasm", "hello"), root, nil},
		{"other module", filepath.Join(other, "sub"), "", ErrNoModule},
		{"no module", bare, "", ErrNoModule},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FindRoot(tc.dir)
			if !errors.Is(err, tc.err) {
				t.Fatalf("FindRoot(%s) error %v, want %v", tc.dir, err, tc.err)
			}
			if got != tc.want {
				t.Errorf("FindRoot = %q, want %q", got, tc.want)
			}
		})
	}
	if !strings.Contains(ErrNoModule.Error(), "run facewatch from inside the facewatch source tree") {
		t.Errorf("ErrNoModule says %q", ErrNoModule)
	}
}

// TestBuildRepository builds the real playground: every main package under
// wasm/ must compile for js/wasm and every model file must be there.
func TestBuildRepository(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every wasm program of the repository")
	}
	needGo(t)
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	var log bytes.Buffer
	if err := Build(context.Background(), Options{Root: root, Out: out, Log: &log, CacheDir: t.TempDir()}); err != nil {
		t.Fatalf("Build: %v\n%s", err, log.Bytes())
	}
	t.Logf("progress:\n%s", log.Bytes())

	names := []string{
		"wasm_exec.js",
		"models/facefinder", "models/puploc",
		"models/face_recognition_model.bin",
		"models/face_recognition_model-weights_manifest.json",
		"media/sample.webm",
	}
	lps, err := os.ReadDir(filepath.Join(root, "assets", "cascades", "lps"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range lps {
		names = append(names, "models/lps/"+e.Name())
	}
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(n))); err != nil {
			t.Errorf("missing %s", n)
		}
	}

	// Every directory under wasm/ holding a main package yields <dir>.wasm.
	mains, _ := filepath.Glob(filepath.Join(root, "wasm", "*", "*.go"))
	seen := map[string]bool{}
	for _, f := range mains {
		src, err := os.ReadFile(f)
		if err != nil || strings.HasSuffix(f, "_test.go") || !bytes.Contains(src, []byte("\npackage main\n")) && !bytes.HasPrefix(src, []byte("package main\n")) {
			continue
		}
		seen[filepath.Base(filepath.Dir(f))] = true
	}
	for name := range seen {
		wasm, err := os.ReadFile(filepath.Join(out, name+".wasm"))
		if err != nil {
			t.Errorf("wasm/%s is a main package but %s.wasm was not built", name, name)
			continue
		}
		if !bytes.HasPrefix(wasm, wasmMagic) {
			t.Errorf("%s.wasm is not WebAssembly", name)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "wasm", "worker")); err == nil && !seen["worker"] {
		t.Error("wasm/worker exists but holds no main package")
	}
	if seen["worker"] {
		if _, err := os.Stat(filepath.Join(out, "worker.wasm.gz")); err != nil {
			t.Error("worker.wasm has no gzip sibling")
		}
		// With the SIMD toolchain the scalar fallback is beside it.
		if strings.Contains(log.String(), "worker.wasm with "+SIMDToolchain) {
			if _, err := os.Stat(filepath.Join(out, "worker-scalar.wasm.gz")); err != nil {
				t.Error("SIMD build without worker-scalar.wasm.gz")
			}
		}
	}
}

// simdModule is fakeModule with a worker program whose two builds differ:
// it prints whether it was compiled with GOEXPERIMENT=simd.
func simdModule(t *testing.T) string {
	root := fakeModule(t)
	writeTree(t, root, map[string]string{
		"wasm/worker/main.go":      "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"simd\", simd) }\n",
		"wasm/worker/simd.go":      "//go:build goexperiment.simd\n\npackage main\n\nconst simd = true\n",
		"wasm/worker/scalar.go":    "//go:build !goexperiment.simd\n\npackage main\n\nconst simd = false\n",
		"playground/js/workers.js": "export const simdWorker = false;\n",
	})
	return root
}

// TestBuildSIMDWorker builds a module with a worker under the SIMD
// toolchain: worker.wasm must be the GOEXPERIMENT=simd build and
// worker-scalar.wasm the other (told apart by running them under node), the
// site's js/workers.js must say so, and wasm_exec.js must come from the
// toolchain that built them.
func TestBuildSIMDWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with the SIMD toolchain")
	}
	needGo(t)
	goroot, err := simdGoroot()
	if err != nil {
		t.Skipf("Go %s cannot be had here (%v): the scalar-only path is TestBuildWithoutSIMDToolchain", SIMDToolchain, err)
	}
	root := simdModule(t)
	out := filepath.Join(t.TempDir(), "site")
	var log bytes.Buffer
	if err := Build(context.Background(), Options{Root: root, Out: out, Log: &log, CacheDir: "off"}); err != nil {
		t.Fatalf("Build: %v\n%s", err, log.Bytes())
	}
	t.Logf("progress:\n%s", log.Bytes())
	js, err := os.ReadFile(filepath.Join(out, "js", "workers.js"))
	if err != nil || !bytes.Contains(js, []byte("export const simdWorker = true;")) {
		t.Errorf("js/workers.js = %q, %v; want simdWorker = true", js, err)
	}
	execJS, err := os.ReadFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "wasm_exec.js")); !bytes.Equal(got, execJS) {
		t.Errorf("wasm_exec.js is not %s's", SIMDToolchain)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: cannot run the two builds")
	}
	for name, want := range map[string]string{"worker.wasm": "simd true", "worker-scalar.wasm": "simd false"} {
		cmd := exec.Command(node, filepath.Join(goroot, "lib", "wasm", "wasm_exec_node.js"), filepath.Join(out, name))
		got, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(got)) != want {
			t.Errorf("%s printed %q (%v), want %q", name, got, err, want)
		}
	}
}

// simdGoroot returns the SIMD toolchain's GOROOT, fetching it if needed.
func simdGoroot() (string, error) {
	cmd := exec.Command("go", "env", "GOVERSION", "GOROOT")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+SIMDToolchain)
	out, err := cmd.Output()
	lines := strings.Fields(string(out))
	if err != nil || len(lines) != 2 || lines[0] != SIMDToolchain {
		return "", fmt.Errorf("go env: %q, %v", out, err)
	}
	return lines[1], nil
}

// TestBuildWithoutSIMDToolchain names a toolchain the module proxy does not
// have: Build must say so in one line and ship the scalar worker only, the
// page's js/workers.js as it is in the source.
func TestBuildWithoutSIMDToolchain(t *testing.T) {
	needGo(t)
	root := simdModule(t)
	out := filepath.Join(t.TempDir(), "site")
	var log bytes.Buffer
	if err := Build(context.Background(), Options{Root: root, Out: out, Log: &log, CacheDir: "off", SIMD: "go1.0.0"}); err != nil {
		t.Fatalf("Build: %v\n%s", err, log.Bytes())
	}
	var skipped []string
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "wasm SIMD") {
			skipped = append(skipped, line)
		}
	}
	if len(skipped) != 1 || !strings.HasPrefix(skipped[0], "wasm SIMD worker skipped: Go go1.0.0 could not be had (") {
		t.Errorf("want one line saying the SIMD worker was skipped, got %q\n%s", skipped, log.Bytes())
	}
	if _, err := os.Stat(filepath.Join(out, "worker.wasm")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(out, "worker-scalar.wasm")); err == nil {
		t.Error("worker-scalar.wasm built without a SIMD worker")
	}
	if js, _ := os.ReadFile(filepath.Join(out, "js", "workers.js")); !bytes.Contains(js, []byte("simdWorker = false")) {
		t.Errorf("js/workers.js = %q, want the source's simdWorker = false", js)
	}
}

func TestGzCache(t *testing.T) {
	dir := t.TempDir()
	cache := newGzCache(filepath.Join(dir, "cache"))
	if cache == nil {
		t.Fatal("no cache")
	}
	data := bytes.Repeat([]byte("facewatch wasm "), 5000)
	a := filepath.Join(dir, "a.wasm")
	b := filepath.Join(dir, "b.wasm")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rawA, sentA, err := cache.compress(a)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(cache.dir)
	if len(entries) != 1 {
		t.Fatalf("%d cache entries after one file, want 1", len(entries))
	}
	// Poison the entry with valid gzip of other bytes: it must not be used.
	entry := filepath.Join(cache.dir, entries[0].Name())
	var other bytes.Buffer
	zw := gzip.NewWriter(&other)
	zw.Write([]byte("something else"))
	zw.Close()
	if err := os.WriteFile(entry, other.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rawB, sentB, err := cache.compress(b)
	if err != nil {
		t.Fatal(err)
	}
	if rawA != rawB || sentA != sentB || sentA >= rawA {
		t.Errorf("sizes %d/%d and %d/%d", rawA, sentA, rawB, sentB)
	}
	for _, p := range []string{a, b} {
		gz, err := os.ReadFile(p + ".gz")
		if err != nil {
			t.Fatal(err)
		}
		if !gunzipEquals(gz, data) {
			t.Errorf("%s.gz does not decompress to %s", p, p)
		}
	}
	// The entry was repaired and is now used as is.
	fixed, _ := os.ReadFile(entry)
	if !gunzipEquals(fixed, data) {
		t.Error("the damaged cache entry was not replaced")
	}

	// Entries unused for longer than gzCacheKeep go.
	cache.prune(time.Now().Add(gzCacheKeep + time.Hour))
	if entries, _ := os.ReadDir(cache.dir); len(entries) != 0 {
		t.Errorf("%d entries left after pruning", len(entries))
	}
}

func TestGzCacheSkipsIncompressible(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "facefinder")
	// A real cascade: binary trees that gzip barely shrinks.
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "assets", "cascades", "facefinder"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, sent, err := newGzCache("off").compress(p)
	if err != nil {
		t.Fatal(err)
	}
	if raw != sent {
		t.Errorf("sent %d of %d bytes: expected the plain file", sent, raw)
	}
	if _, err := os.Stat(p + ".gz"); err == nil {
		t.Error("wrote a .gz that saves less than a tenth")
	}
}
