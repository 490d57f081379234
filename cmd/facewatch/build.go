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
file. Progress goes to stderr.

It compiles WebAssembly, so it needs the Go toolchain: the go command on PATH
(Go 1.26 or later). It works from any folder: it builds from the facewatch
source tree it is run in, else from the source this program was compiled
from (the checkout "go install ./cmd/facewatch" ran in, or the module cache
copy of "go install github.com/facewatch/facewatch/cmd/facewatch@VERSION",
downloaded again with "go mod download" if it is gone).

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
	root, err := sourceRoot(ctx, stderr)
	if err != nil {
		return err
	}
	// Progress is not output: it goes to stderr.
	return site.Build(ctx, site.Options{Root: root, Out: *out, Log: stderr})
}

// sourceRoot finds the source tree to build from and says which one when it
// is not the tree the command runs in.
func sourceRoot(ctx context.Context, log io.Writer) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := site.SourceRoot(ctx, wd, "")
	if err != nil {
		return "", err
	}
	if inTree, err := site.FindRoot(wd); err != nil || inTree != root {
		fmt.Fprintf(log, "building from the facewatch source in %s\n", root)
	}
	return root, nil
}
