package embed

import "math"

// Winograd minimal filtering (Lavin & Gray 2015) for 3x3 stride-1 'same'
// convolutions. A tile of a×a input values gives (a-2)×(a-2) outputs:
// F(4x4,3x3) (a=6) needs 36 multiplies per 16 outputs instead of 144,
// F(2x2,3x3) (a=4) 16 per 4 instead of 36. The filters are transformed once
// at load (in float64, U = G g Gᵀ); per call the input tiles are transformed
// (V = Bᵀ d B), multiplied channel-wise as a×a independent GEMMs
// (M = U·V) and transformed back (Y = Aᵀ M A).

// Filter transform matrices G (a×3).
var (
	g4 = [4][3]float64{
		{1, 0, 0},
		{0.5, 0.5, 0.5},
		{0.5, -0.5, 0.5},
		{0, 0, 1},
	}
	g6 = [6][3]float64{
		{1.0 / 4, 0, 0},
		{-1.0 / 6, -1.0 / 6, -1.0 / 6},
		{-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6},
		{1.0 / 24, -1.0 / 12, 1.0 / 6},
		{0, 0, 1},
	}
	// g8 is G for F(6x6,3x3) on the points 0, ±1, ±1/2, ±2, ∞ (the
	// F(6,3) matrices of Lavin & Gray and NNPACK).
	g8 = [8][3]float64{
		{1, 0, 0},
		{-2.0 / 9, -2.0 / 9, -2.0 / 9},
		{-2.0 / 9, 2.0 / 9, -2.0 / 9},
		{1.0 / 90, 1.0 / 45, 2.0 / 45},
		{1.0 / 90, -1.0 / 45, 2.0 / 45},
		{32.0 / 45, 16.0 / 45, 8.0 / 45},
		{32.0 / 45, -16.0 / 45, 8.0 / 45},
		{0, 0, 1},
	}
)

// g8r4 is G for F(5x5,4x4) on the same points as F(6x6,3x3), so it shares
// that input transform: row j is g8's row scale times p_j^k (the point ∞
// keeps only the highest power).
var g8r4 = [8][4]float64{
	{1, 0, 0, 0},
	{-2.0 / 9, -2.0 / 9, -2.0 / 9, -2.0 / 9},
	{-2.0 / 9, 2.0 / 9, -2.0 / 9, 2.0 / 9},
	{1.0 / 90, 1.0 / 45, 2.0 / 45, 4.0 / 45},
	{1.0 / 90, -1.0 / 45, 2.0 / 45, -4.0 / 45},
	{32.0 / 45, 16.0 / 45, 8.0 / 45, 4.0 / 45},
	{32.0 / 45, -16.0 / 45, 8.0 / 45, -4.0 / 45},
	{0, 0, 0, 1},
}

// packWinograd transforms the folded filters f ([o][c][r][r], float64, r =
// c.k) into U[ξ][o/4][c][4] for tile size a and output tile side m = a-r+1
// (F(2x2,3x3): a=4; F(4x4,3x3): a=6; F(6x6,3x3): a=8; F(5x5,4x4): a=8,
// r=4), and sets the
// layer's tile counts. pad is the input offset of the first tile (1 for
// 'same', 0 for 'valid').
func (c *conv) packWinograd(f []float64, a int) {
	r := c.k
	c.wa, c.wm = a, a-r+1
	if c.same {
		c.wpad = (r - 1) / 2
	}
	tilesY, tilesX := (c.outH+c.wm-1)/c.wm, (c.outW+c.wm-1)/c.wm
	c.tilesX = tilesX
	c.tiles = tilesY * tilesX
	c.tpad = (c.tiles + 3) &^ 3
	var g [8][4]float64 // G, a×r
	for i := range a {
		for j := range r {
			switch {
			case a == 8 && r == 4:
				g[i][j] = g8r4[i][j]
			case a == 8:
				g[i][j] = g8[i][j]
			case a == 4:
				g[i][j] = g4[i][j]
			default:
				g[i][j] = g6[i][j]
			}
		}
	}
	nw := a * a * c.cout * c.cin
	c.w = make([]float32, nw, nw+packSlack)
	kb, stride := c.cout/4, c.cin*4 // U[ξ][o/4][c][4]: ξ-plane and block strides
	var tmp [8][4]float64
	var k [16]float64
	for o := range c.cout {
		for ci := range c.cin {
			copy(k[:r*r], f[(o*c.cin+ci)*r*r:(o*c.cin+ci+1)*r*r])
			// tmp = G k  (a×r)
			for i := range a {
				for j := range r {
					var v float64
					for l := range r {
						v += g[i][l] * k[l*r+j]
					}
					tmp[i][j] = v
				}
			}
			// U = tmp Gᵀ (a×a)
			base := (o/4)*stride + ci*4 + o%4
			for i := range a {
				for j := range a {
					var u float64
					for l := range r {
						u += tmp[i][l] * g[j][l]
					}
					c.w[(i*a+j)*kb*stride+base] = float32(u)
				}
			}
		}
	}
}

