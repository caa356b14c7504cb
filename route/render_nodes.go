package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// renderNodes renders stmt for each of nodes (indexes into the sharded
// tables' nodes, as render takes them).
//
// A statement whose node renderings differ only by the physical table
// names (no IN list to trim per node, no rows to pick: a scatter's
// rewritten SELECT, an UPDATE or DELETE on several nodes) is printed once,
// for the first node, recording where each physical name went; the other
// nodes' SQL is that text with their own names spliced in, and their
// arguments are the first's. Printing the AST is most of what routing a
// scatter costs, once per node.
//
// The hazard: the splice is only right while nothing else in the text
// depends on the node. render's formatter consults the node in exactly
// two places, the physical table name (TableName) and the IN-list trim
// (ins): the splice applies only without ins, and a name is formatted by
// the same identifier printer render uses (quoted where it must be). A
// statement that is the cached parse keeps using render's memo instead.
func (s *statement) renderNodes(stmt sqlparser.SQLNode, tables []*shard.ShardedTable, nodes []int, ins map[*sqlparser.ComparisonExpr]inOwners) []Unit {
	units := s.unitSlice(len(nodes))
	memo := s.ps != nil && s.ps.cached && stmt == sqlparser.SQLNode(s.ps.stmt)
	if len(nodes) < 2 || len(ins) > 0 || memo {
		for _, n := range nodes {
			units = append(units, s.render(stmt, tables, n, ins, nil))
		}
		return units
	}
	var spans []tableSpan
	first := s.renderSpans(stmt, tables, nodes[0], &spans)
	units = append(units, first)
	names := make(map[string]string) // physical name → as printed
	for _, n := range nodes[1:] {
		var b strings.Builder
		b.Grow(len(first.SQL) + 8)
		prev := 0
		for _, sp := range spans {
			b.WriteString(first.SQL[prev:sp.start])
			phys := tables[sp.table].Nodes[n].Table
			printed, ok := names[phys]
			if !ok {
				printed = sqlparser.String(sqlparser.NewIdentifierCS(phys))
				names[phys] = printed
			}
			b.WriteString(printed)
			prev = sp.end
		}
		b.WriteString(first.SQL[prev:])
		node := tables[0].Nodes[n]
		var args []any
		if first.Args != nil {
			args = append([]any(nil), first.Args...) // each unit owns its args
		}
		units = append(units, Unit{DataSource: node.DataSource, Node: node, SQL: b.String(), Args: args})
	}
	return units
}

// renderSpans is render for node nodeIdx without IN-list trimming or
// rows, recording where it printed each physical table name.
func (s *statement) renderSpans(stmt sqlparser.SQLNode, tables []*shard.ShardedTable, nodeIdx int, spans *[]tableSpan) Unit {
	node := tables[0].Nodes[nodeIdx]
	r := &renderer{s: s, tables: tables, node: node, nodeIdx: nodeIdx, spans: spans}
	if len(s.args) > 0 {
		r.out = make([]any, 0, len(s.args))
	}
	_, r.named = stmt.(*sqlparser.Select)
	r.aliased = s.shapeOf(s.ps.stmt).aliased
	sql := r.print(stmt, len(s.sql)+len(s.sql)/4)
	if len(r.out) == 0 {
		r.out = nil
	}
	return Unit{DataSource: node.DataSource, Node: node, SQL: sql, Args: r.out}
}
