package route

import (
	"database/sql/driver"
	"slices"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/coltype"
	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/merge"
)

// literal writes a subquery value as a literal that compares with the
// other operand as the subquery's column would. Integers and decimals do
// (a decimal literal is DECIMAL, as the column); text does when the other
// operand is a column, whose collation then decides, as it does against
// the subquery's column of that collation. Other types (floats, which a
// literal may not round-trip; dates and times, which compare with text as
// dates only when typed; binary strings; ENUM/SET; BIT) are refused.
func (s *statement) literal(v driver.Value, typ string, bs boundSubquery) (sqlparser.Expr, error) {
	if v == nil {
		return &sqlparser.NullVal{}, nil
	}
	if bs.year && yearConstant(v, typ) && bs.other == nil {
		return nil, unsupported(s.sql, "subquery value %s inside an expression compared with a YEAR column or one whose type is not known above the nodes in a statement over a table with a YEAR column: MariaDB reads a constant 1–99 there as a year (1 is 2001) but compares the subquery's value as a number, which a bound literal would not (compare the column + 0, or filter those values out in the subquery)",
			displayValue(v))
	}
	if bs.year && yearConstant(v, typ) {
		return nil, unsupported(s.sql, "subquery value %s compared with %s, a YEAR column or one whose type is not known above the nodes in a statement over a table with a YEAR column: MariaDB reads a constant 1–99 there as a year (1 is 2001) but compares the subquery's value as a number, which a bound literal would not (compare %s + 0 with the subquery, or filter those values out in it)",
			displayValue(v), sqlparser.String(bs.other), sqlparser.String(bs.other))
	}
	text := ""
	switch x := v.(type) {
	case []byte:
		text = string(x)
	case string:
		text = x
	case int64:
		text = strconv.FormatInt(x, 10)
	case uint64:
		text = strconv.FormatUint(x, 10)
	}
	switch coltype.Of(typ) {
	case coltype.Int, coltype.Uint:
		if u, err := strconv.ParseUint(text, 10, 64); err == nil && u > 1<<63-1 && bs.other != nil && !exactWithUnsigned(bs.otherType) {
			return nil, unsupported(s.sql, "subquery returning the unsigned value %d compared with %s, which is not an integer or DECIMAL column: MariaDB compares such a value as a negative signed number there, a bound literal would compare as the number (compare in the subquery, or CAST the column to DECIMAL)", u, sqlparser.String(bs.other))
		}
		if strings.EqualFold(typ, "YEAR") && bs.other != nil && !exactWithUnsigned(bs.otherType) && !strings.HasSuffix(bs.otherType, "year") {
			// a YEAR value against a TIME, DATETIME, DOUBLE or text
			// column (or an expression): MariaDB compares it as a YEAR
			// there, the literal 2020 as a number (`a.tk >= (SELECT
			// MIN(b.yk) …)`, seed 13013 of TestJoins11SubqueryGenerated)
			return nil, unsupported(s.sql, "subquery returning YEAR values compared with %s, which is not an integer or DECIMAL column (MariaDB compares them as years there, a bound literal as a number; CAST the subquery's value to SIGNED)", sqlparser.String(bs.other))
		}
		if isDecimalText(text, false) {
			return sqlparser.NewIntLiteral(text), nil
		}
	case coltype.Decimal:
		if isDecimalText(text, true) {
			return sqlparser.NewDecimalLiteral(text), nil
		}
	case coltype.Text:
		if bs.item && bs.other == nil {
			// returned as it is: the literal's bytes are the value's
			if _, ok := v.([]byte); ok || text != "" {
				return sqlparser.NewStrLiteral(text), nil
			}
		}
		if bs.other == nil {
			return nil, unsupported(s.sql, "subquery returning text inside an expression (the literal value would compare and convert by the connection's collation, not the subquery column's; select the subquery by itself or compare it with a column)")
		}
		if _, isCol := bs.other.(*sqlparser.ColName); !isCol {
			return nil, unsupported(s.sql, "subquery whose text values are compared with %s, which is not a column (the literal values would compare by the connection's collation, not the subquery column's; compare the subquery with a column, or select it by itself)", sqlparser.String(bs.other))
		}
		if c := bs.collations; c[0] != "" {
			if lit, ok := crossCharsetLiteral(text, c[0], c[1], bs.kind == merge.SubqueryScalar); ok && bs.literalClash == "" && !bs.collationUnknown {
				return lit, nil // subquery_charset.go
			}
			return nil, unsupported(s.sql, "subquery whose text values (collation %s) are compared with %s (collation %s): MariaDB compares them only when one is utf8mb4 and the other of a character set it holds (by a collation that depends on its plan under IN when the outer column is not the utf8mb4 one), and refuses the rest (collate one side explicitly in the statement)", c[1], sqlparser.String(bs.other), c[0])
		}
		if bs.literalClash != "" && !isASCII([]byte(text)) {
			return nil, unsupported(s.sql, "subquery selecting the text literal %s compared with %s (collation %s): MariaDB fails with error 1267 (Illegal mix of collations) when a subquery's non-ASCII text meets a column of another character set, while a bound literal would be converted (write the literal in the outer statement, or CONVERT it in the subquery)",
				strconv.Quote(text), sqlparser.String(bs.other), bs.literalClash)
		}
		if bs.collationUnknown {
			return nil, unsupported(s.sql, "subquery whose text values are compared with %s when the collation of one of them is not known above the nodes (a derived table, an expression, or a table the schema catalog does not hold): MySQL compares them by the stronger collation, the bound values would compare by %s's (select a column of a sharded table in the subquery, or write the comparison as a join)", sqlparser.String(bs.other), sqlparser.String(bs.other))
		}
		if _, ok := v.([]byte); ok || text != "" {
			return sqlparser.NewStrLiteral(text), nil
		}
	}
	return nil, unsupported(s.sql, "subquery returning %s values to compare in the outer query (only integers, decimals and text compared with a column are bound exactly; compare in the subquery instead)", typ)
}

