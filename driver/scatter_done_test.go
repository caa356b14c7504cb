package driver

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"

	"github.com/shardsql/shardsql/route"
)

// TestScatterDoneBeforeAnswers checks that a scatter's done (the adaptive
// count of scatters in flight, scatter_adaptive.go) has been called by the
// time every unit's answer can be read: a statement run after the last
// one's rows were read must not see it still in flight. Round 22 found
// the count falling only after the launching goroutine ran again, so at
// concurrency 1 most statements started half their units.
func TestScatterDoneBeforeAnswers(t *testing.T) {
	for _, parallel := range []int{1, 3, 8} {
		for round := range 200 {
			units := make([]route.Unit, 8)
			cursors := make([]*unitCursor, len(units))
			var calls atomic.Int32
			run := func(context.Context, route.Unit) (*sql.Rows, firstRow, error) {
				return nil, firstRow{}, nil
			}
			ctx, cancel := context.WithCancel(context.Background())
			scatterThen(ctx, cancel, units, cursors, parallel, run, func() { calls.Add(1) })
			for _, cur := range cursors {
				if _, err := cur.src.(*scatterSource).open(cur.unit); err != nil {
					t.Fatal(err)
				}
			}
			if n := calls.Load(); n != 1 {
				t.Fatalf("parallel %d, round %d: done called %d times once every unit answered, want 1", parallel, round, n)
			}
			cancel()
		}
	}
}

// TestScatterDoneWhenCancelled checks that done is called exactly once
// when the scatter's context ends before every unit started.
func TestScatterDoneWhenCancelled(t *testing.T) {
	units := make([]route.Unit, 8)
	cursors := make([]*unitCursor, len(units))
	var calls atomic.Int32
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	run := func(ctx context.Context, _ route.Unit) (*sql.Rows, firstRow, error) {
		<-release
		return nil, firstRow{}, ctx.Err()
	}
	scatterThen(ctx, cancel, units, cursors, 2, run, func() { calls.Add(1) })
	cancel()
	close(release)
	for _, cur := range cursors {
		_, _ = cur.src.(*scatterSource).open(cur.unit)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("done called %d times after a cancelled scatter, want 1", n)
	}
}
