package route

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// routeSubqueriesOrBind routes a SELECT with subqueries: whole on one data
// source when its tables are co-located (routeSubqueries), otherwise, when
// its only subqueries are uncorrelated ones in WHERE, by running them first
// and routing the outer statement with their values (routeBoundSubqueries).
// Anything else keeps the co-located path's refusal.
func (s *statement) routeSubqueriesOrBind(sel *sqlparser.Select) (*Plan, error) {
	p, err := s.routeSubqueries(sel)
	if err == nil || !errors.Is(err, ErrUnsupported) {
		return p, err
	}
	if dp, derr := s.routeDerived(sel); !errors.Is(derr, errNotBindable) {
		return dp, derr
	}
	if cp, cerr := s.routeCorrelated(sel); !errors.Is(cerr, errNotBindable) {
		return cp, cerr
	}
	bp, berr := s.routeBoundSubqueries(sel)
	if errors.Is(berr, errNotBindable) {
		return nil, err
	}
	return bp, berr
}

// DefaultMaxBoundValues is how many values an IN (SELECT …) subquery may
// bind into the outer statement when no memory cap is set
// (driver.WithMaxMemoryRows sets it): each is a literal of the statement
// sent to the nodes.
const DefaultMaxBoundValues = 10000

// errNotBindable says a statement's subqueries are not all uncorrelated
// subqueries in WHERE: the caller keeps its own refusal.
var errNotBindable = errors.New("not bindable")

// boundSubquery is one uncorrelated subquery of a WHERE clause: the
// expression that holds it and how its rows are used.
type boundSubquery struct {
	kind merge.SubqueryKind
	sub  *sqlparser.Subquery
	// other is the operand compared with the subquery's values (the left
	// side of IN, the other side of a comparison); nil for EXISTS.
	other sqlparser.Expr
	// collations, when the catalog knows them and they differ, are the
	// collations of other and of the subquery's column: MySQL refuses to
	// compare two columns of different collations ("Illegal mix of
	// collations"), while bound literals would take other's.
	collations [2]string
}

// whereSubqueries lists the subqueries of where in walk order: the right
// side of [NOT] IN, one side of a comparison (scalar), EXISTS. It returns
// errNotBindable for a subquery anywhere else.
func whereSubqueries(where sqlparser.Expr) ([]boundSubquery, error) {
	var (
		out []boundSubquery
		bad bool
	)
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if bad {
			return false, nil
		}
		if bs, ok := classifySubquery(n); ok {
			out = append(out, bs)
			return false, nil
		}
		if _, ok := n.(*sqlparser.Subquery); ok {
			bad = true
			return false, nil
		}
		return true, nil
	}, where)
	if bad {
		return nil, errNotBindable
	}
	return out, nil
}

// classifySubquery recognises the expressions whose subquery can run first.
func classifySubquery(n sqlparser.SQLNode) (boundSubquery, bool) {
	switch e := n.(type) {
	case *sqlparser.ExistsExpr:
		return boundSubquery{kind: merge.SubqueryExists, sub: e.Subquery}, true
	case *sqlparser.ComparisonExpr:
		if e.Escape != nil {
			return boundSubquery{}, false
		}
		rs, rok := e.Right.(*sqlparser.Subquery)
		ls, lok := e.Left.(*sqlparser.Subquery)
		switch e.Operator {
		case sqlparser.InOp, sqlparser.NotInOp:
			if rok && !lok {
				return boundSubquery{kind: merge.SubqueryIn, sub: rs, other: e.Left}, true
			}
		case sqlparser.EqualOp, sqlparser.LessThanOp, sqlparser.GreaterThanOp, sqlparser.LessEqualOp,
			sqlparser.GreaterEqualOp, sqlparser.NotEqualOp, sqlparser.NullSafeEqualOp:
			switch {
			case rok && !lok:
				return boundSubquery{kind: merge.SubqueryScalar, sub: rs, other: e.Left}, true
			case lok && !rok:
				return boundSubquery{kind: merge.SubqueryScalar, sub: ls, other: e.Right}, true
			}
		}
	}
	return boundSubquery{}, false
}

