package seq

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

const (
	// defaultLeaseTTL is how long a lease lasts without renewal.
	defaultLeaseTTL = 30 * time.Second
	// minLeaseTTL is the shortest lease WithLeaseTTL accepts.
	minLeaseTTL = time.Second
	// claimAttempts bounds how often LeaseWorkerID tries again after another
	// process took the worker id it was about to claim.
	claimAttempts = 100
	// releaseTimeout bounds the DELETE that Close runs.
	releaseTimeout = 10 * time.Second
)

// Lease is a worker id held in the shardsql_worker table (see
// CreateWorkerTable). While it is held, no other lease of the same
// application has the same worker id. It is renewed in the background every
// third of its TTL and released by Close. Pass it to NewSnowflake with
// WithLease so that the generator stops when the lease is lost. A Lease is
// safe for concurrent use.
//
// Expiry is decided by the database server's UTC clock. The lease counts
// itself lost a fifth of the TTL before the server would let another
// process take the worker id, so clocks that run at slightly different
// rates do not matter.
type Lease struct {
	db       *sql.DB
	app      string
	workerID int64
	holder   string
	ttl      time.Duration
	log      *slog.Logger

	err atomic.Pointer[error] // set once, when the lease is lost

	// after is the last millisecond (Unix ms, by the releasing process's
	// clock) in which the previous holder of the worker id generated ids,
	// when it released the id with Close; 0 when it did not. high is the
	// latest millisecond (Unix ms) of an id generated under this lease
	// (note). Close records max(after, high) in the row for the next
	// holder.
	after int64
	high  atomic.Int64

	ctx    context.Context // cancelled to stop renewing
	cancel context.CancelFunc
	done   chan struct{} // closed when the renewing goroutine returns

	closeOnce sync.Once
	closeErr  error
}

// LeaseOption configures LeaseWorkerID.
type LeaseOption func(*leaseConfig)

type leaseConfig struct {
	ttl time.Duration
	log *slog.Logger
}

// WithLeaseTTL sets how long a lease lasts on the server without renewal;
// the default is 30s and the minimum 1s. The lease is renewed every TTL/3
// (after a failed renewal, every TTL/10), and a crashed process's worker id
// can be taken by another process one TTL after its last renewal.
func WithLeaseTTL(d time.Duration) LeaseOption {
	return func(c *leaseConfig) { c.ttl = d }
}

// WithLeaseLogger logs failed renewals (at level Warn) and the loss of the
// lease (at level Error) to l. By default nothing is logged: the loss shows
// in Lease.Err and in the errors of the generators that use the lease.
func WithLeaseLogger(l *slog.Logger) LeaseOption {
	return func(c *leaseConfig) { c.log = l }
}

// LeaseWorkerID claims the lowest worker id in 0..1023 of application app
// that no live lease holds, in the table shardsql_worker of db (create it
// with CreateWorkerTable), and keeps it renewed in the background until
// Close. Worker ids whose lease expired are taken over. All processes that
// generate ids for the same tables must use the same app and database.
//
// It fails with ErrNoWorkerID when all 1024 worker ids are held, and with
// ErrNoWorkerTable when the table does not exist.
func LeaseWorkerID(ctx context.Context, db *sql.DB, app string, opts ...LeaseOption) (*Lease, error) {
	if db == nil {
		return nil, errors.New("shardsql: seq: LeaseWorkerID: nil *sql.DB: pass the database that holds shardsql_worker")
	}
	if app == "" || utf8.RuneCountInString(app) > maxNameLen {
		return nil, fmt.Errorf("shardsql: seq: LeaseWorkerID: app %q: pass a name of 1 to %d characters", app, maxNameLen)
	}
	c := leaseConfig{ttl: defaultLeaseTTL}
	for _, opt := range opts {
		opt(&c)
	}
	if c.ttl < minLeaseTTL {
		return nil, fmt.Errorf("shardsql: seq: WithLeaseTTL(%v): pass at least %v", c.ttl, minLeaseTTL)
	}
	holder, err := newHolder()
	if err != nil {
		return nil, err
	}
	l := &Lease{db: db, app: app, holder: holder, ttl: c.ttl, log: c.log}
	for attempt := 1; ; attempt++ {
		sent := time.Now()
		id, won, err := l.claim(ctx)
		if err != nil {
			return nil, err
		}
		if won {
			l.workerID = id
			l.ctx, l.cancel = context.WithCancel(context.Background())
			l.done = make(chan struct{})
			go l.renewLoop(l.deadline(sent))
			return l, nil
		}
		if attempt == claimAttempts {
			return nil, fmt.Errorf("shardsql: seq: lease a worker id for app %q: other processes took the free ids first %d times in a row; try again", app, claimAttempts)
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("shardsql: seq: lease a worker id for app %q: %w", app, err)
		}
	}
}

// WorkerID returns the leased worker id, in 0..1023.
func (l *Lease) WorkerID() int64 { return l.workerID }

