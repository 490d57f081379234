package embed_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/facewatch/facewatch/facelib/embed"
)

// editManifest decodes the real manifest, applies edit to its tensor list and
// re-encodes it.
func editManifest(t testing.TB, manifest []byte, edit func(ws []map[string]any) []map[string]any) []byte {
	t.Helper()
	var groups []map[string]any
	if err := json.Unmarshal(manifest, &groups); err != nil {
		t.Fatal(err)
	}
	raw := groups[0]["weights"].([]any)
	ws := make([]map[string]any, len(raw))
	for i, w := range raw {
		ws[i] = w.(map[string]any)
	}
	ws = edit(ws)
	list := make([]any, len(ws))
	for i, w := range ws {
		list[i] = w
	}
	groups[0]["weights"] = list
	b, err := json.Marshal(groups)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func find(ws []map[string]any, name string) map[string]any {
	for _, w := range ws {
		if w["name"] == name {
			return w
		}
	}
	panic("no tensor " + name)
}

// offsetOf returns the byte offset of a tensor in the weights binary.
func offsetOf(t testing.TB, manifest []byte, name string) int {
	t.Helper()
	var groups []struct {
		Weights []struct {
			Name         string
			Shape        []int
			Quantization *struct{ Dtype string }
		}
	}
	if err := json.Unmarshal(manifest, &groups); err != nil {
		t.Fatal(err)
	}
	off := 0
	for _, w := range groups[0].Weights {
		if w.Name == name {
			return off
		}
		n := 1
		for _, d := range w.Shape {
			n *= d
		}
		if w.Quantization != nil {
			off += n
		} else {
			off += 4 * n
		}
	}
	t.Fatalf("no tensor %s", name)
	return 0
}

func TestLoadRejects(t *testing.T) {
	manifest, weights := readModelFiles(t)
	// conv64_down/conv1/conv/filters is stored as plain float32.
	const plain = "conv64_down/conv1/conv/filters"
	withBits := func(bits uint32) []byte {
		w := bytes.Clone(weights)
		binary.LittleEndian.PutUint32(w[offsetOf(t, manifest, plain)+40:], bits)
		return w
	}
	edit := func(f func(ws []map[string]any) []map[string]any) []byte {
		return editManifest(t, manifest, f)
	}
	cases := []struct {
		name              string
		manifest, weights []byte
		msg               string // part of the error text
	}{
		{"empty manifest", nil, weights, "empty manifest"},
		{"not JSON", []byte("{"), weights, "manifest"},
		{"manifest is an object", []byte(`{"weights":[]}`), weights, "manifest"},
		{"huge manifest", append(bytes.Repeat([]byte(" "), 2<<20), manifest...), weights, "limit"},
		{"truncated weights", manifest, weights[:len(weights)-1], "too short"},
		{"no weights", manifest, nil, "larger than the weights"},
		{"extra weights byte", manifest, append(bytes.Clone(weights), 0), "binary has"},
		{"shape changed", edit(func(ws []map[string]any) []map[string]any {
			find(ws, "conv32_1/conv1/conv/filters")["shape"] = []int{3, 3, 32, 31}
			find(ws, "conv32_1/conv1/conv/bias")["shape"] = []int{32 + 9*32}
			return ws
		}), weights, "has shape"},
		{"rank changed", edit(func(ws []map[string]any) []map[string]any {
			find(ws, "fc")["shape"] = []int{256, 128, 1}
			return ws
		}), weights, "has shape"},
		{"missing tensor", edit(func(ws []map[string]any) []map[string]any {
			return ws[:len(ws)-1] // fc
		}), weights[:len(weights)-256*128], "missing"},
		{"duplicate tensor", edit(func(ws []map[string]any) []map[string]any {
			find(ws, "fc")["name"] = "conv32_down/conv/bias"
			return ws
		}), weights, "twice"},
		{"huge shape", edit(func(ws []map[string]any) []map[string]any {
			find(ws, "fc")["shape"] = []int{1 << 30, 1 << 30, 1 << 30, 1 << 30}
			return ws
		}), weights, "larger than the weights"},
		{"negative dimension", edit(func(ws []map[string]any) []map[string]any {
			find(ws, "fc")["shape"] = []int{-256, -128}
			return ws
		}), weights, "negative"},
		{"rank 5", edit(func(ws []map[string]any) []map[string]any {
			find(ws, "fc")["shape"] = []int{1, 1, 1, 256, 128}
			return ws
		}), weights, "rank"},
		{"int32 dtype", edit(func(ws []map[string]any) []map[string]any {
			find(ws, "fc")["dtype"] = "int32"
			return ws
		}), weights, "dtype"},
		{"float16 quantization", edit(func(ws []map[string]any) []map[string]any {
			find(ws, "fc")["quantization"].(map[string]any)["dtype"] = "float16"
			return ws
		}), weights, "unsupported quantization"},
		{"quantization without scale", edit(func(ws []map[string]any) []map[string]any {
			delete(find(ws, "fc")["quantization"].(map[string]any), "scale")
			return ws
		}), weights, "without scale"},
		{"scale overflows float32", edit(func(ws []map[string]any) []map[string]any {
			find(ws, "fc")["quantization"].(map[string]any)["scale"] = 1e300
			return ws
		}), weights, "non-finite value"},
		{"scale out of float64 range", bytes.Replace(manifest, []byte(`"scale":0.000357687911566566`), []byte(`"scale":1e999`), 1), weights, "manifest"},
		{"NaN weight", manifest, withBits(0x7fc00000), "non-finite value"},
		{"+Inf weight", manifest, withBits(0x7f800000), "non-finite value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := embed.Load(c.manifest, c.weights)
			if !errors.Is(err, embed.ErrBadModel) {
				t.Fatalf("Load = %v, %v; want ErrBadModel", m, err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
		})
	}
}

// TestLoadDequantizes checks Load against the manifest arithmetic
// (value = q*scale + min) through the network's output: a model whose fc is
// re-quantized to zero (min 0, scale 0) must give an all-zero descriptor,
// and one whose fc rows are all 1 must give 128 equal values.
func TestLoadDequantizes(t *testing.T) {
	manifest, weights := readModelFiles(t)
	chip, _ := readChip(t, readGolden(t).Chips[0].File)
	for _, c := range []struct {
		name       string
		scale, min float64
	}{{"zero", 0, 0}, {"ones", 0, 1}} {
		t.Run(c.name, func(t *testing.T) {
			mf := editManifest(t, manifest, func(ws []map[string]any) []map[string]any {
				q := find(ws, "fc")["quantization"].(map[string]any)
				q["scale"], q["min"] = c.scale, c.min
				return ws
			})
			m, err := embed.Load(mf, weights)
			if err != nil {
				t.Fatal(err)
			}
			d, err := m.Embed(chip)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range d {
				if v != d[0] || math.IsNaN(float64(v)) {
					t.Fatalf("descriptor[%d] = %v, descriptor[0] = %v; want all equal", i, v, d[0])
				}
			}
			if (c.min == 0) != (d[0] == 0) {
				t.Errorf("descriptor[0] = %v with fc = %v", d[0], c.min)
			}
		})
	}
}

// FuzzLoad feeds arbitrary manifests and weights to Load: it must return a
// model or an ErrBadModel error, never panic or allocate without bound.
func FuzzLoad(f *testing.F) {
	manifest, weights := readModelFiles(f)
	// The real model; small hostile seeds are in testdata/fuzz/FuzzLoad
	// and TestLoadRejects covers targeted edits of the real files.
	f.Add(manifest, weights)
	f.Fuzz(func(t *testing.T, manifest, weights []byte) {
		m, err := embed.Load(manifest, weights)
		if err != nil {
			if !errors.Is(err, embed.ErrBadModel) {
				t.Fatalf("error %v does not wrap ErrBadModel", err)
			}
			return
		}
		if m == nil {
			t.Fatal("nil model without error")
		}
	})
}
