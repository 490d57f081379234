package track_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/track"
)

func TestNewConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *track.Config)
	}{
		{"zero config", func(c *track.Config) { *c = track.Config{} }},
		{"ConfirmHits 0", func(c *track.Config) { c.ConfirmHits = 0 }},
		{"RefindHits 0", func(c *track.Config) { c.RefindHits = 0 }},
		{"negative MaxLost", func(c *track.Config) { c.MaxLost = -time.Second }},
		{"NaN MaxDistance", func(c *track.Config) { c.MaxDistance = math.NaN() }},
		{"Inf DistanceGrowth", func(c *track.Config) { c.DistanceGrowth = math.Inf(1) }},
		{"MaxSizeRatio below 1", func(c *track.Config) { c.MaxSizeRatio = 0.9 }},
		{"negative weight", func(c *track.Config) { c.IoUWeight = -1 }},
		{"huge weight", func(c *track.Config) { c.AppearanceWeight = 1e9 }},
		{"EmbeddingWindow 0", func(c *track.Config) { c.EmbeddingWindow = 0 }},
		{"MeasurementNoise 0", func(c *track.Config) { c.MeasurementNoise = 0 }},
		{"TrailLen 0", func(c *track.Config) { c.TrailLen = 0 }},
		{"TrailLen huge", func(c *track.Config) { c.TrailLen = 1 << 30 }},
		{"MaxTracks huge", func(c *track.Config) { c.MaxTracks = 1 << 30 }},
		{"MaxIntervals 0", func(c *track.Config) { c.MaxIntervals = 0 }},
		{"negative HistoryLen", func(c *track.Config) { c.HistoryLen = -1 }},
		{"negative Memory", func(c *track.Config) { c.Memory = -time.Minute }},
		{"negative MemorySize", func(c *track.Config) { c.MemorySize = -1 }},
		{"MemorySize huge", func(c *track.Config) { c.MemorySize = 1 << 20 }},
		{"NaN RecallGate", func(c *track.Config) { c.RecallGate = math.NaN() }},
		{"negative RecallGate", func(c *track.Config) { c.RecallGate = -0.5 }},
		{"negative EmbedEvery", func(c *track.Config) { c.EmbedEvery = -time.Second }},
		{"negative HoldForEmbedding", func(c *track.Config) { c.HoldForEmbedding = -time.Second }},
		{"degenerate line", func(c *track.Config) {
			c.Lines = []track.Line{{A: track.Point{X: 1, Y: 1}, B: track.Point{X: 1, Y: 1}}}
		}},
		{"NaN line", func(c *track.Config) { c.Lines = []track.Line{{A: track.Point{X: math.NaN()}, B: track.Point{X: 1}}} }},
		{"too many lines", func(c *track.Config) {
			c.Lines = make([]track.Line, 65)
			for i := range c.Lines {
				c.Lines[i] = track.Line{B: track.Point{X: 1}}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := track.DefaultConfig()
			tc.edit(&c)
			if _, err := track.New(c); !errors.Is(err, track.ErrConfig) {
				t.Fatalf("New: %v, want ErrConfig", err)
			}
		})
	}
	if _, err := track.New(track.DefaultConfig()); err != nil {
		t.Fatalf("DefaultConfig rejected: %v", err)
	}
}

