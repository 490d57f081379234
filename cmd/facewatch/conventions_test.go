package main

import (
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestHelp checks that asked-for help is output: stdout, exit 0, nothing on
// stderr, for the tool and for every command.
func TestHelp(t *testing.T) {
	cases := [][]string{{"-h"}, {"-help"}, {"--help"}, {"help"}}
	for name := range commands {
		cases = append(cases, []string{"help", name}, []string{name, "-h"}, []string{name, "--help"})
	}
	cases = append(cases, []string{"detect", "a.jpg", "-h"}) // help after a file name
	for _, args := range cases {
		stdout, stderr, code := runCLI(t, args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "Usage: facewatch") {
			t.Errorf("facewatch %s: exit %d, stderr %q, stdout %.60q; want 0, nothing and the usage",
				strings.Join(args, " "), code, stderr, stdout)
		}
	}
	stdout, _, _ := runCLI(t, "help")
	for name := range commands {
		if !strings.Contains(stdout, "  "+name+" ") {
			t.Errorf("help does not list %s", name)
		}
	}
	if !strings.Contains(stdout, "Go toolchain") {
		t.Error("help does not say that serve and build need the Go toolchain")
	}
	// Usage without asking is an error: stderr, exit 2.
	if stdout, stderr, code := runCLI(t); code != 2 || stdout != "" || !strings.Contains(stderr, "Usage: facewatch") {
		t.Errorf("facewatch alone: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		stdout, stderr, code := runCLI(t, args...)
		if code != 0 || stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr)
		}
		for _, want := range []string{"github.com/facewatch/facewatch", runtime.Version(), "revision "} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%v: %q lacks %q", args, stdout, want)
			}
		}
	}
	stdout, _, code := runCLI(t, "version", "-json")
	var v versionInfo
	if err := json.Unmarshal([]byte(stdout), &v); err != nil || code != 0 {
		t.Fatalf("version -json: exit %d, %v\n%s", code, err, stdout)
	}
	if v.SchemaVersion != schemaVersion || v.Go != runtime.Version() || v.Module != "github.com/facewatch/facewatch" || v.Version == "" {
		t.Errorf("version -json: %+v", v)
	}
}

// TestFlagsAnywhere checks that flags after file names are flags and that
// "--" makes everything after it a file name.
func TestFlagsAnywhere(t *testing.T) {
	td := testdataAbs(t)
	t.Chdir(t.TempDir())
	img, err := os.ReadFile(filepath.Join(td, "astronaut.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("-astronaut.png", img, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("astronaut.png", img, 0o644); err != nil {
		t.Fatal(err)
	}

	// A flag after the file: JSON, and no landmarks.
	stdout, stderr, code := runCLI(t, "detect", "astronaut.png", "-json", "-no-landmarks")
	if code != 0 {
		t.Fatalf("detect FILE -json: exit %d, %s", code, stderr)
	}
	var doc detectOutput
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("detect FILE -json printed no JSON: %v\n%s", err, stdout)
	}
	if len(doc.Images) != 1 || len(doc.Images[0].Faces) != 1 || doc.Images[0].Faces[0].Landmarks != nil {
		t.Errorf("detect FILE -json -no-landmarks: %+v", doc.Images)
	}

	// After "--", a name starting with "-" is a file.
	stdout, stderr, code = runCLI(t, "detect", "-json", "--", "-astronaut.png")
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil || len(doc.Images) != 1 || doc.Images[0].File != "-astronaut.png" {
		t.Errorf("detect -json -- -astronaut.png: exit %d, stderr %q, %+v", code, stderr, doc.Images)
	}
	// ... and so is "-json".
	_, stderr, code = runCLI(t, "detect", "astronaut.png", "--", "-json")
	if code != 1 || !strings.Contains(stderr, "-json: open -json: no such file") {
		t.Errorf("detect FILE -- -json: exit %d, stderr %q; want -json read as a missing file", code, stderr)
	}
	// An unknown flag after a file is an error, not a file name.
	_, stderr, code = runCLI(t, "embed", "astronaut.png", "-nosuch")
	if code != 2 || !strings.Contains(stderr, "flag provided but not defined: -nosuch") {
		t.Errorf("embed FILE -nosuch: exit %d, stderr %q", code, stderr)
	}
	// compare and eval take flags after their arguments too.
	stdout, stderr, code = runCLI(t, "compare", "astronaut.png", "-astronaut.png", "-json")
	if code != 2 {
		t.Errorf("compare with a file named like a flag and no --: exit %d (stderr %q), want a usage error", code, stderr)
	}
	stdout, stderr, code = runCLI(t, "compare", "astronaut.png", "-json", "--", "-astronaut.png")
	var cmp compareOutput
	if code != 0 || json.Unmarshal([]byte(stdout), &cmp) != nil || len(cmp.Comparisons) != 1 || !cmp.Comparisons[0].BelowThreshold {
		t.Errorf("compare A -json -- B: exit %d, stderr %q, %s", code, stderr, stdout)
	}
}

