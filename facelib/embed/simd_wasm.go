//go:build goexperiment.simd

package embed

func cpuHasAVX2FMA() bool { return false }