func TestUpdateBadInput(t *testing.T) {
	good := track.Detection{Box: track.Box{X: 100, Y: 100, W: 60, H: 60}, Score: 10}
	withBox := func(b track.Box) track.Detection { d := good; d.Box = b; return d }
	withEmb := func(e ...float32) track.Detection { d := good; d.Embedding = e; return d }
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		dets []track.Detection
		now  time.Duration
		want error
	}{
		{"NaN X", []track.Detection{withBox(track.Box{X: nan, Y: 1, W: 10, H: 10})}, time.Second, track.ErrBox},
		{"Inf W", []track.Detection{withBox(track.Box{X: 1, Y: 1, W: inf, H: 10})}, time.Second, track.ErrBox},
		{"negative W", []track.Detection{withBox(track.Box{X: 1, Y: 1, W: -10, H: 10})}, time.Second, track.ErrBox},
		{"zero H", []track.Detection{withBox(track.Box{X: 1, Y: 1, W: 10, H: 0})}, time.Second, track.ErrBox},
		{"huge X", []track.Detection{withBox(track.Box{X: 1e12, Y: 1, W: 10, H: 10})}, time.Second, track.ErrBox},
		{"huge H", []track.Detection{withBox(track.Box{X: 1, Y: 1, W: 10, H: 1e12})}, time.Second, track.ErrBox},
		{"NaN score", []track.Detection{{Box: good.Box, Score: float32(nan)}}, time.Second, track.ErrScore},
		{"NaN in embedding", []track.Detection{withEmb(1, float32(nan), 3)}, time.Second, track.ErrEmbedding},
		{"embedding lengths differ in a frame", []track.Detection{withEmb(1, 2, 3), withEmb(1, 2)}, time.Second, track.ErrEmbedding},
		{"embedding length differs from earlier frames", []track.Detection{withEmb(1, 2)}, time.Second, track.ErrEmbedding},
		{"time going backwards", []track.Detection{good}, 400 * time.Millisecond, track.ErrTime},
		{"negative time", []track.Detection{good}, -time.Second, track.ErrTime},
		{"too many detections", make([]track.Detection, 257), time.Second, track.ErrTooManyDetections},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := track.DefaultConfig()
			cfg.ConfirmHits = 1
			tr, err := track.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// One good frame with a 3-d embedding at 0.5 s.
			if _, err := tr.Update([]track.Detection{withEmb(1, 2, 3)}, 500*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			got, err := tr.Update(tc.dets, tc.now)
			if !errors.Is(err, tc.want) || got != nil {
				t.Fatalf("Update = %v, %v; want nil, %v", got, err, tc.want)
			}
			// The failed call changed nothing: time did not advance and
			// the track is still there, detected at its place.
			got, err = tr.Update([]track.Detection{withEmb(1, 2, 3)}, 600*time.Millisecond)
			if err != nil {
				t.Fatalf("good frame after the bad one: %v", err)
			}
			if len(got) != 1 || got[0].ID != 1 || got[0].Hits != 2 || got[0].Misses != 0 {
				t.Fatalf("after the bad frame: %+v, want track 1 with 2 hits", got)
			}
		})
	}
}

// Huge and hostile values inside the limits must still not break the
// tracker: no panic, finite boxes.
func TestUpdateExtremeValues(t *testing.T) {
	cfg := track.DefaultConfig()
	cfg.ConfirmHits = 1
	tr, err := track.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	boxes := []track.Box{
		{X: -1e6, Y: -1e6, W: 1e6, H: 1e6},
		{X: 1e6, Y: 1e6, W: 1e-300, H: 1e-300},
		{X: 0, Y: 0, W: 1e6, H: 1e-6},
	}
	for k := 0; k < 20; k++ {
		var dets []track.Detection
		for i, b := range boxes {
			if (k+i)%3 != 0 {
				dets = append(dets, track.Detection{Box: b, Score: float32(k)})
			}
		}
		got, err := tr.Update(dets, time.Duration(k)*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range got {
			b := x.Box
			for _, v := range []float64{b.X, b.Y, b.W, b.H, x.Velocity[0], x.Velocity[1]} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("frame %d: non-finite track %+v", k, x)
				}
			}
		}
	}
}

