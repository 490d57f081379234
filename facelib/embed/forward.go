package embed

import (
	"fmt"
	"image"
	"runtime"
	"sync"
	"unsafe"

	"github.com/facewatch/facewatch/facelib/match"
)

// Descriptor is the network's 128-d output for one face chip, exactly as
// face-api's computeFaceDescriptor returns it: not L2-normalised. It is
// match.Embedding, the one embedding type of facelib (embed, match, track
// and the classroom all use it).
type Descriptor = match.Embedding

// Workspace holds every buffer of one forward pass. Embedding with a
// Workspace allocates nothing. A Workspace is not safe for concurrent use:
// give each goroutine its own.
type Workspace struct {
	m *Model

	in   []float32 // [12][75][75], see preprocess
	stem []float32 // [32][72][72]
	a, b []float32 // block inputs/outputs
	t    []float32 // conv1 output inside a block
	s1   []float32 // im2col / Winograd input tiles
	s2   []float32 // GEMM output
	row  []float32 // one row of the max pool
	gap  [fcIn]float32

	// current job, read by the range functions
	cur *conv
	src []float32
	ep  epilogue

	workers []chan job
	wg      sync.WaitGroup
}

type job struct {
	fn     func(w *Workspace, lo, hi int)
	w      *Workspace
	lo, hi int
	wg     *sync.WaitGroup
}

// maxThreads caps WithThreads: the smallest layers have 8 blocks of output
// channels to share out.
const maxThreads = 8

// Option configures a Workspace.
type Option func(*Workspace)

// WithThreads splits each layer's work across n goroutines (n ≤ 1: run on the
// calling goroutine only, the default; the browser build always does; n is
// capped at maxThreads). runtime.GOMAXPROCS(0) is the natural choice. The
// helper goroutines live as long as the Workspace and are stopped when it is
// garbage collected.
func WithThreads(n int) Option {
	return func(w *Workspace) {
		if n <= 1 || runtime.GOARCH == "wasm" {
			return
		}
		n = min(n, maxThreads)
		w.workers = make([]chan job, n-1)
		for i := range w.workers {
			ch := make(chan job, 1)
			w.workers[i] = ch
			go func() {
				for j := range ch {
					j.fn(j.w, j.lo, j.hi)
					j.wg.Done()
				}
			}()
		}
		runtime.AddCleanup(w, func(chs []chan job) {
			for _, ch := range chs {
				close(ch)
			}
		}, w.workers)
	}
}

// NewWorkspace allocates the buffers for one forward pass (about 5 MB).
func (m *Model) NewWorkspace(opts ...Option) *Workspace {
	w := &Workspace{m: m}
	geo := newGeometry()
	w.in = make([]float32, 3*ChipSize*ChipSize) // polyphase: 12 x 75 x 75
	w.stem = make([]float32, m.stem.cout*geo.stemOut*geo.stemOut)
	w.row = make([]float32, 2*geo.poolOut+1)
	act, s1, s2 := 0, 0, 0
	need := func(c *conv) {
		act = max(act, c.cin*c.inH*c.inW, c.cout*c.outH*c.outW)
		switch c.kind {
		case kindWino4:
			s1 = max(s1, 36*c.cin*c.tpad)
			s2 = max(s2, 36*c.cout*c.tpad)
		case kindWino6, kindWino54:
			s1 = max(s1, 64*c.cin*c.tpad)
			s2 = max(s2, 64*c.cout*c.tpad)
		case kindWino2:
			s1 = max(s1, 16*c.cin*c.tpad)
			s2 = max(s2, 16*c.cout*c.tpad)
		default:
			s1 = max(s1, c.cin*c.k*c.k*c.tpad)
			s2 = max(s2, c.cout*c.tpad)
		}
	}
	need(m.stem)
	act = max(act, m.stem.cout*geo.poolOut*geo.poolOut)
	for i, b := range m.blocks {
		need(b.conv1)
		need(b.conv2)
		act = max(act, b.conv2.cout*geo.blockOut[i]*geo.blockOut[i])
	}
	w.a = make([]float32, act)
	w.b = make([]float32, act)
	w.t = make([]float32, act)
	w.s1 = make([]float32, s1)
	w.s2 = make([]float32, s2)
	for _, o := range opts {
		o(w)
	}
	return w
}

// Embed computes the descriptor of a 150x150 face chip. img's bounds may
// start anywhere but must be exactly ChipSize x ChipSize; alpha is ignored.
func (w *Workspace) Embed(img *image.RGBA) (Descriptor, error) {
	if img == nil {
		return Descriptor{}, fmt.Errorf("%w: nil image", ErrBadInput)
	}
	r := img.Rect
	if r.Dx() != ChipSize || r.Dy() != ChipSize {
		return Descriptor{}, fmt.Errorf("%w: chip is %dx%d, want %dx%d", ErrBadInput, r.Dx(), r.Dy(), ChipSize, ChipSize)
	}
	off := img.PixOffset(r.Min.X, r.Min.Y)
	if off < 0 || off > len(img.Pix) {
		return Descriptor{}, fmt.Errorf("%w: image pixels do not cover its bounds", ErrBadInput)
	}
	return w.EmbedPixels(img.Pix[off:], img.Stride)
}

