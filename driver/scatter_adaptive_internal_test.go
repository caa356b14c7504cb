package driver

import "testing"

// ScatteringOf reports how many scatters of c are starting their units
// (scatter_adaptive.go), for the adaptive scatter tests.
func ScatteringOf(c *Connector) int64 { return c.scattering.Load() }

// TestScatterParallelShares: alone a scatter starts maxParallel units,
// with n in flight ⌈maxParallel/n⌉ (at least one, at most its units), and
// the count falls back to zero as each finishes; off, nothing is counted.
func TestScatterParallelShares(t *testing.T) {
	c := &Connector{opts: options{maxParallel: 8, adaptiveParallel: true}}
	var dones []func()
	want := []int{8, 4, 3, 2, 2, 2, 2, 1, 1}
	for i, w := range want {
		got, done := c.scatterParallel(16)
		if got != w {
			t.Errorf("scatter %d in flight: parallel %d, want %d", i+1, got, w)
		}
		dones = append(dones, done)
	}
	if got, done := c.scatterParallel(1); got != 1 {
		t.Errorf("a one-unit scatter: parallel %d, want 1", got)
	} else {
		done()
	}
	for _, d := range dones {
		d()
	}
	if n := c.scattering.Load(); n != 0 {
		t.Errorf("%d scatters counted after all finished", n)
	}
	off := &Connector{opts: options{maxParallel: 8}}
	if got, done := off.scatterParallel(16); got != 8 || done != nil || off.scattering.Load() != 0 {
		t.Errorf("adaptive off: parallel %d, done %v, count %d", got, done != nil, off.scattering.Load())
	}
}