func TestTrailRing(t *testing.T) {
	cfg := track.DefaultConfig()
	cfg.ConfirmHits = 1
	cfg.TrailLen = 5
	tr, err := track.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var centres []track.Point
	var last []track.Track
	for k := 0; k < 8; k++ {
		b := track.Box{X: 100 + 10*float64(k), Y: 50, W: 60, H: 60}
		last, err = tr.Update([]track.Detection{{Box: b}}, frameTime(k))
		if err != nil {
			t.Fatal(err)
		}
		centres = append(centres, last[0].Box.Center())
		if got := last[0].Trail(nil); len(got) != min(k+1, 5) {
			t.Fatalf("frame %d: trail of %d points, want %d", k, len(got), min(k+1, 5))
		}
	}
	trail := last[0].Trail(nil)
	for i, p := range trail {
		if want := centres[len(centres)-5+i]; math.Abs(p.X-want.X) > 1e-9 || math.Abs(p.Y-want.Y) > 1e-9 {
			t.Errorf("trail[%d] = %v, want %v (the track's centre then)", i, p, want)
		}
	}
	// The ring only keeps the track's own points, oldest first: x grows.
	for i := 1; i < len(trail); i++ {
		if trail[i].X <= trail[i-1].X {
			t.Errorf("trail not oldest first: %v", trail)
		}
	}
	// Once the track is gone, an old snapshot reads nothing.
	snap := last[0]
	for k := 8; k < 50; k++ {
		if _, err := tr.Update(nil, frameTime(k)); err != nil {
			t.Fatal(err)
		}
	}
	if got := snap.Trail(nil); len(got) != 0 {
		t.Errorf("removed track's snapshot still has a trail: %v", got)
	}
}

// gtCrossings counts, from the ground truth alone, how often each object's
// centre crosses the segment l between consecutive visible frames, by
// direction (In: to the right-hand side of A→B on screen, y down).
func gtCrossings(frames []frame, l track.Line) track.LineCount {
	var c track.LineCount
	side := func(p track.Point) float64 {
		return (l.B.X-l.A.X)*(p.Y-l.A.Y) - (l.B.Y-l.A.Y)*(p.X-l.A.X)
	}
	prev := map[int]track.Point{} // last centre off the line
	for _, f := range frames {
		for _, g := range f.truth {
			p := g.box.Center()
			if side(p) == 0 {
				continue
			}
			q, ok := prev[g.id]
			prev[g.id] = p
			if !ok {
				continue
			}
			sq, sp := side(q), side(p)
			if (sq > 0) == (sp > 0) {
				continue
			}
			// Where q→p meets the line, as a fraction along A→B.
			s := sq / (sq - sp)
			x := track.Point{X: q.X + s*(p.X-q.X), Y: q.Y + s*(p.Y-q.Y)}
			dx, dy := l.B.X-l.A.X, l.B.Y-l.A.Y
			u := ((x.X-l.A.X)*dx + (x.Y-l.A.Y)*dy) / (dx*dx + dy*dy)
			if u < 0 || u > 1 {
				continue
			}
			if sp > 0 {
				c.In++
			} else {
				c.Out++
			}
		}
	}
	return c
}

