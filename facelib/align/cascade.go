package align

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ErrBadCascade reports puploc or lps cascade bytes that are truncated,
// corrupt or implausible. It is always wrapped with the reason.
var ErrBadCascade = errors.New("align: bad cascade")

// Limits on cascade files. pigo's puploc cascade has 5 stages of 20 trees of
// depth 10 (1,228,416 bytes); each lps cascade 6 stages of 20 trees of depth 9
// (736,816 bytes).
const (
	cascadeHeaderLen = 16
	maxTreeDepth     = 12
	maxCascadeLen    = 64 << 20
)

// cascade is a parsed pigo pupil/landmark regression cascade: stages of
// binary pixel-comparison trees whose leaves hold (row, col) offsets in units
// of the current scale; after each stage the scale shrinks by shrink.
//
// The file format (little endian), as read by pigo's
// PuplocCascade.UnpackCascade:
//
//	uint32 stages, float32 shrink, uint32 trees per stage, uint32 tree depth d
//	per stage, per tree: (2^d - 1) nodes of 4 int8 codes (r1, c1, r2, c2),
//	                     then 2^d leaves of 2 float32 (dr, dc)
type cascade struct {
	stages, trees, depth int
	shrink               float32
	codes                []int8    // 4*(2^d-1) per tree
	preds                []float32 // 2*2^d per tree
}

// parseCascade validates and decodes cascade bytes. It checks the header and
// the exact length before allocating, so truncated, padded or hostile input
// returns ErrBadCascade instead of panicking like pigo's unpacker.
func parseCascade(data []byte) (*cascade, error) {
	if len(data) < cascadeHeaderLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the 16-byte header", ErrBadCascade, len(data))
	}
	if len(data) > maxCascadeLen {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d-byte limit", ErrBadCascade, len(data), maxCascadeLen)
	}
	stages := binary.LittleEndian.Uint32(data[0:])
	shrink := math.Float32frombits(binary.LittleEndian.Uint32(data[4:]))
	trees := binary.LittleEndian.Uint32(data[8:])
	depth := binary.LittleEndian.Uint32(data[12:])
	if stages == 0 || trees == 0 {
		return nil, fmt.Errorf("%w: %d stages of %d trees", ErrBadCascade, stages, trees)
	}
	if depth == 0 || depth > maxTreeDepth {
		return nil, fmt.Errorf("%w: tree depth %d outside 1..%d", ErrBadCascade, depth, maxTreeDepth)
	}
	if !(shrink > 0 && shrink <= 2) { // also rejects NaN
		return nil, fmt.Errorf("%w: scale factor %v outside (0, 2]", ErrBadCascade, shrink)
	}
	leaves := uint64(1) << depth
	perTree := 4*(leaves-1) + 8*leaves
	body := uint64(len(data) - cascadeHeaderLen)
	// stages*trees cannot overflow uint64 (both < 2^32); compare before
	// allocating anything.
	n := uint64(stages) * uint64(trees)
	if n > body/perTree || n*perTree != body {
		return nil, fmt.Errorf("%w: %d stages x %d trees of depth %d need %d bytes after the header, have %d",
			ErrBadCascade, stages, trees, depth, satMul(n, perTree), body)
	}
	c := &cascade{
		stages: int(stages),
		trees:  int(trees),
		depth:  int(depth),
		shrink: shrink,
		codes:  make([]int8, 0, n*4*(leaves-1)),
		preds:  make([]float32, 0, n*2*leaves),
	}
	pos := cascadeHeaderLen
	for t := uint64(0); t < n; t++ {
		for _, b := range data[pos : pos+int(4*(leaves-1))] {
			c.codes = append(c.codes, int8(b))
		}
		pos += int(4 * (leaves - 1))
		for i := uint64(0); i < 2*leaves; i++ {
			f := math.Float32frombits(binary.LittleEndian.Uint32(data[pos:]))
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return nil, fmt.Errorf("%w: non-finite leaf value at byte %d", ErrBadCascade, pos)
			}
			c.preds = append(c.preds, f)
			pos += 4
		}
	}
	return c, nil
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}

// gray is the stride-aware 8-bit image the cascades read.
type gray struct {
	pix          []uint8
	w, h, stride int
}

// regress runs the cascade once from (r, c) at scale s and returns the
// refined position and scale. It is pigo's PuplocCascade.classifyRegion
// (core/puploc.go, v1.4.6) with the same integer arithmetic, so it
// reproduces pigo's points bit for bit. With flip the trees run mirrored
// (column offsets negated), which pigo uses to find the image-right
// counterpart of an image-left landmark.
func (cs *cascade) regress(g *gray, r, c, s float32, flip bool) (float32, float32, float32) {
	rs, cols, ss := [1]float32{r}, [1]float32{c}, [1]float32{s}
	var dr, dc [1]float32
	cs.regressAll(g, rs[:], cols[:], ss[:], dr[:], dc[:], flip)
	return rs[0], cols[0], ss[0]
}

