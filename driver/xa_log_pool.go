package driver

import (
	"database/sql"
	"fmt"
)

// The XA decision log is written on the log data source (WithXALog, else
// the default one) between the branches' XA PREPARE and their XA COMMIT,
// while every branch still holds its connection.
//
// The hazard (found by TestReview10XASmallPool): written through the data
// source's own pool, a transaction with a branch on the log data source
// waited for a second connection of a pool whose only one (WithMaxOpenConns(1))
// its branch held, and n transactions at once on a pool of n each held one
// and waited for another: no XA transaction could commit (each failed at
// the commit timeout, rolled back everywhere). So when shardsql opens the
// log data source's pool from a DSN and that pool has a limit, the log is
// written through a pool of its own on the same DSN, with the same limit:
// a log statement holds its connection for one autocommit statement and
// waits for nothing else, so no cycle can form. The server then sees up to
// twice the limit. A pool given with AddDB is the caller's: the log shares
// it, and a cycle of transactions waiting for the log there is broken at
// once (xa_log_wait.go; size it above the number of concurrent XA
// transactions, or name a DSN data source with WithXALog) —
// docs/faults.md, "Round 10 review" and "Round 11 review".

// logPoolKey is the key of data source name's log pool in Connector.pools;
// no data source name holds a NUL byte.
func logPoolKey(name string) string { return "\x00xa-log:" + name }

// xaLogPool returns the pool the decision log is written through on data
// source name, whose own pool is db.
func (c *Connector) xaLogPool(name string, db *sql.DB) (*sql.DB, error) {
	ds, ok := c.topo.DataSource(name)
	if !ok || ds.DB != nil || c.opts.maxOpen <= 0 {
		return db, nil
	}
	key := logPoolKey(name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, fmt.Errorf("shardsql: connector is closed")
	}
	if lp, ok := c.pools[key]; ok {
		return lp, nil
	}
	lp, err := c.openPool(ds, 1, false)
	if err != nil {
		return nil, err
	}
	c.pools[key] = lp
	return lp, nil
}
