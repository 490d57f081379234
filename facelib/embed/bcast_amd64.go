//go:build goexperiment.simd

package embed

import "simd/archsimd"

// bcast4 returns p's four values, each in all four lanes of a vector. On
// amd64 BroadcastFloat32x4 is an insert and a broadcast per value; one
// load and four in-register shuffles (VSHUFPS) are cheaper.
func bcast4(p *[4]float32) (v0, v1, v2, v3 archsimd.Float32x4) {
	a := archsimd.LoadFloat32x4Array(p)
	return a.ConcatPermuteScalars(0, 0, 0, 0, a), a.ConcatPermuteScalars(1, 1, 1, 1, a),
		a.ConcatPermuteScalars(2, 2, 2, 2, a), a.ConcatPermuteScalars(3, 3, 3, 3, a)
}
