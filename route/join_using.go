package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// JOIN … USING (c) and NATURAL JOIN across nodes are joins ON equalities
// of their common columns, with MySQL's coalesced columns: SELECT * lists
// each common column once, first, then the other columns of the first
// table and those of the second; an unqualified name of a common column
// is not ambiguous, and means the column of the table the join preserves
// (the left one of an inner or LEFT JOIN, the right one of a RIGHT JOIN —
// the other's is equal, or NULL on a row an outer join NULL-extends).
// The columns come from the catalog; a table it does not know (a
// broadcast or unsharded table) is refused where its columns are needed.

// starCol is one column SELECT * returns: table's column name.
type starCol struct {
	table *sqlparser.AliasedTableExpr
	name  string
}

// starList lists the columns SELECT * returns over te, in MySQL's order.
func (j *crossJoin) starList(te sqlparser.TableExpr) ([]starCol, error) {
	switch x := te.(type) {
	case *sqlparser.AliasedTableExpr:
		names, err := j.tableColumns(x)
		if err != nil {
			return nil, err
		}
		out := make([]starCol, len(names))
		for i, n := range names {
			out[i] = starCol{table: x, name: n}
		}
		return out, nil
	case *sqlparser.ParenTableExpr:
		var out []starCol
		for _, e := range x.Exprs {
			l, err := j.starList(e)
			if err != nil {
				return nil, err
			}
			out = append(out, l...)
		}
		return out, nil
	case *sqlparser.JoinTableExpr:
		l, err := j.starList(x.LeftExpr)
		if err != nil {
			return nil, err
		}
		r, err := j.starList(x.RightExpr)
		if err != nil {
			return nil, err
		}
		common, err := j.commonColumns(x, l, r)
		if err != nil {
			return nil, err
		}
		if len(common) == 0 {
			return append(l, r...), nil
		}
		first, second := l, r
		if x.Join == sqlparser.RightJoinType || x.Join == sqlparser.NaturalRightJoinType {
			first, second = r, l
		}
		isCommon := func(n string) bool {
			for _, c := range common {
				if strings.EqualFold(c, n) {
					return true
				}
			}
			return false
		}
		var out []starCol
		for _, c := range first {
			if isCommon(c.name) {
				out = append(out, c)
			}
		}
		for _, side := range [][]starCol{first, second} {
			for _, c := range side {
				if !isCommon(c.name) {
					out = append(out, c)
				}
			}
		}
		return out, nil
	}
	return nil, j.refuse("* over %s (name the columns)", sqlparser.String(te))
}

// tableColumns are the catalog's columns of a table of the FROM clause.
func (j *crossJoin) tableColumns(x *sqlparser.AliasedTableExpr) ([]string, error) {
	tn, ok := x.Expr.(sqlparser.TableName)
	if !ok {
		return nil, j.refuse("a derived table in a join with * or USING (name the columns, and write the join with ON)")
	}
	r := j.s.resolve(tn)
	if r.sharded == nil {
		return nil, j.refuse("* or USING over %s, whose columns shardsql's catalog does not know (list the columns, write the join with ON)", sqlparser.String(tn))
	}
	ct, ok := j.s.catalog.Table(r.sharded.Name)
	if !ok || len(ct.Columns) == 0 {
		return nil, j.refuse("* or USING over %s, whose columns shardsql's catalog does not know (list the columns, write the join with ON)", sqlparser.String(tn))
	}
	out := make([]string, len(ct.Columns))
	for i, c := range ct.Columns {
		out[i] = c.Name
	}
	return out, nil
}

// commonColumns are the columns a USING or NATURAL join x joins on (none
// for a join with ON): each must name one column of either side.
func (j *crossJoin) commonColumns(x *sqlparser.JoinTableExpr, l, r []starCol) ([]string, error) {
	count := func(side []starCol, n string) int {
		k := 0
		for _, c := range side {
			if strings.EqualFold(c.name, n) {
				k++
			}
		}
		return k
	}
	var names []string
	switch {
	case x.Condition != nil && len(x.Condition.Using) > 0:
		for _, c := range x.Condition.Using {
			names = append(names, c.String())
		}
	case isNatural(x.Join):
		for _, c := range l {
			if count(r, c.name) > 0 {
				names = append(names, c.name)
			}
		}
	default:
		return nil, nil
	}
	for _, n := range names {
		if count(l, n) != 1 || count(r, n) != 1 {
			return nil, j.refuse("USING or NATURAL column %s, which is not one column of each side (write the join with ON)", n)
		}
	}
	return names, nil
}

func isNatural(t sqlparser.JoinType) bool {
	return t == sqlparser.NaturalJoinType || t == sqlparser.NaturalLeftJoinType || t == sqlparser.NaturalRightJoinType
}