// routeBoundSubqueries plans a SELECT whose subqueries are all
// uncorrelated and in WHERE: each subquery is routed as a statement of its
// own (a scatter with its own operators, a broadcast or unsharded read);
// at execution merge.BindSubqueries reads their values, and the outer
// statement, with the values written in as literals, is routed then (so an
// IN (SELECT …) on a sharding column prunes nodes).
func (s *statement) routeBoundSubqueries(sel *sqlparser.Select) (*Plan, error) {
	if sel.Where == nil || sel.With != nil || sel.Into != nil || sel.Lock != sqlparser.NoLock {
		return nil, errNotBindable
	}
	// Subqueries or derived tables outside WHERE are not bound.
	outside := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Where:
			return false, nil
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			outside = true
			return false, nil
		}
		return !outside, nil
	}, sel)
	if outside {
		return nil, errNotBindable
	}
	subs, err := whereSubqueries(sel.Where.Expr)
	if err != nil || len(subs) == 0 {
		return nil, errNotBindable
	}
	outerNames := s.scopeNames(sel)
	ops := make([]merge.Subquery, len(subs))
	var units []Unit
	for i, bs := range subs {
		if q := correlation(bs.sub, outerNames); q != "" {
			return nil, unsupported(s.sql, "correlated subquery (it names %s of the outer query) whose tables are not co-located with the outer row (correlate bound tables on their sharding columns, use a broadcast table, or run the subquery first and pass its values)", q)
		}
		subs[i].collations = s.collationClash(sel, bs)
		text, args := s.textOf(limitRows(bs))
		p, err := s.routeText(text, args)
		if err != nil {
			return nil, err
		}
		if p.Kind != KindSelect {
			return nil, errNotBindable
		}
		ops[i] = merge.Subquery{Kind: bs.kind, Input: p.Tree(), Text: "(" + text + ")"}
		units = append(units, p.Units...)
	}
	table := ""
	if sh := s.shapeOf(sel); len(sh.sharded) > 0 {
		table = sh.sharded[0].name.Name.String()
	}
	outerText, _ := s.textOf(sel)
	maxValues := s.maxRows
	if maxValues <= 0 {
		maxValues = DefaultMaxBoundValues
	}
	bind := &merge.BindSubqueries{Subqueries: ops, MaxValues: maxValues, OuterText: outerText,
		Outer: func(bounds []merge.Bound) (merge.Operator, error) {
			p, err := s.routeBoundOuter(sel, subs, bounds)
			if err != nil {
				return nil, err
			}
			return p.Tree(), nil
		}}
	return &Plan{SQL: s.sql, Kind: KindSelect, Table: table, Units: units, Root: bind}, nil
}

// routeBoundOuter routes sel with each subquery replaced by its values.
func (s *statement) routeBoundOuter(sel *sqlparser.Select, subs []boundSubquery, bounds []merge.Bound) (*Plan, error) {
	clone := sqlparser.CloneRefOfSelect(sel)
	s.keepCallerNames(sel, clone)
	i := 0
	var rerr error
	where := sqlparser.Rewrite(clone.Where.Expr, func(c *sqlparser.Cursor) bool {
		if rerr != nil {
			return false
		}
		bs, ok := classifySubquery(c.Node())
		if !ok {
			return true
		}
		if i >= len(bounds) {
			rerr = fmt.Errorf("shardsql: route: more subqueries than values")
			return false
		}
		bs.collations = subs[i].collations
		e, err := s.boundExpr(c.Node(), bs, bounds[i])
		if err != nil {
			rerr = err
			return false
		}
		c.Replace(e)
		i++
		return false
	}, nil)
	if rerr != nil {
		return nil, rerr
	}
	clone.Where.Expr = where.(sqlparser.Expr)
	text, args := s.textOf(clone)
	return s.routeText(text, args)
}

// boundExpr is the expression n (holding subquery bs) becomes with the
// subquery's values.
func (s *statement) boundExpr(n sqlparser.SQLNode, bs boundSubquery, bd merge.Bound) (sqlparser.Expr, error) {
	switch bs.kind {
	case merge.SubqueryExists:
		return sqlparser.BoolVal(len(bd.Values) > 0), nil
	case merge.SubqueryIn:
		cmp := n.(*sqlparser.ComparisonExpr)
		if len(bd.Values) == 0 {
			// x IN (empty) is false and x NOT IN (empty) true, even for
			// a NULL x.
			return sqlparser.BoolVal(cmp.Operator == sqlparser.NotInOp), nil
		}
		tuple := make(sqlparser.ValTuple, len(bd.Values))
		for j, v := range bd.Values {
			lit, err := s.literal(v, bd.Type, bs)
			if err != nil {
				return nil, err
			}
			tuple[j] = lit
		}
		return &sqlparser.ComparisonExpr{Operator: cmp.Operator, Left: sqlparser.CloneExpr(cmp.Left), Right: tuple}, nil
	default:
		cmp := n.(*sqlparser.ComparisonExpr)
		var lit sqlparser.Expr = &sqlparser.NullVal{}
		if len(bd.Values) == 1 {
			var err error
			if lit, err = s.literal(bd.Values[0], bd.Type, bs); err != nil {
				return nil, err
			}
		}
		out := &sqlparser.ComparisonExpr{Operator: cmp.Operator, Left: sqlparser.CloneExpr(cmp.Left), Right: sqlparser.CloneExpr(cmp.Right)}
		if _, ok := cmp.Left.(*sqlparser.Subquery); ok {
			out.Left = lit
		} else {
			out.Right = lit
		}
		return out, nil
	}
}

