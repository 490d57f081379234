package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func evalJSON(t *testing.T, args ...string) evalReport {
	t.Helper()
	stdout, stderr, code := runCLI(t, append([]string{"eval", "-json"}, args...)...)
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "embedded ") {
		t.Errorf("no progress reported on stderr: %q", stderr)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEvalSet measures recognition on the committed evaluation set and
// checks the separation the README reports.
func TestEvalSet(t *testing.T) {
	if testing.Short() {
		t.Skip("embeds 272 images")
	}
	plot := filepath.Join(t.TempDir(), "det.png")
	aligned := evalJSON(t, "-plot", plot, "../../assets/testdata/eval")
	unaligned := evalJSON(t, "-noalign", "../../assets/testdata/eval")
	t.Logf("aligned: EER %.2f%% at %.3f; unaligned: EER %.2f%% at %.3f",
		100*aligned.EER.Rate, aligned.EER.Threshold, 100*unaligned.EER.Rate, unaligned.EER.Threshold)
	if aligned.People != 17 || aligned.Genuine < 400 || aligned.Impostor < 8000 {
		t.Fatalf("set read wrongly: %d people, %d genuine, %d impostor pairs", aligned.People, aligned.Genuine, aligned.Impostor)
	}
	if len(aligned.NoFace) > 4 {
		t.Errorf("no face found in %d images: %v", len(aligned.NoFace), aligned.NoFace)
	}
	if aligned.EER.Rate > 0.03 {
		t.Errorf("aligned EER %.2f%%, want ≤ 3%%", 100*aligned.EER.Rate)
	}
	if aligned.EER.Rate >= unaligned.EER.Rate {
		t.Errorf("alignment does not help: EER %.2f%% aligned vs %.2f%% unaligned", 100*aligned.EER.Rate, 100*unaligned.EER.Rate)
	}
	var at06 *struct{ fmr, fnmr float64 }
	for _, r := range aligned.Table {
		if r.Threshold == 0.6 {
			at06 = &struct{ fmr, fnmr float64 }{r.FMR, r.FNMR}
		}
	}
	if at06 == nil {
		t.Fatal("no row for the default threshold 0.6")
	}
	if at06.fnmr > 0.01 || at06.fmr > 0.10 {
		t.Errorf("at 0.6: FNMR %.2f%%, FMR %.2f%%; want ≤ 1%% and ≤ 10%%", 100*at06.fnmr, 100*at06.fmr)
	}
	if st, err := os.Stat(plot); err != nil || st.Size() < 1000 {
		t.Errorf("DET plot not written: %v", err)
	}
}

func TestEvalBadFolders(t *testing.T) {
	empty := t.TempDir()
	onePerson := t.TempDir()
	os.MkdirAll(filepath.Join(onePerson, "ann"), 0o755)
	b, _ := os.ReadFile(testdata + "astronaut.png")
	os.WriteFile(filepath.Join(onePerson, "ann", "a.png"), b, 0o644)
	os.WriteFile(filepath.Join(onePerson, "ann", "b.png"), b, 0o644)
	for _, tt := range []struct{ dir, want string }{
		{empty, "no images"},
		{onePerson, "at least two people"},
		{filepath.Join(empty, "missing"), "no such file"},
	} {
		_, stderr, code := runCLI(t, "eval", tt.dir)
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("eval %s: code %d, stderr %q; want %q", tt.dir, code, stderr, tt.want)
		}
	}
}
