package main

import (
	"bytes"
	"io"
	"os"
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

func TestBuildCommandOutsideSourceTree(t *testing.T) {
	t.Chdir(t.TempDir())
	var stderr bytes.Buffer
	if code := run([]string{"build", "-o", "site"}, io.Discard, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "run facewatch from inside the facewatch source tree") {
		t.Errorf("stderr: %s", stderr.String())
	}
}
