package route

import (
	"errors"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// A derived table (or an inlined CTE) as a side of a join evaluated above
// the nodes: `FROM (SELECT user_id, SUM(amount) s FROM t_order GROUP BY
// user_id) x JOIN t_user u ON u.id = x.user_id`. Its SELECT is planned as
// a statement of its own by the planner of SELECTs above a derived table
// (aboveInner: a merged row stream with the columns' names and, beside
// each text column, its collation), and its rows take the place of a
// table's statement:
//
//   - as the first (outer) side, its rows stream into the joins;
//   - as an inner side, it is read whole into a HashJoin (at most
//     WithMaxMemoryRows rows, beyond them ErrTooLarge): its rows cannot
//     be looked up by key, as a grouped or limited SELECT cannot take
//     `AND key IN (…)` without changing its rows.
//
// Its WHERE terms are evaluated above its rows (Filter), its columns and
// the expressions over it the join needs by evalengine (Evaluate, Pick),
// with the collations its statement reports.

// derivedSide is what a derived table of the join carries.
type derivedSide struct {
	in    aboveInput
	units []Unit
	table string // its first sharded table, for the plan
}

// routeDerivedJoin plans a SELECT whose FROM clause joins a derived table
// (or several) with tables or other derived tables, above the nodes. It
// returns errNotCross for other shapes and a crossRefusal for joins it
// recognises but does not run.
func (s *statement) routeDerivedJoin(sel *sqlparser.Select) (*Plan, error) {
	if sel.With != nil || outsideSubquery(sel) || len(s.hints) > 0 {
		return nil, errNotCross
	}
	derived := false
	for _, te := range sel.From {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if _, ok := n.(*sqlparser.DerivedTable); ok {
				derived = true
			}
			return !derived, nil
		}, te)
	}
	if !derived {
		return nil, errNotCross
	}
	return s.routeCrossJoin(sel)
}

// addDerived appends a derived table of the FROM clause.
func (j *crossJoin) addDerived(ate *sqlparser.AliasedTableExpr, dt *sqlparser.DerivedTable, kind merge.JoinKind, on sqlparser.Expr) error {
	inner, ok := dt.Select.(*sqlparser.Select)
	switch {
	case dt.Lateral:
		return j.refuse("a LATERAL derived table (join a derived table without LATERAL, grouped by the outer table's key, instead)")
	case !ok:
		return j.refuse("a UNION as a side of a join (join its parts, or run the UNION on its own)")
	case len(ate.Columns) > 0:
		return j.refuse("a column list on derived table %s (alias its select items instead)", ate.As.String())
	case ate.As.IsEmpty():
		return errNotCross // MySQL requires the alias
	}
	if err := j.mergedDigits(inner, ate.As.String()); err != nil {
		return err
	}
	in, units, table, err := j.s.aboveInner(inner)
	if err != nil {
		if errors.Is(err, errNotBindable) {
			return j.refuse("derived table %s, which is not a SELECT the router plans (write it as a plain SELECT, or run it as its own statement)", ate.As.String())
		}
		return err
	}
	for i := range in.cols {
		in.cols[i].table = ate.As.String()
	}
	t := &crossTable{ref: tableRef{expr: ate, name: sqlparser.TableName{Name: sqlparser.NewIdentifierCS(ate.As.String())}}, kind: kind,
		derived: &derivedSide{in: in, units: units, table: table}}
	if on != nil {
		t.on = andTerms(on)
	}
	t.nullable = kind == merge.JoinLeft
	for _, other := range j.tables {
		if strings.EqualFold(other.ref.qualifier(), t.ref.qualifier()) {
			return j.refuse("a join naming %s twice without distinct aliases (MySQL's error 1066: give each an alias of its own)", t.ref.qualifier())
		}
	}
	j.tables = append(j.tables, t)
	return nil
}

// derivedColumn is the index of the derived table's column named name
// in its rows.
func (d *derivedSide) column(name string) (int, bool) {
	for _, c := range d.in.cols {
		if strings.EqualFold(c.name, name) && !c.printed {
			return c.at, true
		}
	}
	return 0, false
}

// derivedPlan is the operator of derived table i (for side): its merged
// rows, filtered by its own terms, as the columns the join reads (t.cols,
// then a collation column for each compared one).
func (j *crossJoin) derivedPlan(i int) (*Plan, error) {
	t := j.tables[i]
	d := t.derived
	// rewrite writes an expression over the derived table's row.
	rewrite := func(e sqlparser.Expr) (sqlparser.Expr, error) {
		return j.overRow(e, "a condition on derived table "+t.ref.qualifier(), "over derived table "+t.ref.qualifier(), func(n *sqlparser.ColName) (int, error) {
			k, ok := d.column(n.Name.String())
			if !ok {
				return 0, j.refuse("column %s, which derived table %s does not select (alias its select items)", sqlparser.String(n), t.ref.qualifier())
			}
			return k, nil
		})
	}
	var compared []merge.Col
	for _, c := range t.cols {
		if col, ok := c.expr.(*sqlparser.ColName); ok && c.compared {
			if k, ok := d.column(col.Name.String()); ok {
				compared = append(compared, merge.At(k))
			}
		}
	}
	var op merge.Operator = &merge.Extend{Collations: d.in.collations, Compared: compared, Collated: j.s.weights, Input: d.in.op}
	if len(t.pushed) > 0 {
		cond, err := rewrite(sqlparser.AndExpressions(t.pushed...))
		if err != nil {
			return nil, err
		}
		op = &merge.Filter{Cond: cond, Input: op}
	}
	// Each column of the side: a column of the derived table, or an
	// expression over it (Evaluate appends it after the row's columns).
	picks := make([]merge.SideCol, 0, t.width())
	var exprs []sqlparser.Expr
	for _, c := range t.cols {
		name := c.as
		if col, ok := c.expr.(*sqlparser.ColName); ok {
			k, found := d.column(col.Name.String())
			if !found {
				return nil, j.refuse("column %s, which derived table %s does not select (alias its select items)", sqlparser.String(col), t.ref.qualifier())
			}
			if name == "" {
				name = col.Name.String()
			}
			picks = append(picks, merge.SideCol{Col: merge.At(k), Name: name})
			continue
		}
		e, err := rewrite(c.expr)
		if err != nil {
			return nil, err
		}
		picks = append(picks, merge.SideCol{Col: merge.At(d.in.width + len(exprs)), Name: name})
		exprs = append(exprs, e)
	}
	if len(exprs) > 0 {
		op = &merge.Evaluate{Exprs: exprs, Input: op}
	}
	if len(t.cols) == 0 {
		// no column is read: any one, for the rows' count
		picks = append(picks, merge.SideCol{Col: merge.At(0), Name: "1"})
	}
	for _, cl := range t.colls {
		picks = append(picks, merge.SideCol{Col: picks[cl.Col.Index].Col, Collation: true})
	}
	op = &merge.SideColumns{Cols: picks, Input: op}
	return &Plan{SQL: j.s.sql, Kind: KindSelect, Table: d.table, Units: d.units, Root: op}, nil
}
