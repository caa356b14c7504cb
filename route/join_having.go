package route

import (
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// planHaving resolves HAVING over the folded rows of a grouped SELECT
// above a join: each aggregate is folded into a column of its own (an AVG
// with MySQL's internal digits, merge.AggAvgInternal, as the server
// compares it, not the rounded value it sends), a select alias names its
// item, and any other column must be a GROUP BY column. merge.Filter
// evaluates the condition with evalengine, as route/scatter_having.go does
// for the scatter path.
//
// Hazard: a HAVING over a column that is not grouped reads an arbitrary
// row's value in MySQL (without ONLY_FULL_GROUP_BY); the folded row may
// hold another row's, so such a column is refused rather than answered
// differently. A HAVING without GROUP BY or aggregates filters single
// rows with select aliases in scope, which is refused too (write WHERE).
func (a *aboveJoin) planHaving() error {
	j := a.j
	if !a.grouped {
		return j.refuse("HAVING without GROUP BY or aggregates (write the condition in WHERE)")
	}
	var err error
	place := func(at colAt) sqlparser.Expr {
		a.havingCols = append(a.havingCols, at)
		return evalenv.Column(len(a.havingCols) - 1)
	}
	out := sqlparser.Rewrite(sqlparser.CloneExpr(j.sel.Having.Expr), func(c *sqlparser.Cursor) bool {
		if err != nil {
			return false
		}
		switch n := c.Node().(type) {
		case sqlparser.AggrFunc:
			ag, aerr := a.aggregate(n, true)
			if aerr != nil {
				err = aerr
				return false
			}
			a.aggs = append(a.aggs, ag)
			c.Replace(place(ag.at))
			return false
		case *sqlparser.ColName:
			if n.Qualifier.IsEmpty() {
				for i, se := range j.sel.GetColumns() {
					ae, ok := se.(*sqlparser.AliasedExpr)
					if !ok || !ae.As.Equal(n.Name) {
						continue
					}
					if t, terr := j.tableOf(n); terr == nil {
						// MySQL prefers a GROUP BY column to a select
						// alias of the same name, an alias to another
						// column: refused rather than resolved wrongly
						if at := (colAt{t, j.column(t, n, true)}); at != a.items[i] {
							err = j.refuse("HAVING %s names both a select alias and a column (qualify the column, or rename the alias)", sqlparser.String(n))
							return false
						}
					}
					if f, ok := ae.Expr.(*sqlparser.Avg); ok {
						// the alias of an AVG compares as the AVG does:
						// with the internal digits, not the rounded item
						ag, aerr := a.aggregate(f, true)
						if aerr != nil {
							err = aerr
							return false
						}
						a.aggs = append(a.aggs, ag)
						c.Replace(place(ag.at))
						return false
					}
					c.Replace(place(a.mark(a.items[i])))
					return false
				}
			}
			t, terr := j.tableOf(n)
			if terr != nil {
				err = terr
				return false
			}
			at := colAt{t, j.column(t, n, true)}
			for _, g := range a.groups {
				if g == at {
					c.Replace(place(at))
					return false
				}
			}
			err = j.refuse("column %s in HAVING that is not in GROUP BY (group by it, or aggregate it)", sqlparser.String(n))
			return false
		case *sqlparser.Argument:
			v, ok := j.s.value(n)
			if !ok {
				err = j.refuse("argument %s in HAVING above a join", sqlparser.String(n))
				return false
			}
			lit, lerr := argLiteral(v)
			if lerr != nil {
				err = j.refuse("an argument of type %T in HAVING above a join (compare with a literal)", v)
				return false
			}
			c.Replace(lit)
		case *sqlparser.Subquery:
			err = j.refuse("a subquery in HAVING above a join")
			return false
		}
		return true
	}, nil)
	if err != nil {
		return err
	}
	expr := out.(sqlparser.Expr)
	if _, terr := evalenv.Translate(expr); terr != nil {
		return j.refuse("HAVING %s, which the evaluator above the nodes does not implement (%v)", sqlparser.String(j.sel.Having.Expr), terr)
	}
	a.having = expr
	return nil
}