// regressAll runs regress from every start (rs[i], cs[i], ss[i]) at once,
// updating them in place; dr and dc are scratch of the same length. Going
// tree by tree over all starts, rather than start by start over all trees,
// keeps each tree's nodes in cache while the nearby starts walk it; every
// start still sums its trees in pigo's order, so the results are identical.
func (cs *cascade) regressAll(g *gray, rs, cols, ss, dr, dc []float32, flip bool) {
	n := len(rs)
	cols, ss, dr, dc = cols[:n], ss[:n], dr[:n], dc[:n]
	leaves := 1 << cs.depth
	codesPerTree := 4 * (leaves - 1)
	maxR, maxC := g.h-1, g.w-1
	pix, stride := g.pix, g.stride
	// The largest pixel index the clamped coordinates can form; checking it
	// once lets the loop index pix without a bounds check per node.
	_ = pix[maxR*stride+maxC]
	root, lut := 0, 0
	for st := 0; st < cs.stages; st++ {
		for i := range n {
			dr[i], dc[i] = 0, 0
		}
		for t := 0; t < cs.trees; t++ {
			codes := cs.codes[root : root+codesPerTree]
			preds := cs.preds[2*lut : 2*(lut+leaves)]
			for i := range n {
				is := int(math.Round(float64(ss[i])))
				ir, ic := 256*int(rs[i]), 256*int(cols[i])
				idx := 0
				for k := 0; k < cs.depth; k++ {
					nd := codes[4*idx : 4*idx+4 : 4*idx+4]
					c1, c2 := int(nd[1]), int(nd[3])
					if flip {
						// Negate in int8 like pigo, so -128 stays -128.
						c1, c2 = int(-nd[1]), int(-nd[3])
					}
					r1 := min(maxR, max(0, (ir+int(nd[0])*is)>>8))
					r2 := min(maxR, max(0, (ir+int(nd[2])*is)>>8))
					x1 := min(maxC, max(0, (ic+c1*is)>>8))
					x2 := min(maxC, max(0, (ic+c2*is)>>8))
					idx = 2*idx + 1
					if pix[r1*stride+x1] > pix[r2*stride+x2] {
						idx++
					}
				}
				leaf := 2 * (idx - (leaves - 1))
				dr[i] += preds[leaf]
				if flip {
					dc[i] -= preds[leaf+1]
				} else {
					dc[i] += preds[leaf+1]
				}
			}
			root += codesPerTree
			lut += leaves
		}
		for i := range n {
			rs[i] += dr[i] * ss[i]
			cols[i] += dc[i] * ss[i]
			ss[i] *= cs.shrink
		}
	}
}

// turn runs a cascade in the upright frame of a rolled face: positions,
// perturbations and the trees' steps are all in face-frame coordinates,
// u = o + R(-angle)(p - o) for an image point p and the origin o (the face
// box centre), exactly as for an upright face, and only the pixel reads go
// through the turn, to the image pixel nearest o + R(angle)(u - o). A
// positive angle turns the face's x axis towards the image's y axis
// (clockwise on screen). At angle 0 it reads the very pixels of the upright
// search; the zero turn is upright.
type turn struct {
	on       bool
	cos, sin float64
	or, oc   float64 // origin, image row and column
}

func turnAbout(angle float64, row, col int) turn {
	if angle == 0 {
		return turn{}
	}
	s, c := math.Sincos(angle)
	return turn{on: true, cos: c, sin: s, or: float64(row), oc: float64(col)}
}

// toImage maps the face-frame point (r, c) into the image.
func (t turn) toImage(r, c float64) (float64, float64) {
	if !t.on {
		return r, c
	}
	dy, dx := r-t.or, c-t.oc
	return t.or + float64(t.cos*dy) + float64(t.sin*dx), t.oc + float64(t.cos*dx) - float64(t.sin*dy)
}

// toFace maps the image point (r, c) into the face frame.
func (t turn) toFace(r, c float64) (float64, float64) {
	if !t.on {
		return r, c
	}
	dy, dx := r-t.or, c-t.oc
	return t.or + float64(t.cos*dy) - float64(t.sin*dx), t.oc + float64(t.cos*dx) + float64(t.sin*dy)
}

