package route

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"vitess.io/vitess/go/sqltypes"
	"vitess.io/vitess/go/vt/sqlparser"
)

// Printing a node statement through renderer.format calls the formatter
// for every node of the AST, and each parent prints its children through
// TrackedBuffer.astPrintf, which reads a format string and boxes every
// operand: that was a quarter of routing an uncached point select. Most
// subtrees of a node statement (a WHERE of column comparisons, the select
// list, ORDER BY, LIMIT) contain nothing format rewrites, and vitess's
// generated fast printer (FormatFast) prints them without either cost.
//
// The hazard is a subtree that format would have printed differently:
// the rendering must be byte-identical to the formatter's. format departs
// from the parser's own printing in a known list of places, and plain
// rejects a subtree that contains any of them:
//   - a table name (the physical name, a dropped qualifier), so also a
//     qualified column or t.*, and every SELECT (its FROM scope decides
//     how qualifiers print), hence every subquery, derived table, CTE and
//     UNION; a DELETE (its alias form);
//   - an argument the parser typed (format prints it as a bare ?, the
//     parser as CAST(:v AS …));
//   - an IN list the node trims, the INSERT rows a node picks, and an
//     unaliased select expression that format names after the caller's
//     text.
//
// A ? inside a fast subtree is printed as the parser's name for it
// (":v1"), which TrackedBuffer records as a bind location: format writes
// its own ? the same way when printing fast, and finish turns every one
// into ? and collects the arguments in print order, as format does. A list
// argument ("::name") and anything else the parser records are kept as
// printed, as format keeps them.
//
// The check walks at most plainBudget nodes (a larger subtree is printed
// through format, whose children are checked in turn), so a deep
// statement is not walked once per level. Built with the tag
// shardsql_rendercheck, every fast rendering is compared with the
// formatter's and a difference panics (render_check_on.go).

// plainBudget is how many nodes plain walks before it gives up.
const plainBudget = 128

// errNotPlain stops plain's walk.
var errNotPlain = errors.New("not plain")

// formatFast prints node with its fast printer when plain allows, and
// reports whether it did.
func (r *renderer) formatFast(buf *sqlparser.TrackedBuffer, node sqlparser.SQLNode) bool {
	switch node.(type) {
	case *sqlparser.Select, *sqlparser.Union, *sqlparser.Insert, *sqlparser.Update, *sqlparser.Delete,
		sqlparser.TableName, *sqlparser.AliasedTableExpr, *sqlparser.Argument, *sqlparser.ColName,
		*sqlparser.Literal, sqlparser.IdentifierCI, sqlparser.IdentifierCS:
		return false // never plain, or a leaf format prints fast itself
	}
	if !r.plain(node) {
		return false
	}
	node.FormatFast(buf)
	return true
}

// plain reports whether format prints node exactly as node.FormatFast
// does, up to the bind locations finish replaces (see the file comment).
func (r *renderer) plain(node sqlparser.SQLNode) bool {
	c := plainCheck{r: r, budget: plainBudget}
	return c.node(node)
}

// plainCheck is one plain question: the renderer and the nodes it may
// still look at.
//
// The common nodes of a node statement's clauses are read directly, every
// field that holds a node; others are walked by sqlparser.Walk, which
// boxes every identifier it passes (an allocation each), so the direct
// cases come first.
type plainCheck struct {
	r      *renderer
	budget int
}

