package scene

import (
	"testing"

	"github.com/facewatch/facewatch/assets"
	"github.com/facewatch/facewatch/facelib/detect"
	"github.com/facewatch/facewatch/wasm/internal/wire"
)

func sweep() wire.Sweep {
	p := detect.DefaultParams()
	return wire.Sweep{MinSize: p.MinSize, MaxSize: 480, Shift: float32(p.ShiftFactor), Scale: float32(p.ScaleFactor)}
}

func result() *wire.Result {
	r := &wire.Result{Width: 640, Height: 480, Sweep: sweep(), Line: wire.Line{X1: 320, X2: 320, Y2: 480}}
	r.Candidates = []wire.Candidate{{X: 100, Y: 80, Size: 120, Q: 3}, {X: 104, Y: 84, Size: 130, Q: 8}}
	f := r.AddFace()
	*f = wire.Face{X: 100, Y: 80, W: 128, H: 128, Score: 31.4, Left: wire.Point{X: 140, Y: 120}, Right: wire.Point{X: 190, Y: 120},
		Landmarks: []wire.Point{{X: 150, Y: 170}, {X: 170, Y: 185}}}
	t := r.AddTrack()
	*t = wire.Track{ID: 7, X: 100, Y: 80, W: 128, H: 128, State: wire.Confirmed, AgeMs: 12500,
		Trail: []wire.Point{{X: 150, Y: 140}, {X: 160, Y: 141}, {X: 164, Y: 143}}}
	return r
}

func count(l *List, k Kind) int {
	n := 0
	for _, s := range l.Shapes {
		if s.Kind == k {
			n++
		}
	}
	return n
}

// Scales follows pigo's RunCascade loop: size += max(2, size·(scale−1)).
func TestScales(t *testing.T) {
	tests := []struct {
		s    wire.Sweep
		want []int
	}{
		{wire.Sweep{MinSize: 60, MaxSize: 100, Scale: 1.1}, []int{60, 66, 72, 79, 86, 94}},
		{wire.Sweep{MinSize: 9, MaxSize: 16, Scale: 1.1}, []int{9, 11, 13, 15}}, // the 2 px floor
		{wire.Sweep{MinSize: 60, MaxSize: 50, Scale: 1.1}, nil},
		{wire.Sweep{MinSize: 60, MaxSize: 100, Scale: 1}, nil}, // would never grow
	}
	for _, tc := range tests {
		got := Scales(tc.s, nil)
		if len(got) != len(tc.want) {
			t.Fatalf("%+v: %v, want %v", tc.s, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Fatalf("%+v: %v, want %v", tc.s, got, tc.want)
			}
		}
	}
}

// The sweep the overlay animates is the scan facelib/detect runs: the same
// sizes, steps and window counts.
func TestSweepMatchesDetector(t *testing.T) {
	c, err := detect.ParseCascade(assets.FaceFinder())
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range [][2]int{{640, 480}, {320, 400}, {1280, 720}} {
		p := detect.ParamsFor(sz[0], sz[1])
		d, err := detect.New(c, p)
		if err != nil {
			t.Fatal(err)
		}
		want := d.Scales(sz[0], sz[1], nil)
		got := Scales(wire.Sweep{MinSize: p.MinSize, MaxSize: min(p.MaxSize, sz[0], sz[1]), Shift: float32(p.ShiftFactor), Scale: float32(p.ScaleFactor)}, nil)
		if len(got) != len(want) {
			t.Fatalf("%v: %d scales, detector makes %d", sz, len(got), len(want))
		}
		for i, s := range want {
			cols, rows, step := Windows(got[i], float32(p.ShiftFactor), sz[0], sz[1])
			if got[i] != s.Size || cols != s.Cols || rows != s.Rows || step != s.Step {
				t.Fatalf("%v scale %d: size %d, %dx%d step %d; detector %+v", sz, i, got[i], cols, rows, step, s)
			}
		}
	}
}

