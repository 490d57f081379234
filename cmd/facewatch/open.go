package main

import (
	"fmt"
	"io/fs"
	"os"
)

// checkRegular returns an error unless the open file is a regular file.
func checkRegular(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return notRegular(st.Mode())
	}
	return nil
}

func notRegular(m fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a folder"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("%s, not an image file: give the path of a JPEG, PNG, GIF, BMP or WebP file", kind)
}
