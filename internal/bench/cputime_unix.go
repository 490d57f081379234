//go:build linux || darwin

package bench

import (
	"syscall"
	"time"
)

// ProcessCPU returns the process's user plus system CPU time, and false
// where the platform does not report it. On a shared machine CPU time per
// operation is far less sensitive to other load than wall time.
func ProcessCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
