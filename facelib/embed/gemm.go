package embed

// gemm computes out[k][t] = Σ_c a[k][c]·b[c][t] for k in [0,K), t in [0,T),
// with a packed as [K/4][C][4] and b packed as [T/4][C][4]; out is row-major
// with row stride ldo. K and T are multiples of 4.
//
// The micro-kernel keeps a 2x4 block of out in eight scalar accumulators
// (plus two a and four b values): that fits the 15 usable float registers
// on amd64 and the Go wasm backend's 16 without spilling, which a 4x4 block
// does not. The loop over C is unrolled twice.
func gemm(out, a, b []float32, K, C, T, ldo int) {
	n := C * 4
	for tb := 0; tb < T/4; tb++ {
		bp := b[tb*n : tb*n+n]
		for kb := 0; kb < K/4; kb++ {
			ap := a[kb*n : kb*n+n]
			ap = ap[:len(bp)]
			for h := 0; h < 4; h += 2 {
				var c00, c01, c02, c03, c10, c11, c12, c13 float32
				i := 0
				for ; i+7 < len(bp); i += 8 {
					b8 := bp[i : i+8 : i+8]
					a8 := ap[i : i+8 : i+8]
					a0, a1 := a8[h], a8[h+1]
					c00 += a0 * b8[0]
					c01 += a0 * b8[1]
					c02 += a0 * b8[2]
					c03 += a0 * b8[3]
					c10 += a1 * b8[0]
					c11 += a1 * b8[1]
					c12 += a1 * b8[2]
					c13 += a1 * b8[3]
					a0, a1 = a8[4+h], a8[5+h]
					c00 += a0 * b8[4]
					c01 += a0 * b8[5]
					c02 += a0 * b8[6]
					c03 += a0 * b8[7]
					c10 += a1 * b8[4]
					c11 += a1 * b8[5]
					c12 += a1 * b8[6]
					c13 += a1 * b8[7]
				}
				for ; i+3 < len(bp); i += 4 {
					b4 := bp[i : i+4 : i+4]
					a4 := ap[i : i+4 : i+4]
					a0, a1 := a4[h], a4[h+1]
					c00 += a0 * b4[0]
					c01 += a0 * b4[1]
					c02 += a0 * b4[2]
					c03 += a0 * b4[3]
					c10 += a1 * b4[0]
					c11 += a1 * b4[1]
					c12 += a1 * b4[2]
					c13 += a1 * b4[3]
				}
				o := out[(kb*4+h)*ldo+tb*4:]
				r := o[0:4:4]
				r[0], r[1], r[2], r[3] = c00, c01, c02, c03
				r = o[ldo : ldo+4 : ldo+4]
				r[0], r[1], r[2], r[3] = c10, c11, c12, c13
			}
		}
	}
}

// gemv is gemm for a single column (T = 1): out[k*ldo] = Σ_c a[k][c]·b[c][0],
// b packed as [1][C][4] (only the first of each 4 used).
func gemv(out, a, b []float32, K, C, ldo int) {
	n := C * 4
	bp := b[:n]
	for kb := 0; kb < K/4; kb++ {
		ap := a[kb*n : kb*n+n]
		ap = ap[:len(bp)]
		var c0, c1, c2, c3 float32
		for i := 0; i+3 < len(bp); i += 4 {
			a4 := ap[i : i+4 : i+4]
			v := bp[i]
			c0 += a4[0] * v
			c1 += a4[1] * v
			c2 += a4[2] * v
			c3 += a4[3] * v
		}
		o := out[kb*4*ldo:]
		o[0], o[ldo], o[2*ldo], o[3*ldo] = c0, c1, c2, c3
	}
}
