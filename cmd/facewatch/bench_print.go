package main

// The text report of facewatch bench.

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// printBench writes the report as a table.
func printBench(w io.Writer, rep *benchReport) {
	mode := "full run"
	if rep.Quick {
		mode = "quick run (-quick): short samples, rough numbers"
	}
	fmt.Fprintf(w, "facewatch bench: per-stage speed on this machine (%s)\n\n", mode)
	m := rep.Machine
	cpu := m.CPUModel
	if cpu == "" {
		cpu = "CPU model unknown"
	}
	fmt.Fprintf(w, "machine  %s/%s, %d CPUs (GOMAXPROCS %d), %s, %s\n", m.GOOS, m.GOARCH, m.CPUs, m.GOMAXPROCS, cpu, m.Go)
	if rep.LoadStart != nil {
		fmt.Fprintf(w, "load     %.2f %.2f %.2f at the start", rep.LoadStart[0], rep.LoadStart[1], rep.LoadStart[2])
		if rep.LoadEnd != nil {
			fmt.Fprintf(w, ", %.2f %.2f %.2f at the end", rep.LoadEnd[0], rep.LoadEnd[1], rep.LoadEnd[2])
		}
		fmt.Fprintln(w, " (1, 5, 15 min averages)")
	}
	for _, x := range rep.Warnings {
		fmt.Fprintf(w, "WARNING  %s\n", x)
	}
	fmt.Fprintf(w, "frame    %s\n", rep.Frame)
	fmt.Fprintf(w, "chip     %s\n", rep.Chip)
	fmt.Fprintf(w, "rounds   %d per measurement, alternating with the reference; medians shown\n", rep.Rounds)
	fmt.Fprintln(w, "ratio    ours / reference (below 1: ours is faster), wall clock and CPU time; targets are judged on CPU time where there is one")
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "stage\tmeasurement\tmedian\tcpu\tallocs\treference\tref median\tratio\tcpu ratio\ttarget\tmet")
	for _, r := range rep.Rows {
		met := ""
		if r.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*r.Met]
		}
		val := fmtNum(r.Value) + " " + r.Unit
		refs := r.Refs
		if len(refs) == 0 {
			refs = []benchRef{{}}
		}
		for i, f := range refs {
			if i == 0 {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t", r.Stage, r.Name, val, fmtCPU(r.CPU, r.Unit), fmtAllocs(r.Allocs))
			} else {
				fmt.Fprint(tw, "\t\t\t\t\t")
			}
			switch {
			case f.Name == "":
				fmt.Fprint(tw, "–\t\t\t\t")
			case f.CPURatio > 0:
				fmt.Fprintf(tw, "%s\t%s ms\t%s×\t%s×\t", f.Name, fmtNum(f.Value), fmtNum(f.Ratio), fmtNum(f.CPURatio))
			default:
				fmt.Fprintf(tw, "%s\t%s ms\t%s×\t–\t", f.Name, fmtNum(f.Value), fmtNum(f.Ratio))
			}
			if i == 0 {
				fmt.Fprintf(tw, "%s\t%s\n", r.Target, met)
			} else {
				fmt.Fprint(tw, "\t\n")
			}
		}
	}
	tw.Flush()
	var notes []string
	for _, r := range rep.Rows {
		if r.Note != "" {
			notes = append(notes, fmt.Sprintf("  %s — %s: %s", r.Stage, r.Name, r.Note))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nnotes")
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintln(w, "\nskipped")
		for _, s := range rep.Skipped {
			fmt.Fprintf(w, "  %s: %s. To run it: %s.\n", s.Stage, s.Reason, s.Fix)
		}
	}
	fmt.Fprintf(w, "\ntook %.0f s\n", rep.Seconds)
}

// ms converts ns to ms, rounded to 4 significant digits; NaN becomes 0.
func ms(ns float64) float64 { return sig4(ns / 1e6) }

func allocs(v float64) float64 {
	if math.IsNaN(v) {
		return -1
	}
	return math.Round(v*100) / 100
}

// sig4 rounds to 4 significant digits, mapping NaN and Inf to 0 (JSON
// has no NaN).
func sig4(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	if v == 0 {
		return 0
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	return f
}

// fmtNum prints 3 significant digits, without exponents for the ranges
// the report has.
func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case v == 0:
		return "0"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

func fmtCPU(v float64, unit string) string {
	if v == 0 || unit != "ms" {
		return "–"
	}
	return fmtNum(v) + " ms"
}

func fmtAllocs(v float64) string {
	if v < 0 {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// thousands writes n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// lastLines returns the last n non-empty lines of s, joined by " | ".
func lastLines(s string, n int) string {
	var ls []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			ls = append(ls, l)
		}
	}
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, " | ")
}