// EmbedPixels computes the descriptor of a 150x150 chip given as RGBA bytes
// (4 per pixel, R first) starting at pix[0], with stride bytes per row.
func (w *Workspace) EmbedPixels(pix []byte, stride int) (Descriptor, error) {
	if stride < 4*ChipSize {
		return Descriptor{}, fmt.Errorf("%w: stride %d < %d", ErrBadInput, stride, 4*ChipSize)
	}
	// Compare without multiplying first: a huge stride must not overflow.
	if len(pix) < 4*ChipSize || stride > (len(pix)-4*ChipSize)/(ChipSize-1) {
		return Descriptor{}, fmt.Errorf("%w: %d pixel bytes are too few for 150 rows of stride %d", ErrBadInput, len(pix), stride)
	}
	w.preprocess(pix, stride)
	return w.forward(), nil
}

// Embed computes the descriptor of a chip with a pooled Workspace; it is safe
// for concurrent use. Callers embedding many chips per goroutine should hold
// their own Workspace.
func (m *Model) Embed(img *image.RGBA) (Descriptor, error) {
	w := m.pool.Get().(*Workspace)
	defer m.pool.Put(w)
	return w.Embed(img)
}

// face-api's mean RGB, as float32 like tfjs.
const (
	meanR float32 = 122.782
	meanG float32 = 117.001
	meanB float32 = 104.298
)

// preprocess converts the chip to face-api's input ((RGB - mean) / 255) and
// lays it out as the stem's polyphase input: channel 4c+2a+b holds colour c
// at rows of parity a and columns of parity b, a half-size plane.
func (w *Workspace) preprocess(pix []byte, stride int) {
	const h = ChipSize / 2
	const plane = h * h
	in := w.in[:12*plane]
	for y := range ChipSize {
		row := pix[y*stride : y*stride+4*ChipSize]
		o := (y&1)*2*plane + (y>>1)*h
		r0, r1 := in[o:o+h], in[o+plane:o+plane+h]
		g0, g1 := in[o+4*plane:o+4*plane+h], in[o+5*plane:o+5*plane+h]
		b0, b1 := in[o+8*plane:o+8*plane+h], in[o+9*plane:o+9*plane+h]
		for j := range r0 {
			p := row[8*j : 8*j+8 : 8*j+8]
			r0[j] = (float32(p[0]) - meanR) / 255
			g0[j] = (float32(p[1]) - meanG) / 255
			b0[j] = (float32(p[2]) - meanB) / 255
			r1[j] = (float32(p[4]) - meanR) / 255
			g1[j] = (float32(p[5]) - meanG) / 255
			b1[j] = (float32(p[6]) - meanB) / 255
		}
	}
}

func (w *Workspace) forward() Descriptor {
	m := w.m
	geo := m.stem
	w.conv(m.stem, w.in, epilogue{dst: w.stem, dh: geo.outH, dw: geo.outW, relu: true})
	pool := (geo.outH-3)/2 + 1
	maxPool3s2(w.a, w.stem, w.row, geo.cout, geo.outH, geo.outW, pool)
	x, y := w.a, w.b
	side := pool
	for _, b := range m.blocks {
		c1, c2 := b.conv1, b.conv2
		w.conv(c1, x, epilogue{dst: w.t, dh: c1.outH, dw: c1.outW, relu: true})
		if !b.down {
			w.conv(c2, w.t, epilogue{dst: y, dh: side, dw: side, res: x})
		} else {
			out := max(c2.outH, side/2)
			avgPoolPad(y, x, c1.cin, c2.cout, side, out)
			side = out
			w.conv(c2, w.t, epilogue{dst: y, dh: side, dw: side, res: y})
		}
		x, y = y, x
	}
	return w.headFrom(x, side)
}

// head runs the mean over H,W and the fully connected layer on the last
// block's output, which has the given side (the benchmarks' entry point).
func (w *Workspace) head(side int) Descriptor {
	return w.headFrom(w.a, side)
}

func (w *Workspace) headFrom(x []float32, side int) Descriptor {
	m := w.m
	hw := side * side
	for c := range fcIn {
		var s float32
		for _, v := range x[c*hw : (c+1)*hw] {
			s += v
		}
		w.gap[c] = s / float32(hw)
	}
	var d Descriptor
	fc := m.fc[:fcIn*fcOut]
	for i, g := range w.gap {
		row := fc[i*fcOut : (i+1)*fcOut]
		for j := range d {
			d[j] += g * row[j]
		}
	}
	return d
}