// joinCondition returns the kind and ON condition of x, whose right side
// is right: its own ON, or the equalities of its USING or NATURAL
// columns (a NATURAL join is then an inner, left or right join).
func (j *crossJoin) joinCondition(x *sqlparser.JoinTableExpr, right *sqlparser.AliasedTableExpr) (sqlparser.JoinType, sqlparser.Expr, error) {
	kind := x.Join
	switch kind {
	case sqlparser.NaturalJoinType:
		kind = sqlparser.NormalJoinType
	case sqlparser.NaturalLeftJoinType:
		kind = sqlparser.LeftJoinType
	case sqlparser.NaturalRightJoinType:
		kind = sqlparser.RightJoinType
	}
	if !isNatural(x.Join) && (x.Condition == nil || len(x.Condition.Using) == 0) {
		if x.Condition == nil {
			return kind, nil, nil
		}
		return kind, x.Condition.On, nil
	}
	l, err := j.starList(x.LeftExpr)
	if err != nil {
		return kind, nil, err
	}
	r, err := j.starList(right)
	if err != nil {
		return kind, nil, err
	}
	common, err := j.commonColumns(x, l, r)
	if err != nil {
		return kind, nil, err
	}
	if len(common) == 0 {
		return kind, nil, j.refuse("NATURAL JOIN of tables without a common column (a cross join; write it with ON)")
	}
	var terms []sqlparser.Expr
	for _, n := range common {
		var lc, rc starCol
		for _, c := range l {
			if strings.EqualFold(c.name, n) {
				lc = c
			}
		}
		for _, c := range r {
			if strings.EqualFold(c.name, n) {
				rc = c
			}
		}
		terms = append(terms, &sqlparser.ComparisonExpr{Operator: sqlparser.EqualOp, Left: starColName(lc), Right: starColName(rc)})
	}
	return kind, sqlparser.AndExpressions(terms...), nil
}

// starColName is c as a column qualified by its table.
func starColName(c starCol) *sqlparser.ColName {
	q := c.table.As.String()
	if q == "" {
		q = c.table.Expr.(sqlparser.TableName).Name.String()
	}
	return &sqlparser.ColName{Name: sqlparser.NewIdentifierCI(c.name), Qualifier: sqlparser.TableName{Name: sqlparser.NewIdentifierCS(q)}}
}

// fromStar lists the columns SELECT * returns over the FROM clause.
func (j *crossJoin) fromStar() ([]starCol, error) {
	var out []starCol
	for _, te := range j.sel.From {
		l, err := j.starList(te)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, nil
}

// starColumns writes a * or t.* of the select list as the columns it
// selects.
func (j *crossJoin) starColumns(se *sqlparser.StarExpr) ([]sqlparser.Expr, error) {
	var cols []starCol
	if se.TableName.IsEmpty() {
		var err error
		if cols, err = j.fromStar(); err != nil {
			return nil, err
		}
	} else {
		found := false
		for _, t := range j.tables {
			if !j.s.qualifies(se.TableName, t.ref) {
				continue
			}
			names, err := j.tableColumns(t.ref.expr)
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				cols = append(cols, starCol{table: t.ref.expr, name: n})
			}
			found = true
			break
		}
		if !found {
			return nil, j.refuse("%s, whose table is not one of the join's (qualify * with a table or alias of the FROM clause)", sqlparser.String(se))
		}
	}
	out := make([]sqlparser.Expr, len(cols))
	for i, c := range cols {
		out[i] = starColName(c)
	}
	return out, nil
}

// usingColumn resolves an unqualified column of a FROM clause with USING
// or NATURAL joins as MySQL does: a common column names the coalesced
// column (the preserved table's), not an ambiguous one. ok is false when
// the clause has no such join or the name is no column of its *.
func (j *crossJoin) usingColumn(col *sqlparser.ColName) (int, bool, error) {
	if !col.Qualifier.IsEmpty() || !j.hasUsing() {
		return 0, false, nil
	}
	cols, err := j.fromStar()
	if err != nil {
		return 0, false, nil
	}
	found := -1
	for _, c := range cols {
		if !strings.EqualFold(c.name, col.Name.String()) {
			continue
		}
		if found >= 0 {
			return 0, true, j.refuse("ambiguous column %s (qualify it with its table)", sqlparser.String(col))
		}
		for i, t := range j.tables {
			if t.ref.expr == c.table {
				found = i
			}
		}
	}
	return found, found >= 0, nil
}

// hasUsing reports a USING or NATURAL join in the FROM clause.
func (j *crossJoin) hasUsing() bool {
	found := false
	for _, te := range j.sel.From {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if x, ok := n.(*sqlparser.JoinTableExpr); ok && (isNatural(x.Join) || x.Condition != nil && len(x.Condition.Using) > 0) {
				found = true
			}
			return !found, nil
		}, te)
	}
	return found
}
