package site

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wasmMagic is the start of every WebAssembly binary: "\0asm" and version 1.
var wasmMagic = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

// testSite writes a small built site into a temporary directory and returns
// it with the plain bytes of its files.
func testSite(t testing.TB) (string, map[string][]byte) {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "site")
	outside := filepath.Join(base, "outside")
	files := map[string][]byte{
		"index.html":        []byte("<!doctype html><title>facewatch</title>" + strings.Repeat("<p>face</p>", 50)),
		"overlay.html":      []byte("<!doctype html><title>overlay</title>"),
		"css/site.css":      []byte(strings.Repeat("body{margin:0}", 40)),
		"js/boot.js":        []byte(strings.Repeat("console.log(1);", 40)),
		"i18n/en.json":      []byte(`{"title":"facewatch"}`),
		"worker.wasm":       append(append([]byte(nil), wasmMagic...), bytes.Repeat([]byte{1, 2, 3, 4}, 1000)...),
		"wasm_exec.js":      []byte("\"use strict\";"),
		"models/facefinder": {0x00, 0x01, 0x02, 0x03},
		"media/sample.webm": {0x1a, 0x45, 0xdf, 0xa3},
		"sub/index.html":    []byte("<!doctype html><title>sub</title>"),
		"empty/keep.txt":    []byte("x"),
		".facewatch-site":   markerContent,
		"secret.txt.gz":     []byte("not a sibling of anything"),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"index.html", "css/site.css", "js/boot.js", "worker.wasm"} {
		if _, _, err := gzipFile(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)+".gz")); err != nil {
			t.Fatalf("%s: no .gz sibling: %v", name, err)
		}
	}
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "secret.html")); err != nil {
		t.Fatal(err)
	}
	return dir, files
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for _, kv := range Headers {
		if got := h.Get(kv[0]); got != kv[1] {
			t.Errorf("%s: %s = %q, want %q", what, kv[0], got, kv[1])
		}
	}
}

func TestHandler(t *testing.T) {
	dir, files := testSite(t)
	h := Handler(dir)

	tests := []struct {
		name     string
		method   string
		target   string
		gzip     string // Accept-Encoding
		status   int
		ctype    string
		encoding string
		body     string // the site file whose bytes are expected (decoded)
		location string
		cache    string
	}{
		{name: "root", target: "/", status: 200, ctype: "text/html; charset=utf-8", body: "index.html", cache: "no-cache"},
		{name: "root gzip", target: "/", gzip: "gzip, deflate, br", status: 200, ctype: "text/html; charset=utf-8", encoding: "gzip", body: "index.html", cache: "no-cache"},
		{name: "gzip refused by q=0", target: "/index.html", gzip: "gzip;q=0, br", status: 200, ctype: "text/html; charset=utf-8", body: "index.html"},
		{name: "gzip by star", target: "/index.html", gzip: "*", status: 200, ctype: "text/html; charset=utf-8", encoding: "gzip", body: "index.html"},
		{name: "no sibling", target: "/overlay.html", gzip: "gzip", status: 200, ctype: "text/html; charset=utf-8", body: "overlay.html"},
		{name: "wasm", target: "/worker.wasm", status: 200, ctype: "application/wasm", body: "worker.wasm", cache: "no-cache"},
		{name: "wasm gzip", target: "/worker.wasm", gzip: "gzip", status: 200, ctype: "application/wasm", encoding: "gzip", body: "worker.wasm"},
		{name: "js", target: "/js/boot.js", status: 200, ctype: "text/javascript; charset=utf-8", body: "js/boot.js"},
		{name: "css", target: "/css/site.css", gzip: "gzip", status: 200, ctype: "text/css; charset=utf-8", encoding: "gzip", body: "css/site.css"},
		{name: "json", target: "/i18n/en.json", status: 200, ctype: "application/json", body: "i18n/en.json"},
		{name: "cascade", target: "/models/facefinder", status: 200, ctype: "application/octet-stream", body: "models/facefinder", cache: "public, max-age=86400"},
		{name: "clip", target: "/media/sample.webm", status: 200, ctype: "video/webm", body: "media/sample.webm", cache: "public, max-age=86400"},
		{name: "query ignored", target: "/index.html?lang=ko", status: 200, ctype: "text/html; charset=utf-8", body: "index.html"},
		{name: "head", method: "HEAD", target: "/worker.wasm", status: 200, ctype: "application/wasm"},
		{name: "subdir index", target: "/sub/", status: 200, ctype: "text/html; charset=utf-8", body: "sub/index.html"},
		{name: "subdir redirect", target: "/sub", status: 301, location: "/sub/"},
		{name: "404", target: "/nope.html", status: 404},
		{name: "dir without index", target: "/empty/", status: 404},
		{name: "dir without index, no slash", target: "/empty", status: 404},
		{name: "dir listing", target: "/models/", status: 404},
		{name: "marker", target: "/.facewatch-site", status: 404},
		{name: "dot dir", target: "/.git/config", status: 404},
		{name: "gz sibling directly", target: "/index.html.gz", status: 404},
		{name: "orphan gz", target: "/secret.txt.gz", status: 404},
		{name: "dotdot", target: "/../outside/secret", status: 404},
		{name: "dotdot inside", target: "/models/../../outside/secret", status: 404},
		{name: "encoded dotdot", target: "/%2e%2e/outside/secret", status: 404},
		{name: "backslash", target: "/..%5coutside%5csecret", status: 404},
		{name: "symlinked dir out of root", target: "/link/secret", status: 404},
		{name: "symlinked file out of root", target: "/secret.html", status: 404},
		{name: "nul", target: "/index.html%00.js", status: 404},
		{name: "post", method: "POST", target: "/index.html", status: 405},
		{name: "put", method: "PUT", target: "/x", status: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			req := httptest.NewRequest(method, tc.target, nil)
			if tc.gzip != "" {
				req.Header.Set("Accept-Encoding", tc.gzip)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			checkSecurityHeaders(t, tc.target, res.Header)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			body, _ := io.ReadAll(res.Body)
			if bytes.Contains(body, []byte("SECRET")) {
				t.Fatalf("served a file from outside the site")
			}
			if tc.location != "" && res.Header.Get("Location") != tc.location {
				t.Errorf("Location %q, want %q", res.Header.Get("Location"), tc.location)
			}
			if tc.status != 200 {
				return
			}
			if got := res.Header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type %q, want %q", got, tc.ctype)
			}
			if got := res.Header.Get("Content-Encoding"); got != tc.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, tc.encoding)
			}
			if tc.cache != "" && res.Header.Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control %q, want %q", res.Header.Get("Cache-Control"), tc.cache)
			}
			if res.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
			if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", res.Header.Get("Vary"))
			}
			if tc.body == "" {
				if method == "HEAD" && len(body) != 0 {
					t.Errorf("HEAD returned %d body bytes", len(body))
				}
				return
			}
			if tc.encoding == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, files[tc.body]) {
				t.Errorf("body differs from %s (%d bytes, want %d)", tc.body, len(body), len(files[tc.body]))
			}
		})
	}
}

