package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testdata = "../../assets/testdata/"

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

// truncated writes the first n bytes of a test image to a temp file.
func truncated(t *testing.T, name string, n int) string {
	b, err := os.ReadFile(testdata + name)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "truncated-"+name)
	if err := os.WriteFile(p, b[:n], 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDetectCommand(t *testing.T) {
	text := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(text, []byte("not an image\n"), 0o644)
	group := testdata + "faceapi-sample5.jpg"
	stdout, stderr, code := runCLI(t, "detect", "-json", group, truncated(t, "faceapi-sample6.jpg", 4000), text, testdata+"chelsea.png")
	if code != 1 {
		t.Errorf("exit code %d, want 1 (some files failed)", code)
	}
	var doc detectOutput
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	res := doc.Images
	if len(res) != 4 {
		t.Fatalf("%d results, want 4", len(res))
	}
	// The group photo has five labelled frontal faces.
	if n := len(res[0].Faces); n < 5 {
		t.Errorf("group photo: %d faces, want ≥ 5", n)
	}
	for i, f := range res[0].Faces {
		if f.LeftEye == nil || len(f.Landmarks) != 15 || f.Box.W <= 0 {
			t.Errorf("face %d incomplete: %+v", i, f)
		}
	}
	if len(res[3].Faces) != 0 || res[3].Error != "" {
		t.Errorf("cat photo: %+v, want no faces and no error", res[3])
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 2 {
		t.Fatalf("stderr has %d lines, want one per bad file:\n%s", len(lines), stderr)
	}
	for i, want := range []string{"truncated or corrupt", "not a supported image"} {
		if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], []string{"truncated-faceapi-sample6.jpg", "notes.txt"}[i]) {
			t.Errorf("stderr line %q should name the file and say %q", lines[i], want)
		}
		if res[i+1].Error == "" {
			t.Errorf("result %d has no error", i+1)
		}
	}
}

func TestDetectOversized(t *testing.T) {
	// A valid PNG header that declares 100000 x 100000 pixels.
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)))
	data := b.Bytes()
	binary.BigEndian.PutUint32(data[16:], 100000)
	binary.BigEndian.PutUint32(data[20:], 100000)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	huge := filepath.Join(t.TempDir(), "huge.png")
	os.WriteFile(huge, data, 0o644)
	_, stderr, code := runCLI(t, "detect", huge)
	if code != 1 || !strings.Contains(stderr, "huge.png") || !strings.Contains(stderr, "too large") {
		t.Errorf("code %d, stderr %q; want a too-large error naming the file", code, stderr)
	}
}

func TestDetectAnnotate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.png")
	stdout, stderr, code := runCLI(t, "detect", "-annotate", out, testdata+"astronaut.png")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "1 face") {
		t.Errorf("stdout %q does not report one face", stdout)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The box is drawn in its colour somewhere on the image.
	found := false
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y && !found; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 == 0 && g>>8 == 230 && bl>>8 == 118 {
				found = true
				break
			}
		}
	}
	if !found {
		t.Error("annotated image has no box drawn")
	}
}

func TestCompareCommand(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"same photo", "astronaut.png", "astronaut.png", true},
		{"different people", "astronaut.png", "pigo-sample.jpg", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "compare", "-json", testdata+tt.a, testdata+tt.b)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var out struct {
				Comparisons []comparison `json:"comparisons"`
			}
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatal(err)
			}
			if len(out.Comparisons) != 1 || out.Comparisons[0].BelowThreshold != tt.same {
				t.Errorf("comparisons %+v, want one with below_threshold=%v", out.Comparisons, tt.same)
			}
		})
	}
	if _, stderr, code := runCLI(t, "compare", testdata+"astronaut.png", testdata+"chelsea.png"); code != 1 || !strings.Contains(stderr, "no face") {
		t.Errorf("compare with a cat: code %d, stderr %q; want a no-face error", code, stderr)
	}
}

func TestEmbedCommand(t *testing.T) {
	stdout, stderr, code := runCLI(t, "embed", testdata+"astronaut.png")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc embedOutput
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	res := doc.Images
	if len(res) != 1 || len(res[0].Faces) != 1 || len(res[0].Faces[0].Embedding) != 128 {
		t.Fatalf("want one face with 128 numbers, got %+v", res)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"nosuch"}, {"detect"}, {"compare", "one.png"}, {"detect", "-nosuchflag", "x"},
		{"detect", "x.png", "-nosuchflag"}, {"help", "nosuch"}, {"help", "detect", "embed"}, {"version", "extra"}} {
		stdout, stderr, code := runCLI(t, args...)
		if code != 2 {
			t.Errorf("facewatch %v: exit %d, want 2", args, code)
		}
		if stdout != "" || stderr == "" {
			t.Errorf("facewatch %v: a usage error belongs on stderr; stdout %q, stderr %q", args, stdout, stderr)
		}
	}
}