func TestLineCrossing(t *testing.T) {
	const fps = 30.0
	horizontal := track.Line{A: track.Point{X: 0, Y: 240}, B: track.Point{X: 640, Y: 240}}
	vertical := track.Line{A: track.Point{X: 320, Y: 0}, B: track.Point{X: 320, Y: 480}}
	short := track.Line{A: track.Point{X: 0, Y: 240}, B: track.Point{X: 200, Y: 240}}
	lin := func(x0, y0, x1, y1 float64, n int) func(k int) track.Point {
		return func(k int) track.Point {
			u := math.Min(float64(k)/float64(n-1), 1)
			return track.Point{X: x0 + (x1-x0)*u, Y: y0 + (y1-y0)*u}
		}
	}
	one := func(f func(k int) track.Point, visible func(k int) bool) path {
		return func(id, k int) (track.Box, bool) {
			p := f(k)
			return square(p.X, p.Y, 80), visible == nil || visible(k)
		}
	}
	for _, tc := range []struct {
		name   string
		line   track.Line
		p      path
		nobj   int
		jitter float64
		want   track.LineCount // also checked against the ground truth
	}{
		{"down across", horizontal, one(lin(300, 100, 300, 400, 60), nil), 1, 0.04, track.LineCount{In: 1}},
		{"down and back up", horizontal, one(func(k int) track.Point {
			if k < 50 {
				return track.Point{X: 300, Y: 100 + 6*float64(k)} // down to 394
			}
			return track.Point{X: 300, Y: math.Max(394-6*float64(k-50), 100)} // back up
		}, nil), 1, 0.04, track.LineCount{In: 1, Out: 1}},
		// Lingers just past the line (3 px, inside the hysteresis band)
		// for two seconds with detector jitter of 8 px, then walks on: one
		// crossing, however often the jittery centre flips sides.
		{"lingering on the line", horizontal, one(func(k int) track.Point {
			switch {
			case k < 30:
				return track.Point{X: 300, Y: 150 + 3*float64(k)}
			case k < 90:
				return track.Point{X: 300, Y: 243}
			default:
				return track.Point{X: 300, Y: 243 + 4*float64(k-90)}
			}
		}, nil), 1, 0.1, track.LineCount{In: 1}},
		{"past the end of the segment", short, one(lin(400, 100, 400, 400, 60), nil), 1, 0.04, track.LineCount{}},
		{"diagonal through the segment", short, one(lin(250, 100, 50, 380, 60), nil), 1, 0.04, track.LineCount{In: 1}},
		{"vertical line, walking left", vertical, one(lin(500, 240, 100, 240, 60), nil), 1, 0.04, track.LineCount{In: 1}},
		{"two faces, opposite ways", horizontal, func(id, k int) (track.Box, bool) {
			if id == 0 {
				return square(150, 100+5*float64(k), 80), true
			}
			return square(450, 400-5*float64(k), 80), true
		}, 2, 0.04, track.LineCount{In: 1, Out: 1}},
		// Hidden while crossing, re-found on the other side: counted once.
		{"crossing while hidden", horizontal, one(lin(300, 100, 300, 400, 60), func(k int) bool { return k < 20 || k > 35 }),
			1, 0.04, track.LineCount{In: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames := render(fps, 120, tc.nobj, tc.p, &detector{rand.New(rand.NewPCG(21, 1)), tc.jitter, 0.03}, nil)
			if gt := gtCrossings(frames, tc.line); gt != tc.want {
				t.Fatalf("ground truth crosses %+v, the table says %+v", gt, tc.want)
			}
			cfg := track.DefaultConfig()
			cfg.Lines = []track.Line{tc.line}
			tr, err := track.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range frames {
				if _, err := tr.Update(f.dets, f.t); err != nil {
					t.Fatal(err)
				}
			}
			if got := tr.Crossings(nil); len(got) != 1 || got[0] != tc.want {
				t.Errorf("Crossings = %+v, want [%+v]", got, tc.want)
			}
			// Without the hysteresis band, the lingering face is counted
			// again and again: the band is what the first count rests on.
			if tc.name == "lingering on the line" {
				cfg.LineMargin = 0
				tr, _ := track.New(cfg)
				for _, f := range frames {
					tr.Update(f.dets, f.t)
				}
				if got := tr.Crossings(nil)[0]; got.In+got.Out <= 1 {
					t.Errorf("with no margin the jitter gave only %+v", got)
				}
			}
		})
	}
}

// runs returns the runs of consecutive frames in which object id is
// visible, as frame index pairs.
func runs(frames []frame, id int) [][2]int {
	var out [][2]int
	for k, f := range frames {
		seen := false
		for _, g := range f.truth {
			seen = seen || g.id == id
		}
		switch {
		case seen && len(out) > 0 && out[len(out)-1][1] == k-1:
			out[len(out)-1][1] = k
		case seen:
			out = append(out, [2]int{k, k})
		}
	}
	return out
}

