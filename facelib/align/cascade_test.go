package align

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// tinyCascade builds a valid cascade of the given shape whose codes and
// leaves are filled from a simple counter.
func tinyCascade(stages, trees, depth uint32, shrink float32) []byte {
	leaves := 1 << depth
	b := binary.LittleEndian.AppendUint32(nil, stages)
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(shrink))
	b = binary.LittleEndian.AppendUint32(b, trees)
	b = binary.LittleEndian.AppendUint32(b, depth)
	k := 0
	for i := 0; i < int(stages*trees); i++ {
		for j := 0; j < 4*(leaves-1); j++ {
			b = append(b, byte(k*37))
			k++
		}
		for j := 0; j < 2*leaves; j++ {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(k%7-3)/20))
			k++
		}
	}
	return b
}

func TestParseCascadeErrors(t *testing.T) {
	good := tinyCascade(2, 3, 2, 0.8)
	if _, err := parseCascade(good); err != nil {
		t.Fatalf("tiny cascade: %v", err)
	}
	puploc := puplocBytes(t)
	set := func(b []byte, off int, v uint32) []byte {
		c := append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(c[off:], v)
		return c
	}
	nanLeaf := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(nanLeaf[16+4*3:], math.Float32bits(float32(math.NaN())))
	cases := []struct {
		name string
		data []byte
	}{
		{"nil", nil},
		{"header only", good[:16]},
		{"short header", good[:15]},
		{"truncated by one byte", good[:len(good)-1]},
		{"puploc truncated", puploc[:len(puploc)/2]},
		{"trailing byte", append(append([]byte(nil), good...), 0)},
		{"zero stages", set(good, 0, 0)},
		{"zero trees", set(good, 8, 0)},
		{"depth zero", set(good, 12, 0)},
		{"depth 13", set(good, 12, 13)},
		{"depth 2^31", set(good, 12, 1<<31)},
		{"NaN scale factor", set(good, 4, math.Float32bits(float32(math.NaN())))},
		{"negative scale factor", set(good, 4, math.Float32bits(-0.5))},
		{"huge scale factor", set(good, 4, math.Float32bits(1e30))},
		{"NaN leaf", nanLeaf},
		{"4G stages claimed", set(puploc[:64], 0, math.MaxUint32)},
		{"4G x 4G trees claimed", set(set(puploc[:64], 0, math.MaxUint32), 8, math.MaxUint32)},
	}
	for _, c := range cases {
		if _, err := parseCascade(c.data); !errors.Is(err, ErrBadCascade) {
			t.Errorf("%s: err %v, want ErrBadCascade", c.name, err)
		}
	}
}

// FuzzParseCascade: any bytes either fail with ErrBadCascade or give a
// cascade that can run over an image without panicking. The seed corpus in
// testdata/fuzz/FuzzParseCascade holds a tiny valid cascade, truncations and
// corrupted headers.
func FuzzParseCascade(f *testing.F) {
	f.Add(tinyCascade(1, 1, 1, 0.7))
	img := gray{pix: make([]uint8, 24*16), w: 24, h: 16, stride: 24}
	for i := range img.pix {
		img.pix[i] = uint8(i * 31)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCascade(data)
		if err != nil {
			if !errors.Is(err, ErrBadCascade) {
				t.Fatalf("error %v does not wrap ErrBadCascade", err)
			}
			return
		}
		var sc scratch
		for _, flip := range []bool{false, true} {
			c.locate(&img, &sc, 8, 12, 10, 3, 1, 0, flip)
		}
	})
}

// FuzzWarp: any eye positions (NaN, Inf, huge, coincident) give either an
// error or a chip, never a panic or a hang.
func FuzzWarp(f *testing.F) {
	f.Add(100.0, 100.0, 150.0, 102.0)
	frame := Frame{Pix: make([]uint8, 4*64*48), Width: 64, Height: 48, Stride: 4 * 64}
	f.Fuzz(func(t *testing.T, lx, ly, rx, ry float64) {
		chip := newChip(16)
		tr := ChipTransform(Point{lx, ly}, Point{rx, ry}, 16, ChipPadding)
		err := tr.WarpFrame(chip, frame)
		if err != nil && !errors.Is(err, ErrBadTransform) {
			t.Fatalf("unexpected error %v", err)
		}
		if err == nil && !tr.Valid() {
			t.Fatalf("invalid transform %+v accepted", tr)
		}
	})
}
