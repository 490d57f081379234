package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/facewatch/facewatch/internal/site"
)

func init() {
	register(&command{
		name:    "build",
		summary: "build the playground as static files for any web server",
		run: func(args []string, stdout, stderr io.Writer) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runBuild(ctx, args, stdout, stderr)
		},
	})
}

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("build", "", stderr)
	out := fs.String("o", "", "write the site into this `directory` (required; replaced as a whole, so it must be new, empty or an earlier build)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: facewatch build -o DIR

Builds the playground as static files: the pages, worker.wasm and
overlay.wasm (every main package under wasm/), wasm_exec.js from the same Go
toolchain, the models, the sample clip, and a .gz copy of each compressible
file. Run it from inside the facewatch source tree.

A static host must send these headers with every response (docs/hosting.md
has configurations for common servers):

`)
		for _, kv := range site.Headers {
			fmt.Fprintf(stderr, "  %s: %s\n", kv[0], kv[1])
		}
		fmt.Fprint(stderr, `
and serve .wasm as application/wasm. Without 'wasm-unsafe-eval' in the
Content-Security-Policy the page never starts. Pages are meant to be served
over https (browsers give the camera only to https:// and localhost).

Flags:
`)
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		return errUsage
	}
	if *out == "" || len(rest) != 0 {
		fs.Usage()
		return errUsage
	}
	// Progress is not output: it goes to stderr.
	return site.Build(ctx, site.Options{Out: *out, Log: stderr})
}
