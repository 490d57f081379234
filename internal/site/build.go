package site

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/facewatch/facewatch/assets/manifest"
)

// ModulePath is the module whose source tree Build works in.
const ModulePath = "github.com/facewatch/facewatch"

var (
	// ErrNoModule is returned when no facewatch go.mod is found above the
	// working directory.
	ErrNoModule = errors.New("run facewatch from inside the facewatch source tree (no go.mod for " + ModulePath + " found above the working directory)")
	// ErrNoGo is returned when the go command cannot be found.
	ErrNoGo = errors.New("the go command is not on PATH; building the playground needs the Go toolchain")
	// ErrNotSite is returned when the output directory holds files that
	// Build did not write: Build replaces its output wholesale and will not
	// delete anything else.
	ErrNotSite = errors.New("output directory is not empty and was not written by facewatch build")
	// ErrNoOutput is returned when Options.Out is empty.
	ErrNoOutput = errors.New("no output directory given")
)

// Options configure Build.
type Options struct {
	// Root is the module root (the directory holding go.mod). Empty means
	// FindRoot from the working directory.
	Root string
	// Out is the directory to write. It is replaced as a whole once the new
	// site is complete; it must not exist, be empty, or have been written by
	// an earlier Build.
	Out string
	// Go is the go command. Empty means "go" from PATH. Its GOROOT also
	// provides wasm_exec.js, so the two always match.
	Go string
	// Log receives one progress line per step. Nil discards them.
	Log io.Writer
	// CacheDir keeps compressed copies keyed by content, so an unchanged
	// file is not compressed again (compressing the overlay's 12 MB of wasm
	// at the best level takes seconds; Go's own build cache already makes
	// an unchanged wasm quick to rebuild). Empty means facewatch/gzip under
	// os.UserCacheDir; "off" disables the cache.
	CacheDir string
	// SIMD is the Go toolchain (a GOTOOLCHAIN value) that builds the wasm
	// SIMD worker when it can be had: then worker.wasm is built by it with
	// GOEXPERIMENT=SIMDExperiment (wasm SIMD128 kernels) and
	// worker-scalar.wasm, for browsers lacking wasm SIMD, by Go as it is,
	// like every other wasm (the overlay is smaller that way). Both must ship the same wasm_exec.js, since one copy serves every wasm on
	// the site. Empty means SIMDToolchain; "off" builds the worker scalar
	// only. When the toolchain cannot be had (offline, no module proxy) or
	// its wasm_exec.js differs, Build says so in one line and does the same.
	SIMD string
}

// SIMDToolchain is the Go release whose simd/archsimd package compiles to
// wasm SIMD128. The go command fetches it through the module proxy the
// first time (about 76 MB) and keeps it in the module cache.
const SIMDToolchain = "go1.27.3"

// SIMDExperiment is the GOEXPERIMENT the SIMD worker is built with: the
// archsimd kernels, and encoding/json as in Go 1.26 (Go 1.27 builds it on
// json/v2 by default, which adds about 300 KB of gzip wasm to the worker).
const SIMDExperiment = "simd,nojsonv2"

// simdMains are the wasm programs built twice, with and without
// GOEXPERIMENT=simd; the page picks one by feature detection
// (playground/js/boot.js).
var simdMains = map[string]bool{"worker": true}

// workersJS is the module the site carries to tell boot.js whether
// worker.wasm is the SIMD build with a worker-scalar.wasm beside it.
const workersJS = "js/workers.js"

// FindRoot walks up from dir to the first directory holding the facewatch
// go.mod and returns it, or ErrNoModule.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if mod, err := modulePath(filepath.Join(dir, "go.mod")); err == nil && mod == ModulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoModule
		}
		dir = parent
	}
}

// modulePath reads the module line of a go.mod file.
func modulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", gomod)
}

