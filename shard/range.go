package shard

import (
	"cmp"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// rangeHint tells the user what Range can shard.
const rangeHint = "Range needs an integer column"

// Range returns an algorithm that splits an integer column at bounds, which
// must be Go integers (of any integer types, mixed freely) in strictly
// ascending order. A table using it has len(bounds)+1 nodes: node 0 holds
// values below bounds[0], node i holds [bounds[i-1], bounds[i]), and the last
// node holds bounds[len(bounds)-1] and above. For example Range(1000, 2000)
// needs 3 nodes: (-∞, 1000), [1000, 2000) and [2000, +∞).
//
// Range implements TableAlgorithm, so Topology.AddTable fails when the node
// count does not match, and RangeAlgorithm, so range conditions prune to the
// nodes they touch. Values must be Go integers; like Mod it rejects strings,
// even numeric ones, and NULL.
func Range(bounds ...any) Algorithm {
	a := &rangeAlgorithm{bounds: make([]integer, len(bounds))}
	if len(bounds) == 0 {
		a.err = fmt.Errorf("shardsql: range: no bounds; pass the first value of every node but the first, e.g. shard.Range(1000, 2000) for 3 nodes")
		return a
	}
	for i, b := range bounds {
		v, ok := toInteger(b)
		if !ok {
			a.err = fmt.Errorf("shardsql: range: bound %d is %v of type %T; bounds must be Go integers", i, b, b)
			return a
		}
		if i > 0 && v.compare(a.bounds[i-1]) <= 0 {
			a.err = fmt.Errorf("shardsql: range: bound %d (%s) is not above bound %d (%s); list bounds in strictly ascending order", i, v, i-1, a.bounds[i-1])
			return a
		}
		a.bounds[i] = v
	}
	return a
}

// rangeAlgorithm implements Range. It is immutable.
type rangeAlgorithm struct {
	bounds []integer
	err    error // why the bounds are unusable
}

// Name implements Algorithm.
func (*rangeAlgorithm) Name() string { return "range" }

// checkN rejects unusable bounds and a node count other than len(bounds)+1.
func (a *rangeAlgorithm) checkN(n int) error {
	if a.err != nil {
		return a.err
	}
	if n != len(a.bounds)+1 {
		return fmt.Errorf("shardsql: range: %d bounds make %d nodes but the table has %d; give it %d nodes or change the bounds",
			len(a.bounds), len(a.bounds)+1, n, len(a.bounds)+1)
	}
	return nil
}

// Shard implements Algorithm.
func (a *rangeAlgorithm) Shard(value any, n int) (int, error) {
	if err := a.checkN(n); err != nil {
		return 0, err
	}
	v, ok := toInteger(value)
	if !ok {
		return 0, newValueError("range", value, rangeHint)
	}
	return a.node(v), nil
}

// node returns the index of the node holding v: the number of bounds at or
// below v.
func (a *rangeAlgorithm) node(v integer) int {
	return sort.Search(len(a.bounds), func(i int) bool { return a.bounds[i].compare(v) > 0 })
}

// ShardRange implements RangeAlgorithm; it prunes exactly.
func (a *rangeAlgorithm) ShardRange(r ValueRange, n int) ([]int, error) {
	if err := a.checkN(n); err != nil {
		return nil, err
	}
	var lo, hi integer
	var ok bool
	if r.Low.Set {
		if lo, ok = toInteger(r.Low.Value); !ok {
			return nil, newValueError("range", r.Low.Value, rangeHint)
		}
	}
	if r.High.Set {
		if hi, ok = toInteger(r.High.Value); !ok {
			return nil, newValueError("range", r.High.Value, rangeHint)
		}
	}
	out := []int{}
	first, last := 0, len(a.bounds)
	if r.Low.Set {
		if !r.Low.Inclusive {
			if lo, ok = lo.inc(); !ok {
				return out, nil // nothing is above the largest integer
			}
		}
		first = a.node(lo)
	}
	if r.High.Set {
		if !r.High.Inclusive {
			if hi, ok = hi.dec(); !ok {
				return out, nil // nothing is below the smallest integer
			}
		}
		last = a.node(hi)
	}
	if r.Low.Set && r.High.Set && lo.compare(hi) > 0 {
		return out, nil
	}
	for i := first; i <= last; i++ {
		out = append(out, i)
	}
	return out, nil
}

// ForNodes implements TableAlgorithm: it checks the node count.
func (a *rangeAlgorithm) ForNodes(nodes []Node) (Algorithm, error) {
	if err := a.checkN(len(nodes)); err != nil {
		return nil, err
	}
	return a, nil
}

// placementDiff implements placementComparer.
func (a *rangeAlgorithm) placementDiff(other Algorithm) string {
	o, ok := other.(*rangeAlgorithm)
	if !ok {
		return fmt.Sprintf("one is shard.Range and the other a %T", other)
	}
	if len(a.bounds) != len(o.bounds) {
		return fmt.Sprintf("their bounds differ: %s and %s", a.boundsString(), o.boundsString())
	}
	for i := range a.bounds {
		if a.bounds[i] != o.bounds[i] {
			return fmt.Sprintf("their bounds differ: %s and %s", a.boundsString(), o.boundsString())
		}
	}
	return ""
}

// boundsString lists the bounds, e.g. "[1000 2000]".
func (a *rangeAlgorithm) boundsString() string {
	s := make([]string, len(a.bounds))
	for i, b := range a.bounds {
		s[i] = b.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}

// integer is a Go integer of any type, widened so that signed and unsigned
// values compare correctly.
type integer struct {
	neg bool   // the value is negative
	v   uint64 // the value, as two's complement bits when neg
}

// toInteger converts a Go integer of any type.
func toInteger(v any) (integer, bool) {
	i, u, signed, ok := intValue(v)
	switch {
	case !ok:
		return integer{}, false
	case signed:
		return integer{neg: i < 0, v: uint64(i)}, true
	}
	return integer{v: u}, true
}

// compare returns -1, 0 or +1 as x is below, equal to or above y.
func (x integer) compare(y integer) int {
	if x.neg != y.neg {
		if x.neg {
			return -1
		}
		return 1
	}
	return cmp.Compare(x.v, y.v) // two's complement keeps the order of negatives
}

// inc returns x+1, or false if x is the largest uint64.
func (x integer) inc() (integer, bool) {
	switch {
	case x.neg && x.v == math.MaxUint64: // -1
		return integer{}, true
	case !x.neg && x.v == math.MaxUint64:
		return x, false
	}
	return integer{neg: x.neg, v: x.v + 1}, true
}

// dec returns x-1, or false if x is the smallest int64.
func (x integer) dec() (integer, bool) {
	switch {
	case !x.neg && x.v == 0:
		return integer{neg: true, v: math.MaxUint64}, true
	case x.neg && x.v == 1<<63:
		return x, false
	}
	return integer{neg: x.neg, v: x.v - 1}, true
}

// String formats x in decimal.
func (x integer) String() string {
	if x.neg {
		return strconv.FormatInt(int64(x.v), 10)
	}
	return strconv.FormatUint(x.v, 10)
}
