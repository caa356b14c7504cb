package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (review22): the MIN/MAX inexact-bound check judged only literals
// and arguments, but MariaDB folds any constant bound before its one index
// lookup: MAX(k), COUNT(*) … WHERE k BETWEEN 0 AND 199/2 (or 99.5 + 0,
// CAST(99.5 AS DECIMAL(4,1)), -(-99.5), 99.5 COLLATE …, _utf8mb4'99.5')
// said NULL, 0 on one table and 99, 2 through shardsql. A bound of an
// integer or DECIMAL column that holds no column reference and that
// shardsql cannot read is judged inexact unless it is plainly an integer
// (integer literals, TRUE, FALSE and arguments under + - * DIV %, a CAST to an
// integer, UNIX_TIMESTAMP()): those the column holds as they are. Time
// columns are left to the literal check: a temporal expression
// (NOW() - INTERVAL 1 DAY, TIMESTAMP'…') is compared as a time by the
// lookup, and such bounds agreed with one table.

// computedBoundInexact reports a bound v of an integer or DECIMAL column
// that MariaDB folds to a constant of its own and that is not plainly an
// integer.
func (s *statement) computedBoundInexact(v sqlparser.Expr) bool {
	constant := true
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if _, ok := n.(*sqlparser.ColName); ok {
			constant = false // a column: no constant bound for the lookup
		}
		return constant, nil
	}, v)
	return constant && !s.integralExpr(v)
}

// integralExpr reports an expression whose value is an integer whatever
// its operands' values: integer literals and integer arguments combined by
// + - * DIV % and unary minus or plus, a CAST or CONVERT to an integer
// type, UNIX_TIMESTAMP() without an argument.
func (s *statement) integralExpr(e sqlparser.Expr) bool {
	switch e := e.(type) {
	case *sqlparser.Literal:
		return e.Type == sqlparser.IntVal || e.Type == sqlparser.HexNum
	case sqlparser.BoolVal:
		return true // TRUE is 1, FALSE 0 (ORMs' soft-delete and flag columns)
	case *sqlparser.Argument:
		v, ok := s.value(e)
		if !ok {
			return false
		}
		_, isInt := goInteger(v)
		return isInt
	case *sqlparser.UnaryExpr:
		return (e.Operator == sqlparser.UMinusOp || e.Operator == sqlparser.UPlusOp) && s.integralExpr(e.Expr)
	case *sqlparser.BinaryExpr:
		switch e.Operator {
		case sqlparser.PlusOp, sqlparser.MinusOp, sqlparser.MultOp, sqlparser.IntDivOp, sqlparser.ModOp:
			return s.integralExpr(e.Left) && s.integralExpr(e.Right)
		}
	case *sqlparser.CastExpr:
		return e.Type != nil && integerCast(e.Type.Type)
	case *sqlparser.ConvertExpr:
		return e.Type != nil && integerCast(e.Type.Type)
	case *sqlparser.FuncExpr:
		return e.Name.Lowered() == "unix_timestamp" && len(e.Exprs) == 0
	}
	return false
}

// integerCast reports a CAST target type that is an integer.
func integerCast(t string) bool {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "signed", "unsigned", "signed integer", "unsigned integer", "integer", "int":
		return true
	}
	return false
}
