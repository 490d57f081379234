package track_test

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/track"
)

// A synthetic scene: for every frame, the time, the ground-truth boxes of
// the objects visible (detected) in it, and the detector's output.
type frame struct {
	t     time.Duration
	truth []gtBox
	dets  []track.Detection
	embs  [][]float32 // the detections' embeddings, when they are given later
}

type gtBox struct {
	id  int
	box track.Box
}

// motStats are CLEAR-MOT style counts.
type motStats struct {
	visible    int // ground-truth boxes over all frames
	matched    int
	misses     int // visible ground truth with no reported track on it
	falsePos   int // reported tracks on no ground truth
	idSwitches int // ground truth whose matched track ID changed
	frags      int // ground truth whose tracking was interrupted, then resumed
	ids        int // IDs the tracker gave out
}

// mot evaluates a tracker's output against the ground truth, frame by frame.
// A track matches a ground-truth box at IoU ≥ 0.5; a correspondence from the
// previous frame is kept while it still holds, the rest are paired greedily
// by IoU (the standard CLEAR-MOT procedure).
type mot struct {
	stats       motStats
	last        map[int]int  // ground truth → last matched track ID
	tracked     map[int]bool // ground truth was matched in its last visible frame
	interrupted map[int]bool
}

func newMOT() *mot {
	return &mot{last: map[int]int{}, tracked: map[int]bool{}, interrupted: map[int]bool{}}
}

func (e *mot) frame(truth []gtBox, tracks []track.Track) {
	const minIoU = 0.5
	gtTrack := map[int]int{} // ground truth → index in tracks
	taken := map[int]bool{}  // track index
	for _, g := range truth {
		id, ok := e.last[g.id]
		if !ok {
			continue
		}
		for k, tr := range tracks {
			if tr.ID == id && !taken[k] && tr.Box.IoU(g.box) >= minIoU {
				gtTrack[g.id], taken[k] = k, true
			}
		}
	}
	type pair struct {
		g, k int
		iou  float64
	}
	var pairs []pair
	for _, g := range truth {
		if _, ok := gtTrack[g.id]; ok {
			continue
		}
		for k, tr := range tracks {
			if iou := tr.Box.IoU(g.box); !taken[k] && iou >= minIoU {
				pairs = append(pairs, pair{g.id, k, iou})
			}
		}
	}
	sort.SliceStable(pairs, func(a, b int) bool { return pairs[a].iou > pairs[b].iou })
	for _, p := range pairs {
		if _, ok := gtTrack[p.g]; ok || taken[p.k] {
			continue
		}
		gtTrack[p.g], taken[p.k] = p.k, true
	}
	for _, g := range truth {
		e.stats.visible++
		k, ok := gtTrack[g.id]
		if !ok {
			e.stats.misses++
			if e.tracked[g.id] {
				e.interrupted[g.id] = true
			}
			e.tracked[g.id] = false
			continue
		}
		e.stats.matched++
		id := tracks[k].ID
		if last, ok := e.last[g.id]; ok && last != id {
			e.stats.idSwitches++
		}
		if e.interrupted[g.id] {
			e.stats.frags++
			e.interrupted[g.id] = false
		}
		e.last[g.id] = id
		e.tracked[g.id] = true
	}
	e.stats.falsePos += len(tracks) - len(taken)
}

// run feeds the scene to a tracker with cfg, checks the per-frame contract
// and returns the evaluation.
func run(t *testing.T, cfg track.Config, frames []frame) motStats {
	t.Helper()
	tr, err := track.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := newMOT()
	for fi, f := range frames {
		tracks, err := tr.Update(f.dets, f.t)
		if err != nil {
			t.Fatalf("frame %d: %v", fi, err)
		}
		seen := map[int]bool{}
		for _, x := range tracks {
			if x.State != track.Confirmed || x.ID <= 0 || seen[x.ID] {
				t.Fatalf("frame %d: bad reported track %+v", fi, x)
			}
			seen[x.ID] = true
			if x.Detection < 0 || x.Detection >= len(f.dets) {
				t.Fatalf("frame %d: confirmed track %d has detection index %d", fi, x.ID, x.Detection)
			}
		}
		e.frame(f.truth, tracks)
	}
	e.stats.ids = tr.IDs()
	return e.stats
}