// packDirect lays the folded filters out as A[o/4][r][4] with
// r = (c*k+ky)*k+kx, for im2col + GEMM.
func (c *conv) packDirect(f []float64) {
	r := c.cin * c.k * c.k
	c.tiles = c.outH * c.outW
	c.tpad = (c.tiles + 3) &^ 3
	c.w = make([]float32, c.cout*r, c.cout*r+packSlack)
	for o := range c.cout {
		for i := range r {
			c.w[((o/4)*r+i)*4+o%4] = float32(f[o*r+i])
		}
	}
}

// winoIn4 transforms input tiles for F(2x2,3x3): V = Bᵀ d B with
// Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]. Channels [c0,c1).
func winoIn4(v, x []float32, c *conv, c0, c1 int) {
	h, w := c.inH, c.inW
	tb4 := c.tpad / 4
	cs := c.cin * 4 // stride between tile blocks
	xs := tb4 * cs  // stride between ξ planes
	var d [4][4]float32
	for ci := c0; ci < c1; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for t := 0; t < c.tpad; t++ {
			ty, tx := t/c.tilesX, t%c.tilesX
			y0, x0 := ty*2-1, tx*2-1
			if t >= c.tiles {
				d = [4][4]float32{}
			} else if y0 >= 0 && x0 >= 0 && y0+4 <= h && x0+4 <= w {
				for i := range 4 {
					row := plane[(y0+i)*w+x0 : (y0+i)*w+x0+4]
					d[i][0], d[i][1], d[i][2], d[i][3] = row[0], row[1], row[2], row[3]
				}
			} else {
				for i := range 4 {
					for j := range 4 {
						yy, xx := y0+i, x0+j
						if yy >= 0 && yy < h && xx >= 0 && xx < w {
							d[i][j] = plane[yy*w+xx]
						} else {
							d[i][j] = 0
						}
					}
				}
			}
			// rows: e = Bᵀ d
			var e [4][4]float32
			for j := range 4 {
				e[0][j] = d[0][j] - d[2][j]
				e[1][j] = d[1][j] + d[2][j]
				e[2][j] = d[2][j] - d[1][j]
				e[3][j] = d[1][j] - d[3][j]
			}
			base := (t/4)*cs + ci*4 + t%4
			for i := range 4 {
				r := &e[i]
				v[base+(i*4+0)*xs] = r[0] - r[2]
				v[base+(i*4+1)*xs] = r[1] + r[2]
				v[base+(i*4+2)*xs] = r[2] - r[1]
				v[base+(i*4+3)*xs] = r[1] - r[3]
			}
		}
	}
}