func TestTimeline(t *testing.T) {
	const fps = 30.0
	// visibleIn returns a path of a still face visible in the given
	// frame ranges.
	visibleIn := func(ranges ...[2]int) path {
		return func(id, k int) (track.Box, bool) {
			for _, r := range ranges {
				if k >= r[0] && k <= r[1] {
					return square(300, 200, 80), true
				}
			}
			return track.Box{}, false
		}
	}
	for _, tc := range []struct {
		name         string
		p            path
		maxIntervals int
		// want lists the intervals as frame ranges (start of the first
		// run to end of the last run they cover).
		want [][2]int
	}{
		{"seen, hidden 15 frames, seen", visibleIn([2]int{0, 29}, [2]int{45, 59}), 16, [][2]int{{0, 29}, {45, 59}}},
		// Dropouts of 1 and 2 frames are shorter than TimelineMinGap
		// (200 ms): one interval.
		{"short dropouts", visibleIn([2]int{0, 9}, [2]int{11, 19}, [2]int{22, 59}), 16, [][2]int{{0, 59}}},
		// Five runs with gaps of 12, 8, 15 and 10 frames in room for three
		// intervals: the two longest gaps (15, then 12) are kept.
		{"capped", visibleIn([2]int{0, 9}, [2]int{22, 29}, [2]int{38, 45}, [2]int{61, 69}, [2]int{80, 89}), 3,
			[][2]int{{0, 9}, {22, 45}, {61, 89}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames := render(fps, 150, 1, tc.p, &detector{rand.New(rand.NewPCG(31, 1)), 0.03, 0.03}, nil)
			cfg := track.DefaultConfig()
			cfg.MaxIntervals = tc.maxIntervals
			tr, err := track.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var live []track.Interval
			for _, f := range frames {
				got, err := tr.Update(f.dets, f.t)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) == 1 {
					live = got[0].Intervals(live[:0])
				}
			}
			sums := tr.Timeline(nil)
			if len(sums) != 1 || sums[0].ID != 1 || sums[0].State != track.Removed {
				t.Fatalf("Timeline = %+v, want one removed track", sums)
			}
			s := sums[0]
			if len(s.Intervals) != len(tc.want) {
				t.Fatalf("intervals %v, want frames %v", s.Intervals, tc.want)
			}
			for i, w := range tc.want {
				if want := (track.Interval{Start: at(fps, w[0]), End: at(fps, w[1])}); s.Intervals[i] != want {
					t.Errorf("interval %d = %v, want %v", i, s.Intervals[i], want)
				}
			}
			// Dwell is exact whatever the merging: the visible runs,
			// bridging only gaps under TimelineMinGap.
			var dwell time.Duration
			rs := runs(frames, 0)
			for i, r := range rs {
				dwell += at(fps, r[1]) - at(fps, r[0])
				if i > 0 && at(fps, r[0])-at(fps, rs[i-1][1]) <= cfg.TimelineMinGap {
					dwell += at(fps, r[0]) - at(fps, rs[i-1][1])
				}
			}
			if s.Dwell != dwell {
				t.Errorf("dwell %v, want %v", s.Dwell, dwell)
			}
			if first, last := at(fps, rs[0][0]), at(fps, rs[len(rs)-1][1]); s.FirstSeen != first || s.LastSeen != last {
				t.Errorf("seen %v–%v, want %v–%v", s.FirstSeen, s.LastSeen, first, last)
			}
			// While live the track reported the same timeline.
			if len(live) != len(s.Intervals) || live[len(live)-1] != s.Intervals[len(s.Intervals)-1] {
				t.Errorf("live intervals %v, history %v", live, s.Intervals)
			}
		})
	}
}

func TestTimelineHistoryBounded(t *testing.T) {
	cfg := track.DefaultConfig()
	cfg.HistoryLen = 2
	tr, err := track.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Four faces one after the other, 20 frames each, 2 s apart; then a
	// fifth that stays.
	k := 0
	for face := 0; face < 5; face++ {
		b := track.Box{X: 50 + 100*float64(face), Y: 100, W: 60, H: 60}
		for i := 0; i < 20; i++ {
			if _, err := tr.Update([]track.Detection{{Box: b}}, frameTime(k)); err != nil {
				t.Fatal(err)
			}
			k++
		}
		if face < 4 {
			for i := 0; i < 60; i++ {
				if _, err := tr.Update(nil, frameTime(k)); err != nil {
					t.Fatal(err)
				}
				k++
			}
		}
	}
	sums := tr.Timeline(nil)
	var ids []int
	for _, s := range sums {
		ids = append(ids, s.ID)
	}
	if len(sums) != 3 || ids[0] != 3 || ids[1] != 4 || ids[2] != 5 ||
		sums[0].State != track.Removed || sums[2].State != track.Confirmed {
		t.Fatalf("Timeline IDs %v (%+v); want removed 3, 4 and live 5", ids, sums)
	}
	if tr.IDs() != 5 {
		t.Errorf("IDs() = %d, want 5", tr.IDs())
	}
}

