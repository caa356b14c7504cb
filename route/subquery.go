package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// routeSubqueries runs a SELECT with subqueries or derived tables when it
// can run whole on one data source: every sharded table is routed, by the
// conditions of its own SELECT (or a hint), to exactly one node, all those
// nodes are on one data source, and every other table is broadcast (or,
// on the default data source, a table the topology does not know).
func (s *statement) routeSubqueries(stmt sqlparser.SQLNode) (*Plan, error) {
	var (
		tables []*shard.ShardedTable
		idxs   []int
		ds     string
		plain  string // a table the topology does not know
	)
	var scopeErr error
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		sel, ok := n.(*sqlparser.Select)
		if !ok || scopeErr != nil {
			return scopeErr == nil, nil
		}
		for _, ref := range s.scopeRefs(sel) {
			if ref.sharded == nil {
				if s.resolve(ref.name).broadcast == "" {
					plain = fullName(ref.name)
				}
				continue
			}
			set, err := s.conditions(ref).nodeSet(sel.Where)
			if err != nil {
				scopeErr = err
				return false, nil
			}
			nodes := set.indexes(len(ref.sharded.Nodes))
			if set.all || len(nodes) != 1 {
				scopeErr = unsupported(s.sql, "subquery where sharded table %s is not routed to one node by the conditions of its own SELECT (give each sharded table of the statement a condition on its sharding column that picks one node on one data source, or write the subquery as IN, = ANY, <> ALL, EXISTS or a scalar subquery that is not correlated, which shardsql runs first and binds; > ALL / < ANY as a comparison with a MIN or MAX subquery, minding NULLs and no rows)", ref.sharded.Name)
				return false, nil
			}
			node := ref.sharded.Nodes[nodes[0]]
			for i, t := range tables {
				if strings.EqualFold(t.Name, ref.sharded.Name) && idxs[i] != nodes[0] {
					scopeErr = unsupported(s.sql, "subquery reading sharded table %s on two nodes (give each sharded table of the statement a condition on its sharding column that picks one node on one data source, or write the subquery as IN, = ANY, <> ALL, EXISTS or a scalar subquery that is not correlated, which shardsql runs first and binds; > ALL / < ANY as a comparison with a MIN or MAX subquery, minding NULLs and no rows)", t.Name)
					return false, nil
				}
			}
			if ds != "" && node.DataSource != ds {
				scopeErr = unsupported(s.sql, "subquery reading sharded tables on data sources %s and %s (give each sharded table of the statement a condition on its sharding column that picks one node on one data source, or write the subquery as IN, = ANY, <> ALL, EXISTS or a scalar subquery that is not correlated, which shardsql runs first and binds; > ALL / < ANY as a comparison with a MIN or MAX subquery, minding NULLs and no rows)", ds, node.DataSource)
				return false, nil
			}
			ds = node.DataSource
			if !containsTable(tables, ref.sharded) {
				tables, idxs = append(tables, ref.sharded), append(idxs, nodes[0])
			}
		}
		return true, nil
	}, stmt)
	if scopeErr != nil {
		return nil, scopeErr
	}
	if plain != "" && ds != s.homeDataSource() {
		return nil, unsupported(s.sql, "subquery joining sharded data on %s with %s, which lives on data source %s only (run the subquery as its own statement first and pass its values as ? arguments)", ds, plain, s.homeDataSource())
	}
	r := &renderer{s: s, tables: tables, nodeIdxs: idxs, node: tables[0].Nodes[idxs[0]]}
	r.aliased = s.shapeOf(stmt).aliased
	// Hazard (diff18): the printed statement names its columns as printed
	// (`count(*)`, `(select yr from y18_1 where g = 5)`: a node table's
	// name): named aliases them with the caller's text, as render does
	// for statements without subqueries
	_, r.named = stmt.(*sqlparser.Select)
	buf := sqlparser.NewTrackedBuffer(r.format)
	buf.Myprintf("%v", stmt)
	return &Plan{SQL: s.sql, Kind: KindSelect, Table: tables[0].Name,
		Units: []Unit{{DataSource: ds, Node: r.node, SQL: buf.String(), Args: r.out}}}, nil
}

// scopeRefs lists the tables a SELECT reads directly in its FROM clause,
// not those of its derived tables (which are SELECTs of their own).
func (s *statement) scopeRefs(sel *sqlparser.Select) []tableRef {
	var refs []tableRef
	for _, te := range sel.From {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			switch n := n.(type) {
			case *sqlparser.DerivedTable, *sqlparser.Subquery:
				return false, nil
			case *sqlparser.AliasedTableExpr:
				if tn, ok := n.Expr.(sqlparser.TableName); ok {
					ref := tableRef{expr: n, name: tn}
					ref.sharded = s.resolve(tn).sharded
					refs = append(refs, ref)
				}
			}
			return true, nil
		}, te)
	}
	return refs
}
