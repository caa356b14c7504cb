package route

import (
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// RowBoundCap is the largest constant LIMIT that proves a SELECT's row
// bound (Plan.RowBound): a bound is for results small enough to read whole
// at once.
const RowBoundCap = 16

// rowBound is what a SELECT's statement and the catalog prove about how
// many rows it returns from one node table: at most limit rows (its
// constant LIMIT; 0: none proved), or, for `LIMIT ?`, as many as the
// argument limitArg holds when it is a Go integer from 1 to RowBoundCap,
// and at most one row when key is set and each of the ? arguments args
// holds an integer.
//
// The hazard is a bound that does not hold: the driver reads such a
// result whole before Query returns, and fails loudly — never truncates —
// on a row past the bound; a wrong proof would make a correct statement
// fail. So the proof is narrow:
//   - one table in FROM, the sharded one, no subquery, join, UNION, WITH,
//     window function or INTO (a single-table SELECT returns at most the
//     rows its WHERE matches — grouping and aggregates only fold them,
//     except GROUP BY … WITH ROLLUP, whose super-aggregate rows are extra
//     — and LIMIT at most);
//   - key: a top-level conjunct `column = value` (`=` only: `<=>` matches
//     every NULL of a nullable unique column) on each column of one unique
//     key of the catalog's table (unique per node table, which is what a
//     unit reads), every such column of an integer type, and every value
//     an integer literal or a ? holding a Go integer. An integer compared
//     with an integer compares exactly; a string or a float would be
//     compared as a double, which several BIGINTs can equal, and a
//     collation other than the column's could make distinct text values
//     equal: neither proves one row, so text keys prove nothing.
type rowBound struct {
	limit    int
	limitArg int // the ? argument of `LIMIT ?`, plus one (0: none)
	key      bool
	args     []int
}

// of returns the bound for the statement's arguments: 0 when none holds.
func (b rowBound) of(args []any) int {
	if b.key {
		ok := true
		for _, i := range b.args {
			if i >= len(args) || !isGoInteger(args[i]) {
				ok = false
				break
			}
		}
		if ok {
			return 1
		}
	}
	if b.limitArg > 0 && b.limitArg <= len(args) {
		if n, ok := smallInteger(args[b.limitArg-1]); ok {
			return n
		}
	}
	return b.limit
}

// smallInteger returns v when it is a Go integer from 1 to RowBoundCap.
func smallInteger(v any) (int, bool) {
	var n int64
	switch v := v.(type) {
	case int64:
		n = v
	case int:
		n = int64(v)
	case int32:
		n = int64(v)
	case uint64:
		if v > RowBoundCap {
			return 0, false
		}
		n = int64(v)
	default:
		return 0, false
	}
	if n < 1 || n > RowBoundCap {
		return 0, false
	}
	return int(n), true
}

// isGoInteger reports a Go integer value (as go-sql-driver writes it: a
// number, never quoted).
func isGoInteger(v any) bool {
	switch v.(type) {
	case int64, uint64, int, int32, int16, int8, uint, uint32, uint16, uint8:
		return true
	}
	return false
}

// proveRowBound proves sel's rowBound (see rowBound): the zero bound when
// nothing is proved.
func (s *statement) proveRowBound(sel *sqlparser.Select) rowBound {
	sh := s.shapeOf(sel)
	if len(sh.refs) != 1 || len(sh.sharded) != 1 || sh.subquery || sh.join || sh.union || sh.with || sh.window ||
		sel.Into != nil || sh.unresolved != nil {
		return rowBound{}
	}
	b := limitRowBound(sel.Limit)
	if sel.Where == nil || sel.Where.Expr == nil || (sel.GroupBy != nil && sel.GroupBy.WithRollup) {
		return b // WITH ROLLUP adds super-aggregate rows to the one the key matches
	}
	ref := sh.sharded[0]
	tbl, ok := s.catalog.Table(ref.sharded.Name)
	if !ok {
		return b
	}
	values := s.keyConjuncts(sel.Where.Expr, ref)
	for _, ix := range tbl.Indexes {
		if len(ix.Columns) == 0 || len(ix.Prefixed) != 0 {
			continue
		}
		if args, ok := coveredKey(values, ix.Columns, func(name string) bool {
			col, known := tbl.Column(name)
			return known && integerType(col.DataType)
		}); ok {
			b.key, b.args = true, args
			return b
		}
	}
	return b
}

// colValue is a column a top-level conjunct compares with `=` to an
// integer literal (v -1) or a ? argument (v its index).
type colValue struct {
	col string
	v   int
}

// keyConjuncts returns the colValues of where's top-level conjuncts on
// columns of ref.
func (s *statement) keyConjuncts(where sqlparser.Expr, ref tableRef) []colValue {
	var values []colValue
	var visit func(e sqlparser.Expr)
	visit = func(e sqlparser.Expr) {
		switch e := e.(type) {
		case *sqlparser.AndExpr:
			visit(e.Left)
			visit(e.Right)
		case *sqlparser.ComparisonExpr:
			if e.Operator != sqlparser.EqualOp || e.Modifier != sqlparser.Missing {
				return
			}
			if col, ok := s.boundColumn(e.Left, ref); ok {
				if v, ok := boundValue(e.Right); ok {
					values = append(values, colValue{col, v})
				}
			} else if col, ok := s.boundColumn(e.Right, ref); ok {
				if v, ok := boundValue(e.Left); ok {
					values = append(values, colValue{col, v})
				}
			}
		}
	}
	visit(where)
	return values
}

// coveredKey reports whether values cover every column of key (each of
// which integer reports of an integer type), and the indexes of the ?
// arguments whose values must be Go integers for the key to prove one row.
func coveredKey(values []colValue, key []string, integer func(string) bool) (args []int, ok bool) {
	for _, name := range key {
		v, found := -1, false
		for _, cv := range values {
			if strings.EqualFold(cv.col, name) {
				v, found = cv.v, true
				if v < 0 {
					break // a literal: nothing to check of the arguments
				}
			}
		}
		if !found || !integer(name) {
			return nil, false
		}
		if v >= 0 {
			args = append(args, v)
		}
	}
	return args, true
}

// boundColumn returns the lower-case name of e when it is a column of
// ref (unqualified, or qualified by ref's name or alias).
func (s *statement) boundColumn(e sqlparser.Expr, ref tableRef) (string, bool) {
	col, ok := e.(*sqlparser.ColName)
	if !ok || !(col.Qualifier.IsEmpty() || s.qualifies(col.Qualifier, ref)) {
		return "", false
	}
	return col.Name.Lowered(), true
}

// boundValue returns -1 for an integer literal, the argument's index for
// a ?, and false for anything else.
func boundValue(e sqlparser.Expr) (int, bool) {
	switch v := e.(type) {
	case *sqlparser.Literal:
		return -1, v.Type == sqlparser.IntVal
	case *sqlparser.Argument:
		return argIndex(v.Name)
	}
	return 0, false
}

// integerType reports an integer column type of the catalog.
func integerType(dataType string) bool {
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "bigint":
		return true
	}
	return false
}