func (c *plainCheck) node(n sqlparser.SQLNode) bool {
	if c.budget--; c.budget < 0 {
		return false
	}
	switch n := n.(type) {
	case nil, *sqlparser.Literal, *sqlparser.NullVal, sqlparser.BoolVal, *sqlparser.ParsedComments,
		sqlparser.Partitions, sqlparser.Columns:
		return true // leaves, or identifiers only
	case *sqlparser.ColName:
		return n.Qualifier.IsEmpty() // format prints the name alone, fast
	case *sqlparser.StarExpr:
		return n.TableName.IsEmpty()
	case *sqlparser.Argument:
		return n.Type == sqltypes.Unknown
	case *sqlparser.AndExpr:
		return c.node(n.Left) && c.node(n.Right)
	case *sqlparser.OrExpr:
		return c.node(n.Left) && c.node(n.Right)
	case *sqlparser.XorExpr:
		return c.node(n.Left) && c.node(n.Right)
	case *sqlparser.NotExpr:
		return c.node(n.Expr)
	case *sqlparser.ComparisonExpr:
		if _, trimmed := c.r.ins[n]; trimmed {
			return false
		}
		return c.node(n.Left) && c.node(n.Right) && c.node(n.Escape)
	case *sqlparser.BetweenExpr:
		return c.node(n.Left) && c.node(n.From) && c.node(n.To)
	case *sqlparser.IsExpr:
		return c.node(n.Left)
	case *sqlparser.BinaryExpr:
		return c.node(n.Left) && c.node(n.Right)
	case *sqlparser.UnaryExpr:
		return c.node(n.Expr)
	case sqlparser.ValTuple:
		for _, e := range n {
			if !c.node(e) {
				return false
			}
		}
		return true
	case *sqlparser.FuncExpr:
		for _, e := range n.Exprs {
			if !c.node(e) {
				return false
			}
		}
		return true // its qualifier and name are identifiers
	case *sqlparser.AliasedExpr:
		if _, col := n.Expr.(*sqlparser.ColName); c.r.named && n.As.IsEmpty() && !col {
			return false
		}
		return c.node(n.Expr) // As is an identifier
	case *sqlparser.SelectExprs:
		if n == nil {
			return true
		}
		for _, e := range n.Exprs {
			if !c.node(e) {
				return false
			}
		}
		return true
	case *sqlparser.Where:
		return n == nil || c.node(n.Expr)
	case *sqlparser.GroupBy:
		if n == nil {
			return true
		}
		for _, e := range n.Exprs {
			if !c.node(e) {
				return false
			}
		}
		return true
	case sqlparser.OrderBy:
		for _, o := range n {
			if !c.node(o.Expr) {
				return false
			}
		}
		return true
	case *sqlparser.Limit:
		return n == nil || c.node(n.Offset) && c.node(n.Rowcount)
	case sqlparser.TableName, *sqlparser.Select, *sqlparser.Union, *sqlparser.Delete, *sqlparser.Subquery,
		*sqlparser.ExistsExpr, *sqlparser.DerivedTable, *sqlparser.AliasedTableExpr:
		return false
	}
	return c.walk(n)
}

// walk is node for the nodes it does not read itself: the same rules, by
// sqlparser.Walk.
func (c *plainCheck) walk(node sqlparser.SQLNode) bool {
	err := sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if c.budget--; c.budget < 0 {
			return false, errNotPlain
		}
		switch n := n.(type) {
		case *sqlparser.ColName:
			if !n.Qualifier.IsEmpty() {
				return false, errNotPlain
			}
			return false, nil // its name only
		case *sqlparser.StarExpr:
			if !n.TableName.IsEmpty() {
				return false, errNotPlain
			}
			return false, nil
		case sqlparser.TableName, *sqlparser.Select, *sqlparser.Union, *sqlparser.Delete:
			return false, errNotPlain
		case *sqlparser.Argument:
			if n.Type != sqltypes.Unknown {
				return false, errNotPlain
			}
		case sqlparser.Values:
			if c.r.rows != nil {
				return false, errNotPlain
			}
		case *sqlparser.ComparisonExpr:
			if _, trimmed := c.r.ins[n]; trimmed {
				return false, errNotPlain
			}
		case *sqlparser.AliasedExpr:
			if _, col := n.Expr.(*sqlparser.ColName); c.r.named && n.As.IsEmpty() && !col {
				return false, errNotPlain
			}
		}
		return true, nil
	}, node)
	return err == nil
}