// Err returns nil while the lease is held, and an error wrapping
// ErrLeaseLost (and the cause, if any) once it is lost: a renewal failed
// until the lease was about to expire, the row was taken by another holder,
// or Close was called. A lost lease stays lost; lease a new worker id.
func (l *Lease) Err() error {
	if p := l.err.Load(); p != nil {
		return *p
	}
	return nil
}

// Close stops renewing the lease and frees the worker id at once: it
// deletes the lease's row, or, when generators under the lease handed out
// ids, marks the row released (expires_at 1970-01-01) with the last
// millisecond of those ids in leased_at, so that the next holder's
// Snowflake hands out only ids of later milliseconds (it waits for its
// clock to pass that one, within WithMaxBackward). Generators using the lease fail with ErrLeaseLost
// afterwards. If the row cannot be deleted, the worker id becomes free when
// the lease expires, and Close returns the error. Close is idempotent.
func (l *Lease) Close() error {
	l.closeOnce.Do(func() {
		l.setErr(fmt.Errorf("%w: worker id %d of app %q was released by Close", ErrLeaseLost, l.workerID, l.app))
		l.stop()
		ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
		defer cancel()
		var err error
		if mark := max(l.after, l.high.Load()); mark == 0 {
			_, err = l.db.ExecContext(ctx,
				"DELETE FROM shardsql_worker WHERE app = ? AND worker_id = ? AND holder = ?",
				l.app, l.workerID, l.holder)
		} else {
			// The row stays, released (expires_at = releasedAt), with
			// the last millisecond of its ids in leased_at: the next
			// holder's generator starts after it (see note).
			_, err = l.db.ExecContext(ctx,
				"UPDATE shardsql_worker SET expires_at = "+releasedAt+", leased_at = "+releasedAt+" + INTERVAL ? MICROSECOND WHERE app = ? AND worker_id = ? AND holder = ?",
				mark*1000, l.app, l.workerID, l.holder)
		}
		if err != nil {
			l.closeErr = fmt.Errorf("shardsql: seq: release worker id %d of app %q (it becomes free when the lease expires): %w", l.workerID, l.app, err)
		}
	})
	return l.closeErr
}

// stop ends the renewing goroutine and waits for it.
func (l *Lease) stop() {
	l.cancel()
	<-l.done
}

// setErr marks the lease lost with err, unless it already is, and reports
// whether it did.
func (l *Lease) setErr(err error) bool { return l.err.CompareAndSwap(nil, &err) }

// lose marks the lease lost by the renewing goroutine, and logs it.
func (l *Lease) lose(err error) {
	if l.setErr(err) && l.log != nil {
		l.log.Error("shardsql: seq: worker id lease lost", "app", l.app, "worker_id", l.workerID, "err", err)
	}
}

// deadline returns when the lease counts itself lost if the renewal sent at
// sent is the last one that succeeds: the server's expiry is at least
// sent+TTL, and a fifth of the TTL is kept as a safety margin.
func (l *Lease) deadline(sent time.Time) time.Time {
	return sent.Add(l.ttl - l.ttl/5)
}

