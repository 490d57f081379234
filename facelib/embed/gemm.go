package embed

// gemmGo computes out[k][t] = Σ_c a[k][c]·b[c][t] for k in [0,K), t in [0,T),
// with a packed as [K/4][C][4] and b packed as [T/4][C][4]; out[k][t] is
// stored at out[k*ldo+t*ldt]. K and T are multiples of 4, and a must have at least
// 2 elements of capacity past its length (see packSlack).
//
// The micro-kernel keeps a 2x4 block of out in eight scalar accumulators
// (plus two a values and one b value at a time): that fits the 15 usable
// float registers on amd64 and the Go wasm backend's 16 (one spill per pass
// remains under wasm), which a 4x4 block does not. The loop over C is
// unrolled eight times (then four for the rest) and walks the operands by
// re-slicing, so its body has no bounds checks (go build
// -gcflags=-d=ssa/check_bce shows none in it), which matters most under
// wasm, where every check is a branch. Unrolling sixteen times measured no
// faster.
func gemmGo(out, a, b []float32, K, C, T, ldo, ldt int) {
	n := C * 4
	for tb := 0; tb < T/4; tb++ {
		bt := b[tb*n : tb*n+n]
		for kb := 0; kb < K/4; kb++ {
			at := a[kb*n : kb*n+n]
			for h := 0; h < 4; h += 2 {
				// ap[4i], ap[4i+1] are rows h, h+1 of channel i.
				ap := at[h : h+n]
				bp := bt
				var c00, c01, c02, c03, c10, c11, c12, c13 float32
				for len(bp) >= 32 && len(ap) >= 32 {
					// One b value live at a time keeps the register
					// pressure at 8 + 2 + 2. Eight channels per pass: under
					// wasm every loop back-edge is a jump through the
					// function's dispatch table, so fewer passes matter.
					a0, a1 := ap[0], ap[1]
					b := bp[0]
					c00 += a0 * b
					c10 += a1 * b
					b = bp[1]
					c01 += a0 * b
					c11 += a1 * b
					b = bp[2]
					c02 += a0 * b
					c12 += a1 * b
					b = bp[3]
					c03 += a0 * b
					c13 += a1 * b
					a0, a1 = ap[4], ap[5]
					b = bp[4]
					c00 += a0 * b
					c10 += a1 * b
					b = bp[5]
					c01 += a0 * b
					c11 += a1 * b
					b = bp[6]
					c02 += a0 * b
					c12 += a1 * b
					b = bp[7]
					c03 += a0 * b
					c13 += a1 * b
					a0, a1 = ap[8], ap[9]
					b = bp[8]
					c00 += a0 * b
					c10 += a1 * b
					b = bp[9]
					c01 += a0 * b
					c11 += a1 * b
					b = bp[10]
					c02 += a0 * b
					c12 += a1 * b
					b = bp[11]
					c03 += a0 * b
					c13 += a1 * b
					a0, a1 = ap[12], ap[13]
					b = bp[12]
					c00 += a0 * b
					c10 += a1 * b
					b = bp[13]
					c01 += a0 * b
					c11 += a1 * b
					b = bp[14]
					c02 += a0 * b
					c12 += a1 * b
					b = bp[15]
					c03 += a0 * b
					c13 += a1 * b
					a0, a1 = ap[16], ap[17]
					b = bp[16]
					c00 += a0 * b
					c10 += a1 * b
					b = bp[17]
					c01 += a0 * b
					c11 += a1 * b
					b = bp[18]
					c02 += a0 * b
					c12 += a1 * b
					b = bp[19]
					c03 += a0 * b
					c13 += a1 * b
					a0, a1 = ap[20], ap[21]
					b = bp[20]
					c00 += a0 * b
					c10 += a1 * b
					b = bp[21]
					c01 += a0 * b
					c11 += a1 * b
					b = bp[22]
					c02 += a0 * b
					c12 += a1 * b
					b = bp[23]
					c03 += a0 * b
					c13 += a1 * b
					a0, a1 = ap[24], ap[25]
					b = bp[24]
					c00 += a0 * b
					c10 += a1 * b
					b = bp[25]
					c01 += a0 * b
					c11 += a1 * b
					b = bp[26]
					c02 += a0 * b
					c12 += a1 * b
					b = bp[27]
					c03 += a0 * b
					c13 += a1 * b
					a0, a1 = ap[28], ap[29]
					b = bp[28]
					c00 += a0 * b
					c10 += a1 * b
					b = bp[29]
					c01 += a0 * b
					c11 += a1 * b
					b = bp[30]
					c02 += a0 * b
					c12 += a1 * b
					b = bp[31]
					c03 += a0 * b
					c13 += a1 * b
					bp, ap = bp[32:], ap[32:]
				}
				for len(bp) >= 4 && len(ap) >= 4 {
					a0, a1 := ap[0], ap[1]
					b := bp[0]
					c00 += a0 * b
					c10 += a1 * b
					b = bp[1]
					c01 += a0 * b
					c11 += a1 * b
					b = bp[2]
					c02 += a0 * b
					c12 += a1 * b
					b = bp[3]
					c03 += a0 * b
					c13 += a1 * b
					bp, ap = bp[4:], ap[4:]
				}
				o := out[(kb*4+h)*ldo+tb*4*ldt:]
				r := o[: 3*ldt+1 : 3*ldt+1]
				r[0], r[ldt], r[2*ldt], r[3*ldt] = c00, c01, c02, c03
				r = o[ldo : ldo+3*ldt+1 : ldo+3*ldt+1]
				r[0], r[ldt], r[2*ldt], r[3*ldt] = c10, c11, c12, c13
			}
		}
	}
}

// packSlack is the spare capacity gemm needs past a packed weight matrix.
const packSlack = 4

// gemv is gemm for a single column (T = 1): out[k*ldo] = Σ_c a[k][c]·b[c][0],
// b packed as [1][C][4] (only the first of each 4 used).
func gemv(out, a, b []float32, K, C, ldo int) {
	n := C * 4
	bt := b[:n]
	for kb := 0; kb < K/4; kb++ {
		ap := a[kb*n : kb*n+n]
		bp := bt
		var c0, c1, c2, c3 float32
		for len(ap) >= 4 && len(bp) >= 4 {
			v := bp[0]
			c0 += ap[0] * v
			c1 += ap[1] * v
			c2 += ap[2] * v
			c3 += ap[3] * v
			ap, bp = ap[4:], bp[4:]
		}
		o := out[kb*4*ldo:]
		o[0], o[ldo], o[2*ldo], o[3*ldo] = c0, c1, c2, c3
	}
}