// winoIn6 transforms input tiles for F(4x4,3x3): V = Bᵀ d B with
//
//	Bᵀ = [4  0 -5  0 1 0]
//	     [0 -4 -4  1 1 0]
//	     [0  4 -4 -1 1 0]
//	     [0 -2 -1  2 1 0]
//	     [0  2 -1 -2 1 0]
//	     [0  4  0 -5 0 1]
func winoIn6(v, x []float32, c *conv, c0, c1 int) {
	h, w := c.inH, c.inW
	tb4 := c.tpad / 4
	cs := c.cin * 4
	xs := tb4 * cs
	var d [6][6]float32
	for ci := c0; ci < c1; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for t := 0; t < c.tpad; t++ {
			ty, tx := t/c.tilesX, t%c.tilesX
			y0, x0 := ty*c.wm-c.wpad, tx*c.wm-c.wpad
			if t >= c.tiles {
				d = [6][6]float32{}
			} else if y0 >= 0 && x0 >= 0 && y0+6 <= h && x0+6 <= w {
				for i := range 6 {
					row := plane[(y0+i)*w+x0 : (y0+i)*w+x0+6]
					d[i][0], d[i][1], d[i][2], d[i][3], d[i][4], d[i][5] = row[0], row[1], row[2], row[3], row[4], row[5]
				}
			} else {
				for i := range 6 {
					for j := range 6 {
						yy, xx := y0+i, x0+j
						if yy >= 0 && yy < h && xx >= 0 && xx < w {
							d[i][j] = plane[yy*w+xx]
						} else {
							d[i][j] = 0
						}
					}
				}
			}
			var e [6][6]float32
			for j := range 6 {
				d0, d1, d2, d3, d4, d5 := d[0][j], d[1][j], d[2][j], d[3][j], d[4][j], d[5][j]
				e[0][j] = 4*d0 - 5*d2 + d4
				e[1][j] = -4*(d1+d2) + d3 + d4
				e[2][j] = 4*(d1-d2) - d3 + d4
				e[3][j] = -2*(d1-d3) - d2 + d4
				e[4][j] = 2*(d1-d3) - d2 + d4
				e[5][j] = 4*d1 - 5*d3 + d5
			}
			base := (t/4)*cs + ci*4 + t%4
			for i := range 6 {
				r0, r1, r2, r3, r4, r5 := e[i][0], e[i][1], e[i][2], e[i][3], e[i][4], e[i][5]
				o := base + i*6*xs
				v[o] = 4*r0 - 5*r2 + r4
				v[o+xs] = -4*(r1+r2) + r3 + r4
				v[o+2*xs] = 4*(r1-r2) - r3 + r4
				v[o+3*xs] = -2*(r1-r3) - r2 + r4
				v[o+4*xs] = 2*(r1-r3) - r2 + r4
				v[o+5*xs] = 4*r1 - 5*r3 + r5
			}
		}
	}
}

// epilogue is what happens to a convolution's output value before it is
// stored: add the bias, optionally add a residual, optionally ReLU.
type epilogue struct {
	dst    []float32 // [cout][dh][dw]
	dh, dw int
	res    []float32 // same layout as dst, or nil (may alias dst)
	relu   bool      // relu(v); with res set, relu(v + res) always
	bias   []float32
}

func (e *epilogue) store(k, y, x int, v float32) {
	i := (k*e.dh+y)*e.dw + x
	v += e.bias[k]
	if e.res != nil {
		v += e.res[i]
	}
	if e.relu || e.res != nil {
		v = relu(v)
	}
	e.dst[i] = v
}

// relu is max(v, 0) without a branch: (v + |v|) / 2 is exact (+0 for
// v ≤ 0, v otherwise; NaN stays NaN). A compare and branch per value is
// unpredictable (about half the values are negative), and under wasm Go
// compiles it to a jump through the function's dispatch table; |v| is one
// instruction on both.
func relu(v float32) float32 {
	return (v + float32(math.Abs(float64(v)))) * 0.5
}

