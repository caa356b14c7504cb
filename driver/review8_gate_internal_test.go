package driver

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReview8GateUnlimited: a pool given with Topology.AddDB whose limit
// is lifted (SetMaxOpenConns(0): database/sql's "no limit") after its gate
// was made re-reads the limit as 0 when a wait begins (Conn.take). A gate
// of limit 0 admitted nothing: every statement waited out
// WithConnWaitTimeout and failed, on a pool with no limit at all.
func TestReview8GateUnlimited(t *testing.T) {
	g := newGate(1)
	if !g.take(1) {
		t.Fatal("an empty gate refused")
	}
	g.setCap(0) // the pool's MaxOpenConnections now: no limit
	if err := g.acquire(context.Background(), 1, 200*time.Millisecond); err != nil {
		t.Fatalf("a pool without a limit: %v", err)
	}
	if !g.take(5) {
		t.Error("a pool without a limit refused 5 more")
	}
}

// TestReview8GateStress: many goroutines take, acquire (some with
// contexts that end mid-wait) and release on a gate of 2 while its limit
// moves between 1 and 3: never more in use than the largest limit, every
// waiter ends (no lost wake-up), and all is given back.
func TestReview8GateStress(t *testing.T) {
	g := newGate(2)
	var inUse, peak atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				g.setCap(2)
				return
			default:
			}
			g.setCap(1 + i%3)
			time.Sleep(50 * time.Microsecond)
		}
	}()
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 400; i++ {
				n := 1 + (w+i)%2
				got := g.take(n)
				if !got {
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration((w+i)%3)*time.Millisecond)
					if (w+i)%3 == 0 {
						ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
					}
					err := g.acquire(ctx, n, 0)
					cancel()
					if err != nil {
						if ctx.Err() == nil || (w+i)%3 == 0 {
							t.Errorf("acquire: %v", err)
							return
						}
						continue
					}
				}
				now := inUse.Add(int64(n))
				for {
					p := peak.Load()
					if now <= p || peak.CompareAndSwap(p, now) {
						break
					}
				}
				if now > 3 {
					t.Errorf("%d in use, over the largest limit 3", now)
				}
				time.Sleep(time.Duration(i%3) * 10 * time.Microsecond)
				inUse.Add(-int64(n))
				g.release(n)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("waiters hung (a lost wake-up)")
	}
	close(stop)
	if u := g.used.Load(); u != 0 {
		t.Errorf("%d still in use", u)
	}
	t.Logf("peak in use %d", peak.Load())
}
