package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// KeyMove is the plan of an UPDATE that sets a sharded table's sharding
// column to a value owned by another node than some of the rows it
// matches: those rows move, as Vitess moves a row whose primary vindex
// column changes. For each source node the driver reads the matching rows
// FOR UPDATE, inserts them unchanged into the target node's table and
// deletes them from the source; then it runs the caller's UPDATE on the
// target node, whose WHERE clause now matches the moved rows as well as
// the target's own, so every SET expression is evaluated by MariaDB
// exactly as on one table. All of it runs in one transaction (the
// caller's, or one of its own; XA when configured) and fails whole.
//
// The plan's Units hold the target's UPDATE alone, for Explain; a driver
// must run a plan with a KeyMove through it.
//
// What a move changes compared with one table, and the design therefore
// does not hide: DELETE and INSERT triggers fire on the moved rows instead
// of UPDATE triggers, a foreign key's ON DELETE action runs when a row
// leaves its node, and a unique key that does not contain the sharding
// column is checked on the target node only (as for every write of a
// sharded table).
type KeyMove struct {
	// Target is the node the new sharding value routes to.
	Target shard.Node
	// Update is the caller's UPDATE rendered for the target node.
	Update Unit
	// Sources are the other nodes the WHERE clause reaches.
	Sources []MoveSource
}

// MoveSource is one node rows may move from.
type MoveSource struct {
	// Select reads the rows to move: SELECT * … WHERE … FOR UPDATE.
	Select Unit
	// Delete removes them: the same WHERE clause.
	Delete Unit
	// Check is `UPDATE … SET col = col WHERE …` (col the sharding
	// column): it changes nothing, but evaluates the WHERE clause as the
	// caller's UPDATE does. The hazard (diff19, seed 503): under strict
	// sql_mode an UPDATE fails (1292) on the first row whose comparison
	// converts with a warning (`bt = x'25'` on a BIT column), where the
	// SELECT … FOR UPDATE that finds the rows to move only warns and
	// moves nothing; one server's UPDATE failed, the move answered.
	Check Unit
}

// Insert returns the statement that writes rows, read by a source's Select
// with columns cols, into the target node's table unchanged.
func (m *KeyMove) Insert(cols []string, rows [][]any) Unit {
	var b strings.Builder
	b.WriteString("insert into ")
	b.WriteString(sqlparser.String(sqlparser.NewIdentifierCS(m.Target.Table)))
	b.WriteString("(")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(sqlparser.String(sqlparser.NewIdentifierCI(c)))
	}
	b.WriteString(") values ")
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	args := make([]any, 0, len(cols)*len(rows))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
		args = append(args, r...)
	}
	return Unit{DataSource: m.Target.DataSource, Node: m.Target, SQL: b.String(), Args: args}
}