func TestWindowsStayInFrame(t *testing.T) {
	for _, size := range Scales(sweep(), nil) {
		cols, rows, step := Windows(size, 0.1, 640, 480)
		off := size/2 + 1
		lastX, lastY := off+(cols-1)*step, off+(rows-1)*step
		if lastX > 640-off || lastY > 480-off || lastX+step <= 640-off || lastY+step <= 480-off {
			t.Fatalf("size %d: last centre (%d,%d) step %d: not pigo's last window", size, lastX, lastY, step)
		}
	}
	if c, r, _ := Windows(500, 0.1, 640, 480); c != 0 || r != 0 {
		t.Fatalf("a window taller than the frame: %d×%d", c, r)
	}
}

func TestSteps(t *testing.T) {
	r := result()
	tests := []struct {
		name      string
		v         View
		animating bool
		check     func(l *List) bool
	}{
		{"sweep moves", View{Scene: Find, Step: StepSweep, ElapsedMs: 1234}, true,
			func(l *List) bool { return count(l, StrokeRect) > 1 }},
		{"sweep still when reduced", View{Scene: Find, Step: StepSweep, Reduced: true}, false,
			func(l *List) bool { return count(l, StrokeRect) > sweepScales }},
		{"candidates", View{Scene: Find, Step: StepCandidates}, false,
			func(l *List) bool { return count(l, StrokeRect) == len(r.Candidates) }},
		{"cluster: candidates, face and its score", View{Scene: Find, Step: StepCluster}, false,
			func(l *List) bool { return count(l, StrokeRect) == len(r.Candidates)+1 && count(l, FillRect) > 1 }},
		{"pupils and landmarks", View{Scene: Find, Step: StepLandmarks}, false,
			func(l *List) bool { return count(l, FillCircle) == 2+2 && count(l, Line) == 0 }},
		{"chip frame", View{Scene: Find, Step: StepChip}, false,
			func(l *List) bool { return count(l, Line) == 4 }},
		{"track: box, trail, digits, dashed line", View{Scene: Track}, false,
			func(l *List) bool { return count(l, StrokeRect) == 1 && count(l, Line) > 2+5 && count(l, FillRect) > 4 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l List
			l.Build(r, tc.v)
			if l.Animating != tc.animating {
				t.Fatalf("animating %v", l.Animating)
			}
			if !tc.check(&l) {
				t.Fatalf("unexpected shapes: %d total", len(l.Shapes))
			}
			for _, s := range l.Shapes {
				if s.Kind == StrokeRect || s.Kind == FillRect {
					continue // boxes may poke out of the frame like the faces do
				}
				if s.X0 < -1 || s.X0 > 641 || s.Y0 < -1 || s.Y0 > 481 {
					t.Fatalf("shape outside the frame: %+v", s)
				}
			}
		})
	}
}

// The sweep visits the frame in raster order: later in the period means a
// window further down (or a later scale).
func TestSweepProgresses(t *testing.T) {
	r := result()
	var l List
	cur := func(ms float64) Shape {
		l.Build(r, View{Scene: Find, Step: StepSweep, ElapsedMs: ms})
		for _, s := range l.Shapes {
			if s.Kind == StrokeRect && s.Color == Cyan {
				return s
			}
		}
		t.Fatal("no current window")
		return Shape{}
	}
	a, b := cur(100), cur(1500)
	if !(b.Y0 > a.Y0 || (b.Y0 == a.Y0 && b.X0 > a.X0)) || a.X1 != b.X1 {
		t.Fatalf("window at 100 ms %+v, at 1500 ms %+v: should move forward at one scale", a, b)
	}
	c := cur(SweepPeriodMs - 1)
	if c.X1 <= a.X1 {
		t.Fatalf("the last part of the period should show a larger scale: %v vs %v", c.X1, a.X1)
	}
}

