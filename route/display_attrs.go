package route

import (
	"regexp"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
)

// Column display attributes (review19a).
//
// Hazard: the text of some values depends on the column's declared
// attributes, which a node sends only as a plain value: a ZEROFILL
// column's text is zero-filled to its display width (`INT(5) ZEROFILL`
// 7 is `00007`, `DECIMAL(8,2) ZEROFILL` 2.3 is `000002.30`, a `DOUBLE
// ZEROFILL` is filled to 22 characters). One server writes that text
// wherever it reads the column as text — CONCAT, LENGTH, LPAD, LIKE,
// GROUP_CONCAT, a derived table's or a joined table's column, a grouped
// MIN/MAX — while go-sql-driver hands the merge a number (its column
// types carry neither the ZEROFILL flag nor the width), so an expression
// evaluated above the nodes wrote `7`, `2.30`, `2.5`. The catalog holds
// each sharded column's COLUMN_TYPE (`int(5) unsigned zerofill`):
//   - GROUP_CONCAT of a ZEROFILL integer column across nodes pads to the
//     width (merge.GroupConcat.ZeroFill); a DECIMAL ZEROFILL's text
//     arrives zero-filled from the nodes already;
//   - a ZEROFILL column (or MIN/MAX of one) that an expression evaluated
//     above the nodes reads as text is refused: the evaluator has no
//     zero-filled values, and MariaDB's own answer for MIN/MAX depends on
//     its plan (`CONCAT(MAX(zd))` is zero-filled grouped, not ungrouped).
//     Compared, in arithmetic, or through COALESCE/IF/CASE (whose result
//     is not ZEROFILL) the value is the number either way, and runs.

// zeroFill reports a ZEROFILL column of the catalog.
func zeroFill(c *schema.Column) bool {
	return c != nil && strings.Contains(c.ColumnType, "zerofill")
}

var displayWidth = regexp.MustCompile(`^[a-z]+\((\d+)\)`)

// zeroFillWidth is the display width a ZEROFILL integer column's text is
// zero-filled to (`int(5) unsigned zerofill`: 5), 0 for other columns.
func zeroFillWidth(c *schema.Column) int {
	if !zeroFill(c) {
		return 0
	}
	if _, ok := intRangeOf(c.DataType); !ok || c.DataType == "year" {
		return 0
	}
	m := displayWidth.FindStringSubmatch(c.ColumnType)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0
	}
	return n
}

// valuePassing are functions whose result is their arguments' value
// without the ZEROFILL attribute (CONCAT(COALESCE(zi, 0)) is `7` on one
// server, as above the nodes), or that read it as a number.
var valuePassing = map[string]bool{
	"coalesce": true, "ifnull": true, "if": true, "nullif": true, "greatest": true, "least": true,
	"abs": true, "sign": true, "round": true, "truncate": true, "floor": true, "ceil": true, "ceiling": true, "mod": true,
}

// readsAsText reports whether the parent of a node holding a column's
// value reads it as text: a function's argument (other than the
// value-passing ones), LIKE/REGEXP, CAST, anything not known to read a
// number. Comparisons, arithmetic, logic, CASE, and the top of the
// expression (a value passed through) do not.
func readsAsText(parent sqlparser.SQLNode) bool {
	switch p := parent.(type) {
	case nil:
		return false
	case *sqlparser.ComparisonExpr:
		switch p.Operator {
		case sqlparser.LikeOp, sqlparser.NotLikeOp, sqlparser.RegexpOp, sqlparser.NotRegexpOp:
			return true
		}
		return false
	case *sqlparser.BetweenExpr, sqlparser.ValTuple, *sqlparser.BinaryExpr, *sqlparser.UnaryExpr,
		*sqlparser.AndExpr, *sqlparser.OrExpr, *sqlparser.NotExpr, *sqlparser.XorExpr, *sqlparser.IsExpr,
		*sqlparser.CaseExpr, *sqlparser.When, *sqlparser.AliasedExpr, *sqlparser.Order, *sqlparser.Where,
		*sqlparser.Count, *sqlparser.Sum, *sqlparser.Avg, *sqlparser.Min, *sqlparser.Max, *sqlparser.GroupBy:
		return false
	case *sqlparser.FuncExpr:
		return !p.Qualifier.IsEmpty() || !valuePassing[p.Name.Lowered()]
	case *sqlparser.CastExpr:
		return !numericCast(p.Type)
	case *sqlparser.ConvertExpr:
		return !numericCast(p.Type)
	}
	return true
}

