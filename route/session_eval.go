package route

import (
	"strconv"
	"strings"

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
//     mode 0's week (14) where one MariaDB under format 3 answers 15;
//   - time_zone (found by review17b): after SET time_zone = '+05:00',
//     SELECT g, UNIX_TIMESTAMP(MAX(dt6)) … GROUP BY g answered the
//     evaluator's epoch seconds (the process's local zone), 18000 more
//     than one MariaDB; FROM_UNIXTIME(MAX(id)) formatted the hour 00
//     where the server says 05. The evaluator has no session zone; the
//     servers' default, SYSTEM, is taken to be the zone it computes in
//     (the process's and the servers' machines are assumed to agree: a
//     server whose system zone differs is not seen);
//   - collation_connection (found by review20a): string literals take the
//     connection's collation; the evaluator gives those not compared with a
//     column go-sql-driver's utf8mb4_general_ci. After SET NAMES utf8mb4
//     COLLATE utf8mb4_unicode_ci, HAVING IF(COUNT(*) > 0, 'ß', 'x') = 'ss'
//     kept every group on one MariaDB and none through shardsql; after SET
//     collation_connection = 'utf8mb4_bin', IF(…, 'a', 'x') = 'A' was 1.
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
	// EvalTimeZone is time_zone (default SYSTEM).
	EvalTimeZone
	// EvalUnsignedSub is NO_UNSIGNED_SUBTRACTION in sql_mode (default
	// off): a subtraction computed above the nodes. Not a variable of its
	// own: the driver checks the session's sql_mode (Plan.EvalAbove).
	//
	// Hazard (found by review17b): under SET sql_mode =
	// 'NO_UNSIGNED_SUBTRACTION' one MariaDB subtracts BIGINT UNSIGNED
	// values as signed ones: MAX(u) - MIN(u) and MAX(u) - 1 over 2⁶⁴−1
	// fail with 1690, and a result in range is typed BIGINT, not BIGINT
	// UNSIGNED; the evaluator above the nodes subtracted them unsigned
	// and answered.
	EvalUnsignedSub
	// EvalCollation is collation_connection (go-sql-driver's default
	// utf8mb4_general_ci): the collation of string literals computed above
	// the nodes other than as operands compared with a column.
	EvalCollation
	// EvalSortLength is max_sort_length (default 1024) below its default:
	// MariaDB sorts text by fewer characters than the merges assume
	// (merge.SortPrefixChars), so ordering, grouping or DISTINCT across
	// nodes is refused.
	EvalSortLength
)

// evalBits are the EvalVars in the order of evalDefaults and of the values
// a server reports (schema.Source.EvalSession).
var evalBits = [...]EvalVars{EvalDivPrecision, EvalTimeNames, EvalWeekFormat, EvalTimeZone, EvalCollation, EvalSortLength}

// evalNames are the variables' names, in evalBits' order.
var evalNames = [...]string{"div_precision_increment", "lc_time_names", "default_week_format", "time_zone", "collation_connection", "max_sort_length"}

// Names lists the variables of v.
func (v EvalVars) Names() []string {
	var out []string
	for i, bit := range evalBits {
		if v&bit != 0 {
			out = append(out, evalNames[i])
		}
	}
	return out
}

// EvalVarsOther returns the EvalVars whose values, given in the order
// div_precision_increment, lc_time_names, default_week_format, time_zone,
// collation_connection, max_sort_length (as a server reports them; a
// shorter list leaves the rest unknown, taken as the default), are not
// MariaDB's compiled-in defaults, which the operators above the nodes
// compute with (max_sort_length: below 1024). nil (the server did not
// say) is none.
//
// Hazard (round 11's left item, found again by the round-12 attack): a
// server started with another global (or a DSN that sets the variable at
// connect) answers every session differently without any SET; the driver
// reads the values a new connection has and those DEFAULT restores
// (schema.Source.EvalSession, EvalGlobal).
func EvalVarsOther(values []string) EvalVars {
	var out EvalVars
	for i, bit := range evalBits {
		if i >= len(values) {
			continue
		}
		if bit == EvalSortLength {
			if !sortLengthFits(values[i]) {
				out |= bit
			}
			continue
		}
		if lowerASCII(values[i]) != evalDefaults[i] {
			out |= bit
		}
	}
	return out
}