// limitRowBound is the bound a SELECT's top-level LIMIT proves: a constant
// from 1 to RowBoundCap, or the ? argument holding it.
func limitRowBound(l *sqlparser.Limit) rowBound {
	var b rowBound
	if l == nil {
		return b
	}
	switch l := l.Rowcount.(type) {
	case *sqlparser.Literal:
		if n, err := strconv.Atoi(l.Val); err == nil && l.Type == sqlparser.IntVal && n >= 1 && n <= RowBoundCap {
			b.limit = n
		}
	case *sqlparser.Argument:
		if i, ok := argIndex(l.Name); ok {
			b.limitArg = i + 1
		}
	}
	return b
}

// passBound proves the row bound of a SELECT sent unchanged to one data
// source (passthrough), whose tables no catalog describes, so only its
// text proves anything:
//   - its top-level LIMIT: the server applies it to the whole result,
//     whatever FROM, WHERE, joins, subqueries or derived tables are
//     beneath (sel is one SELECT; a UNION is routed on its own);
//   - one row for a SELECT of no table (FROM DUAL or none), which the
//     server answers with one row or none — except with GROUP BY … WITH
//     ROLLUP, whose super-aggregate rows are extra.
//
// SELECT … INTO is left unbounded (it returns no rows; its own path
// stays as it was). sql is the statement's text (see noTables).
func passBound(sel *sqlparser.Select, sql string) rowBound {
	if sel.Into != nil {
		return rowBound{}
	}
	b := limitRowBound(sel.Limit)
	if b.limit == 0 && noTables(sel, sql) && (sel.GroupBy == nil || !sel.GroupBy.WithRollup) {
		b.limit = 1
	}
	return b
}

