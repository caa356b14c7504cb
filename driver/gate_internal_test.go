package driver

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGateCountsAndWakes: goroutines taking (without waiting) and
// acquiring (waiting) connections of small gates never hold more than the
// limit, every waiter is woken by a release (no lost wake-up: the test
// would hang), and every connection is given back.
func TestGateCountsAndWakes(t *testing.T) {
	for _, limit := range []int{1, 2, 3} {
		g := newGate(limit)
		var inUse, peak atomic.Int64
		hold := func(n int) {
			now := inUse.Add(int64(n))
			for {
				p := peak.Load()
				if now <= p || peak.CompareAndSwap(p, now) {
					break
				}
			}
			if now > int64(limit) {
				t.Errorf("limit %d: %d connections held", limit, now)
			}
			inUse.Add(-int64(n))
			g.release(n)
		}
		var wg sync.WaitGroup
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 2000; i++ {
					n := 1
					if limit > 1 && (w+i)%5 == 0 {
						n = 2
					}
					if (w+i)%3 == 0 {
						if g.take(n) {
							hold(n)
						}
						continue
					}
					if err := g.acquire(context.Background(), n, 10*time.Second); err != nil {
						t.Errorf("limit %d: %v", limit, err)
						return
					}
					hold(n)
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("limit %d: a waiter was never woken", limit)
		}
		if u := g.used.Load(); u != 0 {
			t.Errorf("limit %d: %d connections not given back", limit, u)
		}
		if peak.Load() == 0 {
			t.Errorf("limit %d: nothing was taken", limit)
		}
	}
}

// TestGateWaitEnds: a wait on a full gate ends with the context or the
// wait timeout, and a raised limit wakes it.
func TestGateWaitEnds(t *testing.T) {
	g := newGate(1)
	if !g.take(1) {
		t.Fatal("an empty gate refused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := g.acquire(ctx, 1, 0); err != context.DeadlineExceeded {
		t.Errorf("context: %v", err)
	}
	if err := g.acquire(context.Background(), 1, 20*time.Millisecond); err != errWaitTimeout {
		t.Errorf("wait timeout: %v", err)
	}
	woken := make(chan error, 1)
	go func() { woken <- g.acquire(context.Background(), 1, 10*time.Second) }()
	time.Sleep(20 * time.Millisecond)
	g.setCap(2)
	select {
	case err := <-woken:
		if err != nil {
			t.Errorf("raised limit: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a raised limit did not wake the waiter")
	}
	if u := g.used.Load(); u != 2 {
		t.Errorf("%d connections in use, want 2", u)
	}
}
