//go:build goexperiment.simd && (amd64 || wasm)

package embed

import "simd/archsimd"

// The F(6x6,3x3) and F(5x5,4x4) transforms (an 8x8 input tile) with
// archsimd.Float32x4 vectors whose four lanes are four consecutive tiles.
// The input transform's output V is already laid out that way
// ([ξ][t/4][c][4]), so each of its 64 values per tile block is one vector
// store. The GEMM writes M the same way ([k][t/4][ξ][4], see gemmSIMD's
// ldb), so the output transform loads each value for four tiles as one
// vector. Each 8-point transform is written exactly as the scalar one, a
// multiply and an add at a time in the same order, so the results are the
// scalar code's bit for bit (TestWinogradSIMDMatchesScalar).

// vec4 is BroadcastFloat32x4, short for the transform formulas.
func vec4(x float32) archsimd.Float32x4 { return archsimd.BroadcastFloat32x4(x) }

func ld(p *[4]float32) archsimd.Float32x4 { return archsimd.LoadFloat32x4Array(p) }

// winoIn8SIMD is winoIn8 four tiles at a time.
func winoIn8SIMD(v, x []float32, c *conv, c0, c1 int) {
	h, w := c.inH, c.inW
	tb4 := c.tpad / 4
	cs := c.cin * 4
	xs := tb4 * cs
	var d, e [8][8][4]float32 // [row][column][tile]
	for ci := c0; ci < c1; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for tb := range tb4 {
			gatherTiles8(&d, plane, c, tb)
			// Columns: e = Bᵀ d.
			for j := range 8 {
				d0, d1, d2, d3 := ld(&d[0][j]), ld(&d[1][j]), ld(&d[2][j]), ld(&d[3][j])
				d4, d5, d6, d7 := ld(&d[4][j]), ld(&d[5][j]), ld(&d[6][j]), ld(&d[7][j])
				d0.Sub(d6).Add(vec4(5.25).Mul(d4.Sub(d2))).StoreArray(&e[0][j])
				p, q := d2.Add(d6).Sub(vec4(4.25).Mul(d4)), d1.Add(d5).Sub(vec4(4.25).Mul(d3))
				p.Add(q).StoreArray(&e[1][j])
				p.Sub(q).StoreArray(&e[2][j])
				p = vec4(0.25).Mul(d2).Sub(vec4(1.25).Mul(d4)).Add(d6)
				q = vec4(0.5).Mul(d1).Sub(vec4(2.5).Mul(d3)).Add(vec4(2).Mul(d5))
				p.Add(q).StoreArray(&e[3][j])
				p.Sub(q).StoreArray(&e[4][j])
				p = vec4(4).Mul(d2).Sub(vec4(5).Mul(d4)).Add(d6)
				q = vec4(2).Mul(d1).Sub(vec4(2.5).Mul(d3)).Add(vec4(0.5).Mul(d5))
				p.Add(q).StoreArray(&e[5][j])
				p.Sub(q).StoreArray(&e[6][j])
				d7.Sub(d1).Add(vec4(5.25).Mul(d3.Sub(d5))).StoreArray(&e[7][j])
			}
			// Rows: V = e B, straight into V's four-tile vectors.
			base := tb*cs + ci*4
			for i := range 8 {
				r0, r1, r2, r3 := ld(&e[i][0]), ld(&e[i][1]), ld(&e[i][2]), ld(&e[i][3])
				r4, r5, r6, r7 := ld(&e[i][4]), ld(&e[i][5]), ld(&e[i][6]), ld(&e[i][7])
				o := base + i*8*xs
				vs := v[o : o+7*xs+4 : o+7*xs+4]
				r0.Sub(r6).Add(vec4(5.25).Mul(r4.Sub(r2))).Store(vs)
				p, q := r2.Add(r6).Sub(vec4(4.25).Mul(r4)), r1.Add(r5).Sub(vec4(4.25).Mul(r3))
				p.Add(q).Store(vs[xs:])
				p.Sub(q).Store(vs[2*xs:])
				p = vec4(0.25).Mul(r2).Sub(vec4(1.25).Mul(r4)).Add(r6)
				q = vec4(0.5).Mul(r1).Sub(vec4(2.5).Mul(r3)).Add(vec4(2).Mul(r5))
				p.Add(q).Store(vs[3*xs:])
				p.Sub(q).Store(vs[4*xs:])
				p = vec4(4).Mul(r2).Sub(vec4(5).Mul(r4)).Add(r6)
				q = vec4(2).Mul(r1).Sub(vec4(2.5).Mul(r3)).Add(vec4(0.5).Mul(r5))
				p.Add(q).Store(vs[5*xs:])
				p.Sub(q).Store(vs[6*xs:])
				r7.Sub(r1).Add(vec4(5.25).Mul(r3.Sub(r5))).Store(vs[7*xs:])
			}
		}
	}
}