// detector turns ground-truth boxes into detections the way a cascade
// detector does: centre and size jitter in proportion to the face size,
// integer pixels, square boxes.
type detector struct {
	rng         *rand.Rand
	jitter      float64 // centre noise, fraction of the size (std)
	scaleJitter float64 // size noise, fraction (std)
}

func (d *detector) detect(b track.Box) track.Detection {
	c := b.Center()
	s := b.W * (1 + d.scaleJitter*d.rng.NormFloat64())
	cx := c.X + d.jitter*b.W*d.rng.NormFloat64()
	cy := c.Y + d.jitter*b.W*d.rng.NormFloat64()
	s = math.Round(s)
	return track.Detection{
		Box:   track.Box{X: math.Round(cx - s/2), Y: math.Round(cy - s/2), W: s, H: s},
		Score: float32(20 + 10*d.rng.Float64()),
	}
}

func square(cx, cy, s float64) track.Box { return track.Box{X: cx - s/2, Y: cy - s/2, W: s, H: s} }

func at(fps float64, k int) time.Duration {
	return time.Duration(math.Round(float64(k) / fps * float64(time.Second)))
}

// path gives the box of object id at frame k, and whether it is visible.
type path func(id, k int) (track.Box, bool)

// render builds the frames of nobj objects following p, with the detector's
// noise and, for each object, its embedding (if embs is not nil).
func render(fps float64, n, nobj int, p path, d *detector, embs *embedder) []frame {
	return renderNoisy(fps, n, nobj, p, d, embs, 0, 0)
}

// renderNoisy is render with a detector that also misses a face with
// probability missRate (that face is then not visible ground truth in that
// frame) and, every spuriousEvery frames, reports a one-frame false
// detection somewhere in a w×h frame, at least two face sizes away from the
// faces in the picture (false boxes on and around a face are the detector's
// duplicates, which its non-maximum suppression removes). A false detection
// can land where a face was before it left.
func renderNoisy(fps float64, n, nobj int, p path, d *detector, embs *embedder, missRate float64, spuriousEvery int) []frame {
	const w, h = 640, 480
	frames := make([]frame, n)
	for k := range frames {
		f := &frames[k]
		f.t = at(fps, k)
		var present []track.Box
		for id := 0; id < nobj; id++ {
			b, ok := p(id, k)
			if !ok {
				continue
			}
			present = append(present, b)
			if d.rng.Float64() < missRate {
				continue
			}
			f.truth = append(f.truth, gtBox{id, b})
			det := d.detect(b)
			if embs != nil {
				det.Embedding = embs.sample(id)
			}
			f.dets = append(f.dets, det)
		}
		if spuriousEvery > 0 && k%spuriousEvery == spuriousEvery-1 {
		again:
			s := 40 + 60*d.rng.Float64()
			b := square(s/2+(w-s)*d.rng.Float64(), s/2+(h-s)*d.rng.Float64(), s)
			for _, o := range present {
				c, oc := b.Center(), o.Center()
				if math.Hypot(c.X-oc.X, c.Y-oc.Y) < 2*o.W {
					goto again
				}
			}
			f.dets = append(f.dets, d.detect(b))
		}
	}
	return frames
}

// embedder makes 128-d embeddings with the distances measured on the real
// face embedding (facelib/embed, dlib ResNet): frames of one person about
// 0.15–0.3 apart, different people about 0.62–0.67 apart. Each identity is a
// shared mean plus its own offset (norm 0.46, nearly orthogonal between
// identities, so identities are ≈0.65 apart); each frame adds noise of norm
// 0.15.
type embedder struct {
	rng   *rand.Rand
	ids   [][]float32
	noise float64 // norm of each frame's noise; 0 means 0.15
}

