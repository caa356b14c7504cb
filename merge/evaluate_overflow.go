package merge

import (
	"fmt"
	"math"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/sqltypes"
	"vitess.io/vitess/go/vt/sqlparser"
	"vitess.io/vitess/go/vt/vtgate/evalengine"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// The hazard: MariaDB checks every DOUBLE it computes and fails with
// error 1690 ("DOUBLE value is out of range in …") when an addition,
// subtraction or multiplication gives ±infinity, and when EXP or POW
// overflows. The evaluator checks only division: `x.f * 1e300 * 1e10`
// above merged rows answered +Inf, `WHERE a.fk * 1e308 > b.fk` kept the
// rows, `ORDER BY f * 1e308 * 10` sorted them, and EXP(1000) answered
// NULL, where the one server fails the statement. So an expression that
// computes with doubles has its arithmetic and EXP/POW subexpressions
// evaluated again for each row, and one that overflows refuses the
// statement (the caller learns what MariaDB would have said).
//
// A subexpression in a branch MariaDB would not take (CASE, IF) is checked
// too: that refuses a statement MariaDB answers, which is the safe side.

// overflowCheck is one subexpression whose DOUBLE result is checked.
type overflowCheck struct {
	expr sqlparser.Expr
	eval evalengine.Expr   // the subexpression (arithmetic)
	args []evalengine.Expr // EXP's or POW's arguments (fn set)
	fn   string            // "exp" or "pow"; "" for arithmetic
}

// overflowChecks returns the checks for cond, or none when cond computes
// no double (no FLOAT/DOUBLE column, float literal, EXP or POW).
func (f *evaluator) overflowChecks(cond sqlparser.Expr, cfg *evalengine.Config) []overflowCheck {
	if !f.computesDoubles(cond) {
		return nil
	}
	icfg := *cfg
	icfg.NoCompilation = true
	translate := func(e sqlparser.Expr) evalengine.Expr {
		x, err := evalengine.Translate(e, &icfg)
		if err != nil {
			return nil
		}
		return x
	}
	var out []overflowCheck
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		switch n := node.(type) {
		case *sqlparser.BinaryExpr:
			switch n.Operator {
			case sqlparser.PlusOp, sqlparser.MinusOp, sqlparser.MultOp:
				if x := translate(n); x != nil {
					out = append(out, overflowCheck{expr: n, eval: x})
				}
			}
		case *sqlparser.FuncExpr:
			name := n.Name.Lowered()
			want := map[string]int{"exp": 1, "pow": 2, "power": 2}[name]
			if want == 0 || len(n.Exprs) != want {
				return true, nil
			}
			c := overflowCheck{expr: n, fn: name}
			for _, a := range n.Exprs {
				x := translate(a)
				if x == nil {
					return true, nil
				}
				c.args = append(c.args, x)
			}
			out = append(out, c)
		}
		return true, nil
	}, cond)
	return out
}

// computesDoubles reports whether cond reads a FLOAT/DOUBLE column, holds
// a float literal, or calls EXP or POW.
func (f *evaluator) computesDoubles(cond sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		switch n := node.(type) {
		case *sqlparser.Literal:
			found = found || n.Type == sqlparser.FloatVal
		case *sqlparser.ColName:
			if i, ok := evalenv.Offset(n); ok && i >= 0 && i < len(f.types) {
				found = found || f.types[i] == sqltypes.Float64 || f.types[i] == sqltypes.Float32
			}
		case *sqlparser.FuncExpr:
			switch n.Name.Lowered() {
			case "exp", "pow", "power":
				found = true
			}
		}
		return !found, nil
	}, cond)
	return found
}

// checkOverflow evaluates f.overflow on the current row (f.env.Row) and
// refuses the statement when one gives a DOUBLE out of range.
func (f *evaluator) checkOverflow() error {
	for _, c := range f.overflow {
		if c.fn == "" {
			res, err, ok := f.try(c.eval)
			if !ok || err != nil {
				continue // the whole expression evaluated: not reached there
			}
			if v := res.Value(collations.Unknown); v.Type() == sqltypes.Float64 {
				if x, err := v.ToFloat64(); err == nil && (math.IsInf(x, 0) || math.IsNaN(x)) {
					return f.doubleOutOfRange(c.expr)
				}
			}
			continue
		}
		var xs []float64
		for _, a := range c.args {
			res, err, ok := f.try(a)
			if !ok || err != nil {
				break
			}
			v := res.Value(collations.Unknown)
			x, err := v.ToFloat64()
			if v.IsNull() || err != nil {
				break
			}
			xs = append(xs, x)
		}
		if len(xs) != len(c.args) {
			continue
		}
		var r float64
		if c.fn == "exp" {
			r = math.Exp(xs[0])
		} else {
			r = math.Pow(xs[0], xs[1])
		}
		if math.IsInf(r, 0) || math.IsNaN(r) { // POW(-8, 0.5): MariaDB's 1690 too
			return f.doubleOutOfRange(c.expr)
		}
	}
	return nil
}

func (f *evaluator) doubleOutOfRange(e sqlparser.Expr) error {
	return fmt.Errorf("%w: %s %s above merged rows: DOUBLE value is out of range in '%s' (MariaDB fails with error 1690; compute it in the nodes' statement, or keep the value in range)", ErrUnsupported, f.what, unplaceheld(f.cond), unplaceheld(e))
}
