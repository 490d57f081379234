//go:build linux

package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childResult is a facewatch run in its own process.
type childResult struct {
	stdout, stderr string
	code           int
	peakRSS        int64 // bytes
}

// runChild runs facewatch with args in a child process (this test binary,
// see TestMain), so that a hang is cut off by timeout and the peak memory is
// the child's own.
func runChild(t *testing.T, timeout time.Duration, args ...string) childResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("facewatch %s did not finish within %v: it hangs", strings.Join(args, " "), timeout)
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	r := childResult{stdout: o.String(), stderr: e.String(), code: cmd.ProcessState.ExitCode()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.peakRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return r
}

// TestHostileFiles checks that a named pipe, a device or a folder given as
// an image is refused in one line that names it, never read.
func TestHostileFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "photo.jpg") // a pipe with an image's name
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	folder := filepath.Join(dir, "folder.png")
	os.Mkdir(folder, 0o755)
	img := filepath.Join(testdataAbs(t), "astronaut.png")
	tests := []struct {
		args       []string
		file, want string
	}{
		{[]string{"detect", fifo}, fifo, "named pipe"},
		{[]string{"embed", fifo}, fifo, "named pipe"},
		{[]string{"compare", img, fifo}, fifo, "named pipe"},
		{[]string{"compare", "-json", fifo, img}, fifo, "named pipe"},
		{[]string{"detect", "/dev/zero"}, "/dev/zero", "a device"},
		{[]string{"detect", "/dev/stdin"}, "/dev/stdin", "not an image file"},
		{[]string{"embed", folder}, folder, "a folder"},
	}
	for _, tt := range tests {
		r := runChild(t, time.Minute, tt.args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != 1 || len(lines) != 1 || !strings.Contains(lines[0], tt.file+": ") || !strings.Contains(lines[0], tt.want) {
			t.Errorf("facewatch %s: exit %d, stderr %q; want exit 1 and one line naming %s as %q",
				strings.Join(tt.args, " "), r.code, r.stderr, tt.file, tt.want)
		}
	}

	// In an eval set the pipe is reported and the rest is measured.
	set := evalSet(t)
	pipe := filepath.Join(set, "astronaut-face1", "9-pipe.jpg")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runChild(t, 5*time.Minute, "eval", set)
	if r.code != 1 || !strings.Contains(r.stderr, pipe+": a named pipe") || !strings.Contains(r.stdout, "EER") {
		t.Errorf("eval with a pipe: exit %d, stderr %q, stdout %q; want the pipe named and the report", r.code, r.stderr, r.stdout)
	}
}

// writeBomb writes a PNG that declares w x h pixels of 16-bit RGBA, all
// zero: 7000x7000 is 381 KB on disk, under the 50-megapixel cap, and 392 MB
// once decoded.
func writeBomb(t *testing.T, path string, w, h int) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]byte, 1+8*w) // filter byte, then the row
	for y := 0; y < h; y++ {
		zw.Write(row)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDecodeBombPeak runs detect on the 16-bit bomb, alone and three at
// once, and checks it is refused from its header with the child's peak
// memory under 600 MB.
func TestDecodeBombPeak(t *testing.T) {
	dir := t.TempDir()
	var bombs []string
	for i := range 3 {
		p := filepath.Join(dir, "bomb"+string(rune('1'+i))+".png")
		if i == 0 {
			writeBomb(t, p, 7000, 7000)
			st, _ := os.Stat(p)
			t.Logf("bomb: %d bytes on disk", st.Size())
			if st.Size() > 500_000 {
				t.Fatalf("bomb is %d bytes, want a small file", st.Size())
			}
		} else {
			copyFile(t, bombs[0], p)
		}
		bombs = append(bombs, p)
	}
	const limit = 600 << 20
	for _, args := range [][]string{
		{"detect", bombs[0]},
		append([]string{"detect"}, bombs...),
		{"embed", bombs[0]},
		{"compare", bombs[0], bombs[1]},
	} {
		r := runChild(t, 2*time.Minute, args...)
		t.Logf("%s %d files: peak RSS %.0f MB", args[0], len(args)-1, float64(r.peakRSS)/(1<<20))
		if r.code != 1 || !strings.Contains(r.stderr, "7000x7000 16-bit RGBA PNG decodes to 392 MB, over the 200 MB limit") {
			t.Errorf("%v: exit %d, stderr %q; want the bomb refused", args[0], r.code, r.stderr)
		}
		if r.peakRSS == 0 || r.peakRSS > limit {
			t.Errorf("%v: peak RSS %d bytes, want under %d", args[0], r.peakRSS, limit)
		}
	}
}

// TestLargestAcceptedPeak decodes and searches the largest 16-bit image the
// default limits accept (5000x5000, 200 MB decoded) and checks the peak.
func TestLargestAcceptedPeak(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 200 MB")
	}
	p := filepath.Join(t.TempDir(), "big16.png")
	writeBomb(t, p, 5000, 5000)
	r := runChild(t, 5*time.Minute, "detect", "-no-landmarks", p)
	t.Logf("peak RSS %.0f MB", float64(r.peakRSS)/(1<<20))
	if r.code != 0 || !strings.Contains(r.stdout, "0 faces (5000x5000)") {
		t.Errorf("exit %d, stdout %q, stderr %q; want it decoded and searched", r.code, r.stdout, r.stderr)
	}
	if r.peakRSS == 0 || r.peakRSS > 600<<20 {
		t.Errorf("peak RSS %d bytes, want under 600 MB", r.peakRSS)
	}
}
