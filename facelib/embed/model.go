package embed

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/facewatch/facewatch/facelib/internal/core"
)

// ChipSize is the side of the square face chip the network takes, in pixels.
const ChipSize = core.ChipSize

// Dim is the length of a descriptor.
const Dim = core.Dim

// Errors returned by this package. They are wrapped with detail; test with
// errors.Is.
var (
	// ErrBadModel reports a weights manifest or binary that is not the
	// expected network: malformed JSON, a missing, duplicated or mis-shaped
	// tensor, a length mismatch, or non-finite values.
	ErrBadModel = errors.New("embed: bad model")
	// ErrBadInput reports an input image of the wrong size or a pixel
	// buffer too short for its stride.
	ErrBadInput = fmt.Errorf("embed: %w", core.ErrBadImage)
)

// Limits applied before anything is allocated from untrusted sizes.
const (
	maxManifestBytes = 1 << 20  // the real manifest is 19,615 bytes
	maxWeightsBytes  = 64 << 20 // the real binary is 6,444,032 bytes
	maxTensors       = 1024     // the real manifest has 117
	maxRank          = 4
)

// convKind says how a convolution's weights are prepared and run.
type convKind uint8

const (
	kindDirect convKind = iota // im2col + GEMM (strided, 7x7, tiny inputs)
	kindWino4                  // Winograd F(4x4,3x3)
	kindWino2                  // Winograd F(2x2,3x3)
	kindWino6                  // Winograd F(6x6,3x3)
	kindWino54                 // Winograd F(5x5,4x4) on a polyphase input (the stem)
)

// conv is one convolution with its bias and scale layer folded in:
// out = conv(x, w*s) + (bias*s + b).
type conv struct {
	name        string
	k, stride   int
	cin, cout   int
	same        bool // tfjs 'same' padding (else 'valid')
	kind        convKind
	w           []float32 // packed for kind (see pack*)
	bias        []float32 // cout
	inH, inW    int       // input size this layer runs at
	outH, outW  int
	tiles, tpad int // Winograd tiles (or output pixels) and their count rounded up to 4
	tilesX      int
	wa, wm      int // Winograd input and output tile sides
	wpad        int // input offset of the first Winograd tile
}

// block is one residual block of the network.
type block struct {
	conv1, conv2 *conv
	down         bool
}

// Model is a loaded face recognition network. It is read-only after Load and
// safe for concurrent use; each concurrent caller needs its own Workspace
// (or uses Model.Embed, which keeps a pool of them).
type Model struct {
	stem   *conv
	blocks []block
	fc     []float32 // [256][128]
	pool   sync.Pool
}

// The fixed architecture: residual blocks in order.
var blockSpecs = []struct {
	name      string
	cin, cout int
	down      bool
}{
	{"conv32_1", 32, 32, false},
	{"conv32_2", 32, 32, false},
	{"conv32_3", 32, 32, false},
	{"conv64_down", 32, 64, true},
	{"conv64_1", 64, 64, false},
	{"conv64_2", 64, 64, false},
	{"conv64_3", 64, 64, false},
	{"conv128_down", 64, 128, true},
	{"conv128_1", 128, 128, false},
	{"conv128_2", 128, 128, false},
	{"conv256_down", 128, 256, true},
	{"conv256_1", 256, 256, false},
	{"conv256_2", 256, 256, false},
	{"conv256_down_out", 256, 256, true},
}

const (
	fcIn  = 256
	fcOut = Dim
)

// expectedShapes lists every tensor the network needs and its exact shape.
func expectedShapes() map[string][]int {
	m := map[string][]int{}
	addConv := func(prefix string, k, cin, cout int) {
		m[prefix+"/conv/filters"] = []int{k, k, cin, cout}
		m[prefix+"/conv/bias"] = []int{cout}
		m[prefix+"/scale/weights"] = []int{cout}
		m[prefix+"/scale/biases"] = []int{cout}
	}
	addConv("conv32_down", 7, 3, 32)
	for _, b := range blockSpecs {
		addConv(b.name+"/conv1", 3, b.cin, b.cout)
		addConv(b.name+"/conv2", 3, b.cout, b.cout)
	}
	m["fc"] = []int{fcIn, fcOut}
	return m
}

