//go:build linux || darwin

package embed_test

import (
	"syscall"
	"time"
)

// processCPU is the process's user+system CPU time. Benchmarks report it per
// operation next to wall time because the machines we measure on are shared:
// CPU time per op is far less sensitive to other load than wall time.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
