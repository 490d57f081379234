//go:build unix

package main

import (
	"os"
	"syscall"
)

// openRegular opens path for reading only if it is a regular file. The open
// itself is non-blocking, so a named pipe with no writer cannot stall it, and
// the check is made on the opened file, so the path cannot be swapped for
// something else between a check and the open.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