type manifestQuant struct {
	Dtype string   `json:"dtype"`
	Scale *float64 `json:"scale"`
	Min   *float64 `json:"min"`
}

type manifestEntry struct {
	Name         string         `json:"name"`
	Shape        []int          `json:"shape"`
	Dtype        string         `json:"dtype"`
	Quantization *manifestQuant `json:"quantization"`
}

type manifestGroup struct {
	Paths   []string        `json:"paths"`
	Weights []manifestEntry `json:"weights"`
}

// tensorRef locates one tensor in the weights binary.
type tensorRef struct {
	entry  manifestEntry
	off    int
	n      int // element count
	bytesN int // bytes per element
}

// Load parses a tfjs weights manifest (face_recognition_model-weights_manifest.json)
// and its weights binary (face_recognition_model.bin, or the concatenation of
// every path the manifest lists, in order), checks them against the network's
// architecture and prepares the weights. Any problem returns an error wrapping
// ErrBadModel; hostile input never panics and never makes Load allocate more
// than about the size of the real model.
func Load(manifest, weights []byte) (*Model, error) {
	refs, err := parseManifest(manifest, len(weights))
	if err != nil {
		return nil, err
	}
	l := loader{refs: refs, data: weights}
	m := &Model{}
	geo := newGeometry()
	if m.stem, err = l.conv("conv32_down", 7, 2, 3, 32, false, geo.stemIn, geo.stemIn); err != nil {
		return nil, err
	}
	if m.stem.kind != kindWino54 || m.stem.cin != 12 {
		// Unreachable: the architecture is fixed; preprocess relies on it.
		return nil, fmt.Errorf("embed: internal error: stem is not polyphase")
	}
	for i, b := range blockSpecs {
		hw := geo.blockIn[i]
		var c1, c2 *conv
		if b.down {
			c1, err = l.conv(b.name+"/conv1", 3, 2, b.cin, b.cout, false, hw, hw)
		} else {
			c1, err = l.conv(b.name+"/conv1", 3, 1, b.cin, b.cout, true, hw, hw)
		}
		if err != nil {
			return nil, err
		}
		if c2, err = l.conv(b.name+"/conv2", 3, 1, b.cout, b.cout, true, c1.outH, c1.outW); err != nil {
			return nil, err
		}
		m.blocks = append(m.blocks, block{conv1: c1, conv2: c2, down: b.down})
	}
	if m.fc, err = l.tensor("fc"); err != nil {
		return nil, err
	}
	m.pool.New = func() any { return m.NewWorkspace() }
	return m, nil
}

// geometry holds the spatial sizes the network runs at for a 150x150 chip.
type geometry struct {
	stemIn, stemOut, poolOut int
	blockIn                  []int // input side of each block
	blockOut                 []int
}

func newGeometry() geometry {
	g := geometry{stemIn: ChipSize}
	g.stemOut = (ChipSize-7)/2 + 1  // 72
	g.poolOut = (g.stemOut-3)/2 + 1 // 35
	hw := g.poolOut
	for _, b := range blockSpecs {
		g.blockIn = append(g.blockIn, hw)
		if b.down {
			conv := (hw-3)/2 + 1
			pooled := hw / 2
			hw = max(conv, pooled)
		}
		g.blockOut = append(g.blockOut, hw)
	}
	return g
}

func badModel(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadModel}, args...)...)
}

