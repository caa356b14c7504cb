package route

import (
	"strings"
	"unicode"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// Sharding columns the server writes by itself.
//
// Hazard: shardsql places a row by the sharding value the statement gives
// and finds it again by that value; a column the server fills or changes
// without the statement naming it breaks that. Found by the round-11
// attack (driver/attack11_implicit_test.go):
//   - a GENERATED column (`k INT AS (id % 7) STORED`, or VIRTUAL with an
//     index): outside strict mode `INSERT … (id, k) VALUES (20, 2)` stores
//     k = 6 with a warning, on 2's node; `UPDATE … SET id = 11` recomputes
//     k on the row's old node;
//   - ON UPDATE CURRENT_TIMESTAMP (`at DATETIME … ON UPDATE
//     CURRENT_TIMESTAMP`, a time-sharded table): `UPDATE … SET n = n + 1`
//     or an ON DUPLICATE KEY UPDATE moves the row's key to now, and the
//     row stays in its old month's table, where a read by its new key
//     never looks.
//
// Both are facts of the catalog (information_schema.COLUMNS EXTRA and
// GENERATION_EXPRESSION). Without the table in the catalog the statement
// is marked (statement.column), so the driver loads it and routes again;
// a Router without any catalog cannot know and routes as before.

// checkImplicitKeyInsert refuses an INSERT or REPLACE into a table whose
// sharding column the server computes (GENERATED), and an ON DUPLICATE
// KEY UPDATE that would let ON UPDATE CURRENT_TIMESTAMP change the key.
func (s *statement) checkImplicitKeyInsert(ins *sqlparser.Insert, table *shard.ShardedTable) error {
	if s.catalog == nil {
		return nil
	}
	col := s.column(table)
	if col == nil {
		return nil // marked: routed again with the catalog
	}
	if col.Generated {
		return unsupported(s.sql, "INSERT into sharded table %s, whose sharding column %s is a generated column (the server computes it from %s and, outside strict mode, ignores the value given, so the row would be placed by a value it does not hold): shard the table by a column the statement writes",
			table.Name, table.Column, genExprText(col.GenerationExpr))
	}
	if col.OnUpdateNow && len(ins.OnDup) > 0 {
		for _, upd := range ins.OnDup {
			if upd.Name.Name.EqualString(table.Column) {
				return nil // set by the statement (to itself): the server does not touch it
			}
		}
		return unsupported(s.sql, "ON DUPLICATE KEY UPDATE of sharded table %s, whose sharding column %s is ON UPDATE CURRENT_TIMESTAMP (updating the row would set the key to the current time and leave the row on its old node): set %s = VALUES(%s) in the update, or update the row by its key with the new value",
			table.Name, table.Column, table.Column, table.Column)
	}
	return nil
}

// checkImplicitKeyUpdate refuses an UPDATE that does not set the sharding
// column itself but would make the server change it: any UPDATE of a
// table whose key is ON UPDATE CURRENT_TIMESTAMP, and an UPDATE setting a
// column a generated key is computed from. keySet is the statement's own
// assignment of the sharding column (a key move, decided elsewhere).
func (s *statement) checkImplicitKeyUpdate(upd *sqlparser.Update, table *shard.ShardedTable, keySet *sqlparser.UpdateExpr) error {
	if s.catalog == nil || keySet != nil {
		return nil
	}
	col := s.column(table)
	if col == nil {
		return nil // marked: routed again with the catalog
	}
	if col.OnUpdateNow {
		return unsupported(s.sql, "UPDATE of sharded table %s without setting its sharding column %s, which is ON UPDATE CURRENT_TIMESTAMP (the server would set the key to the current time and leave the row on its old node): set %s in the statement (a key move), or drop ON UPDATE from the column",
			table.Name, table.Column, table.Column)
	}
	if !col.Generated {
		return nil
	}
	words := exprWords(col.GenerationExpr)
	for _, e := range upd.Exprs {
		name := strings.ToLower(e.Name.Name.String())
		if col.GenerationExpr == "" || words[name] || strings.Contains(strings.ToLower(col.GenerationExpr), "`"+name+"`") {
			return unsupported(s.sql, "UPDATE of column %s of sharded table %s, whose sharding column %s is generated from %s (the server would recompute the key and leave the row on its old node): delete the row and insert it again, or shard by a column the statement writes",
				e.Name.Name.String(), table.Name, table.Column, genExprText(col.GenerationExpr))
		}
	}
	return nil
}

// exprWords returns the lower-case words of a generation expression (the
// column names it reads, and its function names and words inside strings:
// a column named like one of those counts as read, which can only refuse
// more).
func exprWords(expr string) map[string]bool {
	out := make(map[string]bool)
	for _, w := range strings.FieldsFunc(expr, func(r rune) bool {
		return r != '_' && r != '$' && !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		out[strings.ToLower(w)] = true
	}
	return out
}

func genExprText(expr string) string {
	if expr == "" {
		return "an expression the catalog does not show"
	}
	return expr
}
