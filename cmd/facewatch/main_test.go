package main

import (
	"os"
	"testing"
)

// childEnv, when set, makes the test binary run facewatch with its
// arguments instead of the tests, so tests can run it as a separate process.
const childEnv = "FACEWATCH_TEST_RUN_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
