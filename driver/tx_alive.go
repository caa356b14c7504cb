package driver

import (
	"context"
	"database/sql/driver"
	"errors"
)

// A best-effort Commit sends COMMIT to the data sources one after
// another. The hazard: a connection that died while the transaction was
// idle — KILL CONNECTION from another session, a server restart, a
// wait_timeout — has already lost its work (the server rolled it back),
// yet the COMMITs before it would commit the other data sources' work: a
// half-committed transaction, told "outcome unknown". One MariaDB would
// fail the Commit and keep nothing. So before the first COMMIT, Commit
// checks every connection with the driver's own stale-connection check
// (go-sql-driver's ResetSession: a non-blocking read of the socket, no
// round trip), and a connection found closed rolls the whole transaction
// back. A connection that dies after the check is the residual window of
// best effort, reported by the *CommitError; XA has none.
//
// A transaction on one data source is checked too (round 14,
// TestFaults14SingleNodeKilled): its connection killed while idle, COMMIT
// went out on the dead socket and Commit said "outcome unknown on ds1:
// the COMMIT was sent and its reply lost", where the server had certainly
// rolled the work back when the connection ended. The check costs no
// round trip and makes the outcome exact: rolled back.

// errConnDead is what alive's check returns for a closed connection (not
// driver.ErrBadConn, which would make database/sql close the *sql.Conn
// under the participant before release decides).
var errConnDead = errors.New("the connection is closed")

// alive reports whether p's connection is still open, marking it broken
// when it is not.
func (p *participant) alive() bool {
	if p.broken {
		return false
	}
	err := p.conn.Raw(func(dc any) error {
		r, ok := dc.(driver.SessionResetter)
		if !ok {
			return nil // no check available: assume open
		}
		if r.ResetSession(context.Background()) != nil {
			return errConnDead
		}
		return nil
	})
	if err != nil {
		p.broken = true
		return false
	}
	return true
}
