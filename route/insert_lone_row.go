package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// checkLoneRows refuses a multi-row INSERT (or REPLACE) that the split by
// node leaves with a node statement of one row whose value for a NOT NULL
// column may be NULL.
//
// The hazard (review17a): MariaDB treats NULL written into a NOT NULL
// column by how many rows the statement has. Outside strict mode a
// multi-row INSERT stores the column's implicit default (0, the empty string, a zero
// date) with a warning, while a one-row INSERT fails with 1048 ("Column
// 'n' cannot be null"). Split by node, `INSERT … VALUES (104, 1, 1),
// (105, 1, 1), (106, 1, NULL)` sent row 106 alone to its node, which
// failed it (and the internal transaction undid the other nodes'): one
// database inserts three rows. In strict mode both fail, so the refusal
// costs nothing there. INSERT IGNORE stores the implicit default for one
// row too, and a statement whose every node takes several rows (or the
// whole statement) keeps the server's own reading.
//
// "May be NULL" is read from the statement: a NULL literal, a nil
// argument, or an expression holding a NULL literal or NULLIF
// (evidentNull). Any other expression is left to the server: in strict
// mode (MariaDB's default) both one database and the node store its
// value, and should it be NULL outside strict mode the node's statement
// fails with 1048 and the internal transaction undoes the other nodes' —
// an error either way, where refusing every expression would refuse
// statements strict mode runs. AUTO_INCREMENT, generated and nullable
// columns, and columns the catalog does not describe, are left to the
// server (NULL generates an id, is ignored, or is stored alike).
func (s *statement) checkLoneRows(ins *sqlparser.Insert, table *shard.ShardedTable, rows sqlparser.Values, perNode map[int]sqlparser.Values, keyCol int) error {
	if ins.Ignore || len(rows) < 2 || len(perNode) < 2 || s.catalog == nil {
		return nil
	}
	t, ok := s.tableFacts(table)
	if !ok {
		return nil
	}
	lone := false
	for _, part := range perNode {
		if len(part) != 1 {
			continue
		}
		lone = true
		for i, e := range part[0] {
			if i == keyCol || i >= len(ins.Columns) || !s.evidentNull(e) {
				continue
			}
			col, ok := t.Column(ins.Columns[i].String())
			if !ok || col.Nullable || col.AutoIncrement || col.Generated {
				continue
			}
			return unsupported(s.sql, "multi-row INSERT into sharded table %s whose rows for one node are a single row with %s for NOT NULL column %s (outside strict mode one database stores the column's implicit default for a multi-row INSERT, while the node's one-row INSERT fails): give the column a non-NULL value, or insert that row on its own",
				table.Name, sqlparser.String(e), col.Name)
		}
	}
	if !lone {
		return nil
	}
	// ON DUPLICATE KEY UPDATE n = NULL meets the same rule: a multi-row
	// statement sets the implicit default, a one-row one fails (found by
	// the probe: `VALUES (70, 1, 1), (71, 1, 1) ON DUPLICATE KEY UPDATE n
	// = NULL` with 70 present, 70's node taking it alone). Only a
	// statement's evident NULLs are refused here: an assignment reading
	// the row (`n = n + 1`, VALUES(n)) is the upsert's common form, and
	// the NULL it could meet is the row's or the one refused above.
	for _, upd := range ins.OnDup {
		if !s.evidentNull(upd.Expr) {
			continue
		}
		col, ok := t.Column(upd.Name.Name.String())
		if !ok || col.Nullable || col.AutoIncrement || col.Generated {
			continue
		}
		return unsupported(s.sql, "multi-row INSERT into sharded table %s whose rows for one node are a single row, with ON DUPLICATE KEY UPDATE %s = %s for NOT NULL column %s (outside strict mode one database stores the column's implicit default for a multi-row INSERT, while the node's one-row INSERT fails): give the column a non-NULL value",
			table.Name, upd.Name.Name.String(), sqlparser.String(upd.Expr), col.Name)
	}
	return nil
}

// evidentNull reports an INSERT or ON DUPLICATE KEY UPDATE value that is
// NULL, or holds a NULL literal or NULLIF (checkLoneRows).
func (s *statement) evidentNull(e sqlparser.Expr) bool {
	if a, ok := e.(*sqlparser.Argument); ok {
		v, ok := s.value(a)
		return !ok || v == nil
	}
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.NullVal:
			found = true
		case *sqlparser.FuncExpr:
			if strings.EqualFold(n.Name.String(), "nullif") {
				found = true
			}
		}
		return !found, nil
	}, e)
	return found
}
