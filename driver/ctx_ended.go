package driver

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// endedBy returns err, a failure to get a connection for a statement,
// wrapped with ctx's error when ctx ended before or while it failed.
//
// The hazard: a dial cut short by the statement's deadline does not
// always say so. net.Dialer waits for the socket with the poller's
// deadline set to the context's; when the poller's timer fires before the
// context's own timer has closed its Done channel — a race a loaded
// machine loses — the dial fails with os.ErrDeadlineExceeded ("i/o
// timeout"), which is not context.DeadlineExceeded, and ctx.Err() may
// still be nil for a moment. go-sql-driver, shardsql's own dial
// (dialCut) and database/sql pass it on as it is, so a caller checking
// errors.Is(err, context.DeadlineExceeded) — an HTTP handler telling a
// timeout from a broken server — saw a network failure (CI, under load:
// TestReview13bReplicaPointStopped, a read with a 0–6 ms deadline whose
// pin was cut by the previous read's cancel had to dial). So a failure
// after ctx ended, or after its deadline passed, carries the context's
// error beside its own: the dial's text and chain are kept (errors.As
// still finds the *net.OpError). Never driver.ErrBadConn is added, so
// database/sql does not retry a statement whose context ended.
func endedBy(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	cerr := ctx.Err()
	if cerr == nil {
		dl, ok := ctx.Deadline()
		if !ok || time.Now().Before(dl) {
			return err
		}
		cerr = context.DeadlineExceeded // its timer has not run yet
	}
	if errors.Is(err, cerr) {
		return err
	}
	return fmt.Errorf("%w: %w", cerr, err)
}
