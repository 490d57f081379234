//go:build goexperiment.simd

package embed

import "simd/archsimd"

// bcast4 returns p's four values, each in all four lanes of a vector
// (f32x4.splat of each).
func bcast4(p *[4]float32) (v0, v1, v2, v3 archsimd.Float32x4) {
	return archsimd.BroadcastFloat32x4(p[0]), archsimd.BroadcastFloat32x4(p[1]),
		archsimd.BroadcastFloat32x4(p[2]), archsimd.BroadcastFloat32x4(p[3])
}