// sortLengthFits reports a max_sort_length of at least its default 1024,
// which sorts by at least the characters the merges compare exactly.
func sortLengthFits(v string) bool {
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	return err == nil && n >= 1024
}

// evalDefaults are the compiled-in defaults of div_precision_increment,
// lc_time_names, default_week_format, time_zone, collation_connection (as
// go-sql-driver sets it) and max_sort_length, lower case.
var evalDefaults = [...]string{"4", "en_us", "0", "system", "utf8mb4_general_ci", "1024"}

// evalVarsSet returns the EvalVars a SET assigns, those among them it
// sets to their compiled-in defaults (MariaDB's and MySQL's: 4, en_US, 0;
// or DEFAULT), and those it sets to DEFAULT, the servers' global value,
// which the driver checks against the globals it read. Any other value,
// or one shardsql cannot read (a ? argument), counts as another setting.
//
// SET NAMES, SET CHARACTER SET and character_set_connection set
// collation_connection too: SET NAMES utf8mb4 and character_set_connection
// = utf8mb4 to utf8mb4's default collation (MariaDB 10.11's
// utf8mb4_general_ci, the default here); SET NAMES … COLLATE (which the
// parser drops: sql tells), SET CHARACTER SET (the database's collation)
// and anything else count as another setting.
func evalVarsSet(set *sqlparser.Set, sql string) (sets, isDefault, toGlobal EvalVars) {
	for _, e := range set.Exprs {
		if e.Var.Scope != sqlparser.NoScope && e.Var.Scope != sqlparser.SessionScope {
			continue
		}
		switch name := e.Var.Name.Lowered(); name {
		case "names", "charset", "character_set_connection":
			sets |= EvalCollation
			isDefault &^= EvalCollation
			toGlobal &^= EvalCollation
			if name != "charset" && isUTF8MB4(e.Expr) && (name != "names" || !containsFold(sql, "collate")) {
				isDefault |= EvalCollation
			}
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
		case "time_zone":
			bit, def = EvalTimeZone, evalDefaults[3]
		case "collation_connection":
			bit, def = EvalCollation, evalDefaults[4]
		case "max_sort_length":
			bit, def = EvalSortLength, evalDefaults[5]
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
			if lowerASCII(v.Val) == def || bit == EvalSortLength && sortLengthFits(v.Val) {
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
	combined, derived := false, false
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
			if n != nil && len(n.Exprs) > 0 {
				inCombined |= EvalSortLength
			}
		case sqlparser.OrderBy:
			if len(n) > 0 {
				// a merge sort of the nodes' ordered streams, even
				// without other combining
				always |= EvalSortLength
			}
		case *sqlparser.Select:
			if n.Distinct {
				always |= EvalSortLength
			}
		case *sqlparser.OverClause:
			inCombined |= EvalSortLength
		case *sqlparser.DerivedTable, *sqlparser.With:
			combined, derived = true, true
		case *sqlparser.JoinTableExpr, *sqlparser.Union:
			combined = true
		}
		return true, nil
	}, stmt)
	// an outer WHERE over a derived table or a CTE may be evaluated above
	// the nodes; one over tables is the nodes'
	inCombined |= zoneCalls(stmt, !derived)
	inCombined |= subtractions(stmt, !derived)
	inCombined |= textLiterals(stmt, !derived)
	if combined {
		return always | inCombined
	}
	return always
}

// zoneCalls returns EvalTimeZone when e calls a function whose value
// depends on the session's time_zone: UNIX_TIMESTAMP of an argument,
// FROM_UNIXTIME, CONVERT_TZ (its 'SYSTEM'), and the current date and time
// but UTC's. A WHERE clause of a SELECT over tables (not a derived table)
// is evaluated by the nodes, in the session's zone: evalAbove counts its
// calls only where the statement has a derived table or a CTE (skipWhere
// false), so that a grouped read filtering on NOW() under SET time_zone =
// '+00:00' runs; an aggregate's argument likewise (MAX(UNIX_TIMESTAMP(ts))
// is the nodes'). A subquery inside such a WHERE is walked: shardsql may
// read and combine it before the nodes run.
func zoneCalls(e sqlparser.SQLNode, skipWhere bool) EvalVars {
	return aboveWalk(e, skipWhere, zoneCall)
}

