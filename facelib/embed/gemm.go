package embed

// gemm computes out[k][t] = Σ_c a[k][c]·b[c][t] for k in [0,K), t in [0,T),
// with a packed as [K/4][C][4] and b packed as [T/4][C][4]; out is row-major
// with row stride ldo. K and T are multiples of 4. Each 4x4 block of out is
// accumulated in registers over the whole of C.
func gemm(out, a, b []float32, K, C, T, ldo int) {
	n := C * 4
	for tb := 0; tb < T/4; tb++ {
		bp := b[tb*n : tb*n+n]
		for kb := 0; kb < K/4; kb++ {
			ap := a[kb*n : kb*n+n]
			ap = ap[:len(bp)]
			var c00, c01, c02, c03 float32
			var c10, c11, c12, c13 float32
			var c20, c21, c22, c23 float32
			var c30, c31, c32, c33 float32
			for i := 0; i+3 < len(bp); i += 4 {
				b4 := bp[i : i+4 : i+4]
				a4 := ap[i : i+4 : i+4]
				b0, b1, b2, b3 := b4[0], b4[1], b4[2], b4[3]
				a0 := a4[0]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				a1 := a4[1]
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
				a2 := a4[2]
				c20 += a2 * b0
				c21 += a2 * b1
				c22 += a2 * b2
				c23 += a2 * b3
				a3 := a4[3]
				c30 += a3 * b0
				c31 += a3 * b1
				c32 += a3 * b2
				c33 += a3 * b3
			}
			o := out[(kb*4)*ldo+tb*4:]
			r := o[0:4:4]
			r[0], r[1], r[2], r[3] = c00, c01, c02, c03
			r = o[ldo : ldo+4 : ldo+4]
			r[0], r[1], r[2], r[3] = c10, c11, c12, c13
			r = o[2*ldo : 2*ldo+4 : 2*ldo+4]
			r[0], r[1], r[2], r[3] = c20, c21, c22, c23
			r = o[3*ldo : 3*ldo+4 : 3*ldo+4]
			r[0], r[1], r[2], r[3] = c30, c31, c32, c33
		}
	}
}