// parseManifest validates the manifest against the architecture and the
// weights length, and returns where each needed tensor lives.
func parseManifest(manifest []byte, weightsLen int) (map[string]tensorRef, error) {
	if len(manifest) == 0 {
		return nil, badModel("empty manifest")
	}
	if len(manifest) > maxManifestBytes {
		return nil, badModel("manifest is %d bytes (limit %d)", len(manifest), maxManifestBytes)
	}
	if weightsLen > maxWeightsBytes {
		return nil, badModel("weights are %d bytes (limit %d)", weightsLen, maxWeightsBytes)
	}
	var groups []manifestGroup
	if err := json.Unmarshal(manifest, &groups); err != nil {
		return nil, badModel("manifest: %v", err)
	}
	want := expectedShapes()
	refs := make(map[string]tensorRef, len(want))
	seen := map[string]bool{}
	off, count := 0, 0
	for _, g := range groups {
		for _, e := range g.Weights {
			count++
			if count > maxTensors {
				return nil, badModel("more than %d tensors", maxTensors)
			}
			if seen[e.Name] {
				return nil, badModel("tensor %q listed twice", e.Name)
			}
			seen[e.Name] = true
			n, err := elements(e.Shape, weightsLen)
			if err != nil {
				return nil, badModel("tensor %q: %v", e.Name, err)
			}
			if e.Dtype != "float32" {
				return nil, badModel("tensor %q: dtype %q, want float32", e.Name, e.Dtype)
			}
			size := 4
			if q := e.Quantization; q != nil {
				switch q.Dtype {
				case "uint8":
					size = 1
				case "uint16":
					size = 2
				default:
					return nil, badModel("tensor %q: unsupported quantization %q", e.Name, q.Dtype)
				}
				if q.Scale == nil || q.Min == nil {
					return nil, badModel("tensor %q: quantization without scale and min", e.Name)
				}
				if !finite(*q.Scale) || !finite(*q.Min) {
					return nil, badModel("tensor %q: non-finite quantization", e.Name)
				}
			}
			if n > (weightsLen-off)/size {
				return nil, badModel("weights too short: tensor %q needs %d bytes at offset %d of %d",
					e.Name, n*size, off, weightsLen)
			}
			if shape, ok := want[e.Name]; ok {
				if !sameShape(shape, e.Shape) {
					return nil, badModel("tensor %q has shape %v, want %v", e.Name, e.Shape, shape)
				}
				refs[e.Name] = tensorRef{entry: e, off: off, n: n, bytesN: size}
			}
			off += n * size
		}
	}
	if off != weightsLen {
		return nil, badModel("manifest describes %d bytes of weights, binary has %d", off, weightsLen)
	}
	for name := range want {
		if _, ok := refs[name]; !ok {
			return nil, badModel("tensor %q missing", name)
		}
	}
	return refs, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// elements returns the element count of shape, refusing shapes that could not
// fit in limit bytes (checked step by step, so nothing overflows).
func elements(shape []int, limit int) (int, error) {
	if len(shape) > maxRank {
		return 0, fmt.Errorf("rank %d", len(shape))
	}
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in %v", shape)
		}
		if d != 0 && n > limit/d {
			return 0, fmt.Errorf("shape %v larger than the weights", shape)
		}
		n *= d
	}
	return n, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type loader struct {
	refs map[string]tensorRef
	data []byte
}

// tensor dequantizes one tensor (value = q*scale + min) and checks every
// value is finite.
func (l *loader) tensor(name string) ([]float32, error) {
	r := l.refs[name]
	out := make([]float32, r.n)
	b := l.data[r.off : r.off+r.n*r.bytesN]
	q := r.entry.Quantization
	switch r.bytesN {
	case 1:
		scale, lo := *q.Scale, *q.Min
		for i := range out {
			out[i] = float32(float64(b[i])*scale + lo)
		}
	case 2:
		scale, lo := *q.Scale, *q.Min
		for i := range out {
			out[i] = float32(float64(binary.LittleEndian.Uint16(b[2*i:]))*scale + lo)
		}
	default:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	}
	for i, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, badModel("tensor %q: non-finite value at %d", name, i)
		}
	}
	return out, nil
}

