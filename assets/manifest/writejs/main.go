// Command writejs prints js/manifest.js as facewatch build writes it:
//
//	go run ./assets/manifest/writejs > playground/js/manifest.js
package main

import (
	"os"

	"github.com/facewatch/facewatch/assets/manifest"
)

func main() {
	if _, err := os.Stdout.Write(manifest.JS()); err != nil {
		os.Exit(1)
	}
}
