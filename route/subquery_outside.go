package route

import (
	"fmt"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// visitSubqueries calls f, in one fixed order, for each expression of sel
// that holds an uncorrelated subquery to run first — in WHERE, the select
// list, GROUP BY, HAVING, ORDER BY and the ON conditions of joins; not in
// the derived tables of FROM, which are planned as statements of their own
// — and replaces it with what f returns (nil: keep it). The expression is
// one classifySubquery recognises ([NOT] IN, a comparison, [NOT] EXISTS) or
// a subquery standing anywhere else, which is scalar. It returns
// errNotBindable for a subquery of another form (a row subquery).
func visitSubqueries(sel *sqlparser.Select, f func(n sqlparser.SQLNode, bs boundSubquery) (sqlparser.Expr, error)) (*sqlparser.Select, error) {
	var err error
	out := sqlparser.Rewrite(sel, func(c *sqlparser.Cursor) bool {
		if err != nil {
			return false
		}
		switch n := c.Node().(type) {
		case *sqlparser.DerivedTable, *sqlparser.With:
			return false
		case *sqlparser.Subquery:
			bs := boundSubquery{kind: merge.SubqueryScalar, sub: n}
			if _, whole := c.Parent().(*sqlparser.AliasedExpr); whole {
				bs.item = true
			}
			switch c.Parent().(type) {
			case sqlparser.ValTuple:
				err = errNotBindable
				return false
			case *sqlparser.Order:
				bs.order = true
			case *sqlparser.GroupBy:
				err = errNotBindable // GROUP BY (SELECT …): a constant literal would be a position
				return false
			}
			e, ferr := f(n, bs)
			if ferr != nil {
				err = ferr
				return false
			}
			if e != nil {
				c.Replace(e)
			}
			return false
		}
		if cmp, ok := c.Node().(*sqlparser.ComparisonExpr); ok && cmp.Modifier != sqlparser.Missing {
			if _, ok := quantified(cmp); !ok {
				err = errNotBindable // x > ALL (SELECT …): its value is not its subquery's
				return false
			}
		}
		bs, ok := classifySubquery(c.Node())
		if !ok {
			return true
		}
		if _, row := bs.other.(sqlparser.ValTuple); row {
			err = errNotBindable // (a, b) IN (SELECT …)
			return false
		}
		if bs.kind == merge.SubqueryIn && limited(bs.sub) {
			// MySQL and MariaDB refuse LIMIT in an IN/ANY/ALL subquery
			// (error 1235); bound values would answer it.
			err = errNotBindable
			return false
		}
		e, ferr := f(c.Node(), bs)
		if ferr != nil {
			err = ferr
			return false
		}
		if e != nil {
			c.Replace(e)
		}
		return false
	}, nil)
	if err != nil {
		return nil, err
	}
	return out.(*sqlparser.Select), nil
}

// statementSubqueries lists the subqueries visitSubqueries finds, in its
// order.
func statementSubqueries(sel *sqlparser.Select) ([]boundSubquery, error) {
	var out []boundSubquery
	_, err := visitSubqueries(sel, func(_ sqlparser.SQLNode, bs boundSubquery) (sqlparser.Expr, error) {
		out = append(out, bs)
		return nil, nil
	})
	return out, err
}

// bindSubqueries returns a copy of sel with each subquery replaced by its
// values (bounds, in statementSubqueries' order) written as literals.
func (s *statement) bindSubqueries(sel *sqlparser.Select, subs []boundSubquery, bounds []merge.Bound) (*sqlparser.Select, error) {
	clone := sqlparser.CloneRefOfSelect(sel)
	s.keepCallerNames(sel, clone)
	i := 0
	dropped := make(map[sqlparser.Expr]bool)
	out, err := visitSubqueries(clone, func(n sqlparser.SQLNode, bs boundSubquery) (sqlparser.Expr, error) {
		if i >= len(bounds) || i >= len(subs) {
			return nil, fmt.Errorf("shardsql: route: more subqueries than values")
		}
		bs.collations, bs.collationUnknown, bs.otherType, bs.positiveIn, bs.year = subs[i].collations, subs[i].collationUnknown, subs[i].otherType, subs[i].positiveIn, subs[i].year
		bs.literalClash = subs[i].literalClash
		e, err := s.boundExpr(n, bs, bounds[i])
		i++
		if err == nil && bs.order {
			// ORDER BY (SELECT …) orders by a constant: nothing. Its value
			// written as an integer literal would be a position.
			e = sqlparser.NewStrLiteral("") // a marker (a pointer of its own)
			dropped[e] = true
		}
		return e, err
	})
	if err != nil {
		return nil, err
	}
	var order sqlparser.OrderBy
	for _, o := range out.OrderBy {
		if !dropped[o.Expr] {
			order = append(order, o)
		}
	}
	out.OrderBy = order
	return out, nil
}
