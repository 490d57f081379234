// Command facewatch is the facewatch tool: it serves the playground, builds it
// as a static site, and runs facelib on images from the command line.
//
// Usage:
//
//	facewatch <command> [flags] [args]
//
// Run "facewatch help" for the list of commands.
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
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "facewatch: unknown command %q; run \"facewatch help\" for the list\n", args[0])
		return 2
	}
	err := c.run(args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return 2
	case errors.Is(err, errFailed):
		return 1
	default:
		fmt.Fprintf(stderr, "facewatch %s: %v\n", c.name, err)
		return 1
	}
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
	fmt.Fprintln(w, "Run \"facewatch <command> -h\" for a command's flags.")
}

// newFlagSet returns a flag set that prints its usage to stderr and returns
// errors instead of exiting.
func newFlagSet(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: facewatch %s [flags] %s\n\nFlags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}