// Build writes the playground site into opts.Out. See the package
// documentation for the layout.
func Build(ctx context.Context, opts Options) error {
	b, err := newBuilder(opts)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := b.checkOut(); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(filepath.Dir(b.out), "."+filepath.Base(b.out)+".new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage) // a no-op once renamed into place
	if err := os.Chmod(stage, 0o755); err != nil {
		return err
	}
	b.stage = stage

	steps := []func(context.Context) error{
		b.copyPlayground,
		b.findSIMD,
		b.buildWasm,
		b.copyWasmExec,
		b.copyModels,
		b.copyMedia,
		b.copyStrangers,
		b.compress,
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(ctx); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(stage, marker), markerContent, 0o644); err != nil {
		return err
	}
	if err := b.swap(); err != nil {
		return err
	}
	b.logf("site written to %s in %.1fs", b.out, time.Since(start).Seconds())
	return nil
}

// marker is the file Build leaves in its output so that a later Build may
// replace the directory. The handler never serves dot files.
const marker = ".facewatch-site"

var markerContent = []byte("written by facewatch build; the whole directory is replaced on the next build\n")

type builder struct {
	root, out, stage string
	goCmd            string
	log              io.Writer
	gz               *gzCache
	simd             string // toolchain to try for the SIMD worker, or "off"
	simdTC           string // GOTOOLCHAIN for the SIMD worker, once findSIMD succeeded
}

func newBuilder(opts Options) (*builder, error) {
	if opts.Out == "" {
		return nil, ErrNoOutput
	}
	b := &builder{root: opts.Root, goCmd: opts.Go, log: opts.Log, gz: newGzCache(opts.CacheDir), simd: opts.SIMD}
	if b.simd == "" {
		b.simd = SIMDToolchain
	}
	if b.log == nil {
		b.log = io.Discard
	}
	if b.root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		if b.root, err = FindRoot(wd); err != nil {
			return nil, err
		}
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return nil, err
	}
	b.out = out
	if b.goCmd == "" {
		p, err := exec.LookPath("go")
		if err != nil {
			return nil, ErrNoGo
		}
		b.goCmd = p
	}
	return b, nil
}

func (b *builder) logf(format string, args ...any) {
	fmt.Fprintf(b.log, format+"\n", args...)
}

// checkOut refuses an output directory that Build may not replace.
func (b *builder) checkOut() error {
	entries, err := os.ReadDir(b.out)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(filepath.Dir(b.out), 0o755)
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	got, err := os.ReadFile(filepath.Join(b.out, marker))
	if err != nil || !bytes.Equal(got, markerContent) {
		return fmt.Errorf("%s: %w", b.out, ErrNotSite)
	}
	return nil
}

// swap moves the finished stage into place, replacing the old output.
func (b *builder) swap() error {
	if _, err := os.Lstat(b.out); err == nil {
		old := b.stage + ".old"
		if err := os.Rename(b.out, old); err != nil {
			return err
		}
		if err := os.Rename(b.stage, b.out); err != nil {
			os.Rename(old, b.out)
			return err
		}
		return os.RemoveAll(old)
	}
	return os.Rename(b.stage, b.out)
}

// copyPlayground copies playground/ except dot files and build products an
// older layout left there.
func (b *builder) copyPlayground(context.Context) error {
	src := filepath.Join(b.root, "playground")
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if strings.HasSuffix(name, ".wasm") || strings.HasSuffix(name, ".gz") || name == "wasm_exec.js" {
			return nil
		}
		n++
		return copyFile(p, filepath.Join(b.stage, rel))
	})
	if errors.Is(err, fs.ErrNotExist) {
		b.logf("playground/ not found: no pages copied")
		return nil
	}
	if err != nil {
		return fmt.Errorf("copying playground: %w", err)
	}
	b.logf("copied playground/: %d files", n)
	return nil
}

// wasmMains lists the main packages under wasm/ as import paths.
func (b *builder) wasmMains(ctx context.Context) ([]string, error) {
	if _, err := os.Stat(filepath.Join(b.root, "wasm")); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	cmd := exec.CommandContext(ctx, b.goCmd, "list", "-e", "-f", `{{if eq .Name "main"}}{{.ImportPath}}{{end}}`, "./wasm/...")
	cmd.Dir = b.root
	cmd.Env = wasmEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "matched no packages") {
			return nil, nil
		}
		return nil, fmt.Errorf("go list ./wasm/...: %w\n%s", err, stderr.Bytes())
	}
	var pkgs []string
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			pkgs = append(pkgs, line)
		}
	}
	sort.Strings(pkgs)
	return pkgs, nil
}

