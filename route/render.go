package route

import (
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
	logical string // the logical table name to replace
	node    shard.Node
	nodeIdx int
	ins     map[*sqlparser.ComparisonExpr][]int
	rows    sqlparser.Values // the INSERT rows for this node, when set
	named   bool             // alias unnamed select expressions (the top-level SELECT list)
	alias   bool             // the table has an alias: column qualifiers name the alias, not the table
	out     []any
}

// render prints node for one node of the table and returns the SQL and its args.
func (s *statement) render(stmt sqlparser.SQLNode, table *shard.ShardedTable, nodeIdx int, ins map[*sqlparser.ComparisonExpr][]int, rows sqlparser.Values) Unit {
	r := &renderer{s: s, logical: table.Name, node: table.Nodes[nodeIdx], nodeIdx: nodeIdx, ins: ins, rows: rows}
	_, r.named = stmt.(*sqlparser.Select)
	r.alias = aliasOf(stmt)
	buf := sqlparser.NewTrackedBuffer(r.format)
	buf.Myprintf("%v", stmt)
	return Unit{DataSource: r.node.DataSource, Node: r.node, SQL: buf.String(), Args: r.out}
}

func (r *renderer) format(buf *sqlparser.TrackedBuffer, node sqlparser.SQLNode) {
	switch n := node.(type) {
	case *sqlparser.Argument:
		buf.WriteByte('?')
		if i, ok := argIndex(n.Name); ok && i < len(r.s.args) {
			r.out = append(r.out, r.s.args[i])
		}
		return
	case sqlparser.TableName:
		if strings.EqualFold(n.Name.String(), r.logical) {
			// The physical table lives in the data source's own database:
			// a schema qualifier written for the logical table is dropped.
			buf.Myprintf("%v", sqlparser.NewIdentifierCS(r.node.Table))
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
	case *sqlparser.ColName:
		if r.alias && !n.Qualifier.IsEmpty() {
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
			if _, isCol := n.Expr.(*sqlparser.ColName); !isCol {
				// Name the column after the expression, as the server would
				// name it after the caller's text, not after the rewritten
				// text (which may quote identifiers).
				buf.Myprintf("%v as %v", n.Expr, sqlparser.NewIdentifierCI(columnName(n.Expr)))
				return
			}
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
func (r *renderer) trimIn(buf *sqlparser.TrackedBuffer, e *sqlparser.ComparisonExpr, owners []int) bool {
	tuple := e.Right.(sqlparser.ValTuple)
	kept := make(sqlparser.ValTuple, 0, len(tuple))
	for i, owner := range owners {
		if owner == r.nodeIdx {
			kept = append(kept, tuple[i])
		}
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

// aliasOf reports whether the statement's table has an alias.
func aliasOf(stmt sqlparser.SQLNode) bool {
	var from []sqlparser.TableExpr
	switch st := stmt.(type) {
	case *sqlparser.Select:
		from = st.From
	case *sqlparser.Update:
		from = st.TableExprs
	case *sqlparser.Delete:
		from = st.TableExprs
	}
	for _, te := range from {
		if ate, ok := te.(*sqlparser.AliasedTableExpr); ok && !ate.As.IsEmpty() {
			return true
		}
	}
	return false
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
