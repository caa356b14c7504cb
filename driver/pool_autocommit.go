package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

// checkPoolAutocommit refuses a data source given with AddDB whose
// sessions start with autocommit off, read once per pool on its first use
// for a session connection (Conn.take).
//
// The hazard is checkAutocommit's (tx_autocommit.go): a statement outside
// a transaction runs on a pool connection and must commit on its own; with
// autocommit off it stays in the connection's implicit transaction (Exec
// returns nil, another session sees nothing, reads on that connection see
// an old snapshot) until a later START TRANSACTION on the same connection
// commits it. A DSN's autocommit parameter is refused by NewConnector, but
// a pool given with AddDB is the caller's: its DSN, or a connector that
// sets autocommit=0, is not seen. So the first time a session takes a
// connection of such a pool, one of the pool's connections is asked for
// @@autocommit — the pool's connections are made alike, so one speaks for
// all — and a 0 refuses every statement on that data source from then on
// (ErrUnsupported; Connector.db returns the refusal, one atomic load).
// Every one-node statement, write or read, and every transaction runs on
// a session connection, so none runs before the check; a multi-node write
// outside a transaction runs in a transaction of its own, which commits.
//
// The ask is made with the statement's context (bounded by
// catalogTimeout), before the session holds a connection of that pool, so
// it neither outlives a cancelled caller nor waits for its own caller. A
// server that does not answer the first ask leaves the pool unchecked:
// the statement goes on (and fails or not on its own), and later uses ask
// again in the background without waiting — by then the caller may hold
// the pool's connections, and a check waiting for one would wait for its
// own caller.
//
// Left (docs/faults.md, "Round 11 review"): a cross-node read before any
// session statement reaches the data source runs on pool connections
// unchecked; a session that turns autocommit off later (SET autocommit
// through shardsql is refused; the caller's own use of an AddDB pool is
// not seen) is not detected (no round trip per statement is spent on it);
// a server configured with autocommit=0 (my.cnf, SET GLOBAL,
// init_connect) behind a DSN data source is not asked.
type autocommitCheck struct {
	// read is what was read, on which pool (AddDB may replace a data
	// source's pool): the hot path is one atomic load.
	read atomic.Pointer[autocommitRead]
	mu   sync.Mutex // held by the one caller asking the server
	// failed: when the last ask went unanswered (UnixNano), 0 if it did
	// not.
	failed atomic.Int64
}

// autocommitRead is one answer: err is the refusal when autocommit is off.
type autocommitRead struct {
	db  *sql.DB
	err error
}

// knownAutocommit returns the refusal of data source name's pool db when
// the check found autocommit off; no I/O.
func (c *Connector) knownAutocommit(name string, db *sql.DB) error {
	v, ok := c.autocommits.Load(name)
	if !ok {
		return nil
	}
	if r := v.(*autocommitCheck).read.Load(); r != nil && r.db == db {
		return r.err
	}
	return nil
}

func (c *Connector) checkPoolAutocommit(ctx context.Context, name string, db *sql.DB) error {
	v, ok := c.autocommits.Load(name)
	if !ok {
		v, _ = c.autocommits.LoadOrStore(name, &autocommitCheck{})
	}
	ck := v.(*autocommitCheck)
	if r := ck.read.Load(); r != nil && r.db == db {
		return r.err // the hot path
	}
	if ds, ok := c.topo.DataSource(name); !ok || ds.DB == nil || ds.DB != db {
		ck.read.Store(&autocommitRead{db: db}) // a DSN's pool: its DSN was checked by NewConnector
		return nil
	}
	if last := ck.failed.Load(); last != 0 {
		if time.Since(time.Unix(0, last)) < catalogRetry {
			return nil // at most one ask per catalogRetry
		}
		// The first ask went unanswered: ask again in the background,
		// never making a statement wait (it may hold the pool's
		// connections by now).
		if ck.mu.TryLock() {
			go func() {
				defer ck.mu.Unlock()
				ctx, cancel := context.WithTimeout(context.Background(), catalogTimeout)
				defer cancel()
				_ = c.askAutocommit(ctx, ck, name, db)
			}()
		}
		return nil
	}
	ck.mu.Lock()
	defer ck.mu.Unlock()
	if r := ck.read.Load(); r != nil && r.db == db {
		return r.err
	}
	if ck.failed.Load() != 0 {
		return nil // the ask this caller waited behind went unanswered
	}
	ctx, cancel := context.WithTimeout(ctx, catalogTimeout)
	defer cancel()
	return c.askAutocommit(ctx, ck, name, db)
}

// askAutocommit reads @@autocommit on one connection of db; ck.mu is held.
func (c *Connector) askAutocommit(ctx context.Context, ck *autocommitCheck, name string, db *sql.DB) error {
	done := c.unparked(name) // not through the gate (pin_park.go)
	var on sql.NullString    // 1/0, or ON/OFF from some servers
	err := db.QueryRowContext(ctx, "SELECT @@autocommit").Scan(&on)
	done()
	var me *mysql.MySQLError
	r := &autocommitRead{db: db}
	switch {
	case errors.As(err, &me), err == nil && !on.Valid:
		// A server without the variable (the embedded shards may lack
		// it): nothing to refuse.
	case err != nil:
		ck.failed.Store(time.Now().UnixNano())
		return nil // unchecked: asked again, in the background
	case on.String == "0" || strings.EqualFold(on.String, "OFF"):
		r.err = fmt.Errorf("%w: autocommit is off on the connections of data source %s (its pool's DSN, connector or the server's autocommit setting; shardsql commits statements outside transactions and runs transactions itself: turn autocommit on for these connections and use db.BeginTx)", ErrUnsupported, name)
	}
	ck.read.Store(r)
	ck.failed.Store(0)
	return r.err
}