// storeTile stores the top-left rows x cols of an output tile whose
// top-left pixel is (y0, x0) of channel k: one bias, residual and ReLU
// decision per tile and bounds-check-free rows, instead of store's per-pixel
// work.
func (e *epilogue) storeTile(k, y0, x0, rows, cols int, tile *[4][4]float32) {
	b := e.bias[k]
	for i := 0; i < rows; i++ {
		off := (k*e.dh+y0+i)*e.dw + x0
		d := e.dst[off : off+cols]
		t := tile[i][:len(d)]
		switch {
		case e.res != nil:
			r := e.res[off : off+len(d)]
			for j := range d {
				d[j] = relu(t[j] + b + r[j])
			}
		case e.relu:
			for j := range d {
				d[j] = relu(t[j] + b)
			}
		default:
			for j := range d {
				d[j] = t[j] + b
			}
		}
	}
}

// winoOut4 transforms GEMM results back for F(2x2,3x3):
// Y = Aᵀ M A with Aᵀ = [1 1 1 0; 0 1 -1 -1]. Output channels [k0,k1).
func winoOut4(m []float32, c *conv, e *epilogue, k0, k1 int) {
	var s [16]float32
	var out [4][4]float32
	for k := k0; k < k1; k++ {
		for t := 0; t < c.tiles; t++ {
			copy(s[:], m[(k*c.tpad+t)*len(s):])
			var r [2][4]float32
			for j := range 4 {
				r[0][j] = s[j] + s[4+j] + s[8+j]
				r[1][j] = s[4+j] - s[8+j] - s[12+j]
			}
			for i := range 2 {
				out[i][0] = r[i][0] + r[i][1] + r[i][2]
				out[i][1] = r[i][1] - r[i][2] - r[i][3]
			}
			y, x := t/c.tilesX*2, t%c.tilesX*2
			e.storeTile(k, y, x, min(2, c.outH-y), min(2, c.outW-x), &out)
		}
	}
}

// winoOut6 transforms GEMM results back for F(4x4,3x3):
//
//	Aᵀ = [1 1  1 1  1 0]
//	     [0 1 -1 2 -2 0]
//	     [0 1  1 4  4 0]
//	     [0 1 -1 8 -8 1]
func winoOut6(m []float32, c *conv, e *epilogue, k0, k1 int) {
	var s [36]float32
	var out [4][4]float32
	for k := k0; k < k1; k++ {
		for t := 0; t < c.tiles; t++ {
			copy(s[:], m[(k*c.tpad+t)*len(s):])
			var r [4][6]float32
			for j := range 6 {
				s0, s1, s2, s3, s4, s5 := s[j], s[6+j], s[12+j], s[18+j], s[24+j], s[30+j]
				a, b := s1+s2, s1-s2
				cc, d := s3+s4, s3-s4
				r[0][j] = s0 + a + cc
				r[1][j] = b + 2*d
				r[2][j] = a + 4*cc
				r[3][j] = b + 8*d + s5
			}
			for i := range 4 {
				q := &r[i]
				a, b := q[1]+q[2], q[1]-q[2]
				cc, d := q[3]+q[4], q[3]-q[4]
				out[i] = [4]float32{q[0] + a + cc, b + 2*d, a + 4*cc, b + 8*d + q[5]}
			}
			y, x := t/c.tilesX*4, t%c.tilesX*4
			e.storeTile(k, y, x, min(4, c.outH-y), min(4, c.outW-x), &out)
		}
	}
}