// conv loads one convolution layer (filters, bias, scale weights and biases),
// folds the scale layer in and packs the weights for the layer's algorithm.
func (l *loader) conv(prefix string, k, stride, cin, cout int, same bool, inH, inW int) (*conv, error) {
	filters, err := l.tensor(prefix + "/conv/filters")
	if err != nil {
		return nil, err
	}
	bias, err := l.tensor(prefix + "/conv/bias")
	if err != nil {
		return nil, err
	}
	sw, err := l.tensor(prefix + "/scale/weights")
	if err != nil {
		return nil, err
	}
	sb, err := l.tensor(prefix + "/scale/biases")
	if err != nil {
		return nil, err
	}
	c := &conv{name: prefix, k: k, stride: stride, cin: cin, cout: cout, same: same, inH: inH, inW: inW}
	if same {
		c.outH, c.outW = (inH+stride-1)/stride, (inW+stride-1)/stride
	} else {
		c.outH, c.outW = (inH-k)/stride+1, (inW-k)/stride+1
	}
	c.bias = make([]float32, cout)
	for o := range cout {
		c.bias[o] = bias[o]*sw[o] + sb[o]
	}
	// Folded filters in float64, [o][c][ky][kx].
	f := make([]float64, cout*cin*k*k)
	for ky := range k {
		for kx := range k {
			for ci := range cin {
				for o := range cout {
					v := float64(filters[((ky*k+kx)*cin+ci)*cout+o]) * float64(sw[o])
					f[((o*cin+ci)*k+ky)*k+kx] = v
				}
			}
		}
	}
	if same && k == 3 && stride == 1 && inH == 1 && inW == 1 {
		// On a 1x1 input only the centre tap of a 'same' 3x3 filter ever
		// meets data: keep just that (a 1x1 convolution).
		centre := make([]float64, cout*cin)
		for o := range cout {
			for ci := range cin {
				centre[o*cin+ci] = f[(o*cin+ci)*9+4]
			}
		}
		f, c.k = centre, 1
	}
	if k == 7 && stride == 2 && !same && inH%2 == 0 && inW%2 == 0 {
		f, c = c.polyphase(f)
	}
	c.kind = chooseKind(c)
	switch c.kind {
	case kindWino4:
		c.packWinograd(f, 6)
	case kindWino2:
		c.packWinograd(f, 4)
	case kindWino6, kindWino54:
		c.packWinograd(f, 8)
	default:
		c.packDirect(f)
	}
	return c, nil
}

// chooseKind picks the algorithm for a layer: Winograd for 3x3 stride-1
// layers — F(6x6,3x3) for the large 32- and 64-channel ones (35x35 and
// 17x17: 64 multiplies per 36 outputs, and with the tile padding still about
// a quarter fewer than F(4x4)), F(4x4,3x3) where 4x4 tiles fit exactly
// (8x8), F(2x2) for the 256-channel layers, whose F(4x4) weights would be 4x
// the original — direct otherwise.
func chooseKind(c *conv) convKind {
	if c.k == 4 && c.stride == 1 && !c.same {
		return kindWino54
	}
	if c.k != 3 || c.stride != 1 || !c.same || c.outH < 2 || c.outW < 2 {
		return kindDirect
	}
	if c.cout >= 256 {
		return kindWino2
	}
	if c.cout <= 64 && c.outH >= 12 && c.outW >= 12 {
		return kindWino6
	}
	return kindWino4
}

// polyphase rewrites the stem, a 7x7 stride-2 'valid' convolution, as a
// 4x4 stride-1 'valid' convolution over the input's four polyphase
// components (input channel c, row parity a, column parity b becomes channel
// 4c+2a+b of a half-size image): out[y][x] = Σ in[2y+ky][2x+kx]·w[ky][kx]
// = Σ P_ab[y+ky'][x+kx']·w[2ky'+a][2kx'+b]. The taps past 7 are zero. The
// stride-1 form can then use Winograd F(5x5,4x4), under a fifth of the
// multiplies of the direct form.
func (c *conv) polyphase(f []float64) ([]float64, *conv) {
	p := *c
	p.cin, p.k, p.stride = 4*c.cin, 4, 1
	p.inH, p.inW = c.inH/2, c.inW/2
	g := make([]float64, c.cout*p.cin*16)
	for o := range c.cout {
		for ci := range c.cin {
			for ky := range 7 {
				for kx := range 7 {
					pc := 4*ci + 2*(ky%2) + kx%2
					g[((o*p.cin+pc)*4+ky/2)*4+kx/2] = f[((o*c.cin+ci)*7+ky)*7+kx]
				}
			}
		}
	}
	return g, &p
}
