//go:build !race

package seq

// raceEnabled reports whether the race detector is on; the large
// concurrency tests shrink under it.
const raceEnabled = false
