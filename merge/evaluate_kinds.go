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
//   - a DATE, DATETIME, TIMESTAMP or TIME column in arithmetic: MySQL
//     computes with the number the value reads as (dt + 0 is
//     20250301100000.001500), the evaluator fails or computes otherwise;
//   - two text columns of different collations compared, neither binary:
//     MySQL fails with error 1267 (Illegal mix of collations), the
//     evaluator picks one.
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
	// pair checks one comparison of a and b.
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
				if constant(o[1]) && !fourDigits(o[1]) {
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
			case sqltypes.IsDateOrTime(t) && t != sqltypes.Year:
				fail(node, "arithmetic with a %s column (MySQL computes with the number it reads as; compute it in the derived table)", t)
			}
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
					return true, nil
				}
				pair(n, n.Left, n.Right)
			case sqlparser.LikeOp, sqlparser.NotLikeOp, sqlparser.RegexpOp, sqlparser.NotRegexpOp:
			default:
				pair(n, n.Left, n.Right)
			}
		case *sqlparser.BetweenExpr:
			pair(n, n.Left, n.From)
			pair(n, n.Left, n.To)
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