// numericCast reports a CAST/CONVERT to a number: it reads the column's
// value as a number (CAST(zi AS SIGNED) is 7 on one server, as above the
// nodes), not its zero-filled text. Hazard (review19f): the refusal of
// every CAST refused `CAST(a.zi AS SIGNED) + b.n` over a join, the
// spelling its own advice ("read it as a number") suggests.
func numericCast(t *sqlparser.ConvertType) bool {
	if t == nil {
		return false
	}
	switch strings.ToLower(t.Type) {
	case "signed", "signed integer", "unsigned", "unsigned integer", "integer", "decimal", "double", "float", "real":
		return true
	}
	return false
}

// zeroFillReadAsText returns the first ZEROFILL column, or MIN/MAX of
// one, that e reads as text (see readsAsText), as written; "" for none.
// zf reports a column reference that names a ZEROFILL column.
func zeroFillReadAsText(e sqlparser.Expr, zf func(*sqlparser.ColName) bool) string {
	found := ""
	isZF := func(n sqlparser.SQLNode) bool {
		switch x := n.(type) {
		case *sqlparser.ColName:
			return zf(x)
		case *sqlparser.Min:
			c, ok := x.Arg.(*sqlparser.ColName)
			return ok && zf(c)
		case *sqlparser.Max:
			c, ok := x.Arg.(*sqlparser.ColName)
			return ok && zf(c)
		}
		return false
	}
	_ = sqlparser.Rewrite(sqlparser.CloneExpr(e), func(c *sqlparser.Cursor) bool {
		if found != "" {
			return false
		}
		if _, sub := c.Node().(*sqlparser.Subquery); sub {
			return false
		}
		if isZF(c.Node()) && readsAsText(c.Parent()) {
			found = sqlparser.String(c.Node())
			return false
		}
		return true
	}, nil)
	return found
}

// zeroFillItem reports a select item whose value is a ZEROFILL column's:
// the column, or MIN/MAX of it (zf reports a reference to such a column).
func zeroFillItem(e sqlparser.Expr, zf func(*sqlparser.ColName) bool) bool {
	switch x := e.(type) {
	case *sqlparser.Min:
		e = x.Arg
	case *sqlparser.Max:
		e = x.Arg
	}
	c, ok := e.(*sqlparser.ColName)
	return ok && zf(c)
}

// zeroFillColumn reports a reference of sel to a ZEROFILL column: of a
// table the catalog holds, or of a derived table of sel's FROM clause
// whose select item is such a column (or MIN/MAX of one), at any depth.
// A UNION's column is not ZEROFILL (MariaDB drops the attribute).
func (s *statement) zeroFillColumn(sel *sqlparser.Select, col *sqlparser.ColName, depth int) bool {
	if zeroFill(s.catalogColumn(sel, col)) {
		return true
	}
	refs := s.scopeRefs(sel)
	for _, ref := range refs {
		// a broadcast or unsharded table's column (the catalog reads the
		// default data source's); unqualified, any table's of that name
		if ref.sharded == nil && (col.Qualifier.IsEmpty() || s.qualifies(col.Qualifier, ref)) &&
			s.catalog.UnshardedColumnZeroFill(ref.name.Name.String(), col.Name.String()) {
			return true
		}
	}
	if depth > 16 {
		return false
	}
	found := false
	for _, te := range sel.From {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			switch n := n.(type) {
			case *sqlparser.Subquery:
				return false, nil
			case *sqlparser.AliasedTableExpr:
				dt, ok := n.Expr.(*sqlparser.DerivedTable)
				if !ok {
					return true, nil
				}
				if !col.Qualifier.IsEmpty() && !strings.EqualFold(col.Qualifier.Name.String(), n.As.String()) {
					return false, nil
				}
				inner, ok := dt.Select.(*sqlparser.Select)
				if !ok {
					return false, nil
				}
				for _, item := range inner.GetColumns() {
					ae, ok := item.(*sqlparser.AliasedExpr)
					if !ok {
						continue
					}
					name := ae.As.String()
					if c, isCol := ae.Expr.(*sqlparser.ColName); name == "" && isCol {
						name = c.Name.String()
					}
					if strings.EqualFold(name, col.Name.String()) && zeroFillItem(ae.Expr, func(c *sqlparser.ColName) bool { return s.zeroFillColumn(inner, c, depth+1) }) {
						found = true
					}
				}
				return false, nil
			}
			return true, nil
		}, te)
	}
	return found
}

// zeroFillRefusal is the refusal of a ZEROFILL column read as text above
// the nodes, naming it and what to do instead.
func (s *statement) zeroFillRefusal(clause string, e sqlparser.Expr, col string, where string) error {
	return unsupported(s.sql, "%s %s %s reads the ZEROFILL column %s as text (its text is zero-filled to the column's display width, which the values the nodes send do not carry; select LPAD(col, width, '0') or CAST(col AS CHAR) in the nodes' statement or the derived table, or read it as a number: col + 0)", clause, sqlparser.String(e), where, col)
}
