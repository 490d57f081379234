package main

import (
	"encoding/json"
	"io"
)

// schemaVersion is the "schema_version" of every JSON document the commands
// print. Keys are snake_case throughout. The version changes when a key
// changes meaning or goes away; new keys do not change it.
const schemaVersion = 1

// jsonHeader starts every JSON document.
type jsonHeader struct {
	SchemaVersion int    `json:"schema_version"`
	Command       string `json:"command"`
}

func header(cmd string) jsonHeader { return jsonHeader{schemaVersion, cmd} }

// jsonFailure is the document a command prints under -json when it fails as
// a whole; the same error is also written to stderr.
type jsonFailure struct {
	jsonHeader
	Error string `json:"error"`
	File  string `json:"file,omitempty"`
}

func writeJSON(w io.Writer, v any, indent bool) error {
	enc := json.NewEncoder(w)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

// failJSON prints err as a JSON failure document and returns it, so that it
// is reported on stderr and sets the exit status too.
func failJSON(w io.Writer, cmd, file string, err error) error {
	if werr := writeJSON(w, jsonFailure{header(cmd), err.Error(), file}, true); werr != nil {
		return werr
	}
	return err
}

// usageJSON reports a usage error (wrong arguments or a bad flag value) as a
// JSON failure document too, for callers that asked for -json; the usage
// itself goes to stderr as always.
func usageJSON(w io.Writer, asJSON bool, cmd, msg string) error {
	if asJSON {
		if err := writeJSON(w, jsonFailure{jsonHeader: header(cmd), Error: msg}, true); err != nil {
			return err
		}
	}
	return errUsage
}
