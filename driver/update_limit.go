package driver

import (
	"context"
	"fmt"

	"github.com/shardsql/shardsql/route"
)

// updateLimitUnit runs unit i, u, of an UPDATE … LIMIT n across nodes
// (route/dml_update_limit.go, writes19) with left rows left of n, and
// returns how many of them it took.
//
// LIMIT counts matched rows, RowsAffected changed ones (unless the data
// source's DSN sets clientFoundRows), so the node's result does not say
// what it leaves of the limit. The node's matching rows are first read
// with `SELECT 1 … LIMIT left FOR UPDATE` in the statement's transaction:
// the k rows it returns are matching and locked, so `UPDATE … LIMIT k`
// matches exactly k rows (phantoms inserted meanwhile may be among them,
// never more than k), and the node takes k of the limit whatever its
// RowsAffected says. RowsAffected is added as the node reports it, the
// count one table reports for those rows.
//
// The first unit's UPDATE runs even when it takes nothing (LIMIT 0): the
// server then resolves and checks the whole statement, SET included, as
// one table's UPDATE … LIMIT 0 is checked (review18e's finding for DELETE);
// a later node with nothing to take runs no UPDATE.
func updateLimitUnit(ctx context.Context, part *participant, p *route.Plan, i int, u route.Unit, left uint64, res *result) (uint64, error) {
	k := left
	if left > 0 {
		var err error
		if k, err = countLocked(ctx, part, p.DeleteLimit, p.DeleteLimit.Counts[i], left); err != nil {
			return 0, err
		}
	}
	if k == 0 && i > 0 {
		return 0, nil
	}
	sr, err := part.ExecContext(ctx, p.DeleteLimit.UnitSQL(u, k), u.Args...)
	if err != nil {
		return 0, unitError(u, err)
	}
	n, err := sr.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("shardsql: rows affected: %w", err)
	}
	if n < 0 || uint64(n) > k {
		// More rows than the LIMIT: nothing here can be trusted, and the
		// transaction is rolled back.
		return 0, fmt.Errorf("shardsql: %s: UPDATE … LIMIT %d reported %d rows affected", u.DataSource, k, n)
	}
	if err := res.add(u.DataSource, sr); err != nil {
		return 0, err
	}
	return k, nil
}

// countLocked runs count unit c, reading and locking at most left of its
// node's matching rows, and returns how many it read.
func countLocked(ctx context.Context, part *participant, d *route.DeleteLimit, c route.Unit, left uint64) (uint64, error) {
	rows, err := part.QueryContext(ctx, d.CountSQL(c, left), c.Args...)
	if err != nil {
		return 0, unitError(c, err)
	}
	var k uint64
	for rows.Next() {
		k++
	}
	err = rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, unitError(c, err)
	}
	if k > left {
		return 0, fmt.Errorf("shardsql: %s: SELECT … LIMIT %d returned %d rows", c.DataSource, left, k)
	}
	return k, nil
}
