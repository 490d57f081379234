package bench

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where a report was measured.
type Machine struct {
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpu_model"`
	Go         string `json:"go"`
}

// ThisMachine describes the running process's machine. CPUModel comes from
// /proc/cpuinfo when there is one and is empty otherwise.
func ThisMachine() Machine {
	m := Machine{
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		CPUs:       runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Go:         runtime.Version(),
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		m.CPUModel = CPUModel(f)
		f.Close()
	}
	return m
}

// CPUModel returns the first "model name" in /proc/cpuinfo text, or "".
func CPUModel(cpuinfo interface{ Read([]byte) (int, error) }) string {
	sc := bufio.NewScanner(cpuinfo)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}

// Load is the system load average over 1, 5 and 15 minutes.
type Load [3]float64

// ErrNoLoad reports that the load average is not available (no /proc).
var ErrNoLoad = errors.New("load average not available")

// ReadLoad reads /proc/loadavg. It returns ErrNoLoad where there is none.
func ReadLoad() (Load, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return Load{}, fmt.Errorf("%w: %v", ErrNoLoad, err)
	}
	return ParseLoad(string(b))
}

// ParseLoad parses the first three fields of /proc/loadavg.
func ParseLoad(s string) (Load, error) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return Load{}, fmt.Errorf("%w: %q has fewer than three fields", ErrNoLoad, s)
	}
	var l Load
	for i := range l {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil || v < 0 {
			return Load{}, fmt.Errorf("%w: bad field %q", ErrNoLoad, f[i])
		}
		l[i] = v
	}
	return l, nil
}

// Busy reports whether a one-minute load average means other work competes
// for the CPUs: more than a quarter of a core per CPU already runnable
// (0.5 on two cores). Below that, wall-clock times are close to what the
// machine can do.
func Busy(load1 float64, cpus int) bool {
	return load1 > 0.25*float64(max(cpus, 1))
}
