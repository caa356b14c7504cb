package route

import (
	"math/big"
	"strconv"
	"strings"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
)

// Hazard (time22): MariaDB answers MIN() or MAX() of an indexed column
// without GROUP BY by one index lookup ("Select tables optimized away",
// "No matching min/max row"), for which it first stores a range bound
// into the column's type: 99.5 becomes 100 for a BIGINT, 10:00:00.1
// becomes 10:00:00 for a DATETIME, '2026-01-31 10:00:00' becomes
// 2026-01-31 for a DATE. Its answer then depends on which row that
// lookup finds: on one table of rows -5, 50, 99, 100, 150,
// SELECT MAX(k) … WHERE k <= 99.5 says 100, and SELECT MAX(k), COUNT(*)
// … WHERE k BETWEEN 0 AND 99.5 says NULL, 0 (the row found, 100, fails
// the WHERE, and the whole aggregate is empty). Split by shard.Range at
// 100, shardsql pruned the bound to k <= 99 and answered 99, and 99, 2:
// each node's lookup finds its own row, so no routing or merging of the
// nodes' answers can give the one table's. The same holds for any other
// indexed column: MAX(u), COUNT(*) … WHERE u BETWEEN 0 AND 9.5 with a
// unique key on u said NULL, 0 on one table and 9, 2 through shardsql. A
// MIN or MAX of an integer, DECIMAL or time column without GROUP BY under
// a range condition on that column whose bound it does not hold exactly
// (MAX(d) … d <= 1.005 for a DECIMAL(6,2) said 1.01 on one table) is
// refused; the same statement with the bound written at the column's
// precision (k <= 99, at < '… 10:00:01') is exact, and so are the rows
// themselves.

// checkMinMaxInexactIn runs checkMinMaxInexact on every SELECT in stmt
// (derived tables and subqueries too) for each sharded table in its FROM.
func (s *statement) checkMinMaxInexactIn(stmt sqlparser.Statement) error {
	if !holdsASCIIFold(s.sql, "min") && !holdsASCIIFold(s.sql, "max") {
		return nil // no MIN or MAX: no walk (it allocates for every node)
	}
	var err error
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		sel, ok := n.(*sqlparser.Select)
		if !ok || err != nil || !containsMinMax(sel) {
			return err == nil, nil
		}
		if m, merged := mergedSelect(sel); merged {
			sel = m // the SELECT MariaDB runs (see minmax_derived.go)
		}
		if sel.Where == nil {
			return true, nil
		}
		// Every sharded table of the SELECT: MariaDB takes MIN/MAX by
		// its lookup in a join too once the other tables are constant
		// (one row by a unique key: MAX(a.k), COUNT(*) FROM t a JOIN u b
		// ON b.u = 5 WHERE a.k BETWEEN 0 AND 99.5 said NULL, 0 on one
		// server, 99, 2 through shardsql — review22).
		for _, ref := range s.scopeRefs(sel) {
			if ref.sharded != nil && err == nil {
				err = s.checkMinMaxInexact(sel, ref)
			}
		}
		return err == nil, nil
	}, stmt)
	return err
}

// containsMinMax reports a MIN or MAX in sel's select list or HAVING
// (not in its subqueries), before the tables are resolved.
func containsMinMax(sel *sqlparser.Select) bool {
	found := false
	find := func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Min, *sqlparser.Max:
			found = true
		case *sqlparser.Subquery:
			return false, nil
		}
		return !found, nil
	}
	_ = sqlparser.Walk(find, sel.SelectExprs)
	if sel.Having != nil {
		_ = sqlparser.Walk(find, sel.Having.Expr)
	}
	return found
}

