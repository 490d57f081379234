package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facewatch/facewatch/internal/site"
)

// syncBuffer is a bytes.Buffer safe for one writer and one poller.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var urlRE = regexp.MustCompile(`https?://[^\s]+/`)

// startServe runs "facewatch serve" with args until the test ends and
// returns the URL it prints and a function that stops it and returns its
// result.
func startServe(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	u, stop, _ := startServeOut(t, args...)
	return u, stop
}

// startServeOut is startServe that also returns serve's output so far.
func startServeOut(t *testing.T, args ...string) (string, func() error, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, args, &stdout, &stderr) }()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(2 * shutdownGrace):
			t.Fatal("serve did not stop")
			return nil
		}
	}
	t.Cleanup(func() { cancel() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if u := urlRE.FindString(stdout.String()); u != "" && strings.Contains(stdout.String(), "Ctrl-C") {
			return u, stop, &stdout
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve printed no URL:\n%s", stdout.String())
	return "", nil, nil
}

// builtSite writes a minimal built site.
func builtSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{
		"index.html":  "<!doctype html><title>facewatch</title>",
		"worker.wasm": "\x00asm\x01\x00\x00\x00",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func checkHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for _, kv := range site.Headers {
		if got := h.Get(kv[0]); got != kv[1] {
			t.Errorf("%s: %s = %q, want %q", what, kv[0], got, kv[1])
		}
	}
}

func TestServeDir(t *testing.T) {
	dir := builtSite(t)
	url, stop := startServe(t, "-addr", "127.0.0.1:0", "-dir", dir)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("URL %q is not on the loopback address asked for", url)
	}
	tests := []struct {
		path   string
		status int
		ctype  string
	}{
		{"", 200, "text/html; charset=utf-8"},
		{"worker.wasm", 200, "application/wasm"},
		{"missing.js", 404, ""},
		{"../../etc/passwd", 404, ""},
	}
	for _, tc := range tests {
		res, _ := get(t, url+tc.path)
		if res.StatusCode != tc.status {
			t.Errorf("/%s: status %d, want %d", tc.path, res.StatusCode, tc.status)
		}
		if tc.ctype != "" && res.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("/%s: Content-Type %q, want %q", tc.path, res.Header.Get("Content-Type"), tc.ctype)
		}
		checkHeaders(t, "/"+tc.path, res.Header)
	}
	if err := stop(); err != nil {
		t.Errorf("serve returned %v after shutdown, want nil", err)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// TestServeExtension checks the hook the classroom uses: its flag is parsed,
// its handler is mounted and gets the security headers, and its context is
// cancelled on shutdown.
func TestServeExtension(t *testing.T) {
	saved := serveExtensions
	t.Cleanup(func() { serveExtensions = saved })
	var enabled *bool
	stopped := make(chan struct{})
	addServeExtension(serveExtension{
		name: "test",
		flags: func(fs *flag.FlagSet) {
			enabled = fs.Bool("testext", false, "mount the test extension")
		},
		mount: func(ctx context.Context, mux *http.ServeMux, stdout io.Writer) error {
			if !*enabled {
				return nil
			}
			mux.HandleFunc("/ext/", func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "extension")
			})
			go func() { <-ctx.Done(); close(stopped) }()
			return nil
		},
	})
	url, stop := startServe(t, "-addr", "127.0.0.1:0", "-dir", builtSite(t), "-testext")
	res, body := get(t, url+"ext/x")
	if res.StatusCode != 200 || string(body) != "extension" {
		t.Errorf("extension answered %d %q", res.StatusCode, body)
	}
	checkHeaders(t, "/ext/x", res.Header)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-time.After(time.Second):
		t.Error("extension context not cancelled on shutdown")
	}
}

func TestServeExtensionError(t *testing.T) {
	saved := serveExtensions
	t.Cleanup(func() { serveExtensions = saved })
	errBoom := errors.New("boom")
	addServeExtension(serveExtension{
		name:  "broken",
		mount: func(context.Context, *http.ServeMux, io.Writer) error { return errBoom },
	})
	err := runServe(context.Background(), []string{"-addr", "127.0.0.1:0", "-dir", builtSite(t)}, io.Discard, io.Discard)
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "broken") {
		t.Errorf("runServe with a failing extension: %v", err)
	}
}

func TestServeErrors(t *testing.T) {
	empty := t.TempDir()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	tests := []struct {
		name string
		args []string
		want error  // errors.Is target, or nil to check text only
		text string // substring of the error
	}{
		{"extra argument", []string{"now"}, errUsage, ""},
		{"unknown flag", []string{"-port", "80"}, errUsage, ""},
		{"dir and out", []string{"-dir", empty, "-out", empty}, errUsage, ""},
		{"dir without index", []string{"-addr", "127.0.0.1:0", "-dir", empty}, nil, "has no index.html"},
		{"address in use", []string{"-addr", busy.Addr().String(), "-dir", builtSite(t)}, nil, "address already in use"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := runServe(context.Background(), tc.args, io.Discard, &stderr)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q lacks %q", err, tc.text)
			}
		})
	}
}

// TestServeOutsideSourceTree runs serve from a folder outside any checkout,
// as an installed facewatch is: it builds from the source it was compiled
// from and serves the page.
func TestServeOutsideSourceTree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site")
	}
	t.Chdir(t.TempDir())
	u, stop := startServe(t, "-addr", "127.0.0.1:0", "-out", filepath.Join(t.TempDir(), "site"))
	res, body := get(t, u)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "<html") {
		t.Errorf("GET %s: %s\n%.200s", u, res.Status, body)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

func TestListenURL(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080/"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 80}, "http://localhost:80/"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9000}, "http://localhost:9000/"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9000}, "http://[::1]:9000/"},
	}
	for _, tc := range tests {
		if got := listenURL(tc.addr); got != tc.want {
			t.Errorf("listenURL(%v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

func TestPrefixWriter(t *testing.T) {
	var b bytes.Buffer
	w := prefixed(&b, "build: ")
	for _, s := range []string{"one\ntw", "o\n", "", "three\nfour\n"} {
		if _, err := io.WriteString(w, s); err != nil {
			t.Fatal(err)
		}
	}
	want := "build: one\nbuild: two\nbuild: three\nbuild: four\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
