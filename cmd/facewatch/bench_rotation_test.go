package main

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/facewatch/facewatch/internal/site"
)

// TestMeasureRotation runs the rolled-face report on the labelled photos
// upright and turned by 30° (short timing rounds) and checks what it
// reports: upright, both modes find the 18 required faces; turned, the
// sweep still finds all but at most one of them while upright-only
// detection loses most; the pupils of the faces found meet the align
// tests' bound for most eyes; every cost is measured. It asserts no speed.
func TestMeasureRotation(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := site.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := measureRotation(root, rotationConfig{Turns: []float64{0, 30}, MinTime: 10 * time.Millisecond, Rounds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Photos != 14 || len(rep.Sweep) != 7 || len(rep.Recall) != 2 || len(rep.Cost) != 4 {
		t.Fatalf("report shape: %+v", rep)
	}
	up, turned := rep.Recall[0], rep.Recall[1]
	if up.Required != 18 || up.UprightFound != 18 || up.SweepFound != 18 || up.UprightFalsePos != 0 {
		t.Errorf("upright photos: %+v, want 18 of 18 found by both and no upright false positive", up)
	}
	if turned.Required != 18 || turned.SweepFound < 17 || turned.UprightFound >= turned.SweepFound {
		t.Errorf("photos turned 30°: %+v, want the sweep to find at least 17 of 18 and more than upright-only", turned)
	}
	for _, r := range rep.Recall {
		if r.Eyes < 30 || float64(r.EyesWithin) < 0.85*float64(r.Eyes) || !(r.MeanEyeErr > 0 && r.MeanEyeErr < 0.07) {
			t.Errorf("turn %v°: %d of %d eyes within the bound, mean error %v", r.Turn, r.EyesWithin, r.Eyes, r.MeanEyeErr)
		}
	}
	for _, c := range rep.Cost {
		if !(c.Ms > 0) || math.IsInf(c.Ms, 0) || !(c.Upright > 0) || c.Faces == 0 {
			t.Errorf("cost row %+v", c)
		}
	}
	if rep.Cost[0].Upright != 1 {
		t.Errorf("upright row is not the reference: %+v", rep.Cost[0])
	}
	var buf bytes.Buffer
	printRotation(&buf, rep)
	out := buf.String()
	for _, want := range []string{"+30°", "18/18", "DetectAngles DefaultAngles (sweep)", "× upright"} {
		if !strings.Contains(out, want) {
			t.Errorf("printed report lacks %q:\n%s", want, out)
		}
	}
	t.Logf("\n%s", out)
}
