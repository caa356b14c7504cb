package driver

import (
	"sync"
	"time"
)

// writes is what reads of one data source must see of the connector's
// writes: the primary's position after every write that has returned
// (need), or that a write's position could not be read (unknown: only the
// primary is sure to have it).
//
// One writes lives as long as its data source has replicas, shared by
// every replica set version (rebuildReplicas hands it on). The hazard it
// avoids: each version had its own copy, made when the topology changed
// (any change: a table added, nodes moved). A write that had read its
// position on the old version's copy while the new one was being made
// recorded it where no later read looked, and a replica that had not
// applied it answered the read after it (found by TestAttack12Positions).
type writes struct {
	mu      sync.Mutex
	need    gtidPos   // covers every write through the connector that has returned
	at      time.Time // when need last grew, or unknown was set
	unknown bool
	// lost counts the positions that could not be read. The probe clears
	// unknown only when none was lost while it read the primary's
	// position: a write that committed after that read and failed to read
	// its own position is not covered by it.
	lost uint64
	// seen is the furthest position of the primary known: need, and what
	// the probe read of it (checkSource, replica_source.go). The primary
	// is at least there.
	seen gtidPos
}

// seenCovers reports whether the primary is known to have reached p.
func (w *writes) seenCovers(p gtidPos) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen.covers(p) || w.need.covers(p)
}

// saw merges a position the primary was read at into seen.
func (w *writes) saw(p gtidPos) {
	w.mu.Lock()
	w.seen = w.seen.merge(p)
	w.mu.Unlock()
}

// snapshot returns need, when it last grew and whether it is unknown.
func (w *writes) snapshot() (need gtidPos, at time.Time, unknown bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.need, w.at, w.unknown
}

// record merges the primary's position after a write into need.
func (w *writes) record(p gtidPos) {
	w.mu.Lock()
	w.need = w.need.merge(p)
	w.at = time.Now()
	w.mu.Unlock()
}

// markUnknown records that a write's position could not be read.
func (w *writes) markUnknown() {
	w.mu.Lock()
	w.unknown, w.at = true, time.Now()
	w.lost++
	w.mu.Unlock()
}

// unknownSince reports whether need is unknown, and the count of lost
// positions to pass to resolve.
func (w *writes) unknownSince() (unknown bool, lost uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.unknown, w.lost
}

// resolve merges a primary position read after unknownSince returned
// lost into need, and clears unknown unless another position was lost
// since (its write may have committed after p was read).
func (w *writes) resolve(lost uint64, p gtidPos) {
	w.mu.Lock()
	w.need, w.at = w.need.merge(p), time.Now()
	if w.lost == lost {
		w.unknown = false
	}
	w.mu.Unlock()
}
