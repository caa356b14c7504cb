package merge

import (
	"fmt"
	"strconv"
	"strings"

	"vitess.io/vitess/go/sqltypes"
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// maxDecimals is MariaDB's DECIMAL_MAX_SCALE: no DECIMAL expression has
// more digits after the point.
const maxDecimals = 38

// roundCompared rewrites the comparisons of cond whose operands hold an
// AVG quotient with MySQL's internal digits (f.quotients) so that each
// such operand is rounded to the decimals MariaDB declares for it.
//
// Hazard (review20c): MariaDB computes with an AVG's internal digits
// (AVG(k) of 11/6 is 1.833333333 inside an expression: AVG(k) * 6 is
// 10.999999998) but its comparator rounds each DECIMAL operand to the
// operand's declared decimals, half away from zero, before it compares
// (Arg_comparator::compare_decimal and compare_e_decimal:
// round_self_if_needed): `AVG(k) = 1.8333` is true, `AVG(k) > 1.83333`
// false, `AVG(k) * 6 = 11` true (10.999999998 rounded to the product's 4
// decimals). The merge compared the internal digits, so HAVING AVG(k) =
// 1.8333 dropped the group and AVG(k) <> 1.8333 kept it. What rounds:
// =, <>, <, <=, >, >=, <=> and an IN / NOT IN of one value (MariaDB
// rewrites it to = / <>); what does not: IN of several values and BETWEEN
// (cmp_item_decimal and the BETWEEN comparator read the internal value),
// which are left as they are. An operand whose decimals cannot be told
// here (a function over the average) is refused. With f.roundRoot (a
// select item Evaluate computes) the value itself is rounded too.
func (f *evaluator) roundCompared(cond sqlparser.Expr) (out sqlparser.Expr, err error) {
	if len(f.quotients) == 0 && len(f.avgs) == 0 {
		return cond, nil
	}
	round := func(x sqlparser.Expr) sqlparser.Expr {
		if err != nil || !f.holdsQuotient(x) {
			return x
		}
		d, ok := f.decimals(x)
		if !ok {
			err = fmt.Errorf("%w: %s %s across nodes: a comparison of %s, an expression over an AVG whose decimals the merge cannot tell (MariaDB rounds a compared DECIMAL to its declared decimals; compare AVG(x) or arithmetic over it and literals)", ErrUnsupported, f.what, unplaceheld(f.cond), unplaceheld(x))
			return x
		}
		return &sqlparser.FuncExpr{Name: sqlparser.NewIdentifierCI("round"), Exprs: []sqlparser.Expr{x, sqlparser.NewIntLiteral(strconv.Itoa(d))}}
	}
	if f.roundRoot {
		// the select item's value itself, as MariaDB sends it: rounded
		// to its decimals (AVG(t.k) * 6: 11.0000, not 10.999999998)
		defer func() {
			if err == nil {
				out = round(out)
			}
		}()
	}
	cond = sqlparser.Rewrite(cond, nil, func(c *sqlparser.Cursor) bool {
		n, ok := c.Node().(*sqlparser.ComparisonExpr)
		if !ok {
			return true
		}
		switch n.Operator {
		case sqlparser.EqualOp, sqlparser.NotEqualOp, sqlparser.LessThanOp, sqlparser.LessEqualOp,
			sqlparser.GreaterThanOp, sqlparser.GreaterEqualOp, sqlparser.NullSafeEqualOp:
			f.checkCompared(n, n.Left, n.Right, &err)
			n.Left, n.Right = round(n.Left), round(n.Right)
		case sqlparser.InOp, sqlparser.NotInOp:
			if tuple, ok := n.Right.(sqlparser.ValTuple); ok && len(tuple) == 1 {
				f.checkCompared(n, n.Left, tuple[0], &err)
				n.Left = round(n.Left)
				tuple[0] = round(tuple[0])
			}
		}
		return true
	}).(sqlparser.Expr)
	return cond, err
}

// checkCompared sets *err when comparison n rounds one operand holding an
// AVG quotient while the other, l or r, is not known to compare as a
// DECIMAL.
//
// Hazard (round 21): MariaDB rounds the AVG to its declared decimals only
// when it compares DECIMALs (Arg_comparator::compare_decimal). Against a
// DOUBLE — a FLOAT or DOUBLE value, CAST(… AS DOUBLE), a function
// answering a DOUBLE — it compares doubles (compare_real) with the AVG's
// internal digits: HAVING AVG(k) = CAST(1.8333 AS DOUBLE) is false for
// 11/6 where the merge, rounding, said true (HAVING a = 1.8333e0 through a
// select alias too). The other operand must be a DECIMAL or integer
// (decimals tells it), another rounded quotient, a string literal (MariaDB
// compares it with the DECIMAL as a DECIMAL, rounded, as review20c pins),
// or NULL; anything else is refused. A float literal or column in the
// comparison is refused earlier (decimalDivInFloat).
func (f *evaluator) checkCompared(n *sqlparser.ComparisonExpr, l, r sqlparser.Expr, err *error) {
	if *err != nil {
		return
	}
	lq, rq := f.holdsAvg(l), f.holdsAvg(r)
	other := r
	switch {
	case lq && rq, !lq && !rq:
		return
	case rq:
		other = l
	}
	if _, ok := f.decimals(other); ok {
		return
	}
	if lit, ok := other.(*sqlparser.Literal); ok && lit.Type == sqlparser.StrVal {
		return
	}
	if _, ok := other.(*sqlparser.NullVal); ok {
		return
	}
	*err = fmt.Errorf("%w: %s %s across nodes: %s compares an AVG with %s, whose type the merge cannot tell as DECIMAL (MariaDB compares an AVG with a DOUBLE by its internal digits, with a DECIMAL rounded to its decimals): compare with a DECIMAL literal or column, or CAST(%s AS DECIMAL(m,d))", ErrUnsupported, f.what, unplaceheld(f.cond), unplaceheld(n), unplaceheld(other), unplaceheld(other))
}

// holdsAvg reports whether x's value is computed from an AVG: a quotient
// (holdsQuotient) or a rounded AVG's column (f.avgs).
func (f *evaluator) holdsAvg(x sqlparser.Expr) bool {
	return f.holdsQuotient(x) || f.holdsMarked(x, f.avgs)
}

// quotientDecimals is the scale of select item x (written over the
// columns of in) when its value is computed from an AVG quotient with
// MySQL's internal digits (Evaluate rounds it there: roundRoot); false
// when it is not.
func quotientDecimals(x sqlparser.Expr, in *columns) (int64, bool, error) {
	f := evaluator{what: "select item", cond: x, types: in.sql, scales: in.scales, quotients: in.quotients}
	if !f.holdsQuotient(x) {
		return 0, false, nil
	}
	d, ok := f.decimals(x)
	if !ok {
		return 0, false, fmt.Errorf("%w: select item %s across nodes: an expression over an AVG whose decimals the merge cannot tell (select AVG(x) by itself, or arithmetic over it and literals)", ErrUnsupported, unplaceheld(x))
	}
	return int64(d), true, nil
}

// holdsQuotient reports a column of f.quotients in x whose value x's
// value is computed from: not one under a comparison or a logical
// operator, whose result is 0, 1 or NULL (the comparison itself rounded,
// the rewrite works bottom up).
func (f *evaluator) holdsQuotient(x sqlparser.Expr) bool { return f.holdsMarked(x, f.quotients) }

// holdsMarked reports a non-float column marked in marked that x's value
// is computed from, looking past no comparison or logical operator.
func (f *evaluator) holdsMarked(x sqlparser.Expr, marked map[int]bool) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.ComparisonExpr, *sqlparser.BetweenExpr, *sqlparser.IsExpr,
			*sqlparser.AndExpr, *sqlparser.OrExpr, *sqlparser.XorExpr, *sqlparser.NotExpr:
			return false, nil
		case *sqlparser.ColName:
			if i, ok := evalenv.Offset(n); ok && i < len(f.types) && marked[i] && !sqltypes.IsFloat(f.types[i]) {
				found = true
			}
		}
		return !found, nil
	}, x)
	return found
}