// conv runs one convolution from src with epilogue e.
func (w *Workspace) conv(c *conv, src []float32, e epilogue) {
	e.bias = c.bias
	w.cur, w.src, w.ep = c, src, e
	switch c.kind {
	case kindWino4, kindWino2, kindWino6, kindWino54:
		w.parallel(c.cin, (*Workspace).jobWinoIn)
		w.parallel(c.cout/4, (*Workspace).jobWinoGemmOut)
	default:
		w.parallel(c.tpad/4, (*Workspace).jobIm2col)
		w.parallel(c.tpad/4, (*Workspace).jobDirectGemm)
		w.parallel(c.cout/4, (*Workspace).jobDirectOut)
	}
	w.src = nil
	w.ep = epilogue{}
}

// parallel runs fn over [0,n) split across the workspace's goroutines.
func (w *Workspace) parallel(n int, fn func(w *Workspace, lo, hi int)) {
	parts := len(w.workers) + 1
	if parts == 1 || n < 2 {
		fn(w, 0, n)
		return
	}
	parts = min(parts, n)
	w.wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		w.workers[i-1] <- job{fn: fn, w: w, lo: n * i / parts, hi: n * (i + 1) / parts, wg: &w.wg}
	}
	fn(w, 0, n/parts)
	w.wg.Wait()
}

func (w *Workspace) jobWinoIn(lo, hi int) {
	if w.winoInSIMD(lo, hi) {
		return
	}
	switch w.cur.kind {
	case kindWino2:
		winoIn4(w.s1, w.src, w.cur, lo, hi)
	case kindWino6, kindWino54:
		winoIn8(w.s1, w.src, w.cur, lo, hi)
	default:
		winoIn6(w.s1, w.src, w.cur, lo, hi)
	}
}

// jobWinoGemmOut runs the Winograd products and the output transform for
// the output channels [lo*4, hi*4). Both split the work by output channel, so
// one goroutine does both for its channels with no barrier between them
// (one hand-off fewer per layer when a Workspace has threads).
func (w *Workspace) jobWinoGemmOut(lo, hi int) {
	if w.winoGemmOutSIMD(lo, hi) {
		return
	}
	w.winoGemm(lo, hi)
	w.jobWinoOut(lo, hi)
}

func (w *Workspace) winoGemm(lo, hi int) {
	c := w.cur
	n := c.wa * c.wa
	// Output channels [lo*4, hi*4) for every ξ. M is laid out [k][t][ξ], so
	// the output transform reads each tile's n values contiguously, and
	// threads working on different channels never share a cache line.
	k0, k1 := lo*4, hi*4
	for xi := range n {
		u := c.w[xi*c.cout*c.cin : (xi+1)*c.cout*c.cin]
		gemm(w.s2[k0*c.tpad*n+xi:],
			u[k0*c.cin:k1*c.cin],
			w.s1[xi*c.cin*c.tpad:(xi+1)*c.cin*c.tpad],
			k1-k0, c.cin, c.tpad, c.tpad*n, n)
	}
}

func (w *Workspace) jobWinoOut(lo, hi int) {
	switch w.cur.kind {
	case kindWino4:
		winoOut6(w.s2, w.cur, &w.ep, lo*4, hi*4)
	case kindWino6:
		winoOut8(w.s2, w.cur, &w.ep, lo*4, hi*4)
	case kindWino54:
		winoOut85(w.s2, w.cur, &w.ep, lo*4, hi*4)
	default:
		winoOut4(w.s2, w.cur, &w.ep, lo*4, hi*4)
	}
}

