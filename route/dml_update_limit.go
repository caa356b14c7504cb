package route

import (
	"strconv"

	"vitess.io/vitess/go/vt/sqlparser"
)

// UPDATE … LIMIT n without ORDER BY reaching several node tables
// (writes19): gorm's soft-delete batch (a model with gorm.DeletedAt turns
// Where(…).Limit(1000).Delete(&Log{}) into `UPDATE logs SET deleted_at = ?
// WHERE … AND logs.deleted_at IS NULL LIMIT 1000`) and batched backfills.
//
// MySQL's semantics: LIMIT counts MATCHED rows (a row whose new values
// equal its old ones counts), RowsAffected counts CHANGED rows unless the
// client set CLIENT_FOUND_ROWS (clientFoundRows=true). Run node by node as
// DELETE … LIMIT is (dml_delete_limit.go), what a node leaves of the limit
// is then not known from its result. So each node first counts its
// matching rows with a locking read, in the same transaction:
//
//	SELECT 1 FROM <node table> WHERE <the WHERE> LIMIT left FOR UPDATE
//
// (k rows back, k ≤ left), then runs `UPDATE … LIMIT k` and leaves left − k
// for the nodes after it. RowsAffected is the sum of the nodes' own, each
// as the client's flag says: per row, the same count one table reports.
//
// Why it is exact:
//   - the k rows read are locked FOR UPDATE by this transaction, so no
//     other transaction changes or deletes them before the UPDATE: the
//     UPDATE finds at least k matching rows, and LIMIT k stops it at k
//     matched rows. READ COMMITTED phantoms (rows another transaction
//     inserts in between) may be among the k the UPDATE picks, which is
//     the freedom LIMIT without ORDER BY leaves; they never make it match
//     more than k, nor fewer.
//   - the read is LIMIT left rather than COUNT(*): a purge batch of 1000
//     over a million matching rows locks and sends 1000 rows' worth of
//     "1", not a million.
//   - a WHERE on a column the SET changes (`SET deleted_at = ? WHERE
//     deleted_at IS NULL`): both statements evaluate the WHERE on the rows
//     as they are before the UPDATE (MySQL's UPDATE matches on the old
//     values), so they match the same rows.
//   - triggers: SELECT fires none; BEFORE/AFTER UPDATE triggers fire in
//     the UPDATE as on one table, and whether they make a matched row
//     unchanged only changes RowsAffected, per row, the same on one table.
//     A failing trigger fails the statement, and the transaction (the
//     caller's under the statement savepoint, or the internal one) undoes
//     the earlier nodes' updates.
//
// What stays refused:
//   - UPDATE IGNORE … LIMIT: a row skipped for an error is not reported,
//     and whether it counts towards LIMIT is the server's internal detail
//     (as for DELETE IGNORE … LIMIT);
//   - a WHERE evaluated differently by the two statements: RAND(), NOW()
//     and the other time functions (the UPDATE runs after the read, in
//     another second), user and system variables, LAST_INSERT_ID(),
//     ROW_COUNT() (nonDeterministic); a call of a stored function (it
//     would run twice per row, any writes it makes twice); a comparison
//     of the sharding column that an index lookup and a scan match
//     differently (inexactKeyCompare, the same hazard as a key move's);
//   - ORDER BY … LIMIT, and an UPDATE of the sharding column (a key move).

// CountSQL is count unit c's locking read of at most left rows.
func (d *DeleteLimit) CountSQL(c Unit, left uint64) string {
	return c.SQL + " limit " + strconv.FormatUint(left, 10) + " for update"
}

// routeUpdateLimit plans an UPDATE … LIMIT (no ORDER BY) on the several
// nodes rt reaches.
func (s *statement) routeUpdateLimit(upd *sqlparser.Update, ref tableRef, rt routed) (*Plan, error) {
	table := ref.sharded.Name
	if upd.Ignore {
		return nil, unsupported(s.sql, "UPDATE IGNORE … LIMIT on sharded table %s across %d nodes (a row skipped by IGNORE is not reported, so what each node leaves of the limit is not known): drop IGNORE, or name the sharding column in WHERE so the statement reaches one node", table, len(rt.nodes))
	}
	if upd.Where != nil {
		if what := s.nonDeterministic(upd.Where); what != "" {
			return nil, unsupported(s.sql, "%s in the WHERE clause of UPDATE … LIMIT on sharded table %s across %d nodes (each node's matching rows are counted by a locking read before its UPDATE, each evaluating it anew): compute the value in the application and pass it as a ? argument", what, table, len(rt.nodes))
		}
		if f := userFunction(upd.Where); f != "" {
			return nil, unsupported(s.sql, "call of %s, which is not a MySQL/MariaDB built-in function, in the WHERE clause of UPDATE … LIMIT on sharded table %s across %d nodes (each node's matching rows are counted by a locking read before its UPDATE: the function would run twice per row): compute its value in the application and pass it as a ? argument", f, table, len(rt.nodes))
		}
		if what := s.inexactKeyCompare(upd.Where, ref); what != "" {
			return nil, unsupported(s.sql, "UPDATE … LIMIT on sharded table %s across %d nodes whose WHERE clause compares %s with %s, which MariaDB matches through an index by the value rounded or cut to the column's type and by a scan exactly (the rows are counted and updated by separate statements, whose plans may differ): write the value the column holds", table, len(rt.nodes), ref.sharded.Column, what)
		}
	}
	n, err := s.deleteLimitValue(upd.Limit, rt, "UPDATE")
	if err != nil {
		return nil, err
	}
	c := *upd // the cached statement is never modified
	c.Limit = nil
	p := s.plan(KindUpdate, &c, rt)
	sel := &sqlparser.Select{
		From:        upd.TableExprs,
		SelectExprs: &sqlparser.SelectExprs{Exprs: []sqlparser.SelectExpr{&sqlparser.AliasedExpr{Expr: sqlparser.NewIntLiteral("1")}}},
		Where:       upd.Where,
	}
	p.DeleteLimit = &DeleteLimit{N: n, Counts: s.renderNodes(sel, rt.tables, rt.nodes, rt.ins)}
	return p, nil
}