// regressTurned is regressAll in the frame of a rolled face (see turn): the
// same integer arithmetic on face-frame positions, with each sample read
// from the image pixel nearest the turned sample point. (pigo's rotated
// puploc instead turns the samples but adds the trees' steps unturned, and
// quantises the angle to 1/32 of a turn.)
func (cs *cascade) regressTurned(g *gray, rs, cols, ss, dr, dc []float32, flip bool, tr turn) {
	n := len(rs)
	cols, ss, dr, dc = cols[:n], ss[:n], dr[:n], dc[:n]
	leaves := 1 << cs.depth
	codesPerTree := 4 * (leaves - 1)
	maxR, maxC := g.h-1, g.w-1
	pix, stride := g.pix, g.stride
	_ = pix[maxR*stride+maxC]
	cos, sin := tr.cos, tr.sin
	// Rounding o + R(u - o) to the nearest pixel: floor(x + 0.5).
	or, oc := tr.or+0.5, tr.oc+0.5
	ior, ioc := int(tr.or), int(tr.oc)
	read := func(r, c int) uint8 {
		dy, dx := float64(r-ior), float64(c-ioc)
		y := int(math.Floor(or + float64(cos*dy) + float64(sin*dx)))
		x := int(math.Floor(oc + float64(cos*dx) - float64(sin*dy)))
		return pix[min(maxR, max(0, y))*stride+min(maxC, max(0, x))]
	}
	root, lut := 0, 0
	for st := 0; st < cs.stages; st++ {
		for i := range n {
			dr[i], dc[i] = 0, 0
		}
		for t := 0; t < cs.trees; t++ {
			codes := cs.codes[root : root+codesPerTree]
			preds := cs.preds[2*lut : 2*(lut+leaves)]
			for i := range n {
				is := int(math.Round(float64(ss[i])))
				ir, ic := 256*int(rs[i]), 256*int(cols[i])
				idx := 0
				for k := 0; k < cs.depth; k++ {
					nd := codes[4*idx : 4*idx+4 : 4*idx+4]
					c1, c2 := int(nd[1]), int(nd[3])
					if flip {
						c1, c2 = int(-nd[1]), int(-nd[3])
					}
					p1 := read((ir+int(nd[0])*is)>>8, (ic+c1*is)>>8)
					p2 := read((ir+int(nd[2])*is)>>8, (ic+c2*is)>>8)
					idx = 2*idx + 1
					if p1 > p2 {
						idx++
					}
				}
				leaf := 2 * (idx - (leaves - 1))
				dr[i] += preds[leaf]
				if flip {
					dc[i] -= preds[leaf+1]
				} else {
					dc[i] += preds[leaf+1]
				}
			}
			root += codesPerTree
			lut += leaves
		}
		for i := range n {
			rs[i] += dr[i] * ss[i]
			cols[i] += dc[i] * ss[i]
			ss[i] *= cs.shrink
		}
	}
}

// scratch holds the per-run perturbation state, reused across calls.
type scratch struct {
	rows, cols, scales, dr, dc []float32
}

func (sc *scratch) grow(n int) {
	if cap(sc.rows) < n {
		sc.rows = make([]float32, n)
		sc.cols = make([]float32, n)
		sc.scales = make([]float32, n)
		sc.dr = make([]float32, n)
		sc.dc = make([]float32, n)
	}
	sc.rows, sc.cols, sc.scales = sc.rows[:n], sc.cols[:n], sc.scales[:n]
	sc.dr, sc.dc = sc.dr[:n], sc.dc[:n]
}

// locate is pigo's RunDetector loop made deterministic: n runs of regress from
// randomly perturbed starts (position ±7.5% of the scale, scale ×0.925..1.075,
// as in pigo), then the per-coordinate median. The perturbations come from a
// PCG generator seeded with (seed, stream) at every call, so the result depends
// only on the image and the arguments. Unlike pigo it takes the median of
// exactly the n runs (pigo sorts its whole 63-entry pool, so with fewer than
// 63 perturbations stale entries from earlier calls leak into its median).
// It also returns the spread of the runs: the mean of the interquartile
// ranges of the rows and columns, as a fraction of the start scale s. Runs
// on a real eye converge (spread below 0.05 on most labelled eyes, at most
// 0.15); on noise they often scatter (above 0.2).
func (cs *cascade) locate(g *gray, sc *scratch, r, c, s float32, n int, seed, stream uint64, flip bool) (row, col, scale, spread float32) {
	return cs.locateTurned(g, sc, r, c, s, n, seed, stream, flip, turn{})
}

// locateTurned is locate with the cascade turned by tr (see regressTurned).
func (cs *cascade) locateTurned(g *gray, sc *scratch, r, c, s float32, n int, seed, stream uint64, flip bool, tr turn) (row, col, scale, spread float32) {
	sc.grow(n)
	var pcg rand.PCG
	pcg.Seed(seed, stream)
	src := &pcg
	for i := 0; i < n; i++ {
		sc.rows[i] = r + s*0.15*(0.5-unit(src))
		sc.cols[i] = c + s*0.15*(0.5-unit(src))
		sc.scales[i] = s * (0.925 + 0.15*unit(src))
	}
	if tr.on {
		cs.regressTurned(g, sc.rows, sc.cols, sc.scales, sc.dr, sc.dc, flip, tr)
	} else {
		cs.regressAll(g, sc.rows, sc.cols, sc.scales, sc.dr, sc.dc, flip)
	}
	row, col, scale = median(sc.rows), median(sc.cols), median(sc.scales)
	// median sorted rows and cols.
	lo, hi := n/4, (3*n)/4
	spread = (sc.rows[hi] - sc.rows[lo] + sc.cols[hi] - sc.cols[lo]) / 2 / s
	return row, col, scale, spread
}

// unit returns a uniform float32 in [0, 1).
func unit(src *rand.PCG) float32 {
	return float32(src.Uint64()>>40) * (1.0 / (1 << 24))
}

// median sorts v in place and returns its median.
func median(v []float32) float32 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// point maps a face-frame point into the image (see turn).
func (t turn) point(p Point) Point {
	r, c := t.toImage(p.Y, p.X)
	return Point{c, r}
}
