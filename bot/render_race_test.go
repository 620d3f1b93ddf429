//go:build race

package bot

// raceEnabled shrinks the property test under the race detector, which
// slows its CPU-bound rendering about tenfold and finds nothing more there.
const raceEnabled = true
