package route

import (
	"fmt"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// A UNION over sharded tables is planned part by part: each SELECT is
// routed on its own (a sharded SELECT to its nodes, with the operators its
// own ORDER BY/LIMIT/GROUP BY need; one on broadcast or unsharded tables
// to the home data source). When every part reaches a single unit on one
// data source the union goes there whole, written with the parts' node
// statements. Otherwise a Union operator concatenates the parts' rows (and
// removes duplicates for UNION), with the union's ORDER BY and LIMIT in
// memory above it.
//
// Hazard: MySQL gives each union column one type computed from every part
// and converts the values to it (1 UNION 1.50 returns 1.00); above the
// nodes values cannot be converted exactly, so the Union operator refuses
// parts whose column types differ. And UNION compares text by the union
// column's collation, unknown above the nodes: it is refused on text
// unless text compares by bytes (the embedded shards).

// unionPart is one planned SELECT of a union.
type unionPart struct {
	plan *Plan
	// flexible: the part reads only broadcast tables (or none), so its
	// unit may run on any data source.
	flexible bool
}

// routeUnion routes a UNION.
func (s *statement) routeUnion(u *sqlparser.Union) (*Plan, error) {
	names := s.shardedNames(u)
	if len(names) == 0 {
		return s.passthrough(KindSelect)
	}
	switch {
	case u.With != nil && len(u.With.CTEs) > 0:
		return nil, unsupported(s.sql, "WITH (common table expression) with sharded table %s before a UNION (write each CTE as a derived table inside the SELECTs, FROM (SELECT …) AS name)", names[0])
	case u.Into != nil:
		return nil, unsupported(s.sql, "SELECT … INTO on sharded table %s (select the rows and keep the values in the application)", names[0])
	case u.Lock != sqlparser.NoLock:
		return nil, unsupported(s.sql, "locking UNION over sharded table %s (lock the rows with each SELECT … FOR UPDATE on its own)", names[0])
	}
	var parts []unionPart
	if err := s.unionParts(u, &parts); err != nil {
		return nil, err
	}
	if p, ok := s.pushUnion(u, parts); ok {
		return p, nil
	}
	if err := s.unionCharsets(u); err != nil {
		return nil, err
	}
	p := &Plan{SQL: s.sql, Kind: KindSelect, Table: names[0]}
	for _, pt := range parts {
		p.Units = append(p.Units, pt.plan.Units...)
	}
	i := 0
	root, err := s.unionTree(u, parts, &i)
	if err != nil {
		return nil, err
	}
	if root, err = s.unionTail(u, root); err != nil {
		return nil, err
	}
	p.Root = root
	return p, nil
}

// unionParts plans the SELECTs of n in order.
func (s *statement) unionParts(n sqlparser.TableStatement, out *[]unionPart) error {
	switch n := n.(type) {
	case *sqlparser.Union:
		if err := s.unionParts(n.Left, out); err != nil {
			return err
		}
		return s.unionParts(n.Right, out)
	case *sqlparser.Select:
		if n.Into != nil {
			return unsupported(s.sql, "SELECT … INTO in a UNION part (select the rows and keep the values in the application)")
		}
		if len(s.shardedNames(n)) == 0 {
			ds := s.topo.DefaultDataSource()
			if s.hintDS != "" {
				ds = s.hintDS
			}
			if ds == "" {
				return fmt.Errorf("shardsql: no data source registered; call Topology.AddDataSource first")
			}
			flexible := true
			_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
				if te, ok := node.(*sqlparser.AliasedTableExpr); ok {
					if tn, ok := te.Expr.(sqlparser.TableName); !ok || s.resolve(tn).broadcast == "" {
						flexible = false
					}
				}
				return flexible, nil
			}, n)
			*out = append(*out, unionPart{plan: &Plan{Kind: KindSelect, Units: []Unit{s.renderPlain(n, ds)}}, flexible: flexible})
			return nil
		}
		p, err := s.routeSelect(n)
		if err != nil {
			return err
		}
		*out = append(*out, unionPart{plan: p})
		return nil
	}
	return unsupported(s.sql, "%T in a UNION (write each part as a SELECT)", n)
}

// renderPlain prints a statement that names no sharded table for data
// source ds.
func (s *statement) renderPlain(stmt sqlparser.SQLNode, ds string) Unit {
	r := &renderer{s: s, named: true}
	r.aliased = s.shapeOf(s.ps.stmt).aliased
	buf := sqlparser.NewTrackedBuffer(r.format)
	buf.Myprintf("%v", stmt)
	return Unit{DataSource: ds, SQL: buf.String(), Args: r.out}
}

