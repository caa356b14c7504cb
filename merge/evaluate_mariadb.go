package merge

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"regexp"
	"strings"
	"time"

	"vitess.io/vitess/go/sqltypes"
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// checkMariaDB refuses the expressions whose result the evaluator (Vitess's
// evalengine, which follows MySQL 8) computes differently from MariaDB,
// found by round 14's attack against MariaDB 10.11 over derived tables
// and joins evaluated above the nodes:
//
//   - a DATE, DATETIME, TIMESTAMP or TIME column compared with a string
//     that is not written in full: MariaDB reads '2025-01-01 12:30' as
//     12:30:00 and '12:00' as the TIME 12:00:00, '2025-01-01 12' as noon,
//     '12' as 00:00:12 and '1 02:00' as 26 hours; the evaluator matched
//     none of them (x.t = '12:00' was false for 12:00:00, x.dt > '2025-01-01
//     12' true at midnight). 'YYYY-MM-DD' and 'YYYY-MM-DD HH:MM:SS[.f]'
//     (a TIME: 'HH:MM:SS[.f]'; a negative one, '-00:30:00', compared
//     wrongly against negative values) still compare above the nodes;
//   - CAST(… AS SIGNED/UNSIGNED) of a DOUBLE: MariaDB truncates (0.5 and
//     2.5 become 0 and 2) and clips a negative DOUBLE or DECIMAL cast AS
//     UNSIGNED to 0; the evaluator rounds, and wraps -1 to 2⁶⁴−1;
//   - ROUND and TRUNCATE of a DECIMAL: MariaDB's result has the scale the
//     call asks for (ROUND(1.00, 1) is 1.0, ROUND(1.00) is 1), the
//     evaluator keeps the argument's (1.00);
//   - a DATETIME, TIMESTAMP or TIME column with fractional seconds turned
//     into text or a number (CONCAT, CAST AS CHAR, UNIX_TIMESTAMP):
//     MariaDB writes the column's declared digits ('10:00:00.003000',
//     1744020000.003000), the evaluator only the value's ('10:00:00.003').
//     The declared precision is not known above the nodes: the first
//     row's value decides (a fraction, or NULL, refuses; a DATETIME(6)
//     whose first value has whole seconds is not seen).
func (f *evaluator) checkMariaDB(row []driver.Value) error {
	var err error
	fail := func(format string, args ...any) {
		if err == nil {
			err = fmt.Errorf("%w: %s %s above merged rows: %s", ErrUnsupported, f.what, unplaceheld(f.cond), fmt.Sprintf(format, args...))
		}
	}
	colType := func(x sqlparser.Expr) (sqltypes.Type, bool) {
		c, ok := x.(*sqlparser.ColName)
		if !ok {
			return 0, false
		}
		n, ok := evalenv.Offset(c)
		if !ok || n < 0 || n >= len(f.types) {
			return 0, false
		}
		return f.types[n], true
	}
	// temporal checks one comparison of a and b.
	temporal := func(a, b sqlparser.Expr) {
		for _, o := range [2][2]sqlparser.Expr{{a, b}, {b, a}} {
			t, ok := colType(o[0])
			if !ok {
				continue
			}
			lit, ok := o[1].(*sqlparser.Literal)
			if !ok || lit.Type != sqlparser.StrVal {
				continue
			}
			if !fullTemporal(t, lit.Val) {
				fail("a %s column compared with '%s', which MariaDB reads by its own rules for partial temporal strings (write it as %s)",
					strings.ToUpper(t.String()), lit.Val, temporalForm(t))
			}
		}
	}
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		switch n := node.(type) {
		case *sqlparser.ComparisonExpr:
			if tuple, ok := n.Right.(sqlparser.ValTuple); ok {
				for _, x := range tuple {
					temporal(n.Left, x)
				}
			} else {
				temporal(n.Left, n.Right)
			}
		case *sqlparser.BetweenExpr:
			temporal(n.Left, n.From)
			temporal(n.Left, n.To)
		case *sqlparser.CastExpr:
			f.checkIntCast(n.Type, n.Expr, fail)
			if n.Type != nil && strings.EqualFold(n.Type.Type, "char") {
				f.checkFraction(n.Expr, row, fail)
			}
		case *sqlparser.ConvertExpr:
			f.checkIntCast(n.Type, n.Expr, fail)
			if n.Type != nil && strings.EqualFold(n.Type.Type, "char") {
				f.checkFraction(n.Expr, row, fail)
			}
		case *sqlparser.FuncExpr:
			switch n.Name.Lowered() {
			case "concat", "concat_ws", "unix_timestamp":
				for _, a := range n.Exprs {
					f.checkFraction(a, row, fail)
				}
			case "time_to_sec":
				// MariaDB keeps the fraction (TIME_TO_SEC of '00:00:00.5' is
				// 0.500000), the evaluator drops it (MySQL 8's integer)
				for _, a := range n.Exprs {
					if f.fractional(a, row) {
						fail("TIME_TO_SEC of a %s column with fractional seconds (MariaDB keeps the fraction, the evaluator drops it; compute it in the nodes' statement)", strings.ToUpper(f.types[colIndex(a)].String()))
					}
				}
			case "round", "truncate":
				if len(n.Exprs) > 0 && f.hasDecimal(n.Exprs[0]) {
					fail("%s of a DECIMAL (MariaDB's result has the scale the call asks for, the evaluator keeps the argument's; compute it in the nodes' statement, or CAST the argument AS DOUBLE)", strings.ToUpper(n.Name.String()))
				}
			}
		}
		return err == nil, nil
	}, f.cond)
	return err
}

