//go:build race

package fake

// raceEnabled relaxes timing assertions that the race detector's slowdown would break.
const raceEnabled = true
