package site

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentSecurityPolicy is the policy sent with every response. No other
// site may frame a page (frame-ancestors; X-Frame-Options for browsers
// without it), so a click on a framed teacher or join page cannot be
// stolen. Go's wasm
// needs 'wasm-unsafe-eval' (without it the runtime never starts and the only
// sign is an unhandled promise rejection); everything else is same-origin, and
// no inline script or style is allowed.
const ContentSecurityPolicy = "default-src 'none'; " +
	"script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; " +
	"img-src 'self' blob: data:; " +
	"media-src 'self' blob:; " +
	"connect-src 'self'; " +
	"frame-src 'self'; " +
	"worker-src 'self'; " +
	"base-uri 'none'; " +
	"form-action 'none'; " +
	"frame-ancestors 'self'"

// Headers are the security headers sent with every response, in the order
// they are written. A static host serving the output of Build must send the
// same.
var Headers = [][2]string{
	{"Content-Security-Policy", ContentSecurityPolicy},
	{"Permissions-Policy", "camera=(self)"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"X-Frame-Options", "SAMEORIGIN"},
}

// MaxRanges is the most byte ranges one request may ask for; more get 416.
// The site's files are fetched whole or resumed with one range; thousands
// of overlapping ranges only serve to turn a small request into a large
// answer.
const MaxRanges = 8

// SecurityHeaders returns a handler that sets Headers on every response and
// then calls next. Use it around anything served beside the site (the
// classroom, for one) so every response carries the same policy.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, kv := range Headers {
			h.Set(kv[0], kv[1])
		}
		next.ServeHTTP(w, r)
	})
}

// mimeTypes is the exact table of types the site uses. It does not consult
// the system's MIME database, so the answer is the same on every machine
// (application/wasm in particular: WebAssembly.instantiateStreaming refuses
// anything else).
var mimeTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".htm":   "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".wasm":  "application/wasm",
	".webm":  "video/webm",
	".mp4":   "video/mp4",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".svg":   "image/svg+xml",
	".ico":   "image/x-icon",
	".txt":   "text/plain; charset=utf-8",
	".md":    "text/markdown; charset=utf-8",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".ttf":   "font/ttf",
	".bin":   "application/octet-stream",
}

// ContentType returns the Content-Type the handler sends for a file name.
// Names without a known extension (the pigo cascades among them) are
// application/octet-stream.
func ContentType(name string) string {
	if t, ok := mimeTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// cacheControl returns the Cache-Control value for a site path. Pages are
// always revalidated; so are scripts, styles, texts and wasm, whose names do
// not change when their contents do and which must stay in step with each
// other. The model files and the clip are large, are only ever replaced by a
// new release, and may be reused for a day.
func cacheControl(name string) string {
	switch {
	case strings.HasPrefix(name, "models/"), strings.HasPrefix(name, "media/"):
		return "public, max-age=86400"
	default:
		return "no-cache"
	}
}

// Handler serves the built site in dir. Every response, errors included,
// carries Headers. Only GET and HEAD are allowed. A path naming a directory
// serves its index.html (a directory without one is 404: there are no
// listings); names starting with a dot are never served; paths are resolved
// inside dir through an os.Root, so "..", absolute paths and symbolic links
// leading out of dir cannot reach other files. When the client accepts
// gzip and name.gz exists, the .gz sibling is sent with Content-Encoding:
// gzip. Responses carry an ETag derived from the content and honour
// If-None-Match, If-Modified-Since and Range.
func Handler(dir string) http.Handler {
	return SecurityHeaders(&fileHandler{dir: dir, etags: map[etagKey]string{}})
}

type fileHandler struct {
	dir string

	mu    sync.Mutex
	etags map[etagKey]string
}

type etagKey struct {
	name string
	size int64
	mod  time.Time
}

func (h *fileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := cleanName(r.URL.Path)
	if !ok {
		notFound(w)
		return
	}
	// The root is opened per request, so a directory replaced by a later
	// Build is picked up without restarting.
	root, err := os.OpenRoot(h.dir)
	if err != nil {
		notFound(w)
		return
	}
	defer root.Close()
	fsys := root.FS()
	if name == "." || strings.HasSuffix(r.URL.Path, "/") {
		name = path.Join(name, "index.html")
	} else if fi, err := fs.Stat(fsys, name); err == nil && fi.IsDir() {
		if _, err := fs.Stat(fsys, path.Join(name, "index.html")); err == nil {
			target := path.Base(name) + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		notFound(w)
		return
	}
	if strings.HasSuffix(name, ".gz") {
		// The precompressed siblings are an encoding, not resources.
		notFound(w)
		return
	}

	f, fi, err := open(fsys, name)
	if err != nil {
		notFound(w)
		return
	}
	defer f.Close()

	hdr := w.Header()
	hdr.Set("Content-Type", ContentType(name))
	hdr.Set("Cache-Control", cacheControl(name))
	hdr.Add("Vary", "Accept-Encoding")

	body, bodyInfo, tagSuffix := f, fi, ""
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		if gz, gzi, err := open(fsys, name+".gz"); err == nil {
			defer gz.Close()
			body, bodyInfo, tagSuffix = gz, gzi, "-gz"
			hdr.Set("Content-Encoding", "gzip")
		}
	}
	rs, ok := body.(io.ReadSeeker)
	if !ok {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	tag, err := h.etag(name+tagSuffix, bodyInfo, rs)
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	hdr.Set("ETag", `"`+tag+tagSuffix+`"`)
	if rg := r.Header.Values("Range"); len(rg) > 1 || (len(rg) == 1 && (len(rg[0]) > 64*MaxRanges || strings.Count(rg[0], ",") >= MaxRanges)) {
		hdr.Set("Content-Range", "bytes */"+strconv.FormatInt(bodyInfo.Size(), 10))
		http.Error(w, "416 too many ranges", http.StatusRequestedRangeNotSatisfiable)
		return
	}
	http.ServeContent(w, r, name, bodyInfo.ModTime(), rs)
}

// cleanName maps a URL path to a name inside the site, or reports false for
// a path that cannot name a served file.
func cleanName(urlPath string) (string, bool) {
	if strings.ContainsAny(urlPath, "\\\x00") {
		return "", false
	}
	name := strings.TrimPrefix(path.Clean("/"+urlPath), "/")
	if name == "" {
		return ".", true
	}
	if !fs.ValidPath(name) {
		return "", false
	}
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	return name, true
}

// open opens a regular file; directories and anything else are not found.
func open(fsys fs.FS, name string) (fs.File, fs.FileInfo, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fs.ErrNotExist
	}
	return f, fi, nil
}

// etag returns a content hash for the file, computed once per (name, size,
// modification time) and remembered.
func (h *fileHandler) etag(name string, fi fs.FileInfo, rs io.ReadSeeker) (string, error) {
	key := etagKey{name, fi.Size(), fi.ModTime()}
	h.mu.Lock()
	tag, ok := h.etags[key]
	h.mu.Unlock()
	if ok {
		return tag, nil
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, rs); err != nil {
		return "", err
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tag = hex.EncodeToString(sum.Sum(nil)[:12])
	h.mu.Lock()
	h.etags[key] = tag
	h.mu.Unlock()
	return tag, nil
}

func notFound(w http.ResponseWriter) {
	http.Error(w, "404 page not found", http.StatusNotFound)
}

// acceptsGzip reports whether an Accept-Encoding value admits gzip: listed
// (or covered by "*") with a non-zero quality.
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					f = 0
				}
				q = f
			}
		}
		if coding == "*" {
			star = q > 0
			continue
		}
		return q > 0
	}
	return star
}