// winoIn8 transforms input tiles for F(6x6,3x3) and F(5x5,4x4) (which
// share their points, hence Bᵀ): V = Bᵀ d B with
//
//	Bᵀ = [1    0 -21/4     0  21/4     0 -1 0]
//	     [0    1     1 -17/4 -17/4     1  1 0]
//	     [0   -1     1  17/4 -17/4    -1  1 0]
//	     [0  1/2   1/4  -5/2  -5/4     2  1 0]
//	     [0 -1/2   1/4   5/2  -5/4    -2  1 0]
//	     [0    2     4  -5/2    -5   1/2  1 0]
//	     [0   -2     4   5/2    -5  -1/2  1 0]
//	     [0   -1     0  21/4     0 -21/4  0 1]
func winoIn8(v, x []float32, c *conv, c0, c1 int) {
	h, w := c.inH, c.inW
	tb4 := c.tpad / 4
	cs := c.cin * 4
	xs := tb4 * cs
	var d [8][8]float32
	var e [8][8]float32
	for ci := c0; ci < c1; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for t := 0; t < c.tpad; t++ {
			ty, tx := t/c.tilesX, t%c.tilesX
			y0, x0 := ty*c.wm-c.wpad, tx*c.wm-c.wpad
			if t >= c.tiles {
				d = [8][8]float32{}
			} else if y0 >= 0 && x0 >= 0 && y0+8 <= h && x0+8 <= w {
				for i := range 8 {
					row := plane[(y0+i)*w+x0 : (y0+i)*w+x0+8]
					d[i] = [8]float32{row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7]}
				}
			} else {
				for i := range 8 {
					for j := range 8 {
						yy, xx := y0+i, x0+j
						if yy >= 0 && yy < h && xx >= 0 && xx < w {
							d[i][j] = plane[yy*w+xx]
						} else {
							d[i][j] = 0
						}
					}
				}
			}
			for j := range 8 {
				d0, d1, d2, d3, d4, d5, d6, d7 := d[0][j], d[1][j], d[2][j], d[3][j], d[4][j], d[5][j], d[6][j], d[7][j]
				e[0][j] = d0 - d6 + 5.25*(d4-d2)
				p, q := d2+d6-4.25*d4, d1+d5-4.25*d3
				e[1][j], e[2][j] = p+q, p-q
				p, q = 0.25*d2-1.25*d4+d6, 0.5*d1-2.5*d3+2*d5
				e[3][j], e[4][j] = p+q, p-q
				p, q = 4*d2-5*d4+d6, 2*d1-2.5*d3+0.5*d5
				e[5][j], e[6][j] = p+q, p-q
				e[7][j] = d7 - d1 + 5.25*(d3-d5)
			}
			base := (t/4)*cs + ci*4 + t%4
			for i := range 8 {
				r0, r1, r2, r3, r4, r5, r6, r7 := e[i][0], e[i][1], e[i][2], e[i][3], e[i][4], e[i][5], e[i][6], e[i][7]
				o := base + i*8*xs
				v[o] = r0 - r6 + 5.25*(r4-r2)
				p, q := r2+r6-4.25*r4, r1+r5-4.25*r3
				v[o+xs], v[o+2*xs] = p+q, p-q
				p, q = 0.25*r2-1.25*r4+r6, 0.5*r1-2.5*r3+2*r5
				v[o+3*xs], v[o+4*xs] = p+q, p-q
				p, q = 4*r2-5*r4+r6, 2*r1-2.5*r3+0.5*r5
				v[o+5*xs], v[o+6*xs] = p+q, p-q
				v[o+7*xs] = r7 - r1 + 5.25*(r3-r5)
			}
		}
	}
}

