//go:build race

package extract

// raceEnabled reports a build with the race detector, which makes the
// corpus tests about ten times slower: they score a subset then.
const raceEnabled = true
