//go:build goexperiment.simd

package match

import "simd/archsimd"

func cpuHasAVX() bool { return archsimd.X86.AVX() }