// subtractions returns EvalUnsignedSub when e subtracts where rows are
// combined (the places zoneCalls counts).
func subtractions(e sqlparser.SQLNode, skipWhere bool) EvalVars {
	return aboveWalk(e, skipWhere, func(n sqlparser.SQLNode) EvalVars {
		if b, ok := n.(*sqlparser.BinaryExpr); ok && b.Operator == sqlparser.MinusOp {
			return EvalUnsignedSub
		}
		return 0
	})
}

// textLiterals returns EvalCollation when e compares a string literal
// where rows are combined (the places zoneCalls counts), other than one
// compared directly with a column or an aggregate, whose collation the
// evaluator gives it (a column's collation wins over a literal's).
func textLiterals(e sqlparser.SQLNode, skipWhere bool) EvalVars {
	compared := map[*sqlparser.Literal]bool{}
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		mark := func(col, other sqlparser.Expr) {
			switch col.(type) {
			case *sqlparser.ColName, sqlparser.AggrFunc:
			default:
				return
			}
			switch o := other.(type) {
			case *sqlparser.Literal:
				compared[o] = true
			case sqlparser.ValTuple:
				for _, x := range o {
					if lit, ok := x.(*sqlparser.Literal); ok {
						compared[lit] = true
					}
				}
			}
		}
		switch n := n.(type) {
		case *sqlparser.ComparisonExpr:
			mark(n.Left, n.Right)
			mark(n.Right, n.Left)
		case *sqlparser.BetweenExpr:
			mark(n.Left, n.From)
			mark(n.Left, n.To)
		}
		return true, nil
	}, e)
	return aboveWalk(e, skipWhere, func(n sqlparser.SQLNode) EvalVars {
		if !comparesAt(n) {
			return 0
		}
		var out EvalVars
		_ = sqlparser.Walk(func(m sqlparser.SQLNode) (bool, error) {
			if lit, ok := m.(*sqlparser.Literal); ok && lit.Type == sqlparser.StrVal && !compared[lit] {
				out = EvalCollation
			}
			return out == 0, nil
		}, n)
		return out
	})
}

// comparesAt reports a node that compares text by its collation: a
// comparison (LIKE and IN too), BETWEEN, CASE, or a function comparing its
// arguments. A literal outside all of them (DATE_FORMAT's format, a
// CONCAT's piece that is only returned) does not depend on it.
func comparesAt(n sqlparser.SQLNode) bool {
	switch n := n.(type) {
	case *sqlparser.ComparisonExpr, *sqlparser.BetweenExpr, *sqlparser.CaseExpr:
		return true
	case *sqlparser.FuncExpr:
		switch n.Name.Lowered() {
		case "greatest", "least", "strcmp", "nullif", "field", "find_in_set", "locate", "instr", "position", "interval":
			return true
		}
	case *sqlparser.LocateExpr:
		return true
	}
	return false
}

// aboveWalk ORs what call returns for the nodes of e, skipping with
// skipWhere the WHERE clauses (but the subqueries in them) and aggregate
// arguments, which the nodes compute over tables.
func aboveWalk(e sqlparser.SQLNode, skipWhere bool, call func(sqlparser.SQLNode) EvalVars) EvalVars {
	var out EvalVars
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.Where:
			if skipWhere && n != nil && n.Type == sqlparser.WhereClause {
				// the nodes evaluate the condition; a subquery in it may be
				// read and combined first
				_ = sqlparser.Walk(func(m sqlparser.SQLNode) (bool, error) {
					if sq, ok := m.(*sqlparser.Subquery); ok {
						out |= aboveWalk(sq.Select, skipWhere, call)
						return false, nil
					}
					return true, nil
				}, n.Expr)
				return false, nil
			}
		case sqlparser.AggrFunc:
			if skipWhere {
				// over tables, the nodes compute an aggregate's argument
				return false, nil
			}
		}
		out |= call(n)
		return true, nil
	}, e)
	return out
}

// zoneCall returns EvalTimeZone for a call zoneCalls counts.
func zoneCall(n sqlparser.SQLNode) EvalVars {
	var out EvalVars
	switch n := n.(type) {
	case *sqlparser.CurTimeFuncExpr:
		if !strings.HasPrefix(n.Name.Lowered(), "utc_") {
			out = EvalTimeZone
		}
	case *sqlparser.FuncExpr:
		switch n.Name.Lowered() {
		case "unix_timestamp":
			if len(n.Exprs) > 0 {
				out = EvalTimeZone
			}
		case "from_unixtime", "convert_tz", "curdate", "current_date":
			out = EvalTimeZone
		}
	}
	return out
}
