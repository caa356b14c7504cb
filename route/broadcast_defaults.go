package route

import (
	"slices"
	"strings"
	"sync"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (ids22): a broadcast write runs unchanged on every copy, and a
// column it leaves to the server — omitted from an INSERT, given DEFAULT
// or DEFAULT(c), or not assigned by an UPDATE while it is ON UPDATE
// CURRENT_TIMESTAMP — takes the value each copy's server computes: with
// `u CHAR(36) DEFAULT uuid()`, `r DOUBLE DEFAULT (rand())` or `at
// DATETIME(6) ON UPDATE CURRENT_TIMESTAMP(6)` every copy got its own, and
// reads, which take one copy, answered differently from copy to copy.
// nonDeterministic sees only the statement's text, so the columns' DEFAULT
// and ON UPDATE are read from the home copy (the catalog's Unsharded
// facts) and judged by the same list of functions; such writes are
// refused with the column named, and the application gives it a value.

// serverValue describes the first column of a broadcast INSERT, REPLACE or
// UPDATE that the statement leaves to each copy's server to compute with
// a default or ON UPDATE whose value may differ between the copies, or
// returns "". Without the catalog's facts for the table it returns "" and,
// when they were never read, marks the statement (the driver loads them
// and routes it again; meanwhile the write is refused).
func (s *statement) serverValue(stmt sqlparser.SQLNode) string {
	if s.catalog == nil {
		return ""
	}
	if s.catalog.UnshardedUnread {
		s.lacksFact()
		return "the DEFAULT and ON UPDATE of its columns, which the servers did not describe yet,"
	}
	switch n := stmt.(type) {
	case *sqlparser.Insert:
		tn, err := n.Table.TableName()
		if err != nil {
			return ""
		}
		return s.insertServerValue(n, tn)
	case *sqlparser.Update:
		return s.updateServerValue(n)
	}
	return ""
}

// facts returns the volatile DEFAULT and ON UPDATE expressions of
// broadcast table tn (by lower-case column name) and its columns in
// ordinal order; ok is false when the catalog does not know the table.
func (s *statement) serverFacts(tn sqlparser.TableName) (defaults, onUpdate map[string]string, cols []string, ok bool) {
	if s.resolve(tn).broadcast == "" {
		return nil, nil, nil, false
	}
	name := tn.Name.String()
	defaults, onUpdate, has, read := s.catalog.UnshardedServerValues(name)
	if !read {
		return nil, nil, nil, false // the home server did not answer: the write fails there too
	}
	if !has {
		s.lacksFact() // created since the load, other than through shardsql
		return nil, nil, nil, false
	}
	cols, _ = s.catalog.UnshardedColumns(s.catalog.Unsharded.DataSource, name)
	return defaults, onUpdate, cols, true
}

func (s *statement) insertServerValue(ins *sqlparser.Insert, tn sqlparser.TableName) string {
	defaults, onUpdate, cols, ok := s.serverFacts(tn)
	if !ok {
		return ""
	}
	named := make([]string, 0, len(cols))
	for _, c := range ins.Columns {
		named = append(named, c.Lowered())
	}
	if rows, ok := ins.Rows.(sqlparser.Values); ok && len(ins.Columns) == 0 && len(rows) > 0 && len(rows[0]) == 0 {
		// INSERT INTO t () VALUES () (or VALUES ()): every column
		// takes its default.
	} else if len(ins.Columns) == 0 {
		for _, c := range cols {
			named = append(named, strings.ToLower(c))
		}
	}
	for _, c := range sortedKeys(defaults) {
		if !slices.Contains(named, c) && s.volatileExpr(defaults[c]) {
			return "column " + c + "'s DEFAULT " + defaults[c] + " (the column is not given)"
		}
	}
	if rows, ok := ins.Rows.(sqlparser.Values); ok {
		for _, row := range rows {
			for i, e := range row {
				if d, ok := e.(*sqlparser.Default); ok && d.ColName == "" && i < len(named) {
					if v, ok := defaults[named[i]]; ok && s.volatileExpr(v) {
						return "column " + named[i] + "'s DEFAULT " + v
					}
				}
			}
		}
	}
	if what := s.defaultCalls(ins, defaults); what != "" {
		return what
	}
	if len(ins.OnDup) > 0 {
		return s.onUpdateLeft(sqlparser.UpdateExprs(ins.OnDup), defaults, onUpdate)
	}
	return ""
}

func (s *statement) updateServerValue(upd *sqlparser.Update) string {
	var what string
	visit := func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			return false, nil // read only
		case sqlparser.TableName:
			// Every broadcast table the UPDATE names may be one it
			// changes (a multi-table UPDATE's targets are those its
			// assignments qualify; all of them are checked).
			defaults, onUpdate, _, ok := s.serverFacts(n)
			if !ok {
				return true, nil
			}
			if what = s.onUpdateLeft(upd.Exprs, defaults, onUpdate); what == "" {
				what = s.defaultCalls(upd, defaults)
			}
		}
		return what == "", nil
	}
	for _, te := range upd.TableExprs {
		if _ = sqlparser.Walk(visit, te); what != "" {
			break
		}
	}
	return what
}

// onUpdateLeft describes the first ON UPDATE column the assignments leave
// to the server, or an assignment of DEFAULT to a column whose default
// is volatile.
func (s *statement) onUpdateLeft(set sqlparser.UpdateExprs, defaults, onUpdate map[string]string) string {
	assigned := map[string]bool{}
	for _, u := range set {
		c := u.Name.Name.Lowered()
		assigned[c] = true
		if d, ok := u.Expr.(*sqlparser.Default); ok && d.ColName == "" {
			if v, ok := defaults[c]; ok && s.volatileExpr(v) {
				return "column " + c + "'s DEFAULT " + v
			}
		}
	}
	for _, c := range sortedKeys(onUpdate) {
		if !assigned[c] && s.volatileExpr(onUpdate[c]) {
			return "column " + c + "'s ON UPDATE " + onUpdate[c] + " (the column is not assigned)"
		}
	}
	return ""
}

// defaultCalls describes the first DEFAULT(c) in node whose column's
// default is volatile.
func (s *statement) defaultCalls(node sqlparser.SQLNode, defaults map[string]string) string {
	var what string
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if d, ok := n.(*sqlparser.Default); ok && d.ColName != "" {
			c := strings.ToLower(d.ColName)
			if v, ok := defaults[c]; ok && s.volatileExpr(v) {
				what = "column " + c + "'s DEFAULT " + v + " (read by DEFAULT(" + d.ColName + "))"
			}
		}
		return what == "", nil
	}, node)
	return what
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// volatileExpr reports whether a column's DEFAULT or ON UPDATE expression,
// as information_schema spells it, may take a different value on each
// server (nonDeterministicFuncs, CURRENT_TIMESTAMP and the like). An
// expression the parser cannot read counts as volatile.
func (s *statement) volatileExpr(expr string) bool {
	var memo *sync.Map
	if s.router != nil {
		memo = &s.router.volatile
		if v, ok := memo.Load(expr); ok {
			return v.(bool)
		}
	}
	volatile := true
	if stmt, err := tokenParser.Parse("SELECT " + expr); err == nil {
		volatile = (&statement{}).nonDeterministic(stmt) != ""
	}
	if memo != nil {
		memo.Store(expr, volatile)
	}
	return volatile
}