// TestHandlerRealServer checks what a real client sees: Go's client asks
// for gzip by itself and decodes it, and the headers arrive on 404s too.
func TestHandlerRealServer(t *testing.T) {
	dir, files := testSite(t)
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()
	for _, p := range []string{"/", "/worker.wasm", "/does-not-exist", "/link/secret"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		checkSecurityHeaders(t, p, res.Header)
		switch p {
		case "/", "/worker.wasm":
			if res.StatusCode != 200 {
				t.Errorf("%s: status %d", p, res.StatusCode)
			}
			if !res.Uncompressed {
				t.Errorf("%s: not sent gzip-encoded", p)
			}
			want := files["index.html"]
			if p == "/worker.wasm" {
				want = files["worker.wasm"]
			}
			if !bytes.Equal(body, want) {
				t.Errorf("%s: body differs", p)
			}
		default:
			if res.StatusCode != 404 {
				t.Errorf("%s: status %d, want 404", p, res.StatusCode)
			}
		}
	}
}

func TestHandlerRevalidation(t *testing.T) {
	dir, _ := testSite(t)
	h := Handler(dir)
	for _, enc := range []string{"", "gzip"} {
		req := httptest.NewRequest("GET", "/worker.wasm", nil)
		req.Header.Set("Accept-Encoding", enc)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		tag := rec.Result().Header.Get("ETag")
		if tag == "" {
			t.Fatal("no ETag")
		}

		req = httptest.NewRequest("GET", "/worker.wasm", nil)
		req.Header.Set("Accept-Encoding", enc)
		req.Header.Set("If-None-Match", tag)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("encoding %q: revalidation status %d, want 304", enc, res.StatusCode)
		}
		checkSecurityHeaders(t, "304", res.Header)
	}

	// The plain and gzip variants must not share a tag, or a cache could
	// answer a gzip-less client with gzip bytes.
	tags := map[string]bool{}
	for _, enc := range []string{"", "gzip"} {
		req := httptest.NewRequest("GET", "/worker.wasm", nil)
		req.Header.Set("Accept-Encoding", enc)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		tags[rec.Result().Header.Get("ETag")] = true
	}
	if len(tags) != 2 {
		t.Errorf("plain and gzip variants share an ETag: %v", tags)
	}

	// A changed file gets a new tag.
	req := httptest.NewRequest("GET", "/overlay.html", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	before := rec.Result().Header.Get("ETag")
	if err := os.WriteFile(filepath.Join(dir, "overlay.html"), []byte("<!doctype html><title>changed</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/overlay.html", nil))
	if after := rec.Result().Header.Get("ETag"); after == before {
		t.Errorf("ETag %s unchanged after the file changed", after)
	}
}

func TestHandlerRange(t *testing.T) {
	dir, files := testSite(t)
	req := httptest.NewRequest("GET", "/media/sample.webm", nil)
	req.Header.Set("Range", "bytes=1-2")
	rec := httptest.NewRecorder()
	Handler(dir).ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", res.StatusCode)
	}
	body, _ := io.ReadAll(res.Body)
	if want := files["media/sample.webm"][1:3]; !bytes.Equal(body, want) {
		t.Errorf("range body %x, want %x", body, want)
	}
	checkSecurityHeaders(t, "206", res.Header)
}