// formatSelect prints node as (*sqlparser.Select).Format does, each part
// through format directly rather than through astPrintf, which reads a
// format string and boxes the operands for every clause (none of a
// SELECT's clauses is an expression, so astPrintf adds no parentheses).
// Built with shardsql_rendercheck, the comparison with the formatter
// checks it against vitess's own.
func (r *renderer) formatSelect(buf *sqlparser.TrackedBuffer, node *sqlparser.Select) {
	if node.With != nil {
		r.format(buf, node.With)
	}
	buf.WriteLiteral("select ")
	if node.Comments != nil {
		r.format(buf, node.Comments)
	}
	if node.Distinct {
		buf.WriteLiteral(sqlparser.DistinctStr)
	}
	if node.Cache != nil {
		if *node.Cache {
			buf.WriteLiteral(sqlparser.SQLCacheStr)
		} else {
			buf.WriteLiteral(sqlparser.SQLNoCacheStr)
		}
	}
	if node.HighPriority {
		buf.WriteLiteral(sqlparser.HighPriorityStr)
	}
	if node.StraightJoinHint {
		buf.WriteLiteral(sqlparser.StraightJoinHint)
	}
	if node.SQLSmallResult {
		buf.WriteLiteral(sqlparser.SQLSmallResultStr)
	}
	if node.SQLBigResult {
		buf.WriteLiteral(sqlparser.SQLBigResultStr)
	}
	if node.SQLBufferResult {
		buf.WriteLiteral(sqlparser.SQLBufferResultStr)
	}
	if node.SQLCalcFoundRows {
		buf.WriteLiteral(sqlparser.SQLCalcFoundRowsStr)
	}
	r.format(buf, node.SelectExprs)
	buf.WriteLiteral(" from ")
	for i, expr := range node.From {
		if i > 0 {
			buf.WriteLiteral(", ")
		}
		r.format(buf, expr)
	}
	// A clause that is nil (or an empty ORDER BY) prints nothing: it is
	// not handed to format at all.
	if node.Where != nil {
		r.format(buf, node.Where)
	}
	if node.GroupBy != nil {
		r.format(buf, node.GroupBy)
	}
	if node.Having != nil {
		r.format(buf, node.Having)
	}
	if node.Windows != nil {
		buf.WriteLiteral(" ")
		r.format(buf, node.Windows)
	}
	if len(node.OrderBy) > 0 {
		r.format(buf, node.OrderBy)
	}
	if node.Limit != nil {
		r.format(buf, node.Limit)
	}
	buf.WriteLiteral(node.Lock.ToString())
	if node.Into != nil {
		r.format(buf, node.Into)
	}
}

// formatAliasedTable prints node as (*sqlparser.AliasedTableExpr).Format
// does, its parts through format directly (see formatSelect).
func (r *renderer) formatAliasedTable(buf *sqlparser.TrackedBuffer, node *sqlparser.AliasedTableExpr) {
	r.format(buf, node.Expr)
	if node.Partitions != nil {
		r.format(buf, node.Partitions)
	}
	if node.As.NotEmpty() {
		buf.WriteLiteral(" as ")
		r.format(buf, node.As)
		if len(node.Columns) != 0 {
			r.format(buf, node.Columns)
		}
	}
	if node.Hints != nil {
		r.format(buf, node.Hints)
	}
}

// print renders stmt for r's node (the caller set r up) into SQL of about
// size bytes, collecting the arguments into r.out and r.outIdx.
func (r *renderer) print(stmt sqlparser.SQLNode, size int) string {
	r.fast = r.s.router == nil || !r.s.router.slowRender
	if r.scopes == nil {
		r.scopes = r.scopeBuf[:0]
	}
	out0, spans0 := len(r.out), 0
	if r.spans != nil {
		spans0 = len(*r.spans)
	}
	buf := sqlparser.NewTrackedBuffer(r.format)
	buf.Grow(size)
	buf.Myprintf("%v", stmt)
	sql := r.finish(buf, spans0)
	if renderCheck && r.fast {
		r.checkSlow(stmt, sql, out0, spans0)
	}
	return sql
}

