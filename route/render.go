package route

import (
	"maps"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// renderer prints a statement's AST for one node: the logical table's name
// becomes the node's physical table, ? placeholders are kept and their
// arguments collected in print order, IN lists on the sharding column keep
// only the node's own values, and an INSERT keeps only the node's rows. The
// AST itself is never modified, so one parse serves every node.
type renderer struct {
	s       *statement
	tables  []*shard.ShardedTable // the sharded tables the statement names; each becomes its node nodeIdx
	node    shard.Node            // the first table's node
	nodeIdx int
	// nodeIdxs, when set, gives each table its own node index (a statement
	// whose unbound tables each route to one node of one data source).
	nodeIdxs []int
	ins      map[*sqlparser.ComparisonExpr]inOwners
	rows     sqlparser.Values    // the INSERT rows for this node, when set
	named    bool                // alias unnamed select expressions (the top-level SELECT list)
	aliased  map[string]bool     // logical tables with an alias: qualifiers naming them name the alias
	scopes   []*sqlparser.Select // the SELECTs being printed, outermost first: their FROM names (render_scope.go)
	out      []any
	outIdx   []int // the argument index of each value in out
	// spans, when not nil, records where each physical table name was
	// printed (renderNodes splices other nodes' names into them).
	spans *[]tableSpan
	// fast: subtrees that print the same through format as through
	// their own printer are printed by it (render_fast.go); r.finish
	// then turns their placeholders into ? and collects the arguments.
	fast bool
	// keepIdx: outIdx is wanted, the rendering being kept in the memo
	// (render); print collects it only then.
	keepIdx bool
	// scopeBuf is scopes' first storage: most statements nest no SELECT.
	scopeBuf [2]*sqlparser.Select
}

// tableSpan is where a rendering printed a physical table name: bytes
// [start, end) of the SQL, for table tables[table].
type tableSpan struct{ start, end, table int }

// render prints stmt for node nodeIdx of its sharded tables (bound tables
// share node indexes: node i of each lives on the same data source) and
// returns the SQL and its args.
func (s *statement) render(stmt sqlparser.SQLNode, tables []*shard.ShardedTable, nodeIdx int, ins map[*sqlparser.ComparisonExpr]inOwners, rows sqlparser.Values) Unit {
	node := tables[0].Nodes[nodeIdx]
	// A rendering that does not depend on the arguments (no IN list to
	// trim, no INSERT rows to pick: all of them or none) is kept with the
	// cached statement: its SQL and which argument goes to each ?.
	memo := s.ps != nil && len(ins) == 0 && stmt == sqlparser.SQLNode(s.ps.stmt) && allRows(stmt, rows)
	key := renderKey{shape: s.shapeKey(), node: nodeIdx}
	if memo {
		var rd *rendered
		if m := s.ps.renders.Load(); m != nil {
			rd = (*m)[key]
		}
		if rd != nil {
			var args []any
			if rd.inOrder {
				args = s.args[:len(s.args):len(s.args)]
			} else if len(rd.argIdx) > 0 {
				args = make([]any, len(rd.argIdx))
				for i, a := range rd.argIdx {
					args[i] = s.args[a]
				}
			}
			return Unit{DataSource: node.DataSource, Node: node, SQL: rd.sql, Args: args}
		}
	}
	keep := memo && s.ps.cached // the rendering is kept: its argument indexes too
	r := s.newRenderer()
	defer s.doneRenderer(r)
	*r = renderer{s: s, tables: tables, node: node, nodeIdx: nodeIdx, ins: ins, rows: rows, keepIdx: keep}
	if len(s.args) > 0 {
		r.out = make([]any, 0, len(s.args))
		if keep {
			r.outIdx = make([]int, 0, len(s.args))
		}
	}
	_, r.named = stmt.(*sqlparser.Select)
	// the statement's own shape (cached): rewritten copies share its FROM
	r.aliased = s.shapeOf(s.ps.stmt).aliased
	sql := r.print(stmt, len(s.sql)+len(s.sql)/4) // the node SQL is about the caller's: grown once
	if len(r.out) == 0 {
		r.out, r.outIdx = nil, nil // a node statement without ? has no args
	}
	u := Unit{DataSource: node.DataSource, Node: node, SQL: sql, Args: r.out}
	if keep {
		// Copy on write: readers load the map without a lock, so a
		// published map is never written again.
		s.ps.mu.Lock()
		var next map[renderKey]*rendered
		if old := s.ps.renders.Load(); old == nil || len(*old) > 4*len(tables[0].Nodes) {
			next = make(map[renderKey]*rendered) // a new topology version: start over
		} else {
			next = make(map[renderKey]*rendered, len(*old)+1)
			maps.Copy(next, *old)
		}
		next[key] = &rendered{sql: u.SQL, argIdx: r.outIdx, inOrder: inOrder(r.outIdx, len(s.args))}
		s.ps.renders.Store(&next)
		s.ps.mu.Unlock()
	}
	return u
}

// newRenderer returns the statement's own renderer storage when no
// rendering holds it (renderings of a statement run one after the other),
// a new one otherwise; doneRenderer gives it back. Nothing keeps a
// renderer after its rendering: the unit holds its SQL and arguments.
func (s *statement) newRenderer() *renderer {
	if s.one.rendBusy {
		return new(renderer)
	}
	s.one.rendBusy = true
	return &s.one.rend
}

// doneRenderer gives back the renderer newRenderer returned.
func (s *statement) doneRenderer(r *renderer) {
	if r == &s.one.rend {
		s.one.rendBusy = false
	}
}

// allRows reports whether rows, the INSERT rows a node receives, are all
// the statement's rows (or there are none to pick): the rendering then
// depends only on the node. The rows a node receives keep the statement's
// order, so as many rows are the same rows. An INSERT whose keys were
// generated is a rewritten copy, never the cached statement.
func allRows(stmt sqlparser.SQLNode, rows sqlparser.Values) bool {
	if rows == nil {
		return true
	}
	ins, ok := stmt.(*sqlparser.Insert)
	if !ok {
		return false
	}
	all, ok := ins.Rows.(sqlparser.Values)
	return ok && len(all) == len(rows)
}

// physical returns the node table of a name that resolves to one of the
// statement's logical sharded tables.
func (r *renderer) physical(tn sqlparser.TableName) (string, bool) {
	st := r.s.resolve(tn).sharded
	if st == nil {
		return "", false
	}
	for i, t := range r.tables {
		if t.Name == st.Name {
			if r.nodeIdxs != nil {
				return t.Nodes[r.nodeIdxs[i]].Table, true
			}
			return t.Nodes[r.nodeIdx].Table, true
		}
	}
	return "", false
}

// tableOf returns the index in r.tables of the logical table a name that
// physical resolved names.
func (r *renderer) tableOf(tn sqlparser.TableName) int {
	st := r.s.resolve(tn).sharded
	for i, t := range r.tables {
		if t.Name == st.Name {
			return i
		}
	}
	return -1 // physical found it: not reached
}

func (r *renderer) format(buf *sqlparser.TrackedBuffer, node sqlparser.SQLNode) {
	if r.fast && r.formatFast(buf, node) {
		return
	}
	switch n := node.(type) {
	case *sqlparser.Argument:
		if r.fast {
			buf.WriteArg(":", n.Name) // finish prints it as ?, in order with the fast subtrees'
			return
		}
		buf.WriteByte('?')
		if i, ok := argIndex(n.Name); ok && i < len(r.s.args) {
			r.out = append(r.out, r.s.args[i])
			r.outIdx = append(r.outIdx, i)
		}
		return
	case sqlparser.TableName:
		if phys, ok := r.physical(n); ok {
			// The physical table lives in the data source's own database:
			// a schema qualifier written for the logical table is dropped.
			start := buf.Len()
			sqlparser.NewIdentifierCS(phys).FormatFast(buf)
			if r.spans != nil {
				*r.spans = append(*r.spans, tableSpan{start: start, end: buf.Len(), table: r.tableOf(n)})
			}
			return
		}
		if !n.Qualifier.IsEmpty() && r.s.resolve(n).broadcast != "" {
			// Each copy lives in its data source's own database, whose
			// name may differ from the home data source's.
			buf.Myprintf("%v", n.Name)
			return
		}
	case sqlparser.Values:
		if r.rows != nil {
			r.rows.Format(buf)
			return
		}
	case *sqlparser.ComparisonExpr:
		if owners, ok := r.ins[n]; ok && r.trimIn(buf, n, owners) {
			return
		}
	case *sqlparser.Literal, sqlparser.IdentifierCI, sqlparser.IdentifierCS:
		// Leaves: nothing below them is rewritten. Their fast printer
		// writes the same text as Format without boxing its operands
		// (vitess's FormatFast; a node with children must not use it,
		// since it prints them without this formatter).
		node.FormatFast(buf)
		return
	case *sqlparser.ColName:
		if n.Qualifier.IsEmpty() {
			n.Name.FormatFast(buf) // a leaf as above: only its name
			return
		}
		if n.Qualifier.Qualifier.IsEmpty() && r.qualifierIsAlias(n.Qualifier.Name.String()) || !n.Qualifier.Qualifier.IsEmpty() && r.aliased[strings.ToLower(n.Qualifier.Name.String())] {
			// The qualifier is the alias, even when the alias is spelled
			// like the logical table: keep it as written.
			if !n.Qualifier.Qualifier.IsEmpty() {
				buf.Myprintf("%v.", n.Qualifier.Qualifier)
			}
			buf.Myprintf("%v.%v", n.Qualifier.Name, n.Name)
			return
		}
	case *sqlparser.AliasedExpr:
		if n.As.IsEmpty() && r.named {
			if _, isCol := n.Expr.(*sqlparser.ColName); !isCol && !stringLiteral(n.Expr) {
				// Name the column after the expression, as the server would
				// name it after the caller's text, not after the rewritten
				// text (which may quote identifiers).
				name, ok := r.s.callerName(n)
				if !ok {
					name = columnName(n.Expr)
				}
				buf.Myprintf("%v as %v", n.Expr, sqlparser.NewIdentifierCI(name))
				return
			}
		}
	case *sqlparser.Select:
		r.scopes = append(r.scopes, n)
		if r.fast {
			r.formatSelect(buf, n)
		} else {
			node.Format(buf)
		}
		r.scopes = r.scopes[:len(r.scopes)-1]
		return
	case *sqlparser.AliasedTableExpr:
		if r.fast {
			r.formatAliasedTable(buf, n)
			return
		}
	case *sqlparser.Delete:
		if n.Targets != nil && n.IsSingleAliasExpr() {
			// The parser's printer drops "alias" from "DELETE alias FROM t AS alias",
			// leaving a single-table DELETE with an alias that MariaDB rejects.
			r.formatAliasedDelete(buf, n)
			return
		}
	}
	node.Format(buf)
}

// trimIn prints "key IN (…)" with only the values this node owns. It prints
// nothing and returns false when the node owns none of them: the full list
// is then kept, which is equally correct since the node holds no such rows.
func (r *renderer) trimIn(buf *sqlparser.TrackedBuffer, e *sqlparser.ComparisonExpr, owners inOwners) bool {
	tuple := e.Right.(sqlparser.ValTuple)
	mine := owners[r.nodeIdx]
	kept := make(sqlparser.ValTuple, 0, len(mine))
	for _, i := range mine {
		kept = append(kept, tuple[i])
	}
	if len(kept) == 0 {
		return false
	}
	buf.Myprintf("%v in %v", e.Left, kept)
	return true
}

func (r *renderer) formatAliasedDelete(buf *sqlparser.TrackedBuffer, n *sqlparser.Delete) {
	if n.With != nil {
		buf.Myprintf("%v", n.With)
	}
	buf.Myprintf("delete %v", n.Comments)
	if n.Ignore {
		buf.WriteString("ignore ")
	}
	buf.Myprintf("%v from ", n.Targets)
	for i, expr := range n.TableExprs {
		if i > 0 {
			buf.WriteString(", ")
		}
		buf.Myprintf("%v", expr)
	}
	buf.Myprintf("%v%v%v%v", n.Partitions, n.Where, n.OrderBy, n.Limit)
}

// columnName is the name a server gives an unaliased select expression,
// as near as the AST allows: its text, identifiers unquoted, ? as written.
func columnName(e sqlparser.Expr) string {
	buf := sqlparser.NewTrackedBuffer(func(buf *sqlparser.TrackedBuffer, node sqlparser.SQLNode) {
		if _, ok := node.(*sqlparser.Argument); ok {
			buf.WriteByte('?')
			return
		}
		node.Format(buf)
	})
	buf.SetEscapeNoIdentifier()
	buf.Myprintf("%v", e)
	return buf.String()
}

// inOrder reports whether a rendering's argument indexes are all n of the
// statement's arguments in order.
func inOrder(argIdx []int, n int) bool {
	if len(argIdx) != n || n == 0 {
		return false
	}
	for i, a := range argIdx {
		if a != i {
			return false
		}
	}
	return true
}