func newEmbedder(seed uint64, n int) *embedder {
	rng := rand.New(rand.NewPCG(seed, 99))
	const dim = 128
	common := randVec(rng, dim, 1.2)
	e := &embedder{rng: rng}
	for i := 0; i < n; i++ {
		off := randVec(rng, dim, 0.46)
		v := make([]float32, dim)
		for k := range v {
			v[k] = common[k] + off[k]
		}
		e.ids = append(e.ids, v)
	}
	return e
}

func randVec(rng *rand.Rand, dim int, norm float64) []float32 {
	v := make([]float64, dim)
	s := 0.0
	for k := range v {
		v[k] = rng.NormFloat64()
		s += v[k] * v[k]
	}
	out := make([]float32, dim)
	for k := range v {
		out[k] = float32(v[k] / math.Sqrt(s) * norm)
	}
	return out
}

func (e *embedder) sample(id int) []float32 {
	norm := e.noise
	if norm == 0 {
		norm = 0.15
	}
	noise := randVec(e.rng, len(e.ids[id]), norm)
	v := make([]float32, len(noise))
	for k := range v {
		v[k] = e.ids[id][k] + noise[k]
	}
	return v
}

func dist(a, b []float32) float64 {
	s := 0.0
	for k := range a {
		d := float64(a[k] - b[k])
		s += d * d
	}
	return math.Sqrt(s)
}

// The synthetic embeddings must have the distances they claim, or the
// appearance tests below prove nothing.
func TestEmbedderDistances(t *testing.T) {
	e := newEmbedder(1, 4)
	for a := 0; a < 4; a++ {
		for b := 0; b < 4; b++ {
			d := dist(e.sample(a), e.sample(b))
			if a == b && (d < 0.15 || d > 0.3) {
				t.Errorf("same identity %d: distance %.3f outside 0.15–0.3", a, d)
			}
			if a != b && (d < 0.6 || d > 0.75) {
				t.Errorf("identities %d,%d: distance %.3f outside 0.6–0.75", a, b, d)
			}
		}
	}
}

// expectation derives from a scene's ground truth what a correct tracker
// with cfg must score: it plays each object through the track life cycle
// the package documents, as if association never erred. A new object is
// reported from its ConfirmHits-th consecutive detection; a single missed
// frame is bridged; after two or more missed frames it is reported again
// from the RefindHits-th consecutive detection, with the same ID if it was
// last seen within MaxLost, else as a new track (a new ID: an ID switch).
func expectation(frames []frame, cfg track.Config) (m motStats, maxMisses int) {
	type life struct {
		exists, confirmed, hadID bool
		hits, misses, refind     int
		last                     time.Duration
		tracked, interrupted     bool
	}
	objs := map[int]*life{}
	for _, f := range frames {
		for _, g := range f.truth {
			if objs[g.id] == nil {
				objs[g.id] = &life{}
			}
		}
	}
	for _, f := range frames {
		visible := map[int]bool{}
		for _, g := range f.truth {
			visible[g.id] = true
		}
		for id, o := range objs {
			if o.exists && o.confirmed && o.misses > 0 && f.t-o.last > cfg.MaxLost {
				o.exists = false // removed
			}
			if !visible[id] {
				if o.exists {
					o.misses++
					o.refind = 0
					if !o.confirmed && o.misses > cfg.TentativeMisses {
						o.exists = false
					}
				}
				continue
			}
			switch {
			case !o.exists:
				*o = life{exists: true, hadID: o.hadID, hits: 1, last: f.t, tracked: o.tracked, interrupted: o.interrupted}
			case !o.confirmed:
				o.hits++
				o.misses, o.last = 0, f.t
			case o.misses > 1 && cfg.RefindHits > 1 && o.refind+1 < cfg.RefindHits:
				o.refind++
			default:
				o.misses, o.refind, o.last = 0, 0, f.t
			}
			if !o.confirmed && o.hits >= cfg.ConfirmHits {
				o.confirmed = true
				m.ids++
				if o.hadID {
					m.idSwitches++
				}
				o.hadID = true
			}
			if o.confirmed && o.misses == 0 {
				if o.interrupted {
					m.frags++
					o.interrupted = false
				}
				o.tracked = true
			} else {
				maxMisses++
				if o.tracked {
					o.interrupted = true
				}
				o.tracked = false
			}
		}
	}
	return m, maxMisses
}

