package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// metadataNested refuses an information_schema lookup about a sharded
// table, or a listing of the home database's tables, that sits inside a
// subquery, a derived table, a CTE or an arm of a UNION (top, if not nil,
// is the statement's own SELECT, which metadataSelect has already
// judged).
//
// Hazard (review18c): only a lookup that is the statement itself is
// rewritten to ask about a first node (metadataSelect). Nested, it went
// to the home data source as written, where the servers hold node tables
// and no table of the logical name: `SELECT EXISTS (SELECT 1 FROM
// information_schema.tables WHERE table_schema = DATABASE() AND
// table_name = 't')` (Laravel's hasTable, many hand-written "does the
// table exist" checks) answered 0 for an existing sharded table, a
// `SELECT COUNT(*) FROM (… columns WHERE table_name = 't') x` 0 columns,
// `WITH c AS (…)` and `… UNION ALL …` no rows, and a count over a nested
// listing counted node tables — all silently, with success. The rows of a
// nested lookup cannot be renamed or hidden one by one (the outer query
// computes with them on the server), so such a statement is refused. A
// nested lookup about unsharded or broadcast tables only (each data
// source holds a broadcast copy under its logical name) runs as written.
func (s *statement) metadataNested(stmt sqlparser.Statement, top *sqlparser.Select) (*Plan, bool, error) {
	if !containsFold(s.sql, "information_schema") || len(s.topo.Tables()) == 0 { // the text first: Tables copies
		return nil, false, nil
	}
	var refusal error
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		sel, ok := node.(*sqlparser.Select)
		if !ok || sel == top || refusal != nil || !metadataFrom(sel.From) {
			return refusal == nil, nil
		}
		passed := s.passed // metadataSelect's passthrough is not this statement's plan
		p, planned, err := s.metadataSelect(sel)
		s.passed = passed
		what := "that names a sharded table or lists the database's tables"
		switch {
		case err != nil:
		case !planned || p == nil || p.Metadata == nil || metadataAsWritten(p.Metadata):
			return true, nil
		default:
			names := map[string]bool{}
			for _, u := range p.Metadata.Units {
				for _, logical := range u.Rename {
					names[logical] = true
				}
			}
			for logical := range names {
				if len(names) == 1 {
					what = "of sharded table " + logical
				}
			}
		}
		refusal = unsupported(s.sql, "information_schema lookup %s inside a subquery, derived table, CTE or UNION (%s): the servers hold its node tables, and the lookup as written would find none of its rows or count node tables (run the lookup as a SELECT of its own with table_name = … or IN (…), which shardsql answers about the logical table, and combine in the application)", what, strings.TrimSpace(sqlparser.String(sel)))
		return false, nil
	}, stmt)
	if refusal != nil {
		return nil, true, refusal
	}
	return nil, false, nil
}

// metadataAsWritten reports whether a metadata plan asks the home data
// source the lookup unchanged (unsharded and broadcast tables only): no
// unit renames or hides a table.
func metadataAsWritten(md *Metadata) bool {
	for _, u := range md.Units {
		if len(u.Rename) > 0 || len(u.Hide) > 0 || u.Only {
			return false
		}
	}
	return true
}