// isDecimalText reports whether t is an optionally negative integer, or
// with frac a decimal with a point.
func isDecimalText(t string, frac bool) bool {
	t = strings.TrimPrefix(t, "-")
	if t == "" {
		return false
	}
	point := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && frac && !point && i > 0 && i < len(t)-1:
			point = true
		default:
			return false
		}
	}
	return true
}

// collationClash returns the collations of a subquery's compared column
// and of the outer column it is compared with when the catalog knows both
// and they differ; zero otherwise. unknown reports a subquery whose
// selected text's collation is not known here (it selects an expression
// other than a literal, or a column of a table the catalog does not hold:
// a derived table, a broadcast or unsharded table) compared with a column
// that is text or of a type not known. A string literal's collation is
// coercible: the column's decides either way, as it does for the bound
// literal. An outer column of a broadcast or unsharded table is typed by
// the catalog's read of the default data source (plainColumnCollation);
// one it does not hold (a derived table's, a CTE's) against a known
// subquery text column is unknown too (diff18): both are IMPLICIT, so MariaDB compares by the
// wider character set's collation — `z18.l1 > (SELECT s FROM y18 …)`
// converts the latin1 column to utf8mb4 and compares under
// utf8mb4_general_ci, where the bound literal 'ss' was converted to
// latin1 and compared under latin1_swedish_ci (ß and ss, å and a differ
// there): different rows.
func (s *statement) collationClash(sel *sqlparser.Select, bs boundSubquery) (clash [2]string, unknown bool) {
	outer, ok := bs.other.(*sqlparser.ColName)
	inner, isSel := bs.sub.Select.(*sqlparser.Select)
	if !ok || !isSel || len(inner.GetColumns()) != 1 {
		return [2]string{}, false // a value bound into an expression: literal refuses text there
	}
	a, outerKnown := s.collationIn(sel, outer)
	if !outerKnown {
		a, outerKnown = s.plainColumnCollation(sel, outer)
	}
	if outerKnown && a == "" {
		return [2]string{}, false // not text: compared as numbers or dates, no collation
	}
	ae, ok := inner.GetColumns()[0].(*sqlparser.AliasedExpr)
	if !ok {
		return [2]string{}, true
	}
	e := minMaxArg(ae.Expr)
	switch x := e.(type) {
	case *sqlparser.Literal:
		return [2]string{}, x.Type != sqlparser.StrVal && x.Type != sqlparser.IntVal && x.Type != sqlparser.DecimalVal && x.Type != sqlparser.FloatVal
	case *sqlparser.NullVal:
		return [2]string{}, false
	}
	innerCol, ok := e.(*sqlparser.ColName)
	if !ok {
		return [2]string{}, true
	}
	b, innerKnown := s.collationIn(inner, innerCol)
	if !innerKnown {
		return [2]string{}, true
	}
	if !outerKnown && b != "" {
		return [2]string{}, true
	}
	if a == "" || b == "" || strings.EqualFold(a, b) {
		return [2]string{}, false
	}
	return [2]string{a, b}, false
}