func wasmEnv() []string {
	return append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
}

// goroot returns the GOROOT of the go command under env.
func (b *builder) goroot(ctx context.Context, env []string) (string, error) {
	cmd := exec.CommandContext(ctx, b.goCmd, "env", "GOROOT")
	cmd.Dir = b.root
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// wasmExec returns the path of wasm_exec.js under goroot.
func wasmExec(goroot string) (string, error) {
	for _, rel := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		src := filepath.Join(goroot, filepath.FromSlash(rel))
		if _, err := os.Stat(src); err == nil {
			return src, nil
		}
	}
	return "", fmt.Errorf("wasm_exec.js not found under GOROOT %s", goroot)
}

// simdProbeTimeout bounds the first fetch of the SIMD toolchain.
const simdProbeTimeout = 10 * time.Minute

// findSIMD asks the go command for the SIMD toolchain (fetching it the
// first time). Without it the site ships the scalar worker only, and Build
// says so in one line; that is never an error.
func (b *builder) findSIMD(ctx context.Context) error {
	if b.simd == "off" {
		b.logf("wasm SIMD worker off: building the scalar worker only")
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, simdProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.goCmd, "env", "GOVERSION", "GOROOT")
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+b.simd)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	f := strings.Fields(string(out))
	got := strings.Join(f, " ")
	if err == nil && len(f) == 2 && f[0] == b.simd {
		// One wasm_exec.js serves the SIMD worker and the rest.
		ours, err1 := b.goroot(ctx, wasmEnv())
		theirs, err2 := wasmExec(f[1])
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		mine, err := wasmExec(ours)
		if err != nil {
			return err
		}
		a, err1 := os.ReadFile(mine)
		c, err2 := os.ReadFile(theirs)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		if !bytes.Equal(a, c) {
			b.logf("wasm SIMD worker skipped: %s's wasm_exec.js differs from the one of the go command building the rest; shipping the scalar worker only", b.simd)
			return nil
		}
		b.simdTC = b.simd
		b.logf("building worker.wasm with %s and wasm SIMD, worker-scalar.wasm as the fallback", b.simd)
		return nil
	}
	if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	why := goError(stderr.String())
	if why == "" && err != nil {
		why = err.Error()
	} else if why == "" {
		why = "it reports " + got
	}
	b.logf("wasm SIMD worker skipped: Go %s could not be had (%s); shipping the scalar worker only", b.simd, why)
	return nil
}

// goError picks the go command's error line from its stderr: the last
// "go: " line that is not download progress, at most 200 bytes.
func goError(stderr string) string {
	var why string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "go: ") && !strings.HasPrefix(line, "go: downloading ") {
			why = strings.TrimPrefix(line, "go: ")
		}
	}
	if len(why) > 200 {
		why = why[:200] + "…"
	}
	return why
}

// buildWasm compiles each main package under wasm/ to <name>.wasm; with
// the SIMD toolchain, the programs in simdMains are built with
// GOEXPERIMENT=simd as <name>.wasm and without as <name>-scalar.wasm, and
// js/workers.js tells the page so.
func (b *builder) buildWasm(ctx context.Context) error {
	pkgs, err := b.wasmMains(ctx)
	if err != nil {
		return err
	}
	if len(pkgs) == 0 {
		b.logf("no main packages under wasm/: no .wasm built")
		return nil
	}
	simd := false
	for _, pkg := range pkgs {
		base := path.Base(pkg)
		if b.simdTC != "" && simdMains[base] {
			if err := b.buildOne(ctx, pkg, base+".wasm", "GOTOOLCHAIN="+b.simdTC, "GOEXPERIMENT="+SIMDExperiment); err != nil {
				return err
			}
			if err := b.buildOne(ctx, pkg, base+"-scalar.wasm"); err != nil {
				return err
			}
			simd = true
			continue
		}
		if err := b.buildOne(ctx, pkg, base+".wasm"); err != nil {
			return err
		}
	}
	if simd {
		js := fmt.Sprintf("// Written by facewatch build: worker.wasm is the wasm SIMD build (%s, GOEXPERIMENT=%s)\n// and worker-scalar.wasm the fallback for browsers without wasm SIMD.\nexport const simdWorker = true;\n", b.simdTC, SIMDExperiment)
		dst := filepath.Join(b.stage, filepath.FromSlash(workersJS))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, []byte(js), 0o644)
	}
	return nil
}

