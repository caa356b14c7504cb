package driver

import "database/sql"

// An error that ends a transaction's rows mid-stream is a statement's
// error like one QueryContext returns, and says as much about the
// transaction. The hazard (review19e): MariaDB sends a result's columns
// before it reads the first row, so a locking read that scans (SELECT …
// FOR UPDATE without a key lookup) and deadlocks answers QueryContext
// with rows and reports the 1213 at rows.Next. Only QueryContext's error
// reached participant.failed: the deadlocked server had rolled the whole
// transaction back, the others had not, later statements ran on, and a
// best-effort Commit committed ds0's part and reported success — half a
// transaction (TestAttack19eDeadlockMidStream). A connection cut while
// rows stream is the same: its outcome is unknown. So every place that
// reads a participant's rows hands the error that ended them here.

// rowsEnded records the error that ended rows read on p (nil: they ended
// cleanly or were closed), as failed does for a statement's error. p's
// rows must no longer count as open on it (failed may ask p's server).
func (p *participant) rowsEnded(err error) {
	if err != nil {
		p.failed(err)
	}
}

// rowsRead records the error that ended rows, once the caller is done
// reading them (closed or not: rows.Err keeps the error that ended them).
func (p *participant) rowsRead(rows *sql.Rows) {
	if rows != nil {
		_ = rows.Close()
		p.rowsEnded(rows.Err())
	}
}
