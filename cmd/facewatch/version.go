package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

func init() {
	register(&command{
		name:    "version",
		summary: "print facewatch's module version, source revision and Go version",
		run:     runVersion,
	})
}

// versionInfo is what "facewatch version -json" prints.
type versionInfo struct {
	jsonHeader
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"revision_time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

func readVersion() versionInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return versionFrom(bi)
}

// versionFrom reads the version out of build information (nil when the
// program carries none).
func versionFrom(bi *debug.BuildInfo) versionInfo {
	v := versionInfo{
		jsonHeader: header("version"),
		Module:     "github.com/facewatch/facewatch",
		Version:    "unknown",
		Go:         runtime.Version(),
		Platform:   runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi == nil {
		return v
	}
	v.Go = bi.GoVersion
	if bi.Main.Path != "" {
		v.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", stderr)
	asJSON := fs.Bool("json", false, "print one JSON document (schema_version 1)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return errUsage
	}
	if len(rest) != 0 {
		fs.Usage()
		return errUsage
	}
	v := readVersion()
	if *asJSON {
		return writeJSON(stdout, v, true)
	}
	printVersion(stdout, v)
	return nil
}

func printVersion(stdout io.Writer, v versionInfo) {
	fmt.Fprintf(stdout, "facewatch %s (module %s)\n", v.Version, v.Module)
	switch {
	case v.Revision != "":
		rev := "revision " + v.Revision
		if v.Time != "" {
			rev += " of " + v.Time
		}
		if v.Modified {
			rev += ", with uncommitted changes"
		}
		fmt.Fprintln(stdout, rev)
	default:
		// go run, go test and builds with -buildvcs=false carry no revision.
		fmt.Fprintln(stdout, "revision unknown (built without version control information)")
	}
	fmt.Fprintf(stdout, "built with %s for %s\n", v.Go, v.Platform)
}