// decimals is the number of decimals MariaDB declares for x, a DECIMAL
// expression over an AVG quotient: an AVG's argument's scale + 4
// (div_precision_increment, the one value the session may have: see
// route.EvalDivPrecision), a column's or literal's scale, the larger of
// two operands' for + - and MOD, their sum for *, (capped at 38); false
// for anything else.
func (f *evaluator) decimals(x sqlparser.Expr) (int, bool) {
	switch x := x.(type) {
	case *sqlparser.ColName:
		n, ok := evalenv.Offset(x)
		if !ok || n >= len(f.types) {
			return 0, false
		}
		t := f.types[n]
		var s int
		if n < len(f.scales) {
			s = int(f.scales[n])
		}
		switch {
		case f.quotients[n] && t == sqltypes.Decimal:
			return min(s+4, maxDecimals), true
		case t == sqltypes.Decimal:
			return s, true
		case sqltypes.IsIntegral(t):
			return 0, true
		}
		return 0, false
	case *sqlparser.Literal:
		switch x.Type {
		case sqlparser.IntVal:
			return 0, true
		case sqlparser.DecimalVal:
			if i := strings.IndexByte(x.Val, '.'); i >= 0 {
				return len(x.Val) - i - 1, true
			}
			return 0, true
		}
		return 0, false
	case *sqlparser.UnaryExpr:
		if x.Operator != sqlparser.UMinusOp {
			return 0, false
		}
		return f.decimals(x.Expr)
	case *sqlparser.BinaryExpr:
		l, ok := f.decimals(x.Left)
		if !ok {
			return 0, false
		}
		r, ok := f.decimals(x.Right)
		if !ok {
			return 0, false
		}
		switch x.Operator {
		case sqlparser.PlusOp, sqlparser.MinusOp, sqlparser.ModOp:
			return max(l, r), true
		case sqlparser.MultOp:
			return min(l+r, maxDecimals), true
		}
		return 0, false
	}
	return 0, false
}