// checkFraction refuses x when it is a DATETIME, TIMESTAMP or TIME column
// whose value in row has fractional seconds or is NULL.
func (f *evaluator) checkFraction(x sqlparser.Expr, row []driver.Value, fail func(string, ...any)) {
	c, ok := x.(*sqlparser.ColName)
	if !ok {
		return
	}
	n, ok := evalenv.Offset(c)
	if !ok || n < 0 || n >= len(f.types) || n >= len(row) {
		return
	}
	switch f.types[n] {
	case sqltypes.Datetime, sqltypes.Timestamp, sqltypes.Time:
	default:
		return
	}
	switch v := row[n].(type) {
	case []byte:
		if !bytes.Contains(v, []byte(".")) {
			return
		}
	case time.Time:
		if v.Nanosecond() == 0 {
			return
		}
	case nil:
	default:
		return
	}
	fail("a %s column with fractional seconds (or whose precision the first row does not show) as text or a number (MariaDB writes the column's declared digits, the evaluator the value's; format it in the nodes' statement)", strings.ToUpper(f.types[n].String()))
}

// checkIntCast refuses CAST(x AS SIGNED/UNSIGNED) of a DOUBLE, and AS
// UNSIGNED of a DECIMAL.
func (f *evaluator) checkIntCast(t *sqlparser.ConvertType, x sqlparser.Expr, fail func(string, ...any)) {
	if t == nil {
		return
	}
	switch strings.ToLower(t.Type) {
	case "signed", "signed integer", "integer":
		if f.computesDoubles(x) {
			fail("CAST of a DOUBLE AS SIGNED (MariaDB truncates, the evaluator rounds; use ROUND, FLOOR or TRUNCATE)")
		}
	case "unsigned", "unsigned integer":
		if f.computesDoubles(x) || f.hasDecimal(x) {
			fail("CAST of a DOUBLE or DECIMAL AS UNSIGNED (MariaDB truncates and clips negative values to 0, the evaluator rounds and wraps them; compute it in the nodes' statement)")
		}
	}
}

// hasDecimal reports whether x reads a DECIMAL column or holds a decimal
// literal.
func (f *evaluator) hasDecimal(x sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		switch n := node.(type) {
		case *sqlparser.Literal:
			found = found || n.Type == sqlparser.DecimalVal
		case *sqlparser.ColName:
			if i, ok := evalenv.Offset(n); ok && i >= 0 && i < len(f.types) {
				found = found || f.types[i] == sqltypes.Decimal
			}
		}
		return !found, nil
	}, x)
	return found
}

var (
	dateForm     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	datetimeForm = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?$`)
	timeForm     = regexp.MustCompile(`^(\d{2,3}):([0-5]\d):([0-5]\d)(\.\d{1,6})?$`)
)

// fullTemporal reports whether s is a value of a column of type t written
// in full, which MariaDB and the evaluator read alike; other types are not
// checked here.
func fullTemporal(t sqltypes.Type, s string) bool {
	validDate := func(d string) bool {
		_, err := time.Parse("2006-01-02", d)
		return err == nil
	}
	if !strings.ContainsAny(s, "0123456789") {
		// no temporal value at all ('M', 'abc', ''): both compare it
		// as MariaDB does (round 13's generators over DATE keys)
		return true
	}
	switch t {
	case sqltypes.Date, sqltypes.Datetime, sqltypes.Timestamp:
		if dateForm.MatchString(s) {
			return validDate(s)
		}
		m := datetimeForm.FindStringSubmatch(s)
		return m != nil && validDate(m[1]) && m[2] < "24" && m[3] < "60" && m[4] < "60"
	case sqltypes.Time:
		m := timeForm.FindStringSubmatch(s)
		return m != nil && (len(m[1]) == 2 || m[1] <= "838")
	}
	return true
}

func temporalForm(t sqltypes.Type) string {
	if t == sqltypes.Time {
		return "'HH:MM:SS'"
	}
	return "'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'"
}

// fractional reports a DATETIME, TIMESTAMP or TIME column x declared with
// fractional seconds (its scale), or whose value in row has them.
func (f *evaluator) fractional(x sqlparser.Expr, row []driver.Value) bool {
	n := colIndex(x)
	if n < 0 || n >= len(f.types) {
		return false
	}
	switch f.types[n] {
	case sqltypes.Datetime, sqltypes.Timestamp, sqltypes.Time:
	default:
		return false
	}
	if n < len(f.scales) && f.scales[n] > 0 {
		return true
	}
	if n >= len(row) {
		return false
	}
	switch v := row[n].(type) {
	case []byte:
		return bytes.Contains(v, []byte("."))
	case time.Time:
		return v.Nanosecond() != 0
	}
	return false
}

// colIndex is the folded row's column x names, or -1.
func colIndex(x sqlparser.Expr) int {
	c, ok := x.(*sqlparser.ColName)
	if !ok {
		return -1
	}
	n, ok := evalenv.Offset(c)
	if !ok || n < 0 {
		return -1
	}
	return n
}
