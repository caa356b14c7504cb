package route

import (
	"slices"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// A locking read (FOR UPDATE, LOCK IN SHARE MODE) locks the rows the
// server reads for it; with SKIP LOCKED it also passes over rows another
// transaction holds, so which rows it returns depends on the locks.
// Hazard: a scattered read with LIMIT sends each node LIMIT offset+count,
// so every node locks up to that many rows and the merge then discards
// the ones that are not among the first count, which stay locked until
// the transaction ends. Under SKIP LOCKED the other transactions then
// skip rows nobody took: found by a job queue (`SELECT id FROM jobs WHERE
// state = 'new' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED` from three
// workers over eight jobs): the first worker got 1, 2 and also held rows
// of the other nodes, the second got 4, 6 instead of 3, 4, and the third
// got nothing although 3, 5, 7, 8 were free; one database answers 1, 2 /
// 3, 4 / 5, 6. Such a read is refused unless no node can return a row the
// merge discards: the WHERE fixes every column of a unique key of the one
// table read to a constant, so each node table returns at most the row
// that key names (gorm's `Clauses(clause.Locking{…}).First(&row, id)`:
// `WHERE t.id = ? ORDER BY t.id LIMIT 1`). Grouped and DISTINCT reads
// give the nodes no LIMIT (each node locks every row it reads).
//
// Without SKIP LOCKED the rows returned are exact and only the lock set
// is larger (left, docs/orm.md round 16): one database's lock set also
// depends on its access path (a filesort or an OFFSET locks rows it does
// not return), and the extra locks make others wait, not read other rows.
func (m *scatter) checkLockLimit(rt routed) error {
	sel := m.sel
	switch sel.Lock {
	case sqlparser.ForUpdateLockSkipLocked, sqlparser.ForShareLockSkipLocked:
	case sqlparser.ForUpdateLockNoWait, sqlparser.ForShareLockNoWait:
		// Hazard (review17a, round 16's leftover): with NOWAIT a row
		// another transaction holds fails the read. A node locking rows
		// the merge discards fails on one such row: `ORDER BY k LIMIT 2
		// FOR UPDATE NOWAIT` while another transaction held every row
		// but the first two failed with 1205 on the node tables whose
		// own first rows were held, where one database locks the two
		// rows it returns and answers. Refused as SKIP LOCKED is.
	default:
		return nil
	}
	if m.node.Limit == nil || len(rt.nodes) < 2 || m.lockedRowsPinned() {
		return nil
	}
	return unsupported(m.s.sql, "%s with LIMIT across %d nodes of sharded table %s: each node would lock up to LIMIT rows and the rows the merge discards would stay locked, so other transactions would skip rows nobody took, or NOWAIT fail on a row one database never reads (name the sharding column %s so the read reaches one node, or fix a unique key with =)",
		strings.ToUpper(strings.TrimSpace(sel.Lock.ToString())), len(rt.nodes), rt.tables[0].Name, rt.tables[0].Column)
}

// lockedRowsPinned reports a read of one table whose WHERE holds, among
// its AND-ed terms, column = constant for every column of some unique key
// the catalog knows (no prefix key).
func (m *scatter) lockedRowsPinned() bool {
	sel := m.sel
	if len(sel.From) != 1 || len(m.tables) != 1 || sel.Where == nil {
		return false
	}
	ate, ok := sel.From[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return false
	}
	tn, ok := ate.Expr.(sqlparser.TableName)
	if !ok {
		return false
	}
	qualifier := tn.Name.String()
	if !ate.As.IsEmpty() {
		qualifier = ate.As.String()
	}
	ct, ok := m.s.catalog.Table(m.tables[0])
	if !ok {
		return false
	}
	var fixed []string
	for _, term := range andTerms(sel.Where.Expr) {
		cmp, ok := term.(*sqlparser.ComparisonExpr)
		if !ok || cmp.Operator != sqlparser.EqualOp {
			continue
		}
		for _, side := range [][2]sqlparser.Expr{{cmp.Left, cmp.Right}, {cmp.Right, cmp.Left}} {
			col, ok := side[0].(*sqlparser.ColName)
			if !ok || !constantExpr(side[1]) {
				continue
			}
			if q := col.Qualifier.Name.String(); q != "" && !strings.EqualFold(q, qualifier) {
				continue
			}
			fixed = append(fixed, strings.ToLower(col.Name.String()))
		}
	}
	for _, ix := range ct.Indexes {
		if len(ix.Prefixed) > 0 || len(ix.Columns) == 0 {
			continue
		}
		if !slices.ContainsFunc(ix.Columns, func(c string) bool { return !slices.Contains(fixed, strings.ToLower(c)) }) {
			return true
		}
	}
	return false
}