// gatherTiles8 copies the 8x8 input tiles tb*4 … tb*4+3 of one channel's
// plane into d[row][column][tile], zero outside the plane and for the
// padding tiles past c.tiles. Interior tiles (nearly all) copy their rows
// with constant indices: no loop or bounds check per value.
func gatherTiles8(d *[8][8][4]float32, plane []float32, c *conv, tb int) {
	h, w := c.inH, c.inW
	for l := range 4 {
		t := tb*4 + l
		ty, tx := t/c.tilesX, t%c.tilesX
		y0, x0 := ty*c.wm-c.wpad, tx*c.wm-c.wpad
		switch {
		case t >= c.tiles:
			for i := range 8 {
				for j := range 8 {
					d[i][j][l] = 0
				}
			}
		case y0 >= 0 && x0 >= 0 && y0+8 <= h && x0+8 <= w:
			for i := range 8 {
				row := plane[(y0+i)*w+x0 : (y0+i)*w+x0+8 : (y0+i)*w+x0+8]
				di := &d[i]
				di[0][l], di[1][l], di[2][l], di[3][l] = row[0], row[1], row[2], row[3]
				di[4][l], di[5][l], di[6][l], di[7][l] = row[4], row[5], row[6], row[7]
			}
		default:
			for i := range 8 {
				for j := range 8 {
					yy, xx := y0+i, x0+j
					if yy >= 0 && yy < h && xx >= 0 && xx < w {
						d[i][j][l] = plane[yy*w+xx]
					} else {
						d[i][j][l] = 0
					}
				}
			}
		}
	}
}

