//go:build !js

package main

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// npy builds a version 1 .npy of n 25×25 float64 crops with the given header.
func npy(n int, header string) []byte {
	h := header
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(b[8:], uint16(len(h)))
	b = append(b, h...)
	for i := 0; i < n*side*side; i++ {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(i%side)/side))
	}
	return b
}

func TestReadNPY(t *testing.T) {
	good := npy(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 25, 25), }")
	v, n, err := readNPY(good)
	if err != nil || n != 3 || len(v) != 3*side*side || v[1] != 1.0/side {
		t.Fatalf("good file: n %d, %d values, %v", n, len(v), err)
	}
	bad := map[string][]byte{
		"empty":         nil,
		"not npy":       []byte("PK\x03\x04 a zip file"),
		"version 2":     append([]byte("\x93NUMPY\x02"), good[6:]...),
		"short header":  good[:20],
		"float32":       npy(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 25, 25), }"),
		"fortran order": npy(3, "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 25, 25), }"),
		"other shape":   npy(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 24, 24), }"),
		"truncated":     good[:len(good)-8],
		"too long":      append(append([]byte(nil), good...), 0, 0, 0, 0, 0, 0, 0, 0),
	}
	for name, b := range bad {
		if _, _, err := readNPY(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestRunChecksTheSource: any file other than the packaged lfw_subset.npy is refused.
func TestRunChecksTheSource(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "lfw_subset.npy")
	if err := os.WriteFile(p, npy(100, "{'descr': '<f8', 'fortran_order': False, 'shape': (100, 25, 25), }"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(p, filepath.Join(dir, "out"))
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("run on another file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("output written for a wrong source")
	}
}

func FuzzReadNPY(f *testing.F) {
	f.Add(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 25, 25), }"))
	f.Add([]byte("\x93NUMPY\x01\x00\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, n, err := readNPY(b)
		if err == nil && len(v) != n*side*side {
			t.Fatalf("%d values for %d crops", len(v), n)
		}
	})
}
