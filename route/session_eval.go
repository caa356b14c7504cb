package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// Session variables that change what the operators above the nodes would
// compute.
//
// Hazard (found by the round-11 attack): merge and the evaluator above the
// nodes compute with the servers' defaults, not the session's settings:
//   - div_precision_increment: a merged AVG (the summed SUMs over the
//     summed COUNTs) and DECIMAL / have 4 digits more scale. After SET
//     div_precision_increment = 8 one MariaDB answers AVG(n) with 8
//     (4.41600791); shardsql answered 4.4160;
//   - lc_time_names: DATE_FORMAT(dt, '%a %b') over a CTE's rows answered
//     'Mon Apr' where one MariaDB under de_DE answers 'Mo Apr';
//   - default_week_format: WEEK(dt) over a derived table's rows answered
//     mode 0's week (14) where one MariaDB under format 3 answers 15.
//
// So the driver remembers a SET of such a variable to another value than
// its default (Plan.SetsEval, EvalDefault) and refuses the statements that
// may compute with it above the nodes (Plan.EvalAbove); statements that
// run whole on one node compute there, with the session's settings, and
// still run.

// EvalVars is a set of session variables that change what the operators
// above the nodes compute.
type EvalVars uint8

const (
	// EvalDivPrecision is div_precision_increment (default 4).
	EvalDivPrecision EvalVars = 1 << iota
	// EvalTimeNames is lc_time_names (default en_US).
	EvalTimeNames
	// EvalWeekFormat is default_week_format (default 0).
	EvalWeekFormat
)

// Names lists the variables of v.
func (v EvalVars) Names() []string {
	var out []string
	for _, e := range []struct {
		bit  EvalVars
		name string
	}{{EvalDivPrecision, "div_precision_increment"}, {EvalTimeNames, "lc_time_names"}, {EvalWeekFormat, "default_week_format"}} {
		if v&e.bit != 0 {
			out = append(out, e.name)
		}
	}
	return out
}

// EvalVarsOther returns the EvalVars whose values, given in the order
// div_precision_increment, lc_time_names, default_week_format (as a server
// reports them), are not MariaDB's compiled-in defaults, which the
// operators above the nodes compute with. nil (the server did not say)
// is none.
//
// Hazard (round 11's left item, found again by the round-12 attack): a
// server started with another global (or a DSN that sets the variable at
// connect) answers every session differently without any SET; the driver
// reads the values a new connection has and those DEFAULT restores
// (schema.Source.EvalSession, EvalGlobal).
func EvalVarsOther(values []string) EvalVars {
	var out EvalVars
	for i, bit := range []EvalVars{EvalDivPrecision, EvalTimeNames, EvalWeekFormat} {
		if i < len(values) && lowerASCII(values[i]) != evalDefaults[i] {
			out |= bit
		}
	}
	return out
}

// evalDefaults are the compiled-in defaults of div_precision_increment,
// lc_time_names and default_week_format, lower case.
var evalDefaults = [...]string{"4", "en_us", "0"}

// evalVarsSet returns the EvalVars a SET assigns, those among them it
// sets to their compiled-in defaults (MariaDB's and MySQL's: 4, en_US, 0;
// or DEFAULT), and those it sets to DEFAULT, the servers' global value,
// which the driver checks against the globals it read. Any other value,
// or one shardsql cannot read (a ? argument), counts as another setting.
func evalVarsSet(set *sqlparser.Set) (sets, isDefault, toGlobal EvalVars) {
	for _, e := range set.Exprs {
		if e.Var.Scope != sqlparser.NoScope && e.Var.Scope != sqlparser.SessionScope {
			continue
		}
		var bit EvalVars
		var def string
		switch e.Var.Name.Lowered() {
		case "div_precision_increment":
			bit, def = EvalDivPrecision, evalDefaults[0]
		case "lc_time_names":
			bit, def = EvalTimeNames, evalDefaults[1]
		case "default_week_format":
			bit, def = EvalWeekFormat, evalDefaults[2]
		default:
			continue
		}
		sets |= bit
		isDefault &^= bit
		toGlobal &^= bit
		switch v := e.Expr.(type) {
		case *sqlparser.Default:
			isDefault |= bit
			toGlobal |= bit
		case *sqlparser.Literal:
			if lowerASCII(v.Val) == def {
				isDefault |= bit
			}
		}
	}
	return sets, isDefault, toGlobal
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// evalAbove returns the EvalVars that p, a plan of stmt, may compute with
// above the nodes. Only a plan that combines node rows (operators, a deep
// page, several units) can; then an AVG counts, and a / or DIV, a
// locale-dependent date function (DATE_FORMAT, MONTHNAME, DAYNAME,
// STR_TO_DATE) or WEEK without a mode where rows are combined above the
// nodes — in a statement that aggregates or groups, or has a derived
// table, a CTE, a join or a UNION. Conservative: the nodes may well
// compute them. Such an expression in the rows of a plain scatter is
// computed by each node with the session's settings, and passes.
func evalAbove(p *Plan, stmt sqlparser.Statement) EvalVars {
	if p == nil || p.Kind != KindSelect || (p.Root == nil && p.DeepPage == nil && len(p.Units) <= 1) {
		return 0
	}
	var always, inCombined EvalVars
	combined := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.Avg:
			always |= EvalDivPrecision
			combined = true
		case *sqlparser.BinaryExpr:
			if n.Operator == sqlparser.DivOp || n.Operator == sqlparser.IntDivOp {
				inCombined |= EvalDivPrecision
			}
		case *sqlparser.FuncExpr:
			switch n.Name.Lowered() {
			case "date_format", "monthname", "dayname", "str_to_date":
				inCombined |= EvalTimeNames
			case "week":
				if len(n.Exprs) < 2 {
					inCombined |= EvalWeekFormat
				}
			}
		case sqlparser.AggrFunc:
			combined = true
		case *sqlparser.GroupBy:
			combined = combined || (n != nil && len(n.Exprs) > 0)
		case *sqlparser.DerivedTable, *sqlparser.With, *sqlparser.JoinTableExpr, *sqlparser.Union:
			combined = true
		}
		return true, nil
	}, stmt)
	if combined {
		return always | inCombined
	}
	return always
}
