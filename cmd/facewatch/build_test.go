package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/facewatch/facewatch/internal/site"
)

func TestBuildCommandUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no output", []string{"build"}, 2, "Usage: facewatch build -o DIR"},

		{"extra argument", []string{"build", "-o", "x", "y"}, 2, "Usage:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(tc.args, io.Discard, &stderr); code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr.String())
			}
		})
	}
	// Every header the handler sends is in the help a static host reads,
	// and asked-for help is output: stdout, exit 0.
	var stdout, stderr bytes.Buffer
	if code := run([]string{"build", "-h"}, &stdout, &stderr); code != 0 || stderr.Len() != 0 {
		t.Errorf("build -h: exit %d, stderr %q; want 0 and nothing", code, stderr.String())
	}
	for _, kv := range site.Headers {
		if !strings.Contains(stdout.String(), kv[0]+": "+kv[1]) {
			t.Errorf("help lacks %s", kv[0])
		}
	}
	if !strings.Contains(stdout.String(), "'wasm-unsafe-eval'") {
		t.Error("help does not name wasm-unsafe-eval")
	}
}

func TestBuildCommandRefusesForeignDir(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"build", "-o", out}, io.Discard, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "not written by facewatch build") {
		t.Errorf("stderr: %s", stderr.String())
	}
	if b, err := os.ReadFile(filepath.Join(out, "notes.txt")); err != nil || string(b) != "mine" {
		t.Error("foreign file changed")
	}
}

// TestInstalledBinary installs facewatch into a temporary GOBIN and runs
// it from a temporary folder, outside any source tree, as a user of
// "go install" would: build writes the whole site there, with its progress
// on stderr only; without the go command it says the Go toolchain is needed.
func TestInstalledBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("installs facewatch and builds the site")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	srcRoot, err := site.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	gobin := t.TempDir()
	install := exec.Command(goCmd, "install", "./cmd/facewatch")
	install.Dir = srcRoot
	install.Env = append(os.Environ(), "GOBIN="+gobin)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	bin := filepath.Join(gobin, "facewatch")
	elsewhere := t.TempDir()
	runBin := func(env []string, args ...string) (string, string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = elsewhere
		cmd.Env = env
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		return o.String(), e.String(), err
	}

	stdout, stderr, err := runBin(os.Environ(), "build", "-o", "site")
	if err != nil {
		t.Fatalf("facewatch build from %s: %v\n%s", elsewhere, err, stderr)
	}
	if stdout != "" {
		t.Errorf("build printed to stdout (progress belongs on stderr): %q", stdout)
	}
	for _, want := range []string{"building from the facewatch source in " + srcRoot, "built worker.wasm", "site written to"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("build's progress lacks %q:\n%s", want, stderr)
		}
	}
	for _, f := range []string{"index.html", "worker.wasm", "overlay.wasm", "wasm_exec.js", "models/facefinder", "models/face_recognition_model.bin"} {
		if st, err := os.Stat(filepath.Join(elsewhere, "site", f)); err != nil || st.Size() == 0 {
			t.Errorf("site/%s: %v", f, err)
		}
	}

	// Without the Go toolchain: an error that says what is needed.
	noGo := []string{"PATH=" + t.TempDir(), "HOME=" + os.Getenv("HOME")}
	_, stderr, err = runBin(noGo, "build", "-o", "site2")
	if err == nil || !strings.Contains(stderr, "needs the Go toolchain") {
		t.Errorf("build without go: %v, stderr %q; want it to name the Go toolchain", err, stderr)
	}
	stdout, _, err = runBin(noGo, "help", "build")
	if err != nil || !strings.Contains(stdout, "needs the Go toolchain") {
		t.Errorf("help build: %v, %q; want it to say the Go toolchain is needed", err, stdout)
	}
	// The installed binary knows what it is.
	stdout, _, err = runBin(noGo, "version")
	if err != nil || !strings.Contains(stdout, "github.com/facewatch/facewatch") {
		t.Errorf("version: %v, %q", err, stdout)
	}
}

// writeModuleProxy serves the committed files of the source tree at srcRoot
// as facewatch@version from a file:// module proxy in dir.
func writeModuleProxy(t *testing.T, srcRoot, dir, version string) {
	t.Helper()
	out, err := exec.Command("git", "-C", srcRoot, "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("git ls-files: %v", err)
	}
	v := filepath.Join(dir, "github.com", "facewatch", "facewatch", "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(srcRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": []byte(`{"Version":"` + version + `","Time":"2026-12-01T00:00:00Z"}`),
		version + ".mod":  gomod,
	} {
		if err := os.WriteFile(filepath.Join(v, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zf, err := os.Create(filepath.Join(v, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zf.Close()
	zw := zip.NewWriter(zf)
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		st, err := os.Lstat(filepath.Join(srcRoot, name))
		if err != nil || !st.Mode().IsRegular() {
			continue // deleted in the working tree, or a link
		}
		body, err := os.ReadFile(filepath.Join(srcRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(site.ModulePath + "@" + version + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestInstalledFromModuleProxy installs a released version the way users
// will, "go install github.com/facewatch/facewatch/cmd/facewatch@VERSION",
// from a local module proxy into an empty module cache, then builds the site
// from a temporary folder: from the module cache copy, and again after that
// copy is deleted (as for a binary copied to another machine), when it is
// downloaded again.
func TestInstalledFromModuleProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("installs facewatch from a module proxy and builds the site twice")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	srcRoot, err := site.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	realCache, err := exec.Command(goCmd, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	const version = "v0.9.0"
	proxy := t.TempDir()
	writeModuleProxy(t, srcRoot, proxy, version)
	cache, gobin, elsewhere := t.TempDir(), t.TempDir(), t.TempDir()
	env := append(os.Environ(),
		"GOBIN="+gobin,
		"GOMODCACHE="+cache,
		// facewatch from the local proxy, its dependencies from the module
		// cache already on this machine: no network.
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(strings.TrimSpace(string(realCache)), "cache", "download")),
		// The checksum database is not asked: facewatch is not in it, and
		// the dependencies are checked against its go.sum.
		"GOSUMDB=off",
		"GOFLAGS=-modcacherw",
		"GOTOOLCHAIN=local",
	)
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = elsewhere, env
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, o.String(), e.String())
		}
		return e.String()
	}
	run(goCmd, "install", site.ModulePath+"/cmd/facewatch@"+version)
	bin := filepath.Join(gobin, "facewatch")
	modDir := filepath.Join(cache, "github.com", "facewatch", "facewatch@"+version)

	stderr := run(bin, "build", "-o", "site")
	if !strings.Contains(stderr, "building from the facewatch source in "+modDir) {
		t.Errorf("build did not use the module cache copy:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "site", "worker.wasm")); err != nil {
		t.Error(err)
	}
	if out, err := exec.Command(bin, "version").Output(); err != nil || !strings.Contains(string(out), "facewatch "+version) {
		t.Errorf("version: %v, %q", err, out)
	}

	if err := os.RemoveAll(modDir); err != nil {
		t.Fatal(err)
	}
	stderr = run(bin, "build", "-o", "site2")
	if !strings.Contains(stderr, "building from the facewatch source in "+modDir) {
		t.Errorf("build did not download the source again:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "site2", "index.html")); err != nil {
		t.Error(err)
	}
}