func testdataAbs(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(testdata)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDetectAnnotateSeveral(t *testing.T) {
	td := testdataAbs(t)
	a, b := filepath.Join(td, "astronaut.png"), filepath.Join(td, "pigo-sample.jpg")
	dir := t.TempDir()

	// Several images and a path that is not a folder: refused, nothing made.
	notDir := filepath.Join(dir, "out.png")
	_, stderr, code := runCLI(t, "detect", "-annotate", notDir, a, b)
	if code != 1 || !strings.Contains(stderr, "existing folder") {
		t.Errorf("-annotate FILE with two images: exit %d, stderr %q; want a refusal", code, stderr)
	}
	if _, err := os.Stat(notDir); !os.IsNotExist(err) {
		t.Errorf("-annotate FILE with two images made %s (%v)", notDir, err)
	}
	// The same under -json: the refusal is a JSON document.
	stdout, _, code := runCLI(t, "detect", "-json", "-annotate", notDir, a, b)
	var fail jsonFailure
	if code != 1 || json.Unmarshal([]byte(stdout), &fail) != nil || !strings.Contains(fail.Error, "existing folder") {
		t.Errorf("-json refusal: exit %d, %s", code, stdout)
	}

	// An existing folder: one NAME-faces.png per image.
	out := filepath.Join(dir, "drawn")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runCLI(t, "detect", "-json", "-annotate", out, a, b)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc detectOutput
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"astronaut-faces.png", "pigo-sample-faces.png"} {
		p := filepath.Join(out, want)
		if doc.Images[i].Annotated != p {
			t.Errorf("image %d annotated to %q, want %q", i, doc.Images[i].Annotated, p)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.DecodeConfig(f); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		f.Close()
	}

	// Two inputs with the same name would overwrite each other: refused.
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, a, filepath.Join(other, "astronaut.png"))
	_, stderr, code = runCLI(t, "detect", "-annotate", out, a, filepath.Join(other, "astronaut.png"))
	if code != 1 || !strings.Contains(stderr, "would both be drawn to") {
		t.Errorf("same base name twice: exit %d, stderr %q", code, stderr)
	}
	// One image into a folder: NAME-faces.png there.
	one := filepath.Join(dir, "one")
	os.Mkdir(one, 0o755)
	if _, stderr, code := runCLI(t, "detect", "-annotate", one, a); code != 0 {
		t.Errorf("one image into a folder: exit %d, %s", code, stderr)
	} else if _, err := os.Stat(filepath.Join(one, "astronaut-faces.png")); err != nil {
		t.Error(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCompareWording(t *testing.T) {
	td := testdataAbs(t)
	tests := []struct {
		a, b, want string
	}{
		{"astronaut.png", "astronaut.png", "distance 0.000 — below the threshold 0.6: the model calls them the same person"},
		{"astronaut.png", "pigo-sample.jpg", "— not below the threshold 0.6: the model calls them different people"},
	}
	for _, tt := range tests {
		stdout, stderr, code := runCLI(t, "compare", filepath.Join(td, tt.a), filepath.Join(td, tt.b))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, tt.want) || !strings.Contains(stdout, "the model's rule, not a fact") {
			t.Errorf("compare %s %s:\n%s\nwant %q and the rule's caveat", tt.a, tt.b, stdout, tt.want)
		}
		if strings.Contains(stdout, "→ same person") {
			t.Error("states the model's rule as a fact")
		}
	}
	stdout, _, _ := runCLI(t, "compare", "-threshold", "0.85", filepath.Join(td, "astronaut.png"), filepath.Join(td, "pigo-sample.jpg"))
	if !strings.Contains(stdout, "below the threshold 0.85: the model calls them the same person") {
		t.Errorf("a looser threshold changes the model's call:\n%s", stdout)
	}
}

// TestCompareJSONErrors checks that under -json every failure is a JSON
// document on stdout (and a line on stderr).
func TestCompareJSONErrors(t *testing.T) {
	td := testdataAbs(t)
	text := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(text, []byte("not an image"), 0o644)
	tests := []struct{ b, want string }{
		{filepath.Join(td, "chelsea.png"), "no face found"},
		{text, "not a supported image"},
		{filepath.Join(td, "missing.png"), "no such file"},
	}
	for _, tt := range tests {
		stdout, stderr, code := runCLI(t, "compare", "-json", filepath.Join(td, "astronaut.png"), tt.b)
		var fail jsonFailure
		if err := json.Unmarshal([]byte(stdout), &fail); err != nil {
			t.Errorf("compare -json with %s: stdout is not JSON: %v\n%s", tt.b, err, stdout)
			continue
		}
		if code != 1 || fail.SchemaVersion != schemaVersion || fail.Command != "compare" || fail.File != tt.b || !strings.Contains(fail.Error, tt.want) {
			t.Errorf("compare -json with %s: exit %d, %+v; want %q", tt.b, code, fail, tt.want)
		}
		if !strings.Contains(stderr, tt.want) {
			t.Errorf("stderr %q lacks %q", stderr, tt.want)
		}
	}
}

// snakeKeys fails unless every object key in the JSON document is
// snake_case and the document carries schema_version 1.
func snakeKeys(t *testing.T, name, doc string) {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("%s: not a JSON object: %v\n%.200s", name, err, doc)
	}
	if v["schema_version"] != float64(schemaVersion) {
		t.Errorf("%s: schema_version %v", name, v["schema_version"])
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	var walk func(path string, x any)
	walk = func(path string, x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				if !snake.MatchString(k) {
					t.Errorf("%s: key %s.%s is not snake_case", name, path, k)
				}
				walk(path+"."+k, e)
			}
		case []any:
			for _, e := range x {
				walk(path+"[]", e)
			}
		}
	}
	walk("", v)
}