// pushUnion returns the union as one statement when every part is one
// unit and they share a data source.
func (s *statement) pushUnion(u *sqlparser.Union, parts []unionPart) (*Plan, bool) {
	ds := ""
	for _, pt := range parts {
		if len(pt.plan.Units) != 1 || pt.plan.Root != nil {
			return nil, false
		}
		if pt.flexible {
			continue
		}
		if d := pt.plan.Units[0].DataSource; ds == "" {
			ds = d
		} else if d != ds {
			return nil, false
		}
	}
	if ds == "" {
		ds = parts[0].plan.Units[0].DataSource
	}
	var b strings.Builder
	var args []any
	i := 0
	s.writeUnion(&b, &args, u, parts, &i)
	p := &Plan{SQL: s.sql, Kind: KindSelect, Table: s.shardedNames(u)[0], Units: []Unit{{DataSource: ds, SQL: b.String(), Args: args}}}
	for _, pt := range parts {
		if n := pt.plan.Units[0].Node; n.Table != "" {
			p.Units[0].Node = n // names the node in errors and Explain
			break
		}
	}
	return p, true
}

// writeUnion prints n with each SELECT as its part's node statement.
func (s *statement) writeUnion(b *strings.Builder, args *[]any, n sqlparser.TableStatement, parts []unionPart, i *int) {
	switch n := n.(type) {
	case *sqlparser.Union:
		s.writeUnion(b, args, n.Left, parts, i)
		if n.Distinct {
			b.WriteString(" union ")
		} else {
			b.WriteString(" union all ")
		}
		if _, nested := n.Right.(*sqlparser.Union); nested {
			b.WriteString("(")
			s.writeUnion(b, args, n.Right, parts, i)
			b.WriteString(")")
		} else {
			s.writeUnion(b, args, n.Right, parts, i)
		}
		if len(n.OrderBy) > 0 || n.Limit != nil {
			r := &renderer{s: s}
			buf := sqlparser.NewTrackedBuffer(r.format)
			buf.Myprintf("%v%v", n.OrderBy, n.Limit)
			b.WriteString(buf.String())
			*args = append(*args, r.out...)
		}
	case *sqlparser.Select:
		u := parts[*i].plan.Units[0]
		*i++
		b.WriteString("(" + u.SQL + ")")
		*args = append(*args, u.Args...)
	}
}

// unionTree builds the Union operators of n over its parts' trees.
func (s *statement) unionTree(n sqlparser.TableStatement, parts []unionPart, i *int) (merge.Operator, error) {
	switch n := n.(type) {
	case *sqlparser.Union:
		op := &merge.Union{Distinct: n.Distinct, TextByBytes: !s.weights, MaxRows: s.maxRows, MixedText: s.unionMixedText(n), SameWidth: s.unionSameWidth(n)}
		for _, side := range []sqlparser.TableStatement{n.Left, n.Right} {
			in, err := s.unionTree(side, parts, i)
			if err != nil {
				return nil, err
			}
			if inner, ok := side.(*sqlparser.Union); ok && len(inner.OrderBy) > 0 || ok && inner.Limit != nil {
				return nil, unsupported(s.sql, "ORDER BY or LIMIT of a parenthesized UNION inside a UNION across data sources (run the inner UNION as its own statement, and combine the rows in the application)")
			}
			// UNION is associative, and a distinct union makes the
			// distinct or not of the unions below it moot.
			if iu, ok := in.(*merge.Union); ok && (n.Distinct || !iu.Distinct) {
				op.Parts = append(op.Parts, iu.Parts...)
				continue
			}
			op.Parts = append(op.Parts, in)
		}
		return op, nil
	case *sqlparser.Select:
		p := parts[*i].plan
		*i++
		return p.Tree(), nil
	}
	return nil, unsupported(s.sql, "%T in a UNION (write each part as a SELECT)", n)
}

// unionTail adds the union's ORDER BY (a sort in memory) and LIMIT.
func (s *statement) unionTail(u *sqlparser.Union, root merge.Operator) (merge.Operator, error) {
	if len(u.OrderBy) > 0 {
		first := firstSelect(u)
		var keys []merge.SortKey
		for _, o := range u.OrderBy {
			col, err := s.unionColumn(first, o.Expr)
			if err != nil {
				return nil, err
			}
			keys = append(keys, merge.SortKey{Col: merge.At(col), Desc: o.Direction == sqlparser.DescOrder})
		}
		root = &merge.MemorySort{Keys: keys, MaxRows: s.maxRows, Input: root}
	}
	if u.Limit != nil {
		m := &scatter{s: s}
		count, err := m.limitValue(u.Limit.Rowcount)
		if err != nil {
			return nil, err
		}
		var offset int64
		if u.Limit.Offset != nil {
			if offset, err = m.limitValue(u.Limit.Offset); err != nil {
				return nil, err
			}
		}
		root = &merge.Limit{Page: merge.Page{Offset: offset, Count: count}, Input: root}
	}
	return root, nil
}