// passKeyBound is passBound with, for a SELECT of one table of the data
// source ds that the topology does not shard, the bound of one row that a
// unique integer key of the catalog's unsharded facts proves
// (schema.Unsharded.IntKeys), as proveRowBound proves a sharded table's:
// a top-level conjunct `column = value` on each column of the key, each
// value an integer literal or a ? holding a Go integer. sh is sel's shape.
//
// The hazards are proveRowBound's, and:
//   - the name must be the table the facts describe: unqualified (a
//     qualified name may be another database's table), no partition list,
//     sent to the data source the facts were read from (the default one
//     when the catalog was loaded; a WithDataSource hint to another one
//     proves nothing);
//   - a session's TEMPORARY table of the same name shadows the base table
//     on the server: the driver reads a bounded plan whole only on a clean
//     session (Conn.bounded: not sticky, which a temporary table makes
//     it), and a larger result is still read whole, never truncated;
//   - facts never read (the driver's catalog before its first load, or
//     after a DDL: UnshardedUnread) mark the statement (lacksFact), so the
//     driver loads them and routes it again; facts read that lack the
//     table (created since other than through shardsql, or a view) prove
//     nothing and load nothing.
func (s *statement) passKeyBound(sel *sqlparser.Select, sh *shape, ds string) rowBound {
	b := passBound(sel, s.sql)
	if s.catalog == nil || sel.Into != nil || len(sel.From) != 1 || len(sh.refs) != 1 || len(sh.sharded) != 0 ||
		sh.subquery || sh.join || sh.union || sh.with || sh.window || sh.unresolved != nil ||
		sel.Where == nil || sel.Where.Expr == nil || (sel.GroupBy != nil && sel.GroupBy.WithRollup) {
		return b
	}
	ref := sh.refs[0]
	if ref.expr == nil || len(ref.expr.Partitions) != 0 || !ref.name.Qualifier.IsEmpty() {
		return b
	}
	if s.catalog.UnshardedUnread {
		s.lacksFact()
		return b
	}
	keys, _ := s.catalog.UnshardedIntKeys(ds, ref.name.Name.String())
	if len(keys) == 0 {
		return b
	}
	values := s.keyConjuncts(sel.Where.Expr, ref)
	for _, key := range keys {
		if args, ok := coveredKey(values, key, func(string) bool { return true }); ok {
			b.key, b.args = true, args
			return b
		}
	}
	return b
}

// noTables reports a SELECT whose FROM is empty or DUAL alone.
//
// The hazard is a table named dual: the parser reads the keyword DUAL,
// an absent FROM and a quoted `dual` (a table or CTE of that name, which
// MariaDB reads as any other table) as the same table name, and a bound
// of one row on a table's many rows would fail a correct statement. So a
// text holding a quoted dual (backquotes, or double quotes under
// ANSI_QUOTES) proves nothing, and neither does a dual with an alias,
// index hints or partitions, which only a table takes.
func noTables(sel *sqlparser.Select, sql string) bool {
	switch len(sel.From) {
	case 0:
		return true
	case 1:
		at, ok := sel.From[0].(*sqlparser.AliasedTableExpr)
		if !ok || !at.As.IsEmpty() || len(at.Hints) != 0 || len(at.Partitions) != 0 {
			return false
		}
		tn, ok := at.Expr.(sqlparser.TableName)
		return ok && tn.Qualifier.IsEmpty() && strings.EqualFold(tn.Name.String(), "dual") && !quotesDual(sql)
	}
	return false
}

// quotesDual reports a text holding `dual` or "dual" in any letter case.
func quotesDual(sql string) bool {
	for i := 0; i+6 <= len(sql); i++ {
		if q := sql[i]; (q == '`' || q == '"') && sql[i+5] == q && strings.EqualFold(sql[i+1:i+5], "dual") {
			return true
		}
	}
	return false
}
