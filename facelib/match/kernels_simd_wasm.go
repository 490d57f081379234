//go:build goexperiment.simd

package match

func cpuHasAVX() bool { return false }