// winoOut8 transforms GEMM results back for F(6x6,3x3):
//
//	Aᵀ = [1 1  1  1   1    1     1 0]
//	     [0 1 -1  2  -2  1/2  -1/2 0]
//	     [0 1  1  4   4  1/4   1/4 0]
//	     [0 1 -1  8  -8  1/8  -1/8 0]
//	     [0 1  1 16  16 1/16  1/16 0]
//	     [0 1 -1 32 -32 1/32 -1/32 1]
func winoOut8(m []float32, c *conv, e *epilogue, k0, k1 int) {
	var r [6][8]float32
	var out [6][6]float32
	for k := k0; k < k1; k++ {
		for t := 0; t < c.tiles; t++ {
			s := m[(k*c.tpad+t)*64 : (k*c.tpad+t)*64+64]
			for j := range 8 {
				s0, s1, s2, s3, s4, s5, s6, s7 := s[j], s[8+j], s[16+j], s[24+j], s[32+j], s[40+j], s[48+j], s[56+j]
				a1, b1 := s1+s2, s1-s2
				a2, b2 := s3+s4, s3-s4
				a3, b3 := s5+s6, s5-s6
				r[0][j] = s0 + a1 + a2 + a3
				r[1][j] = b1 + 2*b2 + 0.5*b3
				r[2][j] = a1 + 4*a2 + 0.25*a3
				r[3][j] = b1 + 8*b2 + 0.125*b3
				r[4][j] = a1 + 16*a2 + 0.0625*a3
				r[5][j] = b1 + 32*b2 + 0.03125*b3 + s7
			}
			for i := range 6 {
				q := &r[i]
				a1, b1 := q[1]+q[2], q[1]-q[2]
				a2, b2 := q[3]+q[4], q[3]-q[4]
				a3, b3 := q[5]+q[6], q[5]-q[6]
				out[i] = [6]float32{
					q[0] + a1 + a2 + a3,
					b1 + 2*b2 + 0.5*b3,
					a1 + 4*a2 + 0.25*a3,
					b1 + 8*b2 + 0.125*b3,
					a1 + 16*a2 + 0.0625*a3,
					b1 + 32*b2 + 0.03125*b3 + q[7],
				}
			}
			y, x := t/c.tilesX*6, t%c.tilesX*6
			e.storeTile6(k, y, x, min(6, c.outH-y), min(6, c.outW-x), &out)
		}
	}
}

// winoOut85 transforms GEMM results back for F(5x5,4x4): Aᵀ is the first
// five rows of winoOut8's, with the last column [0 0 0 0 1].
func winoOut85(m []float32, c *conv, e *epilogue, k0, k1 int) {
	var r [5][8]float32
	var out [6][6]float32
	for k := k0; k < k1; k++ {
		for t := 0; t < c.tiles; t++ {
			s := m[(k*c.tpad+t)*64 : (k*c.tpad+t)*64+64]
			for j := range 8 {
				s0, s1, s2, s3, s4, s5, s6, s7 := s[j], s[8+j], s[16+j], s[24+j], s[32+j], s[40+j], s[48+j], s[56+j]
				a1, b1 := s1+s2, s1-s2
				a2, b2 := s3+s4, s3-s4
				a3, b3 := s5+s6, s5-s6
				r[0][j] = s0 + a1 + a2 + a3
				r[1][j] = b1 + 2*b2 + 0.5*b3
				r[2][j] = a1 + 4*a2 + 0.25*a3
				r[3][j] = b1 + 8*b2 + 0.125*b3
				r[4][j] = a1 + 16*a2 + 0.0625*a3 + s7
			}
			for i := range 5 {
				q := &r[i]
				a1, b1 := q[1]+q[2], q[1]-q[2]
				a2, b2 := q[3]+q[4], q[3]-q[4]
				a3, b3 := q[5]+q[6], q[5]-q[6]
				out[i] = [6]float32{
					q[0] + a1 + a2 + a3,
					b1 + 2*b2 + 0.5*b3,
					a1 + 4*a2 + 0.25*a3,
					b1 + 8*b2 + 0.125*b3,
					a1 + 16*a2 + 0.0625*a3 + q[7],
				}
			}
			y, x := t/c.tilesX*5, t%c.tilesX*5
			e.storeTile6(k, y, x, min(5, c.outH-y), min(5, c.outW-x), &out)
		}
	}
}

// storeTile6 is storeTile for a 6x6 output tile.
func (e *epilogue) storeTile6(k, y0, x0, rows, cols int, tile *[6][6]float32) {
	b := e.bias[k]
	for i := 0; i < rows; i++ {
		off := (k*e.dh+y0+i)*e.dw + x0
		d := e.dst[off : off+cols]
		t := tile[i][:len(d)]
		switch {
		case e.res != nil:
			r := e.res[off : off+len(d)]
			for j := range d {
				d[j] = relu(t[j] + b + r[j])
			}
		case e.relu:
			for j := range d {
				d[j] = relu(t[j] + b)
			}
		default:
			for j := range d {
				d[j] = t[j] + b
			}
		}
	}
}