// jobIm2col fills s1 as B[p/4][r][4] for output pixel blocks [lo,hi).
func (w *Workspace) jobIm2col(lo, hi int) {
	c := w.cur
	k, s := c.k, c.stride
	r := c.cin * k * k
	padY, padX := 0, 0
	if c.same {
		padY = max((c.outH-1)*s+k-c.inH, 0) / 2
		padX = max((c.outW-1)*s+k-c.inW, 0) / 2
	}
	for pb := lo; pb < hi; pb++ {
		blk := w.s1[pb*r*4 : (pb+1)*r*4]
		for j := range 4 {
			p := pb*4 + j
			if p >= c.tiles {
				for i := range r {
					blk[i*4+j] = 0
				}
				continue
			}
			oy, ox := p/c.outW, p%c.outW
			y0, x0 := oy*s-padY, ox*s-padX
			if k == 3 && y0 >= 0 && x0 >= 0 && y0+3 <= c.inH && x0+3 <= c.inW {
				// A 3x3 window inside the input (nearly all): nine copies
				// with constant offsets per channel, no loop or check per
				// value (under wasm each loop pass is a jump through the
				// function's dispatcher).
				iw := c.inW
				for ci := range c.cin {
					b := ci*c.inH*iw + y0*iw + x0
					q := w.src[b : b+2*iw+3 : b+2*iw+3]
					o := blk[ci*36+j : ci*36+j+33 : ci*36+j+33]
					o[0], o[4], o[8] = q[0], q[1], q[2]
					o[12], o[16], o[20] = q[iw], q[iw+1], q[iw+2]
					o[24], o[28], o[32] = q[2*iw], q[2*iw+1], q[2*iw+2]
				}
				continue
			}
			i := 0
			for ci := range c.cin {
				plane := w.src[ci*c.inH*c.inW : (ci+1)*c.inH*c.inW]
				for ky := range k {
					yy := y0 + ky
					for kx := range k {
						xx := x0 + kx
						var v float32
						if yy >= 0 && yy < c.inH && xx >= 0 && xx < c.inW {
							v = plane[yy*c.inW+xx]
						}
						blk[i*4+j] = v
						i++
					}
				}
			}
		}
	}
}

func (w *Workspace) jobDirectGemm(lo, hi int) {
	c := w.cur
	r := c.cin * c.k * c.k
	if c.tiles == 1 && !simdKernels {
		// One output pixel: a matrix-vector product. The SIMD GEMM does
		// it faster as a 4-column block (three of them im2col's zeros).
		if lo == 0 && hi > 0 {
			gemv(w.s2, c.w, w.s1, c.cout, r, c.tpad)
		}
		return
	}
	// Each part computes the columns [lo*4, hi*4) of out[cout][tpad].
	gemm(w.s2[lo*4:], c.w, w.s1[lo*r*4:hi*r*4], c.cout, r, (hi-lo)*4, c.tpad, 1)
}

func (w *Workspace) jobDirectOut(lo, hi int) {
	c := w.cur
	for k := lo * 4; k < hi*4; k++ {
		row := w.s2[k*c.tpad : k*c.tpad+c.tiles]
		for p, v := range row {
			w.ep.store(k, p/c.outW, p%c.outW, v)
		}
	}
}

// maxPool3s2 is tfjs maxPool(x, 3, 2, 'valid') on [c][h][w] into [c][o][o],
// separably: the max of three rows, then of three columns of that. tmp
// holds one row (2o+1 values).
//
// Its input is the stem's output after ReLU, so every value is +0 or
// positive (ReLU turns NaN and -0 into +0), and on such floats the order of
// the values is the order of their bits as unsigned integers: the maxima
// are taken on the bits, with the integer max builtin, which compiles to a
// conditional move on amd64 and a select under wasm. Float compares
// compile to branches on amd64, which the real activations mispredict
// about half the time.
func maxPool3s2(dst, src, tmp []float32, c, h, w, o int) {
	cols := 2*o + 1
	tb := f32bits(tmp[:cols])
	for ci := range c {
		in := f32bits(src[ci*h*w : (ci+1)*h*w])
		out := f32bits(dst[ci*o*o : (ci+1)*o*o])
		for y := range o {
			r0 := in[2*y*w : 2*y*w+cols]
			r1 := in[(2*y+1)*w : (2*y+1)*w+cols]
			r2 := in[(2*y+2)*w : (2*y+2)*w+cols]
			r1, r2, t := r1[:len(r0)], r2[:len(r0)], tb[:len(r0)]
			for x, m := range r0 {
				t[x] = max(m, r1[x], r2[x])
			}
			row := out[y*o : y*o+o]
			for x := range row {
				p := t[2*x : 2*x+3 : 2*x+3]
				row[x] = max(p[0], p[1], p[2])
			}
		}
	}
}

// f32bits views float32s as their IEEE bits.
func f32bits(f []float32) []uint32 {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*uint32)(unsafe.Pointer(&f[0])), len(f))
}

// avgPoolPad is face-api's shortcut branch of a down-sampling block:
// avgPool(x, 2, 2, 'valid') with the channels zero-padded from cin to cout,
// written into dst [cout][o][o]. When the pooled side is smaller than o
// (never for this network) the rest is zero.
func avgPoolPad(dst, src []float32, cin, cout, side, o int) {
	p := side / 2
	clear(dst[:cout*o*o])
	for ci := range cin {
		in := src[ci*side*side : (ci+1)*side*side]
		out := dst[ci*o*o : (ci+1)*o*o]
		for y := range p {
			for x := range p {
				s := in[2*y*side+2*x] + in[2*y*side+2*x+1] + in[(2*y+1)*side+2*x] + in[(2*y+1)*side+2*x+1]
				out[y*o+x] = s / 4
			}
		}
	}
}