// IDs are never reused, whatever comes and goes; Reset starts over.
func TestIDsNeverReused(t *testing.T) {
	cfg := track.DefaultConfig()
	cfg.ConfirmHits = 1
	cfg.MaxLost = 0
	tr, err := track.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for k := 0; k < 40; k++ {
		var dets []track.Detection
		if k%2 == 0 { // a face every other frame: removed in between
			dets = append(dets, track.Detection{Box: track.Box{X: 10, Y: 10, W: 50, H: 50}})
		}
		got, err := tr.Update(dets, frameTime(k))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range got {
			if seen[x.ID] && x.LastSeen == x.FirstSeen {
				t.Fatalf("ID %d reused", x.ID)
			}
			seen[x.ID] = true
		}
	}
	if len(seen) != 20 || tr.IDs() != 20 {
		t.Fatalf("%d distinct IDs, IDs() = %d; want 20", len(seen), tr.IDs())
	}
	tr.Reset()
	got, err := tr.Update([]track.Detection{{Box: track.Box{X: 10, Y: 10, W: 50, H: 50}}}, 0)
	if err != nil || len(got) != 1 || got[0].ID != 1 {
		t.Fatalf("after Reset: %+v, %v; want ID 1 at time 0", got, err)
	}
}

func TestReportStates(t *testing.T) {
	b := track.Box{X: 100, Y: 100, W: 50, H: 50}
	for _, tc := range []struct {
		name           string
		tentative, los bool
		want           []track.State // after: 3 frames seen, 1 missed, 1 new face
	}{
		{"confirmed only", false, false, nil},
		{"with lost", false, true, []track.State{track.Lost}},
		{"with tentative", true, false, []track.State{track.Tentative}},
		{"all", true, true, []track.State{track.Lost, track.Tentative}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := track.DefaultConfig()
			cfg.ReportTentative, cfg.ReportLost = tc.tentative, tc.los
			tr, _ := track.New(cfg)
			for k := 0; k < 3; k++ {
				tr.Update([]track.Detection{{Box: b}}, frameTime(k))
			}
			far := track.Box{X: 400, Y: 300, W: 50, H: 50}
			got, err := tr.Update([]track.Detection{{Box: far}}, frameTime(3))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want states %v", got, tc.want)
			}
			for i, x := range got {
				if x.State != tc.want[i] {
					t.Errorf("track %d state %v, want %v", i, x.State, tc.want[i])
				}
				if x.State == track.Lost && (x.ID != 1 || x.Detection != -1 || x.Misses != 1) {
					t.Errorf("lost track %+v", x)
				}
				if x.State == track.Tentative && (x.ID != 0 || x.Detection != 0) {
					t.Errorf("tentative track %+v", x)
				}
			}
		})
	}
}

// tenFaces returns n frames of ten faces moving on circles, with jitter.
func tenFaces(n int, embeddings bool) []frame {
	ten := func(id, k int) (track.Box, bool) {
		cx := 128 + 256*float64(id%5)
		cy := 180 + 360*float64(id/5)
		ph := float64(k) / 30 * (0.5 + 0.13*float64(id))
		return square(cx+80*math.Cos(ph), cy+70*math.Sin(1.3*ph), 40+4*float64(id)), true
	}
	var embs *embedder
	if embeddings {
		embs = newEmbedder(5, 10)
	}
	return render(30, n, 10, ten, &detector{rand.New(rand.NewPCG(41, 1)), 0.04, 0.03}, embs)
}