// literal writes a subquery value as a literal that compares with the
// other operand as the subquery's column would. Integers and decimals do
// (a decimal literal is DECIMAL, as the column); text does when the other
// operand is a column, whose collation then decides, as it does against
// the subquery's column of that collation. Other types (floats, which a
// literal may not round-trip; dates and times, which compare with text as
// dates only when typed; binary strings; ENUM/SET; BIT) are refused.
func (s *statement) literal(v driver.Value, typ string, bs boundSubquery) (sqlparser.Expr, error) {
	if v == nil {
		return &sqlparser.NullVal{}, nil
	}
	text := ""
	switch x := v.(type) {
	case []byte:
		text = string(x)
	case string:
		text = x
	case int64:
		text = strconv.FormatInt(x, 10)
	case uint64:
		text = strconv.FormatUint(x, 10)
	}
	switch merge.KindOf(typ) {
	case merge.KindInt, merge.KindUint:
		if isDecimalText(text, false) {
			return sqlparser.NewIntLiteral(text), nil
		}
	case merge.KindDecimal:
		if isDecimalText(text, true) {
			return sqlparser.NewDecimalLiteral(text), nil
		}
	case merge.KindText:
		if _, isCol := bs.other.(*sqlparser.ColName); !isCol {
			return nil, unsupported(s.sql, "subquery whose text values are compared with %s, which is not a column (the literal values would compare by the connection's collation, not the subquery column's)", sqlparser.String(bs.other))
		}
		if c := bs.collations; c[0] != "" {
			return nil, unsupported(s.sql, "subquery whose text values (collation %s) are compared with %s (collation %s): MySQL refuses to compare them (collate one side explicitly in the statement)", c[1], sqlparser.String(bs.other), c[0])
		}
		if _, ok := v.([]byte); ok || text != "" {
			return sqlparser.NewStrLiteral(text), nil
		}
	}
	return nil, unsupported(s.sql, "subquery returning %s values to compare in the outer query (only integers, decimals and text compared with a column are bound exactly; compare in the subquery instead)", typ)
}

// isDecimalText reports whether t is an optionally negative integer, or
// with frac a decimal with a point.
func isDecimalText(t string, frac bool) bool {
	t = strings.TrimPrefix(t, "-")
	if t == "" {
		return false
	}
	point := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && frac && !point && i > 0 && i < len(t)-1:
			point = true
		default:
			return false
		}
	}
	return true
}

// scopeNames returns the names a column of sel's FROM clause may be
// qualified with: table aliases, else table names (lower-cased).
func (s *statement) scopeNames(sel *sqlparser.Select) map[string]bool {
	names := make(map[string]bool)
	for _, ref := range s.scopeRefs(sel) {
		if !ref.expr.As.IsEmpty() {
			names[strings.ToLower(ref.expr.As.String())] = true
		} else {
			names[strings.ToLower(ref.name.Name.String())] = true
		}
	}
	return names
}

// correlation returns a qualified column of sub that names none of the
// tables of the subquery's own SELECTs but one of outer's: a correlated
// subquery. (An unqualified column that only the outer query has makes the
// subquery fail on its own, with the server's error: never a wrong result.)
func correlation(sub *sqlparser.Subquery, outer map[string]bool) string {
	inner := make(map[string]bool)
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if ate, ok := n.(*sqlparser.AliasedTableExpr); ok {
			if !ate.As.IsEmpty() {
				inner[strings.ToLower(ate.As.String())] = true
			}
			if tn, ok := ate.Expr.(sqlparser.TableName); ok && ate.As.IsEmpty() {
				inner[strings.ToLower(tn.Name.String())] = true
			}
		}
		return true, nil
	}, sub)
	found := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if col, ok := n.(*sqlparser.ColName); ok && found == "" && !col.Qualifier.IsEmpty() {
			q := strings.ToLower(col.Qualifier.Name.String())
			if !inner[q] && outer[q] {
				found = sqlparser.String(col)
			}
		}
		return found == "", nil
	}, sub)
	return found
}

