package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// checkJoinNodes checks, once the WHERE has chosen the nodes, the tables a
// SELECT joins to its sharded tables: unsharded tables must be on the data
// source of every node (checkPlainJoin), and an outer join must not
// preserve a table every node holds whole (checkOuterJoins).
func (s *statement) checkJoinNodes(sh *shape, sel *sqlparser.Select, rt routed) error {
	if err := s.checkPlainJoin(sh, rt); err != nil {
		return err
	}
	return s.checkOuterJoins(sel, len(rt.nodes))
}

// checkPlainJoin accepts a table the topology does not know (neither
// sharded nor broadcast) beside sharded tables only when every node the
// statement runs on is on the home data source, where that table lives:
// each node statement then reads the same table the unsharded database
// would, as it reads a broadcast table's local copy. On any other data
// source the name would resolve to a different table or to none.
func (s *statement) checkPlainJoin(sh *shape, rt routed) error {
	home := s.homeDataSource()
	first := sh.sharded[0].sharded
	for _, ref := range sh.refs {
		if ref.sharded != nil || s.resolve(ref.name).broadcast != "" {
			continue
		}
		for _, n := range rt.nodes {
			for _, t := range rt.tables {
				if ds := t.Nodes[n].DataSource; ds != home {
					return unsupported(s.sql, "join of sharded table %s with %s, which is neither bound to it nor a broadcast table: it is only on %s, the statement reads %s (route %s to %s)",
						first.Name, fullName(ref.name), home, ds, first.Name, home)
				}
			}
		}
	}
	return nil
}
