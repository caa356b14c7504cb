package route

import (
	"slices"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// hasColumn reports whether table t of a join evaluated above the nodes
// has a column named name (MySQL compares column names case-insensitively),
// and false for ok when the catalog does not know t's columns: a sharded
// table's from its first node, a derived table's from its select items, an
// unsharded table's from the default data source's database
// (schema.Unsharded).
//
// Hazard (round 13): the columns of unsharded tables were unknown, so
// every unqualified column of a join with one was refused (gorm's
// Joins("Plan").Where("balance > ?")). Guessing the sharded table would
// be wrong when both tables have the column: MySQL refuses it as
// ambiguous (1052), and the guess would filter by the wrong table's value.
func (j *crossJoin) hasColumn(t *crossTable, name string) (has, ok bool) {
	switch {
	case t.derived != nil:
		_, has = t.derived.column(name)
		return has, true
	case t.ref.sharded != nil:
		ct, ok := j.s.tableFacts(t.ref.sharded)
		if !ok {
			return false, false
		}
		_, has = ct.Column(name)
		return has, true
	}
	cols, ok := j.s.unshardedColumns(t.ref)
	if !ok {
		return false, false
	}
	for _, c := range cols {
		if strings.EqualFold(c, name) {
			return true, true
		}
	}
	return false, true
}

// unshardedColumns returns the columns of an unsharded table a statement
// names, as the catalog read them from the home data source's database,
// and false when it did not (then the statement is marked for the driver
// to load the catalog and route it again). A table qualified with another
// schema is not known.
func (s *statement) unshardedColumns(ref tableRef) ([]string, bool) {
	if s.tempTables {
		// Hazard (review13a): a temporary table of the session may
		// shadow the name with other columns (SELECT balance was
		// answered from the sharded table where MariaDB says 1052,
		// ambiguous); no load would know them.
		return nil, false
	}
	if q := ref.name.Qualifier; !q.IsEmpty() {
		src, ok := s.homeSource()
		if !ok || !sameName(q.String(), src.Database, src.LowerCaseTableNames) {
			return nil, false
		}
	}
	cols, ok := s.catalog.UnshardedColumns(s.homeDataSource(), ref.name.Name.String())
	if !ok {
		s.lacksFact()
	}
	return cols, ok
}

// orderBySelectNames writes an unqualified ORDER BY column that names a
// select item as that item's column, as MySQL resolves it: a name in
// ORDER BY is looked up in the select list first (find_order_in_list),
// so `SELECT a.id … JOIN p … ORDER BY id` sorts by a.id although p has an
// id too. Aliases are left as they are (join_above.go reads them); a name
// two bare select items of different tables share is left to tableOf,
// which refuses it as ambiguous, as MySQL does. The statement's ORDER BY
// is copied, not changed (the caller's tree may be planned again).
func (j *crossJoin) orderBySelectNames() {
	if len(j.sel.OrderBy) == 0 {
		return
	}
	var order sqlparser.OrderBy
	for i, o := range j.sel.OrderBy {
		col, ok := o.Expr.(*sqlparser.ColName)
		if !ok || !col.Qualifier.IsEmpty() {
			continue
		}
		var match *sqlparser.ColName
		aliased, several := false, false
		for _, se := range j.sel.GetColumns() {
			ae, ok := se.(*sqlparser.AliasedExpr)
			if !ok {
				continue
			}
			if !ae.As.IsEmpty() {
				aliased = aliased || ae.As.Equal(col.Name)
				continue
			}
			c, ok := ae.Expr.(*sqlparser.ColName)
			if !ok || !c.Name.Equal(col.Name) {
				continue
			}
			if match != nil && !sqlparser.Equals.RefOfColName(match, c) {
				several = true
			}
			match = c
		}
		if aliased || several || match == nil || match.Qualifier.IsEmpty() {
			continue
		}
		if order == nil {
			order = slices.Clone(j.sel.OrderBy)
		}
		order[i] = &sqlparser.Order{Expr: sqlparser.CloneRefOfColName(match), Direction: o.Direction}
	}
	if order != nil {
		sel := *j.sel
		sel.OrderBy = order
		j.sel = &sel
	}
}