// claim reads the application's leases and tries to take the lowest free
// or expired worker id. won is false if another process took it first.
func (l *Lease) claim(ctx context.Context) (id int64, won bool, err error) {
	id, free, prev, after, err := l.candidate(ctx)
	if err != nil {
		return 0, false, err
	}
	ttl := l.ttl.Microseconds()
	var res sql.Result
	if free {
		res, err = l.db.ExecContext(ctx,
			`INSERT IGNORE INTO shardsql_worker (app, worker_id, holder, owner, leased_at, expires_at)
			VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND)`,
			l.app, id, l.holder, owner(), ttl)
	} else {
		res, err = l.db.ExecContext(ctx,
			`UPDATE shardsql_worker
			SET holder = ?, owner = ?, leased_at = UTC_TIMESTAMP(6), expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND
			WHERE app = ? AND worker_id = ? AND holder = ? AND expires_at <= UTC_TIMESTAMP(6)`,
			l.holder, owner(), ttl, l.app, id, prev)
	}
	if err != nil {
		return 0, false, l.claimError(ctx, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, false, l.claimError(ctx, err)
	}
	if n == 1 {
		l.after = after
	}
	return id, n == 1, nil
}

// candidate returns the lowest worker id that has no row (free) or whose
// lease expired (prev is then the expired lease's holder, and after, for
// a lease released by Close, the last millisecond of its ids).
func (l *Lease) candidate(ctx context.Context) (id int64, free bool, prev string, after int64, err error) {
	rows, err := l.db.QueryContext(ctx,
		`SELECT worker_id, holder, expires_at > UTC_TIMESTAMP(6),
			IF(expires_at = `+releasedAt+`, TIMESTAMPDIFF(MICROSECOND, `+releasedAt+`, leased_at), 0) FROM shardsql_worker
		WHERE app = ? AND worker_id BETWEEN 0 AND ? ORDER BY worker_id`,
		l.app, maxWorkerID)
	if err != nil {
		return 0, false, "", 0, l.claimError(ctx, err)
	}
	defer rows.Close()
	next := int64(0) // the lowest worker id not seen yet
	for rows.Next() {
		var (
			rowID  int64
			holder string
			live   bool
			mark   int64
		)
		if err := rows.Scan(&rowID, &holder, &live, &mark); err != nil {
			return 0, false, "", 0, l.claimError(ctx, err)
		}
		if rowID > next {
			return next, true, "", 0, nil
		}
		if !live {
			return rowID, false, holder, mark / 1000, nil
		}
		next = rowID + 1
	}
	if err := rows.Err(); err != nil {
		return 0, false, "", 0, l.claimError(ctx, err)
	}
	if next > maxWorkerID {
		return 0, false, "", 0, fmt.Errorf("%w: all %d worker ids of app %q are held by live leases; close unused leases, wait for crashed processes' leases to expire, or use a separate app name for unrelated tables", ErrNoWorkerID, maxWorkerID+1, l.app)
	}
	return next, true, "", 0, nil
}

// claimError wraps an error of a statement on shardsql_worker, telling a
// missing table apart.
func (l *Lease) claimError(ctx context.Context, err error) error {
	if ctx.Err() == nil && missingTable(ctx, l.db, workerTable) {
		return fmt.Errorf("%w: call seq.CreateWorkerTable on this database first: %w", ErrNoWorkerTable, err)
	}
	return fmt.Errorf("shardsql: seq: lease a worker id for app %q: %w", l.app, err)
}

// renewLoop renews the lease every TTL/3 until it is stopped or lost.
// deadline is when the lease counts itself lost without a renewal.
func (l *Lease) renewLoop(deadline time.Time) {
	defer close(l.done)
	next := time.NewTimer(l.ttl / 3)
	defer next.Stop()
	expire := time.NewTimer(time.Until(deadline))
	defer expire.Stop()
	var lastErr error
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-expire.C:
			if lastErr == nil {
				lastErr = errors.New("no renewal finished in time")
			}
			l.lose(fmt.Errorf("%w: worker id %d of app %q was not renewed before it expired (%w); lease a new worker id", ErrLeaseLost, l.workerID, l.app, lastErr))
			return
		case <-next.C:
		}
		sent := time.Now()
		ctx, cancel := context.WithDeadline(l.ctx, deadline)
		held, err := l.renew(ctx)
		cancel()
		switch {
		case l.ctx.Err() != nil:
			return
		case err != nil:
			lastErr = err
			if l.log != nil {
				l.log.Warn("shardsql: seq: renewing worker id lease failed", "app", l.app, "worker_id", l.workerID, "err", err)
			}
			next.Reset(l.ttl / 10)
		case !held:
			l.lose(fmt.Errorf("%w: worker id %d of app %q expired or was taken over by another holder before it was renewed; lease a new worker id", ErrLeaseLost, l.workerID, l.app))
			return
		default:
			lastErr = nil
			deadline = l.deadline(sent)
			expire.Reset(time.Until(deadline))
			next.Reset(l.ttl / 3)
		}
	}
}

// renew extends the lease by one TTL from now, by the server's clock. held
// is false if the row is no longer this lease's or has expired.
func (l *Lease) renew(ctx context.Context) (held bool, err error) {
	res, err := l.db.ExecContext(ctx,
		`UPDATE shardsql_worker SET expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND
		WHERE app = ? AND worker_id = ? AND holder = ? AND expires_at > UTC_TIMESTAMP(6)`,
		l.ttl.Microseconds(), l.app, l.workerID, l.holder)
	if err != nil {
		return false, fmt.Errorf("shardsql: seq: renew worker id %d of app %q: %w", l.workerID, l.app, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("shardsql: seq: renew worker id %d of app %q: %w", l.workerID, l.app, err)
	}
	return n == 1, nil
}

// releasedAt is the expires_at of a lease released by Close (any time in
// the past frees the worker id; this one also says its leased_at holds
// the last millisecond of its ids, counted from releasedAt).
const releasedAt = "'1970-01-01 00:00:00'"

// Hazard (ids22): Close frees the worker id at once, and the next holder's
// Snowflake started from its own clock. A restart within the same
// millisecond, or another host whose clock ran a few milliseconds behind,
// handed out the released generator's ids again (the same worker id,
// millisecond and sequence; the expiry of a crashed process's lease, a
// TTL later, is safe for clocks that differ by less than the TTL). Each
// generator notes the milliseconds of its ids in its lease, Close records
// the last in the row, and the next holder's generator starts after it:
// it waits for its clock to pass it, or fails with ErrClockBackward when
// its clock is further behind than WithMaxBackward.

// note records that a generator under the lease handed out ids in
// millisecond unixMs. Called before the generator checks Err, so that
// Close, which marks the lease lost before reading high, sees every id
// handed out.
func (l *Lease) note(unixMs int64) {
	for {
		h := l.high.Load()
		if unixMs <= h || l.high.CompareAndSwap(h, unixMs) {
			return
		}
	}
}

// newHolder returns a random token that identifies one lease.
func newHolder() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("shardsql: seq: make a lease token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// owner describes this process for the owner column: host:pid.
func owner() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	s := host + ":" + strconv.Itoa(os.Getpid())
	for len(s) > 255 {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
