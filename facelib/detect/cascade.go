package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrBadCascade is returned (wrapped with details) for cascade bytes that are
// not a well-formed pigo face classification cascade.
var ErrBadCascade = errors.New("detect: bad cascade")

// Limits on a cascade's header. pigo's facefinder has depth 6 and 468 trees
// (239,632 bytes); the bounds leave ample room for retrained cascades while
// keeping a hostile header from asking for absurd amounts of work.
const (
	MaxTreeDepth = 12      // nodes per tree: 2^depth-1, leaves: 2^depth
	MaxTrees     = 1 << 14 // trees in the cascade
	headerSize   = 16      // 8 reserved bytes, uint32 depth, uint32 tree count
)

// Cascade is a parsed, validated pigo face classification cascade (the
// facefinder format). It is immutable and may be shared by any number of
// Detectors in any number of goroutines.
type Cascade struct {
	depth  int       // tree depth
	trees  int       // number of trees
	codes  []int8    // per tree 4*2^depth codes: 4 padding, then 4 per inner node (r1, c1, r2, c2)
	preds  []float32 // per tree 2^depth leaf predictions
	thresh []float32 // per tree rejection threshold on the running sum
}

// CascadeSize returns the exact byte length of a facefinder cascade with the
// given tree depth and tree count.
func CascadeSize(depth, trees int) int {
	return headerSize + trees*(8<<depth)
}

// ParseCascade validates and parses a pigo facefinder cascade: a 16-byte
// header (8 reserved bytes, little-endian uint32 tree depth, uint32 tree
// count) followed, per tree, by 4*2^depth-4 signed pixel-offset codes,
// 2^depth float32 leaf predictions and one float32 threshold. It checks the
// header bounds, the exact length and that every float is finite before it
// reads anything, so no input can make it panic or allocate more than about
// the input's size. The bytes are copied; b may be reused afterwards.
//
// The layout mirrors pigo v1.4.6's core.Pigo.Unpack; bytes accepted here are
// also safe to give to Unpack.
func ParseCascade(b []byte) (*Cascade, error) {
	if len(b) < headerSize {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrBadCascade, len(b), headerSize)
	}
	depth := binary.LittleEndian.Uint32(b[8:])
	trees := binary.LittleEndian.Uint32(b[12:])
	if depth < 1 || depth > MaxTreeDepth {
		return nil, fmt.Errorf("%w: tree depth %d outside 1..%d", ErrBadCascade, depth, MaxTreeDepth)
	}
	if trees < 1 || trees > MaxTrees {
		return nil, fmt.Errorf("%w: tree count %d outside 1..%d", ErrBadCascade, trees, MaxTrees)
	}
	d, n := int(depth), int(trees)
	if want := CascadeSize(d, n); len(b) != want {
		return nil, fmt.Errorf("%w: %d bytes, depth %d and %d trees need exactly %d", ErrBadCascade, len(b), d, n, want)
	}
	leaves := 1 << d
	c := &Cascade{
		depth:  d,
		trees:  n,
		codes:  make([]int8, n*4*leaves),
		preds:  make([]float32, n*leaves),
		thresh: make([]float32, n),
	}
	pos := headerSize
	for t := 0; t < n; t++ {
		codes := c.codes[t*4*leaves+4 : (t+1)*4*leaves]
		for i := range codes {
			codes[i] = int8(b[pos+i])
		}
		pos += len(codes)
		for i := 0; i < leaves; i++ {
			v := math.Float32frombits(binary.LittleEndian.Uint32(b[pos:]))
			if !finite(v) {
				return nil, fmt.Errorf("%w: tree %d leaf %d prediction is %v", ErrBadCascade, t, i, v)
			}
			c.preds[t*leaves+i] = v
			pos += 4
		}
		v := math.Float32frombits(binary.LittleEndian.Uint32(b[pos:]))
		if !finite(v) {
			return nil, fmt.Errorf("%w: tree %d threshold is %v", ErrBadCascade, t, v)
		}
		c.thresh[t] = v
		pos += 4
	}
	return c, nil
}

// Depth returns the depth of the cascade's trees.
func (c *Cascade) Depth() int { return c.depth }

// Trees returns the number of trees in the cascade.
func (c *Cascade) Trees() int { return c.trees }