// collationIn returns the catalog's collation of column col of one of
// sel's sharded tables ("" for a column that is not text), and whether
// the catalog holds the column.
func (s *statement) collationIn(sel *sqlparser.Select, col *sqlparser.ColName) (string, bool) {
	if c := s.catalogColumn(sel, col); c != nil {
		return c.Collation, true
	}
	return "", false
}

// catalogColumn returns the catalog's column col of one of sel's sharded
// tables (col unqualified only when sel has one table), nil when the
// catalog does not hold it; a table not loaded yet marks the statement
// (the driver loads it and routes again).
func (s *statement) catalogColumn(sel *sqlparser.Select, col *sqlparser.ColName) *schema.Column {
	refs := s.scopeRefs(sel)
	for _, ref := range refs {
		if ref.sharded == nil {
			continue
		}
		if col.Qualifier.IsEmpty() && len(refs) != 1 || !col.Qualifier.IsEmpty() && !s.qualifies(col.Qualifier, ref) {
			continue
		}
		if t, ok := s.catalog.Table(ref.sharded.Name); ok {
			if c, ok := t.Column(col.Name.String()); ok {
				return c
			}
		} else {
			s.lacksFact()
		}
	}
	return nil
}

// minMaxArg is e's argument when e is MIN or MAX (whose result has its
// argument's collation), else e.
func minMaxArg(e sqlparser.Expr) sqlparser.Expr {
	switch f := e.(type) {
	case *sqlparser.Min:
		return f.Arg
	case *sqlparser.Max:
		return f.Arg
	}
	return e
}

// columnType returns e's DATA_TYPE when e is a column of one of sel's
// sharded tables the catalog holds ("enum", "double", "bigint", …, with
// "unsigned " before an unsigned numeric type), else "".
func (s *statement) columnType(sel *sqlparser.Select, e sqlparser.Expr) string {
	col, ok := e.(*sqlparser.ColName)
	if !ok {
		return ""
	}
	c := s.catalogColumn(sel, col)
	switch {
	case c == nil:
		return ""
	case c.Unsigned:
		return "unsigned " + strings.ToLower(c.DataType)
	}
	return strings.ToLower(c.DataType)
}

// intRange is an integer type's range: signed or not, in bits (YEAR:
// 1901 to 2155 and 0, as 12 unsigned bits when it holds values and as
// nothing else's range when it is the set's type).
type intRange struct {
	unsigned bool
	bits     int
	year     bool
}

// intRangeOf returns the range of integer type t (a DATA_TYPE as
// columnType returns it, or a DatabaseTypeName), or false.
func intRangeOf(t string) (intRange, bool) {
	t = strings.ToLower(t)
	r := intRange{unsigned: strings.HasPrefix(t, "unsigned ")}
	switch strings.TrimPrefix(t, "unsigned ") {
	case "tinyint", "bool", "boolean":
		r.bits = 8
	case "smallint":
		r.bits = 16
	case "mediumint":
		r.bits = 24
	case "int", "integer":
		r.bits = 32
	case "bigint":
		r.bits = 64
	case "year":
		r.unsigned, r.bits, r.year = true, 12, true
	default:
		return intRange{}, false
	}
	return r, true
}

// within reports whether every value of r is a value of set.
func (r intRange) within(set intRange) bool {
	switch {
	case set.year:
		return r.year
	case r.unsigned == set.unsigned:
		return r.bits <= set.bits
	case r.unsigned:
		return r.bits < set.bits
	}
	return false // negative values
}