// routeKeyUpdate routes an UPDATE that sets the sharding column of its
// table to set.Expr. When the new value routes to the one node the WHERE
// clause reaches, nothing moves and the statement runs there (gorm's Save
// sets every column, the unchanged sharding column included, however its
// value is spelled: '7' and 7 convert to the same key). Otherwise it is a
// KeyMove, or refused where a move would not be exact.
func (s *statement) routeKeyUpdate(upd *sqlparser.Update, ref tableRef, set *sqlparser.UpdateExpr) (*Plan, error) {
	table := ref.sharded
	v, ok := s.keyExpr(set.Expr)
	if !ok {
		return nil, unsupported(s.sql, "UPDATE setting sharding column %s to %s (each row's node would depend on the row; set it to a literal or a ? argument, or move rows with DELETE and INSERT in a transaction)", table.Column, sqlparser.String(set.Expr))
	}
	if v == nil {
		return nil, unsupported(s.sql, "UPDATE setting sharding column %s of table %s to NULL (a row needs a sharding value: set it to a value, or DELETE the row)", table.Column, table.Name)
	}
	k, err := s.convert(table, v, keyStore)
	if err != nil {
		return nil, err
	}
	if k.res != keyExact {
		return nil, unsupported(s.sql, "UPDATE setting sharding column %s of table %s to %s: %s; write the value exactly as the column stores it", table.Column, table.Name, sqlparser.String(set.Expr), k.why)
	}
	target, err := table.NodeFor(k.value)
	if s.algorithmRejects(table, err) {
		return nil, s.unfit(table, "UPDATE value "+sqlparser.String(set.Expr), err)
	}
	if err != nil {
		return nil, err
	}
	rt, err := s.routeRefs([]tableRef{ref}, upd.Where)
	if err != nil {
		return nil, err
	}
	if len(rt.nodes) == 1 && rt.nodes[0] == target {
		// Every row the WHERE clause can match is on the new value's
		// node already.
		return s.plan(KindUpdate, upd, rt), nil
	}
	switch {
	case len(upd.OrderBy) > 0 || upd.Limit != nil:
		return nil, unsupported(s.sql, "UPDATE with ORDER BY/LIMIT that moves rows of sharded table %s to another node (which rows move would depend on an order across nodes); select the rows' keys first and update them by key", table.Name)
	case bool(upd.Ignore):
		return nil, unsupported(s.sql, "UPDATE IGNORE that moves rows of sharded table %s to another node (rows skipped for errors would have to stay where they are); use UPDATE without IGNORE", table.Name)
	case upd.With != nil:
		return nil, unsupported(s.sql, "UPDATE … WITH that moves rows of sharded table %s to another node (run the WITH … SELECT as its own statement first and pass its values as ? arguments, in one transaction)", table.Name)
	}
	// A move evaluates the WHERE clause three times, on two connections:
	// the source's SELECT … FOR UPDATE, its DELETE and the target's
	// UPDATE. RAND() would pick other rows each time (a different row
	// deleted than the one copied: one lost, one doubled), and
	// LAST_INSERT_ID() or CONNECTION_ID() differ between the connections
	// (the moved row not updated: left on the wrong node).
	if upd.Where != nil {
		if what := s.nonDeterministic(upd.Where); what != "" {
			return nil, unsupported(s.sql, "%s in the WHERE clause of an UPDATE that moves rows of sharded table %s to another node (the rows are read, deleted and updated by separate statements, each evaluating it anew); compute the value in the application and pass it as an argument", what, table.Name)
		}
	}
	if what := s.inexactKeyCompare(upd.Where, ref); what != "" {
		return nil, unsupported(s.sql, "UPDATE that moves rows of sharded table %s, whose WHERE clause compares %s with %s, which MariaDB matches through an index on the column by the value rounded or cut to the column's type and by a scan exactly (the rows are read, deleted and updated by separate statements, whose plans may differ); write the value the column holds", table.Name, table.Column, what)
	}
	tables := []*shard.ShardedTable{table}
	// The target's UPDATE keeps its IN lists whole (no ins): trimmed to
	// the target's own values, `user_id IN (0, 6, 7)` setting 6 would
	// become `user_id IN (6)` there and miss the rows just moved in with
	// their old keys 0 and 7, leaving them on the wrong node unchanged.
	move := &KeyMove{Target: table.Nodes[target], Update: s.render(upd, tables, target, nil, nil)}
	sel := &sqlparser.Select{
		From:        upd.TableExprs,
		SelectExprs: &sqlparser.SelectExprs{Exprs: []sqlparser.SelectExpr{&sqlparser.StarExpr{}}},
		Where:       upd.Where,
		Lock:        sqlparser.ForUpdateLock,
	}
	del := &sqlparser.Delete{TableExprs: upd.TableExprs, Where: upd.Where}
	if ate, ok := upd.TableExprs[0].(*sqlparser.AliasedTableExpr); ok && !ate.As.IsEmpty() {
		del.Targets = sqlparser.TableNames{sqlparser.TableName{Name: ate.As}}
	}
	key := &sqlparser.ColName{Name: sqlparser.NewIdentifierCI(table.Column)}
	check := &sqlparser.Update{TableExprs: upd.TableExprs, Exprs: sqlparser.UpdateExprs{{Name: key, Expr: key}}, Where: upd.Where}
	for _, n := range rt.nodes {
		if n == target {
			continue
		}
		move.Sources = append(move.Sources, MoveSource{
			Select: s.render(sel, tables, n, rt.ins, nil),
			Delete: s.render(del, tables, n, rt.ins, nil),
			// whole IN lists, as the caller wrote them: `id IN (24)`
			// is a const lookup that fails where `id IN (23, 24)`, a
			// range, does not
			Check: s.render(check, tables, n, nil, nil),
		})
	}
	return &Plan{SQL: s.sql, Kind: KindUpdate, Table: table.Name, Units: []Unit{move.Update}, Move: move}, nil
}

// sameKeyOnDup reports whether an ON DUPLICATE KEY UPDATE assignment of
// the sharding column keeps the conflicting row on its node: col =
// VALUES(col) (gorm's OnConflict UpdateAll) sets it to the inserted row's
// value, which routes to the node where the conflict was found, and col =
// col changes nothing.
func sameKeyOnDup(upd *sqlparser.UpdateExpr, column string) bool {
	switch e := upd.Expr.(type) {
	case *sqlparser.ValuesFuncExpr:
		return e.Name != nil && e.Name.Name.EqualString(column)
	case *sqlparser.ColName:
		return e.Name.EqualString(column)
	}
	return false
}

// inexactKeyCompare returns the first value the WHERE clause compares
// table's sharding column with that the server may match differently by
// plan (key.inexact: 7.2 for an integer column, a fraction beyond a time
// column's precision; or a value shardsql cannot convert, such as
// '9007199254740993', stored exactly into an index lookup but compared
// as DOUBLE by a scan), or "". Found by the write attack suite: UPDATE
// d_ts SET at = … WHERE at = ? with 2025-07-02 00:00:00.5 for a TIMESTAMP
// column — the move's SELECT … FOR UPDATE found the row of 00:00:00 (an
// index lookup cuts the fraction), its DELETE matched nothing, and the
// move failed where one table updates the row.
func (s *statement) inexactKeyCompare(where *sqlparser.Where, ref tableRef) string {
	if where == nil {
		return ""
	}
	c := s.conditions(ref)
	found := ""
	check := func(e sqlparser.Expr) {
		var vals []sqlparser.Expr
		if tuple, ok := e.(sqlparser.ValTuple); ok {
			vals = tuple
		} else {
			vals = []sqlparser.Expr{e}
		}
		for _, v := range vals {
			if k, ok, err := c.key(v); found == "" && err == nil && ok && (k.inexact || k.res == keyUnknown) {
				found = sqlparser.String(v)
			}
		}
	}
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.ComparisonExpr:
			if c.isKey(n.Left) {
				check(n.Right)
			} else if c.isKey(n.Right) {
				check(n.Left)
			}
		case *sqlparser.BetweenExpr:
			if c.isKey(n.Left) {
				check(n.From)
				check(n.To)
			}
		}
		return true, nil
	}, where.Expr)
	return found
}
