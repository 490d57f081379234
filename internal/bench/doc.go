// Package bench holds the measuring and reporting helpers behind
// "facewatch bench": medians over repeated rounds, the machine description
// (CPU, Go version, load average), process CPU time, and parsers for the two
// outside measurements the report compares against: "go test -bench" output
// (the Go embedding compiled to WebAssembly and run under node) and the JSON
// that tools/bench-tfjs.mjs prints (face-api's network on tfjs).
//
// It does no timing itself; the command runs the stages with
// testing.Benchmark and hands the numbers here.
package bench