// buildOne compiles pkg to name in the stage with extra environment.
func (b *builder) buildOne(ctx context.Context, pkg, name string, extra ...string) error {
	dst := filepath.Join(b.stage, name)
	t := time.Now()
	cmd := exec.CommandContext(ctx, b.goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", dst, pkg)
	cmd.Dir = b.root
	cmd.Env = append(wasmEnv(), extra...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %w\n%s", name, err, out)
	}
	raw, gz, err := b.gz.compress(dst)
	if err != nil {
		return err
	}
	b.logf("built %s in %.1fs: %s, %s gzip", name, time.Since(t).Seconds(), size(raw), size(gz))
	return nil
}

// copyWasmExec copies wasm_exec.js from the GOROOT of the go command that
// built the wasm: the two must come from the same Go release.
func (b *builder) copyWasmExec(ctx context.Context) error {
	goroot, err := b.goroot(ctx, wasmEnv())
	if err != nil {
		return err
	}
	src, err := wasmExec(goroot)
	if err != nil {
		return err
	}
	b.logf("copied wasm_exec.js from the Go toolchain")
	return copyFile(src, filepath.Join(b.stage, "wasm_exec.js"))
}

// copyModels copies the cascades and recognition weights listed in
// assets/manifest, with their licences, and writes js/manifest.js so every
// page fetches the same list. The browser fetches only the files the
// pipeline uses.
func (b *builder) copyModels(context.Context) error {
	files := manifest.Licences()
	for _, f := range manifest.All() {
		files = append(files, [2]string{f.Asset, f.Site})
	}
	var total int64
	for _, f := range files {
		src := filepath.Join(b.root, filepath.FromSlash(f[0]))
		if err := copyFile(src, filepath.Join(b.stage, filepath.FromSlash(f[1]))); err != nil {
			return fmt.Errorf("copying model: %w", err)
		}
		if fi, err := os.Stat(src); err == nil {
			total += fi.Size()
		}
	}
	b.logf("copied %d model files: %s", len(files), size(total))
	js := filepath.Join(b.stage, filepath.FromSlash(manifest.JSPath))
	if err := os.MkdirAll(filepath.Dir(js), 0o755); err != nil {
		return err
	}
	return os.WriteFile(js, manifest.JS(), 0o644)
}

// copyMedia copies the no-camera clip.
func (b *builder) copyMedia(context.Context) error {
	src := filepath.Join(b.root, "assets", "clips", "sample.webm")
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		b.logf("assets/clips/sample.webm not found: no sample clip")
		return nil
	}
	if err := copyFile(src, filepath.Join(b.stage, "media", "sample.webm")); err != nil {
		return err
	}
	b.logf("copied media/sample.webm")
	return nil
}

// copyStrangers copies the bundled stranger gallery (assets/strangers, see
// its SOURCES) to models/strangers/, which the page fetches only when the
// visitor asks to be searched against it.
func (b *builder) copyStrangers(context.Context) error {
	var total int64
	for _, name := range []string{"strangers.json", "strangers.f32", "strangers.png", "SOURCES"} {
		src := filepath.Join(b.root, "assets", "strangers", name)
		fi, err := os.Stat(src)
		if errors.Is(err, fs.ErrNotExist) {
			b.logf("assets/strangers/%s not found: no stranger gallery", name)
			return nil
		}
		dst := name
		if name == "SOURCES" {
			dst = "SOURCES.txt"
		}
		if err := copyFile(src, filepath.Join(b.stage, "models", "strangers", dst)); err != nil {
			return err
		}
		total += fi.Size()
	}
	b.logf("copied the stranger gallery: %s", size(total))
	return nil
}

