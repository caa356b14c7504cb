package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// Division above the nodes and the session's div_precision_increment.
//
// Hazard (found by the round-11 attack): merge computes a merged AVG (the
// summed SUMs over the summed COUNTs) and the evaluator's DECIMAL / with
// MySQL's default increment, 4 digits of scale. After SET
// div_precision_increment = 8 one MariaDB answers AVG(n) over all rows
// with 8 (4.41600791); shardsql answered 4.4160. The increment is session
// state the operators above the nodes do not read, so the driver
// remembers a SET of another increment (Plan.SetsDivPrecision) and
// refuses the statements that may divide above the nodes
// (Plan.DividesAbove); statements that run whole on one node divide
// there, with the session's increment, and still run.

// divPrecisionSet reports whether a SET assigns div_precision_increment,
// and whether the value is 4 or DEFAULT (the servers' default; MariaDB's
// and MySQL's is 4). Any other value, or one shardsql cannot read, counts
// as another increment.
func divPrecisionSet(set *sqlparser.Set) (sets, isDefault bool) {
	for _, e := range set.Exprs {
		if e.Var.Scope != sqlparser.NoScope && e.Var.Scope != sqlparser.SessionScope {
			continue
		}
		if e.Var.Name.Lowered() != "div_precision_increment" {
			continue
		}
		sets = true
		switch v := e.Expr.(type) {
		case *sqlparser.Default:
			isDefault = true
		case *sqlparser.Literal:
			isDefault = v.Type == sqlparser.IntVal && v.Val == "4"
		default:
			isDefault = false
		}
	}
	return sets, isDefault
}

// dividesAbove reports whether p, a plan of stmt, may divide above the
// nodes: it combines node rows (operators, a deep page, several units) and
// the statement has an AVG, or a / or DIV where rows are combined above
// the nodes — in a statement that aggregates or groups (the quotient of
// merged aggregates, a HAVING or ORDER BY over them), or that has a
// derived table, a CTE, a join or a UNION (expressions over merged rows).
// A / in the rows of a plain scatter is computed by each node with the
// session's increment, and passes.
func dividesAbove(p *Plan, stmt sqlparser.Statement) bool {
	if p == nil || p.Kind != KindSelect || (p.Root == nil && p.DeepPage == nil && len(p.Units) <= 1) {
		return false
	}
	avg, div, combined := false, false, false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.Avg:
			avg = true
		case sqlparser.AggrFunc:
			combined = true
		case *sqlparser.BinaryExpr:
			if n.Operator == sqlparser.DivOp || n.Operator == sqlparser.IntDivOp {
				div = true
			}
		case *sqlparser.GroupBy:
			combined = combined || (n != nil && len(n.Exprs) > 0)
		case *sqlparser.DerivedTable, *sqlparser.With, *sqlparser.JoinTableExpr, *sqlparser.Union:
			combined = true
		}
		return !avg, nil
	}, stmt)
	return avg || div && combined
}