// firstSelect is the first SELECT of a union: it names the columns.
func firstSelect(n sqlparser.TableStatement) *sqlparser.Select {
	for {
		switch x := n.(type) {
		case *sqlparser.Union:
			n = x.Left
		case *sqlparser.Select:
			return x
		default:
			return nil
		}
	}
}

// unionWidth is the number of columns of a union whose first SELECT is
// first, or a large number when a * hides it (the merge checks then).
func unionWidth(first *sqlparser.Select) int {
	if first == nil || first.SelectExprs == nil {
		return 1 << 30
	}
	for _, se := range first.SelectExprs.Exprs {
		if _, ok := se.(*sqlparser.AliasedExpr); !ok {
			return 1 << 30
		}
	}
	return len(first.SelectExprs.Exprs)
}

// unionColumn resolves an ORDER BY item of a union to a column of its
// result: a position, or a name the first SELECT gives a column.
func (s *statement) unionColumn(first *sqlparser.Select, e sqlparser.Expr) (int, error) {
	if lit, ok := e.(*sqlparser.Literal); ok && lit.Type == sqlparser.IntVal {
		n, err := strconv.Atoi(lit.Val)
		if err != nil || n < 1 || n > unionWidth(first) {
			// (round 22: a position past the last column failed in the
			// merge with an internal "column out of range")
			return 0, unsupported(s.sql, "ORDER BY position %s of a UNION (MySQL's error 1054: give a position from 1 to the number of columns)", lit.Val)
		}
		return n - 1, nil
	}
	col, ok := e.(*sqlparser.ColName)
	if ok && col.Qualifier.IsEmpty() && first != nil && first.SelectExprs != nil {
		found := -1
		for i, se := range first.SelectExprs.Exprs {
			ae, isAliased := se.(*sqlparser.AliasedExpr)
			if !isAliased {
				break // a * hides the positions of the names after it
			}
			name := ae.As
			if name.IsEmpty() {
				if c, isCol := ae.Expr.(*sqlparser.ColName); isCol {
					name = c.Name
				}
			}
			if !name.Equal(col.Name) {
				continue
			}
			if found >= 0 {
				// Hazard (round 22): `SELECT i, i … UNION … ORDER BY i`
				// fails on one server (error 1052, ambiguous); the
				// first match sorted the rows.
				return 0, unsupported(s.sql, "ORDER BY %s of a UNION whose first SELECT names two columns %s (MySQL's error 1052, ambiguous: order by a position, or give the columns different aliases)", col.Name.String(), col.Name.String())
			}
			found = i
		}
		if found >= 0 {
			return found, nil
		}
	}
	return 0, unsupported(s.sql, "ORDER BY %s of a UNION across data sources (order by a column name of the first SELECT or a position)", sqlparser.String(e))
}

// unionMixedText reports, per column of union n, whether its SELECTs'
// text collations differ or one is not known here (round 11: MariaDB
// deduplicated (SELECT sk …) UNION (SELECT bk …) by utf8mb4_bin, the merge
// by the first SELECT's general_ci). A column of a sharded table the
// catalog holds (or its MIN/MAX) has the catalog's collation; a string
// literal is coercible and defers to the others; anything else is not
// known.
func (s *statement) unionMixedText(n *sqlparser.Union) []bool {
	leaves := unionLeaves(n)
	if len(leaves) == 0 {
		return nil
	}
	width := len(leaves[0].GetColumns())
	out := make([]bool, width)
	for c := 0; c < width; c++ {
		seen := ""
		for _, sel := range leaves {
			items := sel.GetColumns()
			if c >= len(items) {
				out[c] = true
				break
			}
			ae, ok := items[c].(*sqlparser.AliasedExpr)
			if !ok {
				out[c] = true // *: not resolved here
				break
			}
			e := minMaxArg(ae.Expr)
			switch x := e.(type) {
			case *sqlparser.Literal, *sqlparser.NullVal:
				continue // coercible, or not text
			case *sqlparser.ColName:
				coll, known := s.collationIn(sel, x)
				if !known {
					out[c] = true
				} else if coll != "" {
					if seen != "" && !strings.EqualFold(seen, coll) {
						out[c] = true
					}
					seen = coll
				}
			default:
				out[c] = true
			}
			if out[c] {
				break
			}
		}
	}
	return out
}

// unionLeaves returns the SELECTs of union n, left to right.
func unionLeaves(n *sqlparser.Union) []*sqlparser.Select {
	var leaves []*sqlparser.Select
	var walk func(sqlparser.TableStatement)
	walk = func(t sqlparser.TableStatement) {
		switch t := t.(type) {
		case *sqlparser.Union:
			walk(t.Left)
			walk(t.Right)
		case *sqlparser.Select:
			leaves = append(leaves, t)
		}
	}
	walk(n)
	return leaves
}
