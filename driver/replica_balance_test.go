package driver

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReplicaBalancers(t *testing.T) {
	d := &dsReplicas{ds: "ds0"}
	for _, w := range []int{1, 3, 1} {
		d.reps = append(d.reps, &replica{name: string(rune('a' + len(d.reps))), weight: w})
	}
	d.current = make([]int, len(d.reps))
	count := func(b Balancer, n int) map[string]int {
		got := map[string]int{}
		for i := 0; i < n; i++ {
			o := d.order(b, true, nil)
			got[o[0].name]++
			require.Len(t, o, len(d.reps)-countOut(d))
		}
		return got
	}
	require.Equal(t, map[string]int{"a": 100, "b": 100, "c": 100}, count(RoundRobin, 300))
	require.Equal(t, map[string]int{"a": 100, "b": 300, "c": 100}, count(Weighted, 500))

	// Ejected and lagging replicas take no reads; lag counts only with a
	// lag bound.
	d.reps[1].ejected.Store(true)
	d.reps[2].lagged.Store(true)
	require.Equal(t, map[string]int{"a": 10}, count(RoundRobin, 10))
	require.Equal(t, map[string]int{"a": 10}, count(Weighted, 10))
	o := d.order(RoundRobin, false, nil)
	require.Len(t, o, 2)
	d.reps[0].ejected.Store(true)
	require.Nil(t, d.order(RoundRobin, true, nil))
}

// countOut counts the replicas order leaves out with a lag bound.
func countOut(d *dsReplicas) int {
	n := 0
	for _, r := range d.reps {
		if r.ejected.Load() || r.lagged.Load() {
			n++
		}
	}
	return n
}
