package bench

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// GoBench is one result line of "go test -bench" output.
type GoBench struct {
	// Name is the benchmark's name without the "-GOMAXPROCS" suffix.
	Name    string
	Procs   int // the suffix; 1 when there is none
	N       int
	NsPerOp float64
	// BytesPerOp and AllocsPerOp are -1 unless -benchmem (or
	// b.ReportAllocs) printed them.
	BytesPerOp, AllocsPerOp float64
	// Metrics holds any other unit, e.g. "cpu-ms/op".
	Metrics map[string]float64
}

// ErrNoBench reports go test output without a single benchmark result.
var ErrNoBench = errors.New("no benchmark results in go test output")

// ParseGoBench extracts the result lines of "go test -bench" output
// (one per -count run), in order. Lines that are not results (goos:, PASS,
// ok, logs) are skipped.
func ParseGoBench(out string) ([]GoBench, error) {
	var res []GoBench
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil || n <= 0 {
			continue
		}
		ns, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			continue
		}
		b := GoBench{Name: f[0], Procs: 1, N: n, NsPerOp: ns, BytesPerOp: -1, AllocsPerOp: -1}
		if i := strings.LastIndexByte(b.Name, '-'); i > 0 {
			if p, err := strconv.Atoi(b.Name[i+1:]); err == nil && p > 0 {
				b.Name, b.Procs = b.Name[:i], p
			}
		}
		for i := 4; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("go test output: bad value %q in %q", f[i], sc.Text())
			}
			switch unit := f[i+1]; unit {
			case "B/op":
				b.BytesPerOp = v
			case "allocs/op":
				b.AllocsPerOp = v
			default:
				if b.Metrics == nil {
					b.Metrics = map[string]float64{}
				}
				b.Metrics[unit] = v
			}
		}
		res = append(res, b)
	}
	if len(res) == 0 {
		return nil, ErrNoBench
	}
	return res, nil
}
