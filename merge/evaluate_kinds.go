package merge

import (
	"fmt"
	"strconv"
	"strings"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/sqltypes"
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// checkKinds refuses the uses of columns whose MySQL semantics the
// evaluator does not have, before the expression is compiled (the column
// types and the text columns' collations are known then):
//
//   - an ENUM or SET column compared with anything but text, or in
//     arithmetic: MySQL compares and computes with its index (or bit
//     value), e = 2 is the second member; the value arrives as its name,
//     and the evaluator converts the name to a number (0 rows);
//   - a YEAR column compared with a constant other than an integer of 100
//     or more: MySQL stores the constant as a YEAR first (93 is 1993, '0'
//     is 2000), the evaluator compares numbers;
//   - a BIT column compared or in arithmetic: the value arrives as its
//     bytes, which the evaluator reads as text;
//   - two text columns of different collations compared, neither binary:
//     MySQL fails with error 1267 (Illegal mix of collations), the
//     evaluator picks one; BETWEEN and IN over text columns of different
//     collations: MySQL compares all operands by one aggregated collation,
//     the evaluator each pair by its own; BETWEEN over text and numbers
//     (MySQL compares all three as numbers).
func (f *evaluator) checkKinds(colls []collations.ID) error {
	var err error
	fail := func(_ sqlparser.SQLNode, format string, args ...any) {
		if err == nil {
			err = fmt.Errorf("%w: %s %s above merged rows: %s", ErrUnsupported, f.what, unplaceheld(f.cond), fmt.Sprintf(format, args...))
		}
	}
	typ := func(x sqlparser.Expr) (sqltypes.Type, int, bool) {
		c, ok := x.(*sqlparser.ColName)
		if !ok {
			return 0, -1, false
		}
		n, ok := evalenv.Offset(c)
		if !ok || n < 0 || n >= len(f.types) {
			return 0, -1, false
		}
		return f.types[n], n, true
	}
	// pair checks one comparison of a and b; noYear while CASE and FIELD
	// compare (MariaDB reads no constant as a year there: `CASE yr WHEN 1`
	// is false for 2001, `FIELD(yr, 1, 2001)` is 2).
	noYear := false
	pair := func(node sqlparser.SQLNode, a, b sqlparser.Expr) {
		for _, o := range [2][2]sqlparser.Expr{{a, b}, {b, a}} {
			t, n, ok := typ(o[0])
			if !ok {
				continue
			}
			switch {
			case t == sqltypes.Enum || t == sqltypes.Set:
				if !isText(o[1], f.types) {
					fail(node, "an ENUM or SET column compared with a number compares by its index in MySQL (compare with the member's name, or select col+0 in the derived table)")
				}
			case t == sqltypes.Year:
				if constant(o[1]) && !fourDigits(o[1]) && !noYear {
					fail(node, "a YEAR column compared with %s, which MySQL reads as a year first (write the year with 4 digits)", sqlparser.String(o[1]))
				}
			case t == sqltypes.Bit:
				fail(node, "a BIT column compared (select col+0 in the derived table and compare that)")
			case sqltypes.IsText(t) && colls[n] != collations.CollationBinaryID:
				u, m, ok := typ(o[1])
				if ok && sqltypes.IsText(u) && colls[m] != collations.CollationBinaryID && colls[m] != colls[n] &&
					!binSort(colls[n]) && !binSort(colls[m]) {
					fail(node, "two text columns of different collations (%s, %s) compared: MySQL fails with error 1267, Illegal mix of collations (add COLLATE to one side)",
						collationEnv.LookupName(colls[n]), collationEnv.LookupName(colls[m]))
				}
			}
		}
	}
	arith := func(node sqlparser.SQLNode, xs ...sqlparser.Expr) {
		for _, x := range xs {
			t, _, ok := typ(x)
			if !ok {
				continue
			}
			switch {
			case t == sqltypes.Enum || t == sqltypes.Set:
				fail(node, "arithmetic with an ENUM or SET column (MySQL computes with its index; compute it in the derived table)")
			case t == sqltypes.Bit:
				fail(node, "arithmetic with a BIT column (compute it in the derived table)")
			}
		}
	}
	// several operands (BETWEEN, IN): MySQL compares all by one
	// collation aggregated over them (utf8mb4_bin over general_ci); the
	// evaluator compares each pair by the column's
	several := func(node sqlparser.SQLNode, xs ...sqlparser.Expr) {
		seen := collations.Unknown
		for _, x := range xs {
			t, n, ok := typ(x)
			if !ok || !sqltypes.IsText(t) || colls[n] == collations.CollationBinaryID {
				continue
			}
			if seen != collations.Unknown && colls[n] != seen {
				fail(node, "BETWEEN or IN over text columns of different collations (%s, %s): MySQL compares every operand by one collation (add COLLATE, or compare with = and AND/OR)",
					collationEnv.LookupName(seen), collationEnv.LookupName(colls[n]))
				return
			}
			seen = colls[n]
		}
	}
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		switch n := node.(type) {
		case *sqlparser.ComparisonExpr:
			switch n.Operator {
			case sqlparser.InOp, sqlparser.NotInOp:
				if tuple, ok := n.Right.(sqlparser.ValTuple); ok {
					for _, x := range tuple {
						pair(n, n.Left, x)
					}
					several(n, append([]sqlparser.Expr{n.Left}, tuple...)...)
					return err == nil, nil
				}
				pair(n, n.Left, n.Right)
			case sqlparser.LikeOp, sqlparser.NotLikeOp, sqlparser.RegexpOp, sqlparser.NotRegexpOp:
			default:
				pair(n, n.Left, n.Right)
			}
		case *sqlparser.BetweenExpr:
			pair(n, n.Left, n.From)
			pair(n, n.Left, n.To)
			several(n, n.Left, n.From, n.To)
			if mixed(f.types, n.Left, n.From, n.To) {
				fail(n, "BETWEEN over text and numbers (MySQL compares all three as numbers, the evaluator each pair by its own types; CAST the operands to one type)")
			}
		case *sqlparser.CaseExpr:
			// CASE x WHEN v: x = v for each WHEN (review18b: `CASE MAX(e)
			// WHEN 3` compares the member's index in MariaDB)
			if n.Expr != nil {
				noYear = true
				for _, w := range n.Whens {
					pair(n, n.Expr, w.Cond)
				}
				noYear = false
			}
		case *sqlparser.FuncExpr:
			// FIELD(x, a, b, …) compares x with each; GREATEST/LEAST and
			// NULLIF compare their arguments (review18b: `FIELD(MAX(e),
			// 'a', 3)`)
			switch strings.ToLower(n.Name.String()) {
			case "field", "nullif", "greatest", "least":
				var args []sqlparser.Expr
				for _, a := range n.Exprs {
					args = append(args, a)
				}
				noYear = true
				for i := 1; i < len(args); i++ {
					pair(n, args[0], args[i])
				}
				noYear = false
				// Hazard (diff18): GREATEST/LEAST over text and numbers
				// compare every argument as a DOUBLE in MariaDB
				// (`GREATEST(MIN(e), 1.5)` of an ungrouped ENUM MIN, which
				// is text, is 1.5, `LEAST('c', 1)` is 0); the evaluator
				// compared the text and answered 'a' and 1
				switch strings.ToLower(n.Name.String()) {
				case "greatest", "least":
					if mixed(f.types, args...) {
						fail(n, "%s over text and numbers (MySQL compares them all as numbers, the evaluator by their own types; CAST the text operands to a number)", strings.ToUpper(n.Name.String()))
					}
				}
			}
		case *sqlparser.BinaryExpr:
			arith(n, n.Left, n.Right)
		case *sqlparser.UnaryExpr:
			if n.Operator == sqlparser.UMinusOp || n.Operator == sqlparser.TildaOp {
				arith(n, n.Expr)
			}
		}
		return err == nil, nil
	}, f.cond)
	return err
}

