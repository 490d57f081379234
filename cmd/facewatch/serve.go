package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/facewatch/facewatch/internal/site"
)

func init() {
	register(&command{
		name:    "serve",
		summary: "build the playground and serve it (go run ./cmd/facewatch serve)",
		run: func(args []string, stdout, stderr io.Writer) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, args, stdout, stderr)
		},
	})
}

// serveExtension is an optional part of the server that another file of this
// command adds by calling addServeExtension from its init function; the
// classroom, enabled with -classroom, is the one planned. flags registers its
// flags on serve's flag set; mount is called once the flags are parsed and
// may add handlers to mux (everything on mux gets the site's security
// headers). ctx is cancelled when the server shuts down, so the extension
// can close connections the server does not track, such as websockets.
type serveExtension struct {
	name  string
	flags func(fs *flag.FlagSet)
	mount func(ctx context.Context, mux *http.ServeMux, stdout io.Writer) error
}

var serveExtensions []serveExtension

func addServeExtension(e serveExtension) {
	serveExtensions = append(serveExtensions, e)
}

// shutdownGrace bounds how long a stopping server waits for requests in
// flight.
const shutdownGrace = 5 * time.Second

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free port)")
	dir := fs.String("dir", "", "serve this already built `directory` (from facewatch build) instead of building")
	out := fs.String("out", "", "build the site into this `directory` (default out/site in a checkout, a folder in the user cache for a module cache copy)")
	lan := fs.Bool("lan", false, "serve this computer's network (school wifi) over https, with a certificate made for this run's network addresses; default -addr :8443")
	certFile := fs.String("cert", "", "serve https with this certificate `file` (PEM, with -key) instead of a generated one")
	keyFile := fs.String("key", "", "the private key `file` (PEM) of -cert")
	for _, e := range serveExtensions {
		if e.flags != nil {
			e.flags(fs)
		}
	}
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: facewatch serve [flags]

Builds the playground (every wasm program under wasm/, the pages in
playground/, the models and the sample clip) and serves it with the headers
it needs. Building needs the Go toolchain (the go command on PATH) and works
from any folder, as "facewatch help build" explains; with -dir it serves a
site built earlier by "facewatch build" and needs neither.

Browsers give a page the camera only over https:// or on localhost, so open
the printed http://127.0.0.1 or http://localhost address on this computer.
For other devices on the same network (a class on the school wifi), use
-lan: it listens on the network and serves https with a certificate made for
this run's addresses, and prints its fingerprint; or give a real
certificate with -cert and -key, or put the server behind a TLS proxy
(docs/classroom.md).

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	if *dir != "" && *out != "" {
		fmt.Fprintln(stderr, "facewatch serve: -dir and -out exclude each other")
		return errUsage
	}
	if (*certFile == "") != (*keyFile == "") {
		fmt.Fprintln(stderr, "facewatch serve: -cert and -key go together")
		return errUsage
	}
	addrSet := false
	fs.Visit(func(f *flag.Flag) { addrSet = addrSet || f.Name == "addr" })
	if *lan && !addrSet {
		*addr = lanDefaultAddr
	}

	root := *dir
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		src, err := site.SourceRoot(ctx, wd, "")
		if err != nil {
			return err
		}
		root = *out
		if root == "" {
			if root, err = site.DefaultOut(src); err != nil {
				return err
			}
		}
		if err := site.Build(ctx, site.Options{Root: src, Out: root, Log: prefixed(stdout, "build: ")}); err != nil {
			return err
		}
	} else if fi, err := os.Stat(filepath.Join(root, "index.html")); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s has no index.html; build it with \"facewatch build -o %s\"", root, root)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	info, tlsCfg, err := setupTLS(ln.Addr(), *lan, *certFile, *keyFile)
	if err != nil {
		ln.Close()
		return err
	}
	srvCtx, cancel := context.WithCancel(context.WithValue(ctx, serveInfoKey{}, info))
	defer cancel()
	mux := http.NewServeMux()
	mux.Handle("/", site.Handler(root))
	for _, e := range serveExtensions {
		if err := e.mount(srvCtx, mux, stdout); err != nil {
			ln.Close()
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}

	srv := &http.Server{
		Handler:           site.SecurityHeaders(mux),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return srvCtx },
		TLSConfig:         tlsCfg,
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	fmt.Fprintf(stdout, "serving %s at %s\n", root, info.URL)
	if info.Fingerprint != "" {
		fmt.Fprintf(stdout, "certificate SHA-256 fingerprint: %s\n", info.Fingerprint)
	}
	if info.Generated {
		fmt.Fprintln(stdout, "the certificate was made for this run and is not signed by anyone browsers know: each browser warns once; compare the fingerprint above with the one the warning shows (docs/classroom.md); press Ctrl-C to stop")
	} else if tlsCfg == nil {
		fmt.Fprintln(stdout, "the camera works on https:// or localhost only: open the address above on this computer; press Ctrl-C to stop")
	} else {
		fmt.Fprintln(stdout, "press Ctrl-C to stop")
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down")
	cancel()
	shutCtx, shutCancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer shutCancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// lanDefaultAddr is where -lan listens unless -addr says otherwise: every
// interface, so the teacher's own browser can use localhost too.
const lanDefaultAddr = ":8443"

// listenURL is the address to open in a browser. An unspecified host (all
// interfaces) is shown as localhost, which browsers treat as secure.
func listenURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)) + "/"
}

// prefixed returns a writer that starts every line with prefix.
func prefixed(w io.Writer, prefix string) io.Writer {
	return &prefixWriter{w: w, prefix: prefix, start: true}
}

type prefixWriter struct {
	w      io.Writer
	prefix string
	start  bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		if p.start {
			if _, err := io.WriteString(p.w, p.prefix); err != nil {
				return n, err
			}
			p.start = false
		}
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i+1]
			p.start = true
		}
		m, err := p.w.Write(line)
		n += m
		if err != nil {
			return n, err
		}
		b = b[len(line):]
	}
	return n, nil
}
