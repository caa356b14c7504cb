package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Returning is a statement's RETURNING clause (MariaDB INSERT, REPLACE and
// DELETE … RETURNING), appended to every unit's SQL.
//
// Hazard: the SQL parser does not read RETURNING, and cutting the clause
// off by searching the text for the word would cut inside a string
// ('… returning …'), a comment or a quoted name (`returning`). The clause
// is found with the parser's own tokenizer, which skips strings, comments
// and quoted identifiers, as the word RETURNING outside any parenthesis
// after the statement's first keyword INSERT, REPLACE or DELETE — and only
// when the whole text does not parse, so a column or alias that happens to
// be named returning is never taken for the clause. What precedes it is
// routed as any statement; the clause itself must be a list of plain
// expressions over the table's columns (parsed as a select list to check
// it), without placeholders, subqueries or qualified columns, which would
// name the logical table the node does not have.
type Returning struct {
	// Clause is the text after the word RETURNING, as written.
	Clause string
	// OneCopy keeps the rows of the first unit only (a broadcast write,
	// whose copies return the same rows).
	OneCopy bool
}

// routeReturning routes a statement with a RETURNING clause. ok is false
// when sql has none (the parse error stands).
func (r *Router) routeReturning(sql string, args []any, opts Options) (p *Plan, ok bool, err error) {
	base, clause, found := splitReturning(r.parser, sql)
	if !found {
		return nil, false, nil
	}
	list, err := r.parser.Parse("SELECT " + clause)
	if err != nil {
		return nil, false, nil // not a clause it can check: passed through or refused as unparsed
	}
	if bad := returningProblem(list); bad != "" {
		return nil, true, unsupported(sql, "%s in RETURNING (return plain columns and expressions over them)", bad)
	}
	p, err = r.RouteWith(base, args, opts)
	if err != nil {
		return nil, true, err
	}
	if p.Kind != KindInsert && p.Kind != KindDelete {
		return nil, true, unsupported(sql, "RETURNING on a %s statement (MariaDB has RETURNING on INSERT, REPLACE and DELETE only: read the rows with a SELECT after the statement, in one transaction)", p.Kind)
	}
	if p.BroadcastInsertID && p.Session&SetsLastInsertID != 0 && len(p.Units) > 1 {
		// Hazard (review15a): the driver learns the first copy's
		// generated id of an INSERT … RETURNING from its session's
		// LAST_INSERT_ID() (copyIDs.noteSession), which a met row's
		// LAST_INSERT_ID(expr) sets to expr: `… ON DUPLICATE KEY UPDATE
		// legs = LAST_INSERT_ID(legs DIV 2 + 1) RETURNING id` ran the
		// other copies under SET STATEMENT insert_id = expr, so their
		// row met the row of that id and updated it instead (or failed).
		// Without a result's rows-affected count, a generated id and
		// expr cannot be told apart.
		return nil, true, unsupported(sql, "LAST_INSERT_ID(expr) in an INSERT … RETURNING into broadcast table %s: the first copy's generated id could not be told from expr for the other copies; drop RETURNING (read LastInsertId) or LAST_INSERT_ID(expr)", p.Table)
	}
	if len(p.Units) > 1 && !p.Broadcast {
		if ins, ok := mustParse(r.parser, base).(*sqlparser.Insert); ok && (bool(ins.Ignore) || (len(ins.OnDup) > 0 && p.InsertRows == nil)) {
			// INSERT IGNORE returns no row for a row it skips, so the
			// rows returned are not one per VALUES row, which is how the
			// nodes' rows are put back in statement order. ON DUPLICATE
			// KEY UPDATE returns one row per VALUES row, inserted or met
			// (changed or not, also a row met by an earlier row of the
			// same statement: MariaDB 10.11), so split by its rows it
			// runs; the driver checks the count per node. Found by round
			// 16: gorm's Create of users with a has-one or has-many sends
			// the associations as `INSERT … ON DUPLICATE KEY UPDATE
			// user_id = VALUES(user_id) RETURNING id` (RETURNING is its
			// default on MariaDB), refused for users of several nodes.
			return nil, true, unsupported(sql, "INSERT IGNORE, or ON DUPLICATE KEY UPDATE from a SELECT, with RETURNING across nodes (write the rows of one node per statement)")
		}
		if del, ok := mustParse(r.parser, base).(*sqlparser.Delete); ok && (len(del.OrderBy) > 0 || del.Limit != nil) {
			return nil, true, unsupported(sql, "DELETE … ORDER BY/LIMIT with RETURNING across nodes (select the rows' keys first, then DELETE … WHERE key IN (?, …) RETURNING …)")
		}
	}
	out := *p
	out.SQL = sql
	out.Units = make([]Unit, len(p.Units))
	for i, u := range p.Units {
		u.SQL += " RETURNING " + clause
		out.Units[i] = u
	}
	out.Returning = &Returning{Clause: clause, OneCopy: p.Broadcast}
	return &out, true, nil
}

// mustParse parses text the router has already routed (nil on error).
func mustParse(p *sqlparser.Parser, text string) sqlparser.Statement {
	st, err := p.Parse(text)
	if err != nil {
		return nil
	}
	return st
}

// returningProblem names what a RETURNING list (parsed as a SELECT) holds
// that units cannot return as written, or "".
func returningProblem(list sqlparser.Statement) string {
	sel, ok := list.(*sqlparser.Select)
	if !ok || len(sel.From) > 1 || sel.Where != nil || sel.GroupBy != nil || sel.Having != nil || sel.OrderBy != nil || sel.Limit != nil {
		return "a clause other than a select list"
	}
	if len(sel.From) == 1 {
		if ate, ok := sel.From[0].(*sqlparser.AliasedTableExpr); !ok || sqlparser.String(ate.Expr) != "dual" {
			return "FROM"
		}
	}
	bad := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.Argument:
			bad = "a ? placeholder"
		case *sqlparser.Subquery:
			bad = "a subquery"
		case *sqlparser.ColName:
			if !n.Qualifier.IsEmpty() {
				bad = "qualified column " + sqlparser.String(n)
			}
		case *sqlparser.StarExpr:
			if !n.TableName.IsEmpty() {
				bad = "qualified " + sqlparser.String(n)
			}
		case sqlparser.AggrFunc:
			bad = "an aggregate"
		}
		return bad == "", nil
	}, sel.SelectExprs)
	return bad
}

// splitReturning finds a top-level RETURNING clause in an INSERT, REPLACE or
// DELETE statement with the parser's tokenizer (see Returning) and returns
// the text before the word and the text after it.
func splitReturning(p *sqlparser.Parser, sql string) (base, clause string, ok bool) {
	tok := p.NewStringTokenizer(sql)
	depth := 0
	first := true
	for {
		typ, _ := tok.Scan()
		if typ == 0 || typ == eofChar {
			return "", "", false
		}
		if typ == sqlparser.COMMENT {
			continue
		}
		if first {
			first = false
			if typ != sqlparser.INSERT && typ != sqlparser.REPLACE && typ != sqlparser.DELETE {
				return "", "", false
			}
			continue
		}
		switch typ {
		case '(':
			depth++
		case ')':
			depth--
		case sqlparser.RETURNING:
			end := tok.Pos
			start := end - len("returning")
			if depth != 0 || start < 0 || !strings.EqualFold(sql[start:end], "returning") {
				continue
			}
			clause = strings.TrimSpace(sql[end:])
			if clause == "" {
				return "", "", false
			}
			return strings.TrimRight(sql[:start], " \t\r\n"), clause, true
		}
	}
}
