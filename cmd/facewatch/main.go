// Command facewatch is the facewatch tool: it serves the playground, builds it
// as a static site, and runs facelib on images from the command line.
//
// Usage:
//
//	facewatch <command> [flags] [args]
//
// Run "facewatch help" for the list of commands and "facewatch help
// <command>" for one command's flags. Flags may come before or after file
// names; "--" ends the flags, so a file named "-x.jpg" can be given after it.
// Help goes to standard output with exit status 0; usage errors go to
// standard error with exit status 2, other failures exit with 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand. Each lives in its own file and registers itself
// from an init function.
type command struct {
	name    string
	summary string
	// run executes the command with the arguments after its name. It returns
	// errUsage for bad flags (the usage has been printed already) and
	// errFailed when it has reported its own errors and only the exit code
	// remains to be set.
	run func(args []string, stdout, stderr io.Writer) error
}

var (
	commands = map[string]*command{}

	errUsage  = errors.New("usage")
	errFailed = errors.New("failed")
)

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("facewatch: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) == 1 || args[0] != "help" {
			usage(stdout)
			return 0
		}
		if len(args) > 2 {
			fmt.Fprintln(stderr, "facewatch help: name one command, as in \"facewatch help detect\"")
			return 2
		}
		c, ok := commands[args[1]]
		if !ok {
			fmt.Fprintf(stderr, "facewatch help: unknown command %q; run \"facewatch help\" for the list\n", args[1])
			return 2
		}
		return help(c, []string{"-h"}, stdout, stderr)
	case "-version", "--version":
		args = []string{"version"}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "facewatch: unknown command %q; run \"facewatch help\" for the list\n", args[0])
		return 2
	}
	if wantsHelp(args[1:]) {
		return help(c, args[1:], stdout, stderr)
	}
	return finish(c, c.run(args[1:], stdout, stderr), stderr)
}

// help runs a command whose arguments ask for help. Asked-for help is
// output, not an error: every command prints its usage through the writer
// it is given as stderr, so here that is stdout, and the usage "error" the
// command returns after printing it means success.
func help(c *command, args []string, stdout, stderr io.Writer) int {
	err := c.run(args, stdout, stdout)
	if errors.Is(err, errUsage) {
		err = nil
	}
	return finish(c, err, stderr)
}

// finish turns a command's error into an exit status.
func finish(c *command, err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errFailed):
		return 1
	default:
		fmt.Fprintf(stderr, "facewatch %s: %v\n", c.name, err)
		return 1
	}
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "facewatch — see face recognition work, and fail, on your own face.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: facewatch <command> [flags] [args]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run \"facewatch help <command>\" for a command's flags. Flags may follow")
	fmt.Fprintln(w, "file names; \"--\" ends the flags.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "serve and build compile the playground's WebAssembly, so they need the")
	fmt.Fprintln(w, "Go toolchain (the go command on PATH); the other commands need nothing else.")
}

// newFlagSet returns a flag set that prints its usage to stderr and returns
// errors instead of exiting.
func newFlagSet(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: facewatch %s [flags] %s\n\nFlags may come before or after %s; \"--\" ends them.\n\nFlags:\n", name, args, args)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags wherever they appear among the arguments, as the go
// command does, and returns the other arguments in order. Everything after
// "--" is an argument, even if it starts with "-".
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

// megapixels is a -max-megapixels flag: a whole number of at least 1.
type megapixels int

func (m *megapixels) String() string { return fmt.Sprint(int(*m)) }

func (m *megapixels) Set(s string) error {
	var v int
	if _, err := fmt.Sscan(s, &v); err != nil || fmt.Sprint(v) != s {
		return errors.New("must be a whole number of megapixels")
	}
	if v < 1 || v > 10_000 {
		return errors.New("must be between 1 and 10000")
	}
	*m = megapixels(v)
	return nil
}

// pixels is the cap in pixels.
func (m *megapixels) pixels() int { return int(*m) * 1_000_000 }

// maxMegapixelsFlag adds the -max-megapixels flag shared by the commands that
// read images.
func maxMegapixelsFlag(fs *flag.FlagSet) *megapixels {
	m := megapixels(defaultMaxPixels / 1_000_000)
	fs.Var(&m, "max-megapixels", "refuse images over this many `megapixels`, counted as 8-bit RGBA: a 16-bit, interlaced or progressive image counts for the memory it really takes to decode")
	return &m
}