func TestScenes(t *testing.T) {
	const fps = 30.0
	cfg := track.DefaultConfig()
	lostFrames := int(cfg.MaxLost.Seconds() * fps) // 30

	crossing := func(dy, sizeA, sizeB float64, occlude bool) path {
		return func(id, k int) (track.Box, bool) {
			u := float64(k) / 89 // 90 frames, 3 s
			xa, xb := 80+480*u, 560-480*u
			if id == 0 {
				return square(xa, 240, sizeA), true
			}
			// B walks behind A while they overlap.
			return square(xb, 240+dy, sizeB), !occlude || math.Abs(xa-xb) > 0.75*sizeA
		}
	}
	occlusion := func(hidden int, vx float64) path {
		return func(id, k int) (track.Box, bool) {
			b := square(100+vx*float64(k)/fps, 200, 80)
			return b, k < 30 || k >= 30+hidden
		}
	}
	enterLeave := func(id, k int) (track.Box, bool) {
		switch id {
		case 0: // in the middle from the start, leaves at frame 120
			return square(320, 240, 90), k < 120
		case 1: // walks in from the left at frame 40, out to the right
			x := -40 + 4*float64(k-40)
			return square(x, 150, 70), k >= 40 && x < 680
		default: // appears at frame 150 near the bottom, leaves at 270
			return square(500, 380, 60), k >= 150 && k < 270
		}
	}
	ten := func(id, k int) (track.Box, bool) {
		// A 5x2 grid of cells over 1280x720; each face circles its cell
		// at its own rate, sizes 40–76 px.
		cx := 128 + 256*float64(id%5)
		cy := 180 + 360*float64(id/5)
		ph := float64(k) / fps * (0.5 + 0.13*float64(id))
		s := 40 + 4*float64(id)
		return square(cx+80*math.Cos(ph), cy+70*math.Sin(1.3*ph), s), true
	}

	every3 := func(p path) path { // a 30 fps path sampled at 10 fps
		return func(id, k int) (track.Box, bool) { return p(id, 3*k) }
	}
	det := func(jitter, scale float64) func(seed uint64) *detector {
		return func(seed uint64) *detector { return &detector{rand.New(rand.NewPCG(seed, 1)), jitter, scale} }
	}
	for _, tc := range []struct {
		name     string
		scene    func(seed uint64) []frame
		switches int // forced ID switches, also derived from the ground truth
	}{
		{"crossing dy=0 both seen", func(seed uint64) []frame {
			return render(fps, 90, 2, crossing(0, 80, 80, false), det(0.04, 0.03)(seed), nil)
		}, 0},
		{"crossing dy=0 one occluded", func(seed uint64) []frame {
			return render(fps, 90, 2, crossing(0, 80, 80, true), det(0.04, 0.03)(seed), nil)
		}, 0},
		{"crossing dy=40", func(seed uint64) []frame {
			return render(fps, 90, 2, crossing(40, 80, 80, false), det(0.05, 0.04)(seed), nil)
		}, 0},
		{"crossing near and far", func(seed uint64) []frame {
			return render(fps, 90, 2, crossing(10, 100, 60, false), det(0.05, 0.04)(seed), nil)
		}, 0},
		// The same walk at 10 frames per second: 32 px between the faces'
		// steps, where a frame's worth of motion is 40% of a face.
		{"crossing at 10 fps, one occluded", func(seed uint64) []frame {
			return render(10, 30, 2, every3(crossing(0, 80, 80, true)), det(0.04, 0.03)(seed), nil)
		}, 0},
		{"crossing at 10 fps, both seen", func(seed uint64) []frame {
			return render(10, 30, 2, every3(crossing(0, 80, 80, false)), det(0.04, 0.03)(seed), nil)
		}, 0},
		{"occlusion 10 frames, still", func(seed uint64) []frame {
			return render(fps, 90, 1, occlusion(10, 0), det(0.03, 0.03)(seed), nil)
		}, 0},
		{"occlusion 10 frames, moving", func(seed uint64) []frame {
			return render(fps, 90, 1, occlusion(10, 90), det(0.03, 0.03)(seed), nil)
		}, 0},
		{"occlusion just under budget, moving", func(seed uint64) []frame {
			return render(fps, 100, 1, occlusion(lostFrames-2, 90), det(0.03, 0.03)(seed), nil)
		}, 0},
		// Over the budget the track is removed: the face comes back as a new
		// ID after ConfirmHits frames, so the evaluator sees one switch.
		{"occlusion over budget, still", func(seed uint64) []frame {
			return render(fps, 120, 1, occlusion(lostFrames+10, 0), det(0.03, 0.03)(seed), nil)
		}, 1},
		{"occlusion over budget, moving", func(seed uint64) []frame {
			return render(fps, 120, 1, occlusion(lostFrames+10, 60), det(0.03, 0.03)(seed), nil)
		}, 1},
		{"enter and leave", func(seed uint64) []frame {
			return render(fps, 300, 3, enterLeave, det(0.04, 0.03)(seed), nil)
		}, 0},
		// A one-frame false detection every 5th frame must never become a
		// confirmed track (no extra ID, no false positive), nor re-find a
		// face that just left.
		{"enter and leave, spurious detections", func(seed uint64) []frame {
			return renderNoisy(fps, 300, 3, enterLeave, det(0.04, 0.03)(seed), nil, 0, 5)
		}, 0},
		{"ten faces", func(seed uint64) []frame {
			return render(fps, 300, 10, ten, det(0.04, 0.04)(seed), nil)
		}, 0},
		// 5% of detections missed, a false one every 10th frame.
		{"ten faces, missed and spurious detections", func(seed uint64) []frame {
			return renderNoisy(fps, 300, 10, ten, det(0.05, 0.04)(seed), nil, 0.05, 10)
		}, 0},
		// The same at 10 frames per second, moving three times as fast
		// per frame.
		{"ten faces at 10 fps", func(seed uint64) []frame {
			return renderNoisy(10, 100, 10, ten, det(0.05, 0.04)(seed), nil, 0.05, 10)
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every scene is played with several noise seeds: the counts
			// must hold for each, not for one lucky draw.
			const seeds = 16
			var total motStats
			for seed := uint64(1); seed <= seeds; seed++ {
				frames := tc.scene(seed)
				want, maxMisses := expectation(frames, cfg)
				if want.idSwitches != tc.switches {
					t.Fatalf("seed %d: scene has %d forced ID switches, the table says %d", seed, want.idSwitches, tc.switches)
				}
				s := run(t, cfg, frames)
				if s.ids != want.ids || s.idSwitches != want.idSwitches || s.frags != want.frags {
					t.Errorf("seed %d: ids %d, ID switches %d, fragmentations %d; want %d, %d, %d",
						seed, s.ids, s.idSwitches, s.frags, want.ids, want.idSwitches, want.frags)
				}
				if s.misses > maxMisses {
					t.Errorf("seed %d: %d visible ground-truth boxes untracked, want ≤ %d", seed, s.misses, maxMisses)
				}
				if s.falsePos != 0 {
					t.Errorf("seed %d: %d false positives", seed, s.falsePos)
				}
				total.visible += s.visible
				total.matched += s.matched
				total.idSwitches += s.idSwitches
				total.frags += s.frags
			}
			t.Logf("%d seeds: %d/%d ground-truth boxes tracked, %d ID switches, %d fragmentations",
				seeds, total.matched, total.visible, total.idSwitches, total.frags)
		})
	}
}