func finite(v float32) bool {
	f := float64(v)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

// classify runs the cascade on the window of side s centred at (r, c) and
// returns its score, or -1 if a stage rejects it. It is pigo's
// classifyRegion (v1.4.6) over the same data, with the same float32
// arithmetic in the same order, so scores are bit-identical. The caller
// guarantees the window lies inside the image: the codes are int8, so every
// sample is within ±s/2 of the centre.
func (c *Cascade) classify(r, col, s int, pix []uint8, dim int) float32 {
	return c.classifyFrom(0, 0, r, col, s, pix, dim)
}

// classifyFrom continues classify from tree t0 with running sum out.
func (c *Cascade) classifyFrom(t0 int, out float32, r, col, s int, pix []uint8, dim int) float32 {
	r *= 256
	col *= 256
	codes, preds, thresh := c.codes, c.preds, c.thresh
	depth := c.depth
	leaves := 1 << depth
	root := t0 * 4 * leaves
	for i := t0; i < c.trees; i++ {
		idx := 1
		for j := 0; j < depth; j++ {
			k := root + 4*idx
			cd := codes[k : k+4 : k+4]
			x1 := ((r+int(cd[0])*s)>>8)*dim + ((col + int(cd[1])*s) >> 8)
			x2 := ((r+int(cd[2])*s)>>8)*dim + ((col + int(cd[3])*s) >> 8)
			idx = 2*idx + 1 + (int(pix[x2])-int(pix[x1]))>>63 // see classifyOff
		}
		out += preds[leaves*i+idx-leaves]
		if out <= thresh[i] {
			return -1
		}
		root += 4 * leaves
	}
	return out - thresh[c.trees-1]
}

// fastTrees is how many leading trees get precomputed pixel offsets per
// scale (see offsets). Most windows are rejected within the first few dozen
// trees, so the table stays small (fastTrees*(2^depth-1)*8 bytes per scale:
// 32 KB for facefinder, 0.7 MB for the 23 scales of DefaultParams at
// 640x480) while covering nearly all of the work. Measured at 640x480: 32
// trees gained little, 64, 128 and all 468 about the same (~25% less CPU
// than pigo's RunCascade together with the branch-free comparison).
const fastTrees = 64

// offsets fills off with, for each of the first min(fastTrees, trees) trees
// and each inner node, the offsets of its two sample pixels from the window
// centre for windows of side s in an image with the given stride. Because
// (256*r + code*s) >> 8 == r + (code*s) >> 8 exactly, pix[centre+offset] is
// the very pixel classify reads.
func (c *Cascade) offsets(s, dim int, off []int32) []int32 {
	leaves := 1 << c.depth
	nodes := leaves - 1
	k := min(fastTrees, c.trees)
	off = off[:0]
	for t := 0; t < k; t++ {
		base := t * 4 * leaves
		for idx := 1; idx <= nodes; idx++ {
			cd := c.codes[base+4*idx : base+4*idx+4]
			off = append(off,
				int32(((int(cd[0])*s)>>8)*dim+((int(cd[1])*s)>>8)),
				int32(((int(cd[2])*s)>>8)*dim+((int(cd[3])*s)>>8)))
		}
	}
	return off
}

// classifyOff is classify using the offsets table for the leading trees.
func (c *Cascade) classifyOff(off []int32, r, col, s int, pix []uint8, dim int) float32 {
	depth := c.depth
	leaves := 1 << depth
	nodes := leaves - 1
	preds, thresh := c.preds, c.thresh
	centre := r*dim + col
	k := len(off) / (2 * nodes)
	var out float32
	for i := 0; i < k; i++ {
		o := off[i*2*nodes : (i+1)*2*nodes : (i+1)*2*nodes]
		idx := 1
		for j := 0; j < depth; j++ {
			p := 2*idx - 2
			a, b := int(pix[centre+int(o[p])]), int(pix[centre+int(o[p+1])])
			// idx = 2*idx + (a <= b ? 1 : 0), without a branch: the
			// comparisons are close to random, so a branch mispredicts.
			idx = 2*idx + 1 + (b-a)>>63
		}
		out += preds[leaves*i+idx-leaves]
		if out <= thresh[i] {
			return -1
		}
	}
	if k == c.trees {
		return out - thresh[c.trees-1]
	}
	return c.classifyFrom(k, out, r, col, s, pix, dim)
}