// winoOut8SIMD is winoOut8 (m = 6) and winoOut85 (m = 5) four tiles at a
// time, reading M in gemmSIMD's [k][t/4][ξ][4] layout.
func winoOut8SIMD(mm []float32, c *conv, e *epilogue, k0, k1, m int) {
	var r [6][8][4]float32 // [row][column][tile]
	var o [6][6][4]float32
	var tile [6][6]float32
	tb4 := c.tpad / 4
	last := m - 1 // the output row/column that takes s7
	for k := k0; k < k1; k++ {
		for tb := 0; tb*4 < c.tiles; tb++ {
			off := (k*tb4 + tb) * 256
			s := mm[off : off+256 : off+256]
			// Columns: r = Aᵀ M.
			for j := range 8 {
				s0, s1 := ld((*[4]float32)(s[4*j:])), ld((*[4]float32)(s[4*(8+j):]))
				s2, s3 := ld((*[4]float32)(s[4*(16+j):])), ld((*[4]float32)(s[4*(24+j):]))
				s4, s5 := ld((*[4]float32)(s[4*(32+j):])), ld((*[4]float32)(s[4*(40+j):]))
				s6, s7 := ld((*[4]float32)(s[4*(48+j):])), ld((*[4]float32)(s[4*(56+j):]))
				a1, b1 := s1.Add(s2), s1.Sub(s2)
				a2, b2 := s3.Add(s4), s3.Sub(s4)
				a3, b3 := s5.Add(s6), s5.Sub(s6)
				s0.Add(a1).Add(a2).Add(a3).StoreArray(&r[0][j])
				b1.Add(vec4(2).Mul(b2)).Add(vec4(0.5).Mul(b3)).StoreArray(&r[1][j])
				a1.Add(vec4(4).Mul(a2)).Add(vec4(0.25).Mul(a3)).StoreArray(&r[2][j])
				b1.Add(vec4(8).Mul(b2)).Add(vec4(0.125).Mul(b3)).StoreArray(&r[3][j])
				r4 := a1.Add(vec4(16).Mul(a2)).Add(vec4(0.0625).Mul(a3))
				if last == 4 {
					r4 = r4.Add(s7)
				} else {
					b1.Add(vec4(32).Mul(b2)).Add(vec4(0.03125).Mul(b3)).Add(s7).StoreArray(&r[5][j])
				}
				r4.StoreArray(&r[4][j])
			}
			// Rows: Y = r A.
			for i := range m {
				q0, q1, q2, q3 := ld(&r[i][0]), ld(&r[i][1]), ld(&r[i][2]), ld(&r[i][3])
				q4, q5, q6, q7 := ld(&r[i][4]), ld(&r[i][5]), ld(&r[i][6]), ld(&r[i][7])
				a1, b1 := q1.Add(q2), q1.Sub(q2)
				a2, b2 := q3.Add(q4), q3.Sub(q4)
				a3, b3 := q5.Add(q6), q5.Sub(q6)
				oi := &o[i]
				q0.Add(a1).Add(a2).Add(a3).StoreArray(&oi[0])
				b1.Add(vec4(2).Mul(b2)).Add(vec4(0.5).Mul(b3)).StoreArray(&oi[1])
				a1.Add(vec4(4).Mul(a2)).Add(vec4(0.25).Mul(a3)).StoreArray(&oi[2])
				b1.Add(vec4(8).Mul(b2)).Add(vec4(0.125).Mul(b3)).StoreArray(&oi[3])
				y4 := a1.Add(vec4(16).Mul(a2)).Add(vec4(0.0625).Mul(a3))
				if last == 4 {
					y4 = y4.Add(q7)
				} else {
					b1.Add(vec4(32).Mul(b2)).Add(vec4(0.03125).Mul(b3)).Add(q7).StoreArray(&oi[5])
				}
				y4.StoreArray(&oi[4])
			}
			if e.res == nil {
				// Bias and ReLU on the vectors, as storeTile6 does them
				// per value ((v + |v|) / 2 after adding the bias), then
				// each tile's lanes straight into place.
				b := vec4(e.bias[k])
				for i := range m {
					oi := &o[i]
					for j := range m {
						v := ld(&oi[j]).Add(b)
						if e.relu {
							v = v.Add(v.Abs()).Mul(vec4(0.5))
						}
						v.StoreArray(&oi[j])
					}
				}
				for l := range 4 {
					t := tb*4 + l
					if t >= c.tiles {
						break
					}
					y, x := t/c.tilesX*m, t%c.tilesX*m
					rows, cols := min(m, c.outH-y), min(m, c.outW-x)
					for i := range rows {
						off := (k*e.dh+y+i)*e.dw + x
						d := e.dst[off : off+cols]
						oi := &o[i]
						for j := range d {
							d[j] = oi[j][l]
						}
					}
				}
				continue
			}
			for l := range 4 {
				t := tb*4 + l
				if t >= c.tiles {
					break
				}
				for i := range m {
					oi, ti := &o[i], &tile[i]
					ti[0], ti[1], ti[2], ti[3], ti[4], ti[5] = oi[0][l], oi[1][l], oi[2][l], oi[3][l], oi[4][l], oi[5][l]
				}
				y, x := t/c.tilesX*m, t%c.tilesX*m
				e.storeTile6(k, y, x, min(m, c.outH-y), min(m, c.outW-x), &tile)
			}
		}
	}
}

// winoInSIMD runs the input transform of the current layer for channels
// [lo,hi) with vectors, for the 8x8-tile layers. F(4x4,3x3) and F(2x2,3x3)
// stay scalar: their transforms are a few additions per value, and vector
// versions (four tiles per vector, gathered like winoIn8SIMD's) measured no
// faster under node.
func (w *Workspace) winoInSIMD(lo, hi int) bool {
	if !simdKernels {
		return false
	}
	if w.cur.wa != 8 {
		return false
	}
	winoIn8SIMD(w.s1, w.src, w.cur, lo, hi)
	return true
}

// winoGemmOutSIMD is jobWinoGemmOut with the vector GEMM writing M in
// four-tile vectors and the vector output transform, for the layers that
// have one.
func (w *Workspace) winoGemmOutSIMD(lo, hi int) bool {
	c := w.cur
	if !simdKernels || c.wa != 8 {
		return false
	}
	n := c.wa * c.wa
	k0, k1 := lo*4, hi*4
	for xi := range n {
		u := c.w[xi*c.cout*c.cin : (xi+1)*c.cout*c.cin]
		gemmSIMD(w.s2[k0*c.tpad*n+xi*4:],
			u[k0*c.cin:k1*c.cin],
			w.s1[xi*c.cin*c.tpad:(xi+1)*c.cin*c.tpad],
			k1-k0, c.cin, c.tpad, c.tpad*n, 4*n, 1)
	}
	winoOut8SIMD(w.s2, c, &w.ep, k0, k1, c.wm)
	return true
}