// compressible lists the extensions that get a .gz sibling; files under
// models/ are tried too. A sibling is kept only when it saves at least a
// tenth.
var compressible = map[string]bool{
	".html": true, ".js": true, ".mjs": true, ".css": true, ".json": true,
	".wasm": true, ".svg": true, ".txt": true, ".md": true,
}

// compress writes .gz siblings for the files that do not have one yet.
func (b *builder) compress(ctx context.Context) error {
	var names []string
	err := filepath.WalkDir(b.stage, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(b.stage, p)
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(rel, ".gz") {
			return nil
		}
		if compressible[strings.ToLower(path.Ext(rel))] || strings.HasPrefix(rel, "models/") {
			if _, err := os.Stat(p + ".gz"); errors.Is(err, fs.ErrNotExist) {
				names = append(names, p)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	t := time.Now()
	var raw, gz int64
	for _, p := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, g, err := b.gz.compress(p)
		if err != nil {
			return err
		}
		raw += r
		gz += g
	}
	b.logf("compressed %d files in %.1fs: %s, %s gzip", len(names), time.Since(t).Seconds(), size(raw), size(gz))
	b.gz.prune(time.Now())
	return nil
}

// gzipFile writes p.gz at the best compression, unless that saves less than
// a tenth, and returns the sizes of the file and of what a gzip-accepting
// client receives.
func gzipFile(p string) (raw, sent int64, err error) {
	return (*gzCache)(nil).compress(p)
}

// gzCache keeps the compressed form of files by content hash. A nil cache
// compresses every time.
type gzCache struct {
	dir string
}

// gzCacheKeep is how long an unused entry stays in the cache.
const gzCacheKeep = 14 * 24 * time.Hour

func newGzCache(dir string) *gzCache {
	switch dir {
	case "off":
		return nil
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		dir = filepath.Join(base, "facewatch", "gzip")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil
	}
	return &gzCache{dir: dir}
}

// compress writes p.gz (or nothing, when gzip saves less than a tenth) and
// returns the size of p and of what a gzip-accepting client receives.
func (c *gzCache) compress(p string) (raw, sent int64, err error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return 0, 0, err
	}
	raw = int64(len(data))
	var entry string
	if c != nil {
		// The key covers the content, the level and the compressor (the
		// Go release that built this program).
		sum := sha256.Sum256(append([]byte(runtime.Version()+"\x00gzip-9\x00"), data...))
		entry = filepath.Join(c.dir, hex.EncodeToString(sum[:]))
		if gz, err := os.ReadFile(entry); err == nil && gunzipEquals(gz, data) {
			now := time.Now()
			os.Chtimes(entry, now, now) // keep it from being pruned
			return writeGz(p, raw, gz)
		}
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return 0, 0, err
	}
	zw.Write(data) // writes to a bytes.Buffer do not fail
	if err := zw.Close(); err != nil {
		return 0, 0, err
	}
	if c != nil {
		// A failed cache write only costs time on the next build.
		tmp := entry + ".tmp"
		if os.WriteFile(tmp, buf.Bytes(), 0o644) == nil {
			os.Rename(tmp, entry)
		}
	}
	return writeGz(p, raw, buf.Bytes())
}

// gunzipEquals reports whether gz decompresses to exactly data, so a
// damaged cache entry is never served.
func gunzipEquals(gz, data []byte) bool {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return false
	}
	got, err := io.ReadAll(io.LimitReader(zr, int64(len(data))+1))
	return err == nil && bytes.Equal(got, data)
}

func writeGz(p string, raw int64, gz []byte) (int64, int64, error) {
	if int64(len(gz))*10 > raw*9 {
		return raw, raw, nil
	}
	if err := os.WriteFile(p+".gz", gz, 0o644); err != nil {
		return 0, 0, err
	}
	return raw, int64(len(gz)), nil
}

// prune removes entries unused for gzCacheKeep.
func (c *gzCache) prune(now time.Time) {
	if c == nil {
		return
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > gzCacheKeep {
			os.Remove(filepath.Join(c.dir, e.Name()))
		}
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// size formats a byte count the way the progress lines show it.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}
