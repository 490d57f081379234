package align

import (
	"fmt"
	"reflect"
	"testing"
	_ "unsafe" // go:linkname

	pigo "github.com/esimov/pigo/core"
)

// pigoClassifyRegion is pigo's unexported single-run regression. The parity
// test below calls it directly so that our re-implementation is compared with
// pigo's own arithmetic, not with a copy of it.
//
//go:linkname pigoClassifyRegion github.com/esimov/pigo/core.(*PuplocCascade).classifyRegion
func pigoClassifyRegion(plc *pigo.PuplocCascade, r, c, s float32, treeDepth, nrows, ncols int, pixels []uint8, dim int, flipV bool) []float32

func TestParseMatchesPigo(t *testing.T) {
	files := map[string][]byte{"puploc": puplocBytes(t)}
	for n, b := range lpsBytes(t) {
		files[n] = b
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			ours, err := parseCascade(data)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := pigo.NewPuplocCascade().UnpackCascade(data)
			if err != nil {
				t.Fatal(err)
			}
			v := reflect.ValueOf(theirs).Elem()
			if got, want := ours.stages, int(v.FieldByName("stages").Uint()); got != want {
				t.Errorf("stages %d, pigo %d", got, want)
			}
			if got, want := ours.trees, int(v.FieldByName("trees").Uint()); got != want {
				t.Errorf("trees %d, pigo %d", got, want)
			}
			if got, want := ours.depth, int(v.FieldByName("treeDepth").Uint()); got != want {
				t.Errorf("depth %d, pigo %d", got, want)
			}
			if got, want := float64(ours.shrink), v.FieldByName("scales").Float(); got != want {
				t.Errorf("scale factor %v, pigo %v", got, want)
			}
			codes, preds := v.FieldByName("treeCodes"), v.FieldByName("treePreds")
			if codes.Len() != len(ours.codes) || preds.Len() != len(ours.preds) {
				t.Fatalf("%d codes/%d preds, pigo %d/%d", len(ours.codes), len(ours.preds), codes.Len(), preds.Len())
			}
			for i := range ours.codes {
				if int64(ours.codes[i]) != codes.Index(i).Int() {
					t.Fatalf("code %d: %d, pigo %d", i, ours.codes[i], codes.Index(i).Int())
				}
			}
			for i := range ours.preds {
				if float64(ours.preds[i]) != preds.Index(i).Float() {
					t.Fatalf("pred %d: %v, pigo %v", i, ours.preds[i], preds.Index(i).Float())
				}
			}
		})
	}
}

// TestRegressMatchesPigo runs both implementations from the same start points
// (a grid around each labelled eye, both tree orientations) and requires
// bit-identical output.
func TestRegressMatchesPigo(t *testing.T) {
	img := loadRGBA(t, "astronaut.png")
	g := toGray(img)
	for _, name := range []string{"puploc", "lp38", "lp84"} {
		var data []byte
		if name == "puploc" {
			data = puplocBytes(t)
		} else {
			data = readAsset(t, "cascades/lps/"+name)
		}
		ours, err := parseCascade(data)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := pigo.NewPuplocCascade().UnpackCascade(data)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r := float32(80); r < 130; r += 3.7 {
			for c := float32(180); c < 270; c += 4.3 {
				for _, s := range []float32{9.6, 17.5, 43} {
					for _, flip := range []bool{false, true} {
						gr, gc, gs := ours.regress(&g, r, c, s, flip)
						want := pigoClassifyRegion(theirs, r, c, s, 1<<ours.depth, g.h, g.w, g.pix, g.stride, flip)
						if gr != want[0] || gc != want[1] || gs != want[2] {
							t.Fatalf("%s from (%v,%v,%v) flip=%v: got (%v,%v,%v), pigo %v", name, r, c, s, flip, gr, gc, gs, want)
						}
						n++
					}
				}
			}
		}
		t.Logf("%s: %d start points identical to pigo", name, n)
	}
}

// BenchmarkPigoLocate runs pigo's own RunDetector/GetLandmarkPoint on the
// same face as BenchmarkLocate, for comparison under the same load.
func BenchmarkPigoLocate(b *testing.B) {
	img := loadRGBA(b, "pigo-sample.jpg")
	g := toGray(img)
	ip := pigo.ImageParams{Pixels: g.pix, Rows: g.h, Cols: g.w, Dim: g.stride}
	plc, err := pigo.NewPuplocCascade().UnpackCascade(puplocBytes(b))
	if err != nil {
		b.Fatal(err)
	}
	lps := map[string]*pigo.PuplocCascade{}
	for name, data := range lpsBytes(b) {
		if lps[name], err = pigo.NewPuplocCascade().UnpackCascade(data); err != nil {
			b.Fatal(err)
		}
	}
	row, col, size := 204, 154, 225
	for _, lm := range []bool{false, true} {
		for _, n := range []int{15, 31, 63} {
			name := fmt.Sprintf("pupils/n%d", n)
			if lm {
				name = fmt.Sprintf("landmarks/n%d", n)
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					start := pigo.Puploc{Row: row - int(eyeUp*float32(size)), Col: col - int(eyeSide*float32(size)), Scale: eyeScale * float32(size), Perturbs: n}
					l := plc.RunDetector(start, ip, 0, false)
					start.Col = col + int(eyeSide*float32(size))
					r := plc.RunDetector(start, ip, 0, false)
					if !lm {
						continue
					}
					for part := Part(0); part < NumParts; part++ {
						name, flip := part.Cascade()
						lps[name].GetLandmarkPoint(l, r, ip, n, flip)
					}
				}
			})
		}
	}
}

// TestRegressAllMatchesSingle: running many starts in lockstep gives each
// start exactly what running it alone (and so pigo) gives.
func TestRegressAllMatchesSingle(t *testing.T) {
	g := toGray(loadRGBA(t, "pigo-sample.jpg"))
	c, err := parseCascade(readAsset(t, "cascades/lps/lp312"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 31
	var rs, cs, ss, dr, dc [n]float32
	for i := range n {
		rs[i], cs[i], ss[i] = 170+float32(i)*1.3, 100+float32(i%7)*4.1, 200+float32(i)
	}
	want := [n][3]float32{}
	for i := range n {
		want[i][0], want[i][1], want[i][2] = c.regress(&g, rs[i], cs[i], ss[i], true)
	}
	c.regressAll(&g, rs[:], cs[:], ss[:], dr[:], dc[:], true)
	for i := range n {
		if got := [3]float32{rs[i], cs[i], ss[i]}; got != want[i] {
			t.Fatalf("start %d: lockstep %v, alone %v", i, got, want[i])
		}
	}
}