// evalSet makes a small DIR/PERSON/*.jpg set from the committed one, with
// one person folder a symbolic link.
func evalSet(t *testing.T) string {
	t.Helper()
	src := filepath.Join(testdataAbs(t), "eval")
	dir := t.TempDir()
	for i, person := range []string{"astronaut-face1", "faceapi-sample1-face1", "faceapi-sample2-face3"} {
		to := filepath.Join(dir, person)
		if i == 2 {
			// The third person lives elsewhere and is linked in.
			to = filepath.Join(t.TempDir(), person)
		}
		if err := os.Mkdir(to, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"0-original.jpg", "1-darker.jpg", "2-brighter.jpg"} {
			copyFile(t, filepath.Join(src, person, f), filepath.Join(to, f))
		}
		if i == 2 {
			if err := os.Symlink(to, filepath.Join(dir, person)); err != nil {
				t.Skipf("no symbolic links here: %v", err)
			}
		}
	}
	return dir
}

func TestJSONOutputs(t *testing.T) {
	td := testdataAbs(t)
	a, b := filepath.Join(td, "astronaut.png"), filepath.Join(td, "faceapi-sample5.jpg")
	for _, args := range [][]string{
		{"detect", "-json", a, b, filepath.Join(td, "missing.png")},
		{"embed", a},
		{"compare", "-json", a, b},
		{"compare", "-json", a, filepath.Join(td, "chelsea.png")},
		{"eval", "-json", evalSet(t)},
		{"eval", "-json", t.TempDir()},
		{"version", "-json"},
	} {
		stdout, _, _ := runCLI(t, args...)
		snakeKeys(t, strings.Join(args[:2], " "), stdout)
	}
}

// TestEvalFollowsLinkedFolders checks that a person folder that is a
// symbolic link is followed and named, in the text report, on stderr and in
// the JSON.
func TestEvalFollowsLinkedFolders(t *testing.T) {
	dir := evalSet(t)
	linked := filepath.Join(dir, "faceapi-sample2-face3")
	stdout, stderr, code := runCLI(t, "eval", "-json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep evalReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.People != 3 || rep.Images != 9 || len(rep.Linked) != 1 || rep.Linked[0] != linked {
		t.Errorf("people %d, images %d, followed %v; want 3, 9 and %s", rep.People, rep.Images, rep.Linked, linked)
	}
	if !strings.Contains(stderr, "following the symbolic link "+linked) {
		t.Errorf("stderr does not name the link: %q", stderr)
	}
	stdout, _, _ = runCLI(t, "eval", dir)
	if !strings.Contains(stdout, "followed 1 person folder that is a symbolic link: "+linked) {
		t.Errorf("text report does not name the link:\n%s", stdout)
	}
	// A broken link is reported, not skipped.
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "broken")); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runCLI(t, "eval", dir); code != 1 || !strings.Contains(stderr, "broken symbolic link") {
		t.Errorf("broken link: exit %d, stderr %q", code, stderr)
	}
}

