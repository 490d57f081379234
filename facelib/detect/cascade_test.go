package detect_test

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"

	pigo "github.com/esimov/pigo/core"

	"github.com/facewatch/facewatch/facelib/detect"
)

// header returns a copy of the real cascade with its depth and tree count
// replaced.
func withHeader(b []byte, depth, trees uint32) []byte {
	b = slices.Clone(b)
	binary.LittleEndian.PutUint32(b[8:], depth)
	binary.LittleEndian.PutUint32(b[12:], trees)
	return b
}

// tinyCascade builds a valid cascade of the given depth and tree count with
// deterministic contents (codes cycling through all int8 values).
func tinyCascade(depth, trees int) []byte {
	b := make([]byte, detect.CascadeSize(depth, trees))
	binary.LittleEndian.PutUint32(b[8:], uint32(depth))
	binary.LittleEndian.PutUint32(b[12:], uint32(trees))
	pos := 16
	leaves := 1 << depth
	for t := 0; t < trees; t++ {
		for i := 0; i < 4*leaves-4; i++ {
			b[pos] = byte(t*31 + i*17)
			pos++
		}
		for i := 0; i < leaves; i++ {
			binary.LittleEndian.PutUint32(b[pos:], math.Float32bits(float32(i%3)-0.5))
			pos += 4
		}
		binary.LittleEndian.PutUint32(b[pos:], math.Float32bits(-1))
		pos += 4
	}
	return b
}

func TestParseCascade(t *testing.T) {
	real := assetsFaceFinder()
	c, err := detect.ParseCascade(real)
	if err != nil {
		t.Fatal(err)
	}
	if c.Depth() != 6 || c.Trees() != 468 || detect.CascadeSize(6, 468) != len(real) {
		t.Errorf("facefinder: depth %d, %d trees; want 6 and 468 (%d bytes)", c.Depth(), c.Trees(), len(real))
	}
	for _, dt := range [][2]int{{1, 1}, {3, 5}, {detect.MaxTreeDepth, 1}} {
		c, err := detect.ParseCascade(tinyCascade(dt[0], dt[1]))
		if err != nil || c.Depth() != dt[0] || c.Trees() != dt[1] {
			t.Errorf("tiny cascade depth %d trees %d: %v", dt[0], dt[1], err)
		}
	}
}

// TestParseCascadeBad feeds broken cascades: each must give ErrBadCascade,
// never a panic.
func TestParseCascadeBad(t *testing.T) {
	real := assetsFaceFinder()
	nanThreshold := slices.Clone(real)
	// The first tree's threshold follows its 4*64-4 codes and 64 leaves.
	binary.LittleEndian.PutUint32(nanThreshold[16+252+256:], math.Float32bits(float32(math.NaN())))
	infLeaf := slices.Clone(real)
	binary.LittleEndian.PutUint32(infLeaf[len(real)-8:], math.Float32bits(float32(math.Inf(1))))

	tests := []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"header only", real[:16]},
		{"one byte short", real[:len(real)-1]},
		{"one byte long", append(slices.Clone(real), 0)},
		{"depth 0", withHeader(real, 0, 468)},
		{"depth 7 (length for 6)", withHeader(real, 7, 468)},
		{"depth 13", withHeader(real, 13, 1)},
		{"depth 2^31", withHeader(real, 1<<31, 468)},
		{"depth 2^32-1", withHeader(real, math.MaxUint32, 468)},
		{"no trees", withHeader(real, 6, 0)},
		{"one tree too many", withHeader(real, 6, 469)},
		{"one tree too few", withHeader(real, 6, 467)},
		{"huge tree count", withHeader(real, 6, math.MaxUint32)},
		{"tree count over the bound", withHeader(real, 1, detect.MaxTrees+1)},
		{"NaN threshold", nanThreshold},
		{"Inf leaf", infLeaf},
		{"puploc format", tinyCascade(3, 2)[:40]},
	}
	// Truncations at many points, including inside the header.
	for _, n := range []int{1, 7, 8, 11, 12, 15, 17, 100, 268, 524, 525, 1000, len(real) / 2, len(real) - 4, len(real) - 5} {
		tests = append(tests, struct {
			name string
			b    []byte
		}{name: "truncated", b: real[:n]})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := detect.ParseCascade(tc.b)
			if !errors.Is(err, detect.ErrBadCascade) || c != nil {
				t.Errorf("ParseCascade(%d bytes) = %v, %v; want ErrBadCascade", len(tc.b), c, err)
			}
		})
	}
}

// FuzzParseCascade: no input may panic, hang or allocate wildly; accepted
// input must be a cascade the detector can run and pigo can unpack.
func FuzzParseCascade(f *testing.F) {
	real := assetsFaceFinder()
	f.Add(real)
	f.Add(real[:len(real)-1])
	f.Add(real[:16])
	f.Add(real[:1000])
	flipped := slices.Clone(real)
	flipped[9] ^= 0x80
	f.Add(flipped)
	f.Add(withHeader(real, 6, math.MaxUint32))
	f.Add(withHeader(real, math.MaxUint32, 1))
	f.Add(tinyCascade(1, 1))
	f.Add(tinyCascade(2, 3))
	g := detect.Gray{Pix: make([]uint8, 48*40), Width: 48, Height: 40, Stride: 48}
	for i := range g.Pix {
		g.Pix[i] = uint8(i * 13)
	}
	p := detect.Params{MinSize: 8, MaxSize: 40, ShiftFactor: 0.2, ScaleFactor: 1.3, IoUThreshold: 0.3}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := detect.ParseCascade(b)
		if err != nil {
			if !errors.Is(err, detect.ErrBadCascade) || c != nil {
				t.Fatalf("error %v does not wrap ErrBadCascade", err)
			}
			return
		}
		if len(b) > 1<<20 {
			return // keep the fuzz loop fast; big valid cascades are covered by the seed
		}
		d, err := detect.New(c, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Detect(g, nil); err != nil {
			t.Fatal(err)
		}
		// Accepted bytes are safe for pigo's own unpacker too.
		if _, err := pigo.NewPigo().Unpack(b); err != nil {
			t.Fatal(err)
		}
	})
}