// As the sweep passes an accepted window of the size it is showing, that
// window lights up; before, it does not.
func TestSweepLightsAcceptedWindows(t *testing.T) {
	r := result()
	var l List
	scales := Scales(wire.Sweep{MinSize: r.Sweep.MinSize, MaxSize: r.Height / 2, Scale: r.Sweep.Scale}, nil)
	size := scales[0] // the first scale the animation shows
	cols, rows, step := Windows(size, r.Sweep.Shift, r.Width, r.Height)
	off := size/2 + 1
	// An accepted window in the middle row.
	row, col := rows/2, cols/2
	r.Candidates = []wire.Candidate{{X: float32(off + col*step - size/2), Y: float32(off + row*step - size/2), Size: float32(size), Q: 2}}
	frac := float64(row*cols+col) / float64(cols*rows) // where it is in the first scale's sweep
	period := float64(SweepPeriodMs) / sweepScales
	lit := func(ms float64) bool {
		l.Build(r, View{Scene: Find, Step: StepSweep, ElapsedMs: ms})
		for _, s := range l.Shapes {
			if s.Color == Orange {
				return true
			}
		}
		return false
	}
	if lit(period * (frac - 0.05)) {
		t.Fatal("lit before the sweep reached it")
	}
	if !lit(period * (frac + 0.05)) {
		t.Fatal("not lit after the sweep passed it")
	}
}

func TestMirror(t *testing.T) {
	r := result()
	var plain, mirrored List
	plain.Build(r, View{Scene: Find, Step: StepLandmarks})
	mirrored.Build(r, View{Scene: Find, Step: StepLandmarks, Mirror: true})
	if len(plain.Shapes) != len(mirrored.Shapes) {
		t.Fatal("mirroring changed the shapes")
	}
	for i, p := range plain.Shapes {
		m := mirrored.Shapes[i]
		switch p.Kind {
		case StrokeRect:
			if m.X0 != 640-p.X0-p.X1 || m.Y0 != p.Y0 {
				t.Fatalf("rect %+v mirrored to %+v", p, m)
			}
		case FillCircle:
			if m.X0 != 640-p.X0 {
				t.Fatalf("circle %+v mirrored to %+v", p, m)
			}
		}
	}
}

// On a small screen strokes grow so they stay at least 2 screen pixels.
func TestStrokesStayVisibleWhenSmall(t *testing.T) {
	r := result()
	width := func(v View) float32 {
		var l List
		l.Build(r, v)
		for _, s := range l.Shapes {
			if s.Kind == StrokeRect {
				return s.Width
			}
		}
		t.Fatal("no box")
		return 0
	}
	big := width(View{Scene: Track, DisplayScale: 1.5})
	small := width(View{Scene: Track, DisplayScale: 0.5})
	if small*0.5 < 2*1.5-1e-3 || small <= big {
		t.Fatalf("box stroke %.2f video px at 0.5 screen px per video px (%.2f at 1.5)", small, big)
	}
}

func TestDigits(t *testing.T) {
	tests := []struct {
		n      int
		blocks int // lit glyph pixels, counted from the glyph table by hand
	}{
		{0, 12}, {1, 8}, {7, 7}, {8, 13}, {10, 8 + 12}, {2026, 11 + 12 + 11 + 12},
	}
	for _, tc := range tests {
		var l List
		l.w, l.h = 640, 480
		l.number(10, 10, 2, tc.n, White)
		if got := count(&l, FillRect) - 1; got != tc.blocks { // minus the backing
			t.Fatalf("%d: %d blocks, want %d", tc.n, got, tc.blocks)
		}
	}
}

func TestBuildDoesNotAllocate(t *testing.T) {
	r := result()
	var l List
	views := []View{{Scene: Find, Step: StepSweep, ElapsedMs: 500}, {Scene: Find, Step: StepCluster}, {Scene: Find, Step: StepChip}, {Scene: Track}}
	for _, v := range views {
		l.Build(r, v) // grow the storage once
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, v := range views {
			l.Build(r, v)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per frame", allocs)
	}
}

func BenchmarkBuild(b *testing.B) {
	r := result()
	var l List
	b.ReportAllocs()
	for b.Loop() {
		l.Build(r, View{Scene: Track})
	}
}
