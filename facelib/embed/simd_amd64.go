//go:build goexperiment.simd

package embed

import "simd/archsimd"

func cpuHasAVX2FMA() bool { return archsimd.X86.AVX2() && archsimd.X86.FMA() }