// finish returns what buf holds with every bind location that is an
// argument (":v1", …) printed as ?, appending the argument each one takes
// to r.out and its index to r.outIdx in print order, and moves the table
// spans recorded from spans0 on to the text they now have.
func (r *renderer) finish(buf *sqlparser.TrackedBuffer, spans0 int) string {
	sql := buf.String()
	if !buf.HasBindVars() {
		return sql
	}
	locs := buf.ParsedQuery().BindLocations()
	var spans []tableSpan
	if r.spans != nil {
		spans = (*r.spans)[spans0:]
	}
	var b strings.Builder
	b.Grow(len(sql))
	prev, shift, si := 0, 0, 0
	for _, loc := range locs {
		name := sql[loc.Offset : loc.Offset+loc.Length]
		if !strings.HasPrefix(name, ":") || strings.HasPrefix(name, "::") {
			continue // not an argument: kept as printed
		}
		for ; si < len(spans) && spans[si].start < loc.Offset; si++ {
			spans[si].start -= shift
			spans[si].end -= shift
		}
		b.WriteString(sql[prev:loc.Offset])
		b.WriteByte('?')
		prev = loc.Offset + loc.Length
		shift += loc.Length - 1
		if i, ok := argIndex(name[1:]); ok && i < len(r.s.args) {
			r.out = append(r.out, r.s.args[i])
			if r.keepIdx {
				r.outIdx = append(r.outIdx, i)
			}
		}
	}
	for ; si < len(spans); si++ {
		spans[si].start -= shift
		spans[si].end -= shift
	}
	if prev == 0 {
		return sql
	}
	b.WriteString(sql[prev:])
	return b.String()
}

// checkSlow renders stmt again through format alone and panics unless the
// SQL, the arguments and the table spans are those print produced (from
// out0 and spans0 on).
func (r *renderer) checkSlow(stmt sqlparser.SQLNode, sql string, out0, spans0 int) {
	slow := *r
	slow.fast = false
	slow.scopes = nil // not into r's scopeBuf
	slow.out, slow.outIdx = nil, nil
	var spans []tableSpan
	if r.spans != nil {
		slow.spans = &spans
	}
	buf := sqlparser.NewTrackedBuffer(slow.format)
	buf.Myprintf("%v", stmt)
	if !slow.keepIdx {
		slow.outIdx = nil
	}
	var fastSpans []tableSpan
	if r.spans != nil {
		fastSpans = (*r.spans)[spans0:]
	}
	fastOut, fastIdx := r.out[out0:], []int(nil)
	if r.keepIdx {
		fastIdx = r.outIdx[len(r.outIdx)-(len(r.out)-out0):]
	}
	if buf.String() != sql || !reflect.DeepEqual(slow.out, nilIfEmpty(fastOut)) ||
		!reflect.DeepEqual(slow.outIdx, nilIfEmptyInts(fastIdx)) || !reflect.DeepEqual(spans, nilIfEmptySpans(fastSpans)) {
		panic(fmt.Sprintf("shardsql: route: fast rendering differs from the formatter's:\n fast: %q %v %v\n slow: %q %v %v",
			sql, fastOut, fastSpans, buf.String(), slow.out, spans))
	}
}

func nilIfEmpty(v []any) []any {
	if len(v) == 0 {
		return nil
	}
	return v
}

func nilIfEmptyInts(v []int) []int {
	if len(v) == 0 {
		return nil
	}
	return v
}

func nilIfEmptySpans(v []tableSpan) []tableSpan {
	if len(v) == 0 {
		return nil
	}
	return v
}