func TestUpdateNoAllocs(t *testing.T) {
	for _, tc := range []struct {
		name       string
		embeddings bool
		lines      int
		observe    bool // embeddings through ToEmbed and Observe
	}{
		{"boxes", false, 0, false},
		{"boxes, embeddings and lines", true, 2, false},
		{"boxes, embeddings through Observe", true, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames := tenFaces(200, tc.embeddings)
			if tc.observe { // the embeddings come after Update
				for k := range frames {
					f := &frames[k]
					f.embs = make([][]float32, len(f.dets))
					for i := range f.dets {
						f.embs[i], f.dets[i].Embedding = f.dets[i].Embedding, nil
					}
				}
			}
			cfg := track.DefaultConfig()
			for i := 0; i < tc.lines; i++ {
				cfg.Lines = append(cfg.Lines, track.Line{A: track.Point{X: 0, Y: 100 + 300*float64(i)}, B: track.Point{X: 1280, Y: 120 + 300*float64(i)}})
			}
			tr, err := track.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var reqs []track.Track
			observe := func(k int) {
				if !tc.observe {
					return
				}
				reqs = tr.ToEmbed(reqs[:0])
				for _, x := range reqs {
					if err := tr.Observe(x.Key, frames[k].embs[x.Detection]); err != nil {
						t.Fatal(err)
					}
				}
			}
			for k, f := range frames[:40] { // warm up: all ten confirmed
				if _, err := tr.Update(f.dets, f.t); err != nil {
					t.Fatal(err)
				}
				observe(k)
			}
			k := 40
			var trail []track.Point
			var ivs []track.Interval
			var sums []track.Summary
			var counts []track.LineCount
			allocs := testing.AllocsPerRun(150, func() {
				got, err := tr.Update(frames[k].dets, frames[k].t)
				if err != nil || len(got) != 10 {
					t.Fatalf("frame %d: %d tracks, %v", k, len(got), err)
				}
				for i := range got {
					trail = got[i].Trail(trail[:0])
					ivs = got[i].Intervals(ivs[:0])
				}
				sums = tr.Timeline(sums[:0])
				counts = tr.Crossings(counts[:0])
				observe(k)
				k++
			})
			if allocs != 0 {
				t.Fatalf("%v allocations per frame, want 0", allocs)
			}
		})
	}
}

func benchmarkUpdate(b *testing.B, n int, embeddings bool) {
	// Faces on circles in their own cells, generated frame by frame into
	// reused buffers so the stream can run as long as the benchmark needs.
	rng := rand.New(rand.NewPCG(51, 1))
	var embs *embedder
	var noise [][]float32
	if embeddings {
		embs = newEmbedder(7, n)
		for i := 0; i < 64; i++ {
			noise = append(noise, randVec(rng, 128, 0.15))
		}
	}
	dets := make([]track.Detection, n)
	for i := range dets {
		if embeddings {
			dets[i].Embedding = make([]float32, 128)
		}
	}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	tr, err := track.New(track.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		for id := range dets {
			ph := float64(k) / 30 * (0.5 + 0.13*float64(id%10))
			s := 40 + 4*float64(id%10)
			cx := 100 + 200*float64(id%cols) + 50*math.Cos(ph) + 2*rng.NormFloat64()
			cy := 100 + 200*float64(id/cols) + 40*math.Sin(1.3*ph) + 2*rng.NormFloat64()
			dets[id].Box = track.Box{X: cx - s/2, Y: cy - s/2, W: s, H: s}
			if embeddings {
				nv := noise[rng.IntN(len(noise))]
				for j := range dets[id].Embedding {
					dets[id].Embedding[j] = embs.ids[id][j] + nv[j]
				}
			}
		}
		if _, err := tr.Update(dets, frameTime(k)); err != nil {
			b.Fatal(err)
		}
		k++
	}
}

// BenchmarkUpdate10 is one frame with ten faces (boxes only).
func BenchmarkUpdate10(b *testing.B) { benchmarkUpdate(b, 10, false) }

// BenchmarkUpdate10Embeddings is one frame with ten faces and 128-d
// embeddings.
func BenchmarkUpdate10Embeddings(b *testing.B) { benchmarkUpdate(b, 10, true) }

// BenchmarkUpdate32 is one frame with 32 faces (boxes only).
func BenchmarkUpdate32(b *testing.B) { benchmarkUpdate(b, 32, false) }
