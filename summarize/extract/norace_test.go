//go:build !race

package extract

// raceEnabled reports a build with the race detector (see
// extract_race_test.go).
const raceEnabled = false