// textOf prints node as statement text with ? placeholders and returns
// the caller's arguments they take, in order.
func (s *statement) textOf(node sqlparser.SQLNode) (string, []any) {
	var args []any
	buf := sqlparser.NewTrackedBuffer(func(buf *sqlparser.TrackedBuffer, n sqlparser.SQLNode) {
		if a, ok := n.(*sqlparser.Argument); ok {
			buf.WriteByte('?')
			if i, ok := argIndex(a.Name); ok && i < len(s.args) {
				args = append(args, s.args[i])
			}
			return
		}
		n.Format(buf)
	})
	buf.Myprintf("%v", node)
	return buf.String(), args
}

// routeText routes a statement shardsql wrote (a subquery, an outer
// statement with values bound) with this statement's options. Its parse is
// not cached: bound values make every such text new.
func (s *statement) routeText(sql string, args []any) (*Plan, error) {
	stmt, bindVars, err := s.router.parser.Parse2(sql)
	if err != nil {
		return nil, fmt.Errorf("shardsql: route: parsing rewritten statement %q: %w", quote(sql), err)
	}
	if len(bindVars) != len(args) {
		return nil, fmt.Errorf("shardsql: route: rewritten statement %q has %d placeholders for %d arguments", quote(sql), len(bindVars), len(args))
	}
	ps := &parsed{sql: sql, stmt: stmt, numArgs: len(bindVars), session: sessionUsesOf(stmt)}
	sub := &statement{router: s.router, sql: sql, args: args, topo: s.topo, weights: s.weights, maxRows: s.maxRows,
		hints: s.hints, hintDS: s.hintDS, ps: ps, version: s.version, catalog: s.catalog}
	p, err := sub.route(stmt)
	if err != nil {
		return nil, s.callerText(err, sql)
	}
	return p, nil
}

// callerText rewords an error about a statement shardsql wrote to name the
// caller's statement instead (keeping what it wraps).
func (s *statement) callerText(err error, written string) error {
	from := fmt.Sprintf(" in %q", quote(written))
	if s.sql == written || !strings.HasSuffix(err.Error(), from) {
		return err
	}
	return &reworded{err: err, msg: strings.TrimSuffix(err.Error(), from) + fmt.Sprintf(" in %q", quote(s.sql))}
}

// reworded is an error with another message.
type reworded struct {
	err error
	msg string
}

func (e *reworded) Error() string { return e.msg }
func (e *reworded) Unwrap() error { return e.err }

// collationClash returns the collations of a subquery's compared column
// and of the outer column it is compared with when the catalog knows both
// and they differ; zero otherwise.
func (s *statement) collationClash(sel *sqlparser.Select, bs boundSubquery) [2]string {
	outer, ok := bs.other.(*sqlparser.ColName)
	inner, isSel := bs.sub.Select.(*sqlparser.Select)
	if !ok || !isSel || len(inner.GetColumns()) != 1 {
		return [2]string{}
	}
	ae, ok := inner.GetColumns()[0].(*sqlparser.AliasedExpr)
	if !ok {
		return [2]string{}
	}
	e := ae.Expr
	switch f := e.(type) {
	case *sqlparser.Min:
		e = f.Arg
	case *sqlparser.Max:
		e = f.Arg
	}
	innerCol, ok := e.(*sqlparser.ColName)
	if !ok {
		return [2]string{}
	}
	a, b := s.collationIn(sel, outer), s.collationIn(inner, innerCol)
	if a == "" || b == "" || strings.EqualFold(a, b) {
		return [2]string{}
	}
	return [2]string{a, b}
}

// collationIn returns the catalog's collation of column col of one of
// sel's sharded tables, or "".
func (s *statement) collationIn(sel *sqlparser.Select, col *sqlparser.ColName) string {
	refs := s.scopeRefs(sel)
	for _, ref := range refs {
		if ref.sharded == nil {
			continue
		}
		if col.Qualifier.IsEmpty() && len(refs) != 1 || !col.Qualifier.IsEmpty() && !s.qualifies(col.Qualifier, ref) {
			continue
		}
		if t, ok := s.catalog.Table(ref.sharded.Name); ok {
			if c, ok := t.Column(col.Name.String()); ok {
				return c.Collation
			}
		}
	}
	return ""
}

// limitRows returns the subquery's SELECT with a LIMIT of the rows its
// kind reads, when it has none: EXISTS needs one row, a scalar subquery
// two (a second is the error). The nodes then stop early instead of
// sending rows that are never read (and drained at close).
func limitRows(bs boundSubquery) sqlparser.TableStatement {
	sel, ok := bs.sub.Select.(*sqlparser.Select)
	if !ok || sel.Limit != nil || bs.kind == merge.SubqueryIn {
		return bs.sub.Select
	}
	out := sqlparser.CloneRefOfSelect(sel)
	n := "1"
	if bs.kind == merge.SubqueryScalar {
		n = "2"
	}
	out.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(n)}
	return out
}
