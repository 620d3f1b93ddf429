//go:build race

package main

// Under the race detector, buildBinary builds the binary with it too:
// its packages are then the ones the test run already compiled (no
// second build of the whole module in CI), and the processes' own races
// are reported.
func init() { binaryBuildFlags = append(binaryBuildFlags, "-race") }