func TestHandlerMissingDir(t *testing.T) {
	h := Handler(filepath.Join(t.TempDir(), "missing"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 404 {
		t.Errorf("status %d, want 404", rec.Code)
	}
	checkSecurityHeaders(t, "missing dir", rec.Result().Header)
}

func TestSecurityHeadersWrapsOtherHandlers(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	rec := httptest.NewRecorder()
	SecurityHeaders(inner).ServeHTTP(rec, httptest.NewRequest("GET", "/classroom", nil))
	if rec.Code != http.StatusTeapot {
		t.Errorf("status %d", rec.Code)
	}
	checkSecurityHeaders(t, "wrapped", rec.Result().Header)
}

func TestCSP(t *testing.T) {
	// The directives the playground depends on; each was seen to break the
	// page when missing.
	for _, want := range []string{
		"default-src 'none'",
		"script-src 'self' 'wasm-unsafe-eval'",
		"worker-src 'self'",
		"frame-src 'self'",
		"media-src 'self' blob:",
		"connect-src 'self'",
		"base-uri 'none'",
		"form-action 'none'",
	} {
		if !strings.Contains(ContentSecurityPolicy, want) {
			t.Errorf("CSP lacks %q", want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval'", "*"} {
		if strings.Contains(strings.ReplaceAll(ContentSecurityPolicy, "'wasm-unsafe-eval'", ""), bad) {
			t.Errorf("CSP allows %q", bad)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0.001", true},
		{"br, deflate", false},
		{"*", true},
		{"*;q=0", false},
		{"*, gzip;q=0", false},
		{"identity", false},
		{"gzip;q=bogus", false},
	}
	for _, tc := range tests {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestContentType(t *testing.T) {
	tests := []struct{ name, want string }{
		{"worker.wasm", "application/wasm"},
		{"WORKER.WASM", "application/wasm"},
		{"index.html", "text/html; charset=utf-8"},
		{"wasm_exec.js", "text/javascript; charset=utf-8"},
		{"i18n/ko.json", "application/json"},
		{"media/sample.webm", "video/webm"},
		{"models/facefinder", "application/octet-stream"},
		{"models/lps/lp38", "application/octet-stream"},
		{"models/face_recognition_model.bin", "application/octet-stream"},
		{"img/x.svg", "image/svg+xml"},
	}
	for _, tc := range tests {
		if got := ContentType(tc.name); got != tc.want {
			t.Errorf("ContentType(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func BenchmarkHandler(b *testing.B) {
	dir, _ := testSite(b)
	h := Handler(dir)
	req := httptest.NewRequest("GET", "/worker.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// Many overlapping ranges turn a small request into a large answer: more
// than MaxRanges get 416 and a small body; MaxRanges still work.
func TestHandlerTooManyRanges(t *testing.T) {
	dir := t.TempDir()
	const size = 4096
	if err := os.WriteFile(filepath.Join(dir, "clip.webm"), bytes.Repeat([]byte("x"), size), 0o644); err != nil {
		t.Fatal(err)
	}
	apart := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%d-%d", 2*i, 2*i)
		}
		return "bytes=" + strings.Join(parts, ",")
	}
	tests := []struct {
		name   string
		ranges []string
		status int
	}{
		{"one", []string{"bytes=0-1"}, http.StatusPartialContent},
		{"MaxRanges", []string{apart(MaxRanges)}, http.StatusPartialContent},
		{"one too many", []string{apart(MaxRanges + 1)}, http.StatusRequestedRangeNotSatisfiable},
		{"15,000 overlapping", []string{"bytes=" + strings.TrimSuffix(strings.Repeat("0-,", 15000), ",")}, http.StatusRequestedRangeNotSatisfiable},
		{"two headers", []string{"bytes=0-1", "bytes=2-3"}, http.StatusRequestedRangeNotSatisfiable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/clip.webm", nil)
			for _, r := range tt.ranges {
				req.Header.Add("Range", r)
			}
			rec := httptest.NewRecorder()
			Handler(dir).ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			body, _ := io.ReadAll(res.Body)
			if tt.status == http.StatusRequestedRangeNotSatisfiable && len(body) > 64 {
				t.Errorf("416 body of %d bytes (file %d)", len(body), size)
			}
			checkSecurityHeaders(t, tt.name, res.Header)
		})
	}
}

func TestFramingRefused(t *testing.T) {
	if !strings.Contains(ContentSecurityPolicy, "frame-ancestors 'self'") {
		t.Error("CSP lacks frame-ancestors 'self'")
	}
	dir, _ := testSite(t)
	for _, p := range []string{"/", "/nope", "/classroom/teach.html"} {
		rec := httptest.NewRecorder()
		Handler(dir).ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		if got := rec.Result().Header.Get("X-Frame-Options"); got != "SAMEORIGIN" {
			t.Errorf("%s: X-Frame-Options %q", p, got)
		}
	}
}