// checkMinMaxInexact refuses sel, a SELECT of the sharded table ref,
// when it takes MIN or MAX of a column without GROUP BY while its WHERE
// bounds that column by a value the column does not hold exactly (see the
// hazard above). For the sharding column any bound counts, since routing
// prunes by it; for another integer, DECIMAL or time column too: each node's
// lookup finds its own row, so the nodes' answers merged are not the one
// table's either (MAX(id), COUNT(*) … WHERE id BETWEEN 0 AND 9.5 with a
// unique key on id).
func (s *statement) checkMinMaxInexact(sel *sqlparser.Select, ref tableRef) error {
	if sel.Where == nil || (sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0) || s.catalog == nil {
		return nil
	}
	facts, ok := s.catalog.Table(ref.sharded.Name)
	if !ok {
		return nil
	}
	// the columns MIN or MAX takes, by lower-case name
	aggs := map[string]string{}
	own := func(e sqlparser.Expr) (*sqlparser.ColName, bool) {
		col, ok := e.(*sqlparser.ColName)
		return col, ok && (col.Qualifier.IsEmpty() || s.qualifies(col.Qualifier, ref))
	}
	firstAgg := ""
	find := func(n sqlparser.SQLNode) (bool, error) {
		var arg sqlparser.Expr
		switch f := n.(type) {
		case *sqlparser.Min:
			arg = f.Arg
		case *sqlparser.Max:
			arg = f.Arg
		case *sqlparser.Subquery:
			return false, nil
		default:
			return true, nil
		}
		if firstAgg == "" {
			firstAgg = sqlparser.String(n)
		}
		if col, ok := own(arg); ok {
			name := strings.ToLower(col.Name.String())
			if _, seen := aggs[name]; !seen {
				aggs[name] = sqlparser.String(n)
			}
		}
		return true, nil
	}
	_ = sqlparser.Walk(find, sel.SelectExprs)
	if sel.Having != nil {
		_ = sqlparser.Walk(find, sel.Having.Expr)
	}
	if len(aggs) == 0 {
		return nil
	}
	agg, bound, column := "", "", ""
	check := func(colExpr, v sqlparser.Expr) {
		c, ok := own(colExpr)
		if bound != "" || !ok {
			return
		}
		name := strings.ToLower(c.Name.String())
		a, ok := aggs[name]
		if !ok {
			return
		}
		col, ok := facts.Column(c.Name.String())
		if !ok || (!col.IsInteger() && !col.IsTemporal() && col.DataType != "decimal") {
			return
		}
		if s.lookupInexact(ref, col, v) {
			agg, bound, column = a, sqlparser.String(v), col.Name
		}
	}
	// checkEq judges an equality on a key's earlier column (see
	// minmax_equality.go): any MIN or MAX counts.
	checkEq := func(colExpr, v sqlparser.Expr) {
		c, ok := own(colExpr)
		if bound != "" || !ok || strings.EqualFold(c.Name.String(), ref.sharded.Column) {
			return
		}
		col, ok := facts.Column(c.Name.String())
		if !ok || (!col.IsInteger() && !col.IsTemporal() && col.DataType != "decimal") {
			return
		}
		if s.lookupInexact(ref, col, v) {
			agg, bound, column = firstAgg, sqlparser.String(v), col.Name
		}
	}
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.Subquery:
			return false, nil
		case *sqlparser.ComparisonExpr:
			if eq, ok := equalityOf(n); ok {
				checkEq(n.Left, eq)
				if n.Operator == sqlparser.EqualOp {
					checkEq(n.Right, n.Left)
				}
			}
			switch n.Operator {
			case sqlparser.LessThanOp, sqlparser.LessEqualOp, sqlparser.GreaterThanOp, sqlparser.GreaterEqualOp:
				check(n.Left, n.Right)
				check(n.Right, n.Left)
			}
		case *sqlparser.BetweenExpr:
			check(n.Left, n.From)
			check(n.Left, n.To)
		}
		return true, nil
	}, sel.Where.Expr)
	if bound == "" {
		return nil
	}
	return unsupported(s.sql, "%s of column %s of sharded table %s without GROUP BY, bounded by %s, which the column does not hold exactly (MariaDB answers MIN and MAX by one index lookup of the bound converted to the column's type, so its answer depends on rows that other nodes hold): write the bound as a value of the column's type and precision (an integer for an integer column, no more fractional digits than a time column keeps, a date without a time for a DATE column)",
		agg, column, ref.sharded.Name, bound)
}

// lookupInexact reports a value v compared with col (an integer, DECIMAL
// or time column of ref's table) that an index lookup would change: a
// number with a fraction for an integer column, more fraction digits than
// a DECIMAL's scale or digits beyond its precision, a time with more fractional
// digits than the column keeps (key.inexact), a value shardsql cannot
// convert, or a time with a time of day compared with a DATE column
// (which the lookup cuts to its date). Values that are not literals or
// arguments are not judged.
func (s *statement) lookupInexact(ref tableRef, col *schema.Column, v sqlparser.Expr) bool {
	val, ok := s.keyExpr(v)
	if !ok {
		return (col.IsInteger() || col.DataType == "decimal") && s.computedBoundInexact(v)
	}
	if val == nil {
		return false
	}
	if col.DataType == "decimal" {
		return !decimalHolds(col, val)
	}
	loc := time.UTC
	if _, isTime := val.(time.Time); isTime {
		l, err := s.location(ref.sharded)
		if err != nil {
			return true
		}
		loc = l
	}
	k := convertKey(col, val, keyCompare, loc)
	if k.inexact || k.res == keyUnknown {
		return true
	}
	if t, ok := k.value.(time.Time); ok && k.res == keyExact && col.DataType == "date" && !t.Equal(t.Truncate(24*time.Hour)) {
		return true
	}
	return false
}

// decimalHolds reports whether DECIMAL column col holds v exactly, as
// the number the server compares it as: no more fraction digits than the
// column's scale, within its precision.
//
// Hazard (review22): a float64 argument is, to the server, the decimal
// its shortest text spells: go-sql-driver interpolates that text, and the
// binary protocol's DOUBLE is stored into the DECIMAL for the lookup by
// the same shortest digits (double2decimal). Read as its binary fraction
// (19.99 is 19.98999999999999843…), every ORM's MAX(price) … WHERE price
// <= ? with a float64 on a DECIMAL(10,2) was refused while one server
// answers it exactly.
func decimalHolds(col *schema.Column, v any) bool {
	switch x := v.(type) {
	case float64:
		v = decimalText(strconv.FormatFloat(x, 'f', -1, 64))
	case float32:
		v = decimalText(strconv.FormatFloat(float64(x), 'f', -1, 64))
	}
	r, ok := compareRat(v)
	if !ok || col.Precision <= 0 {
		return false
	}
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(col.Scale)), nil)))
	if !scaled.IsInt() {
		return false
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(col.Precision)), nil)
	return new(big.Int).Abs(scaled.Num()).Cmp(limit) < 0
}