// isText reports whether x is text by its form: a string literal, NULL,
// or a text, ENUM or SET column.
func isText(x sqlparser.Expr, types []sqltypes.Type) bool {
	switch v := x.(type) {
	case *sqlparser.Literal:
		return v.Type == sqlparser.StrVal
	case *sqlparser.NullVal:
		return true
	case *sqlparser.CollateExpr:
		return isText(v.Expr, types)
	case *sqlparser.ColName:
		n, ok := evalenv.Offset(v)
		if !ok || n < 0 || n >= len(types) {
			return false
		}
		t := types[n]
		return sqltypes.IsText(t) || t == sqltypes.Enum || t == sqltypes.Set
	}
	return false
}

// constant reports whether x reads no column.
func constant(x sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if _, ok := n.(*sqlparser.ColName); ok {
			found = true
		}
		return !found, nil
	}, x)
	return !found
}

// fourDigits reports whether x is NULL or an integer literal (or a string
// of digits) of 100 or more, which MySQL compares with a YEAR as the
// number it is.
func fourDigits(x sqlparser.Expr) bool {
	switch v := x.(type) {
	case *sqlparser.NullVal:
		return true
	case *sqlparser.Literal:
		if v.Type != sqlparser.IntVal && v.Type != sqlparser.StrVal {
			return false
		}
		n, err := strconv.ParseInt(v.Val, 10, 64)
		return err == nil && n >= 100
	}
	return false
}

