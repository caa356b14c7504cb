package route

import (
	"math"
	"strconv"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// planLimit moves LIMIT to the merge. When rows are not folded each node
// gets LIMIT offset+count and the merge skips offset; folded rows (groups,
// DISTINCT) need every node row, so the nodes get no LIMIT.
func (m *scatter) planLimit() error {
	l := m.sel.Limit
	if l == nil {
		return nil
	}
	count, err := m.limitValue(l.Rowcount)
	if err != nil {
		return err
	}
	var offset int64
	if l.Offset != nil {
		if offset, err = m.limitValue(l.Offset); err != nil {
			return err
		}
	}
	m.spec.Limit = &merge.Page{Offset: offset, Count: count}
	if m.spec.Group != nil {
		m.node.Limit = nil
		return nil
	}
	m.node.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(strconv.FormatInt(saturatingAdd(offset, count), 10))}
	return nil
}

// saturatingAdd is a+b for non-negative a and b, or math.MaxInt64 when the
// sum overflows. Hazard: LIMIT 9223372036854775807 OFFSET 1 wrapped to a
// negative node LIMIT, which the server rejects; no node holds 2⁶³ rows, so
// the saturated LIMIT returns the same rows.
func saturatingAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func (m *scatter) limitValue(e sqlparser.Expr) (int64, error) {
	v, ok := m.s.value(e)
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case uint64:
		n = clampUint(x)
	case string:
		if m.s.interpolated {
			return 0, interpolatedLimit(m.s.sql, e)
		}
		n, ok = parseLimit(x)
	case []byte:
		if m.s.interpolated {
			return 0, interpolatedLimit(m.s.sql, e)
		}
		n, ok = parseLimit(string(x))
	default:
		ok = false
	}
	if !ok || n < 0 {
		return 0, unsupported(m.s.sql, "LIMIT value %s (use a non-negative integer literal or ? argument)", sqlparser.String(e))
	}
	return n, nil
}

// clampUint converts a LIMIT or OFFSET above math.MaxInt64 (MySQL takes
// up to 2⁶⁴-1, as in the "LIMIT 5, 18446744073709551615" idiom for "all
// the rest") to math.MaxInt64: no node holds more rows than that.
func clampUint(u uint64) int64 {
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}

// parseLimit reads a LIMIT or OFFSET argument given as text.
func parseLimit(s string) (int64, bool) {
	if n, ok := parseInt(s); ok {
		return n, true
	}
	u, err := strconv.ParseUint(s, 10, 64)
	return clampUint(u), err == nil
}

func parseInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// Hazard (round 15, left): under interpolateParams go-sql-driver writes a
// string argument as '4' and a []byte one as _binary'4', and one MariaDB
// fails `LIMIT '4', '3'` (a syntax error); shardsql read the argument
// itself for a merge's page and answered. Such arguments are refused when
// the data sources interpolate (Options.InterpolatedArgs); on one node the
// statement goes with its arguments and fails there as on one database.
// A prepared statement of one database takes them (the binary protocol):
// there the refusal is over-refusal.
func interpolatedLimit(sql string, e sqlparser.Expr) error {
	return unsupported(sql, "LIMIT or OFFSET %s with a string or []byte argument under interpolateParams=true (go-sql-driver writes it quoted, which MariaDB rejects as a syntax error; pass an integer)", sqlparser.String(e))
}