// nullInNarrowerSet reports a NOT IN hazard: MariaDB answers `x NOT IN
// (SELECT c …)` TRUE, although the set holds a NULL, for an integer x
// outside the range of c's type (`a.nk NOT IN (SELECT b.ik …)`, BIGINT
// against INT: the rows with nk = -2⁶³, 2⁶³−1; `a.uk NOT IN (SELECT
// b.nk …)`: uk ≥ 2⁶³; BIGINT against YEAR: every value outside YEAR's
// range; DECIMAL(8,3) 99999.999 against DECIMAL(6,2)), where the bound
// literals give NULL (no row). other is the
// outer operand's type as columnType returns it, values the set's.
//
// An outer operand that is not a column the catalog holds (an
// expression, an aggregate, a select alias in HAVING) is not checked: its
// range is not known here, and refusing every such statement would refuse
// `HAVING MAX(qty) IN (SELECT qty …)` and `id % 20 IN (SELECT …)` whose
// values all lie in range (TestAboveGenerated draws them). Left open.
func nullInNarrowerSet(other string, values []driver.Value, typ string) bool {
	if other == "" || !slices.Contains(values, nil) {
		return false
	}
	if coltype.Of(typ) == coltype.Decimal {
		// a DECIMAL set: its precision is not known here, and a value
		// outside it answers NOT IN true as well (99999.999 against
		// DECIMAL(6,2))
		return true
	}
	set, ok := intRangeOf(typ)
	if !ok {
		return false
	}
	r, ok := intRangeOf(other)
	if !ok {
		// a column of another kind: DECIMAL, DOUBLE, temporal, text
		return coltype.Of(strings.ToUpper(other)) != coltype.Text && other != "enum" && other != "set"
	}
	return !r.within(set)
}

// exactWithUnsigned reports whether MariaDB compares a column of type t
// with a subquery's BIGINT UNSIGNED value of 2⁶³ or more as that value:
// integer and decimal columns do. A DOUBLE or FLOAT column (and, not
// known otherwise, any other) compares with the subquery's cached value
// read as a signed integer, a negative number: `a.fk >= (SELECT
// MAX(b.uk) …)` is true for every fk when MAX(b.uk) is 2⁶³, while the
// bound literal 9223372036854775808 is the number itself (round 13).
func exactWithUnsigned(t string) bool {
	switch strings.TrimPrefix(t, "unsigned ") {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric":
		return true
	}
	return false
}

// setRange returns the bounds of a NULL-holding integer set's type as
// literals when MariaDB's answer for an integer column other outside them
// can be written out: `x NOT IN (…)` is true there and `x IN (…)` false
// (TestJoins11Classes: `a.nk NOT IN (SELECT b.ik …)` keeps the rows at
// ±2⁶³ on one server). A YEAR set (whose 0 to 99 MariaDB reads as years)
// and other columns are not written out.
func setRange(other, typ string) (lo, hi sqlparser.Expr, ok bool) {
	set, ok1 := intRangeOf(typ)
	_, ok2 := intRangeOf(other)
	if !ok1 || !ok2 || set.year || strings.HasSuffix(other, "year") {
		return nil, nil, false
	}
	if set.unsigned {
		return sqlparser.NewIntLiteral("0"), sqlparser.NewIntLiteral(strconv.FormatUint(1<<set.bits-1, 10)), true
	}
	if set.bits == 64 {
		return &sqlparser.UnaryExpr{Operator: sqlparser.UMinusOp, Expr: sqlparser.NewIntLiteral("9223372036854775808")},
			sqlparser.NewIntLiteral("9223372036854775807"), true
	}
	m := uint64(1) << (set.bits - 1)
	return &sqlparser.UnaryExpr{Operator: sqlparser.UMinusOp, Expr: sqlparser.NewIntLiteral(strconv.FormatUint(m, 10))},
		sqlparser.NewIntLiteral(strconv.FormatUint(m-1, 10)), true
}

// plainColumnCollation returns the collation of col, a column of an
// unsharded or broadcast table of sel ("" when it is not text), as the
// catalog read it from the default data source; known is false when
// that is not known here (a derived table or CTE in sel's FROM, a table
// the catalog did not read, another schema's table).
func (s *statement) plainColumnCollation(sel *sqlparser.Select, col *sqlparser.ColName) (coll string, known bool) {
	if _, known := s.plainColumnIsYear(sel, col); !known {
		return "", false // (its checks of derived tables and CTEs)
	}
	found := false
	for _, ref := range s.scopeRefs(sel) {
		if ref.sharded != nil || !col.Qualifier.IsEmpty() && !strings.EqualFold(col.Qualifier.Name.String(), ref.qualifier()) {
			continue
		}
		c, has, ok := s.catalog.UnshardedColumnCollation(ref.name.Name.String(), col.Name.String())
		if !ok {
			return "", false
		}
		if !has {
			continue
		}
		if found {
			return "", false // two tables have it: ambiguous
		}
		coll, found = c, true
	}
	return coll, found
}