// binSort reports a binary collation of a character set (utf8mb4_bin),
// which wins when two columns' collations differ.
func binSort(id collations.ID) bool {
	return strings.HasSuffix(collationEnv.LookupName(id), "_bin")
}

// unplaceheld prints e with its placeholder columns as #n.
func unplaceheld(e sqlparser.Expr) string {
	return strings.ReplaceAll(sqlparser.String(e), evalenv.ColumnPrefix, "#")
}

// fractionalTemporal refuses arithmetic with a DATETIME, TIMESTAMP or
// TIME value of fractional seconds (dt + 0 of a DATETIME(6)): MySQL
// computes with the DECIMAL the value reads as (20250301100000.001500),
// the evaluator fails ("temporal type with non-zero precision").
// Arithmetic with whole-second values (MAX(d) - MIN(d)) it computes as
// MySQL does.
func fractionalTemporal(f *evaluator, err error) error {
	return fmt.Errorf("%w: %s %s above merged rows: arithmetic with a temporal value of fractional seconds (%v; compute it in the derived table)", ErrUnsupported, f.what, unplaceheld(f.cond), err)
}

// outOfRange refuses a value out of its type's range (BIGINT UNSIGNED
// arithmetic below zero: BIT_XOR(x) - COUNT(*)). MariaDB fails with
// error 1690 where it evaluates the expression for the result, but not
// always where it sorts by it (ORDER BY ABS(BIT_XOR(x) - COUNT(*))
// answers): which one the statement meets depends on where MariaDB
// evaluates it, so it is refused rather than failed with the
// evaluator's error.
func outOfRange(f *evaluator, err error) error {
	return fmt.Errorf("%w: %s %s above merged rows: %v (MariaDB fails or answers depending on where it evaluates it; CAST the unsigned operands AS SIGNED)", ErrUnsupported, f.what, unplaceheld(f.cond), err)
}

// mixed reports whether xs hold both text (isText) and numbers (numeric
// literals or numeric columns): MySQL's BETWEEN then compares all three
// as DOUBLE.
func mixed(types []sqltypes.Type, xs ...sqlparser.Expr) bool {
	text, num := false, false
	for _, x := range xs {
		switch v := x.(type) {
		case *sqlparser.Literal:
			switch v.Type {
			case sqlparser.IntVal, sqlparser.FloatVal, sqlparser.DecimalVal, sqlparser.HexNum:
				num = true
			}
		case *sqlparser.ColName:
			if n, ok := evalenv.Offset(v); ok && n >= 0 && n < len(types) && sqltypes.IsNumber(types[n]) {
				num = true
			}
		}
		if isText(x, types) {
			if _, null := x.(*sqlparser.NullVal); !null {
				text = true
			}
		}
	}
	return text && num
}