func TestBadFlagValues(t *testing.T) {
	img := filepath.Join(testdataAbs(t), "astronaut.png")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"detect", "-max-megapixels", "-1", img}, "-max-megapixels"},
		{[]string{"detect", "-max-megapixels", "0", img}, "-max-megapixels"},
		{[]string{"embed", "-max-megapixels", "1.5", img}, "whole number"},
		{[]string{"embed", "-max-megapixels=abc", img}, "whole number"},
		{[]string{"compare", "-max-megapixels", "99999", img, img}, "between 1 and 10000"},
		{[]string{"eval", "-max-megapixels", "-5", t.TempDir()}, "-max-megapixels"},
		{[]string{"compare", "-threshold", "-1", img, img}, "-threshold must be a positive number"},
		{[]string{"compare", "-threshold", "NaN", img, img}, "-threshold must be a positive number"},
		{[]string{"eval", "-thresholds", "0.5,x", t.TempDir()}, "is not a positive number"},
	}
	for _, tt := range tests {
		stdout, stderr, code := runCLI(t, tt.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("facewatch %s: exit %d, stdout %q, stderr %q; want exit 2 and %q",
				strings.Join(tt.args, " "), code, stdout, stderr, tt.want)
		}
	}
}

// TestMaxMegapixelsApplies checks the flag is used, not only parsed.
func TestMaxMegapixelsApplies(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.png")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 1100, 1000))); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, stderr, code := runCLI(t, "detect", "-max-megapixels", "1", big)
	if code != 1 || !strings.Contains(stderr, "1100x1000 is over the 1-megapixel limit") {
		t.Errorf("1.1 MP at -max-megapixels 1: exit %d, stderr %q; want too large", code, stderr)
	}
	if _, stderr, code := runCLI(t, "detect", "-max-megapixels", "2", big); code != 0 {
		t.Errorf("1.1 MP at -max-megapixels 2: exit %d, stderr %q", code, stderr)
	}
}

// TestEvalPlot checks the DET plot: 800x800, a white margin above the
// title, and the EER marked in its colour.
func TestEvalPlot(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "det.png")
	if _, stderr, code := runCLI(t, "eval", "-plot", plot, evalSet(t)); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != detPlotPixels || b.Dy() != detPlotPixels {
		t.Fatalf("plot is %v, want %dx%d", b, detPlotPixels, detPlotPixels)
	}
	for y := 0; y < 12; y++ {
		for x := 0; x < detPlotPixels; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r>>8 < 250 || g>>8 < 250 || b>>8 < 250 {
				t.Fatalf("pixel (%d,%d) in the top margin is not white", x, y)
			}
		}
	}
	marked := 0
	for y := 0; y < detPlotPixels; y++ {
		for x := 0; x < detPlotPixels; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r>>8 == 200 && g>>8 == 30 && b>>8 == 30 {
				marked++
			}
		}
	}
	// The marker on the curve and its key in the legend.
	if marked < 100 {
		t.Errorf("%d pixels in the EER marker's colour; the EER is not marked", marked)
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	rev := "9e1472543fe227d56b61205a64cecadff8bcd2ee"
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want []string
	}{
		{"released", &debug.BuildInfo{GoVersion: "go1.27.3", Main: debug.Module{Path: "github.com/facewatch/facewatch", Version: "v1.2.0"}},
			[]string{"facewatch v1.2.0 (module github.com/facewatch/facewatch)", "revision unknown", "built with go1.27.3"}},
		{"checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/facewatch/facewatch", Version: "v0.0.0-20261201204500-9e1472543fe2+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: "2026-12-01T20:45:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			[]string{"facewatch v0.0.0-20261201204500-9e1472543fe2+dirty", "revision " + rev + " of 2026-12-01T20:45:00Z, with uncommitted changes"}},
		{"no build info", nil, []string{"facewatch unknown", "built with " + runtime.Version()}},
	}
	for _, tt := range tests {
		var b strings.Builder
		printVersion(&b, versionFrom(tt.bi))
		for _, w := range tt.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: %q lacks %q", tt.name, b.String(), w)
			}
		}
	}
}

// TestUsageErrorsAsJSON checks that with -json a usage error is a JSON
// document on stdout as well as the usage on stderr, with exit status 2.
func TestUsageErrorsAsJSON(t *testing.T) {
	img := filepath.Join(testdataAbs(t), "astronaut.png")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"compare", "-json", img}, "two images"},
		{[]string{"compare", "-json", "-threshold", "-2", img, img}, "-threshold must be a positive number"},
		{[]string{"eval", "-json"}, "one folder"},
		{[]string{"eval", "-json", "-thresholds", "x", t.TempDir()}, "not a positive number"},
		{[]string{"detect", "-json"}, "no images"},
	}
	for _, tt := range tests {
		stdout, stderr, code := runCLI(t, tt.args...)
		var fail jsonFailure
		if err := json.Unmarshal([]byte(stdout), &fail); err != nil || code != 2 || !strings.Contains(fail.Error, tt.want) || stderr == "" {
			t.Errorf("facewatch %s: exit %d, stdout %q (%v), stderr %.80q; want exit 2, a JSON error with %q and the usage",
				strings.Join(tt.args, " "), code, stdout, err, stderr, tt.want)
		}
	}
}
