package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// pointUpdate proves an UPDATE's shortcut (pointRoute): one sharded table
// and nothing else (no join, no multi-table form, no subquery, no WITH), a
// SET that assigns no column named like the sharding column, and a WHERE
// whose only routing condition is the sharding column equal to a ?.
//
// The hazards, each left to the full routing:
//   - a SET of the sharding column moves the row (routeKeyUpdate,
//     dml_move.go) or is refused: any assignment to a column of that name,
//     qualified or not, keeps the statement off the shortcut;
//   - ORDER BY/LIMIT are exact on one node only (routeWhere): the proof
//     yields exactly one node for every argument it accepts, and steps
//     aside for every other answer, so they are routed as the full
//     routing routes them on one node;
//   - a multi-table UPDATE or one that reads another table (a join, a
//     subquery in SET or WHERE) is not one table: the shape refuses it.
//
// Routing it again is then pointNode (the argument converted with the
// comparison rules the WHERE uses, keyCompare) and the memoized node SQL;
// learnPoint compares the first shortcut plan with the full routing's.
func (s *statement) pointUpdate(upd *sqlparser.Update, pr *pointRoute) bool {
	sh := s.shapeOf(upd)
	if !s.pointWriteShape(sh, len(upd.TableExprs)) || upd.With != nil || upd.Where == nil || upd.Where.Expr == nil {
		return false
	}
	table := sh.sharded[0].sharded
	for _, e := range upd.Exprs {
		if e.Name.Name.EqualString(table.Column) {
			return false // a key move, or refused: the full routing decides
		}
	}
	return s.pointWhere(sh, upd.Where.Expr, pr)
}

// pointDelete proves a DELETE's shortcut (see pointUpdate): one sharded
// table, at most one target (DELETE t FROM t … is the same single-table
// statement), no join, subquery or WITH, and a WHERE whose only routing
// condition is the sharding column equal to a ?.
func (s *statement) pointDelete(del *sqlparser.Delete, pr *pointRoute) bool {
	sh := s.shapeOf(del)
	if !s.pointWriteShape(sh, len(del.TableExprs)) || len(del.Targets) > 1 || del.With != nil || del.Where == nil || del.Where.Expr == nil {
		return false
	}
	return s.pointWhere(sh, del.Where.Expr, pr)
}

// pointWriteShape reports whether a write's shape is one sharded table
// named once in a one-table FROM, with nothing the full routing reads
// another way (checkSingleTable's refusals, names only the catalog can
// resolve).
func (s *statement) pointWriteShape(sh *shape, from int) bool {
	return from == 1 && len(sh.sharded) == 1 && len(sh.refs) == 1 && !sh.subquery && !sh.join && !sh.union && !sh.with &&
		!sh.window && sh.unresolved == nil && !sh.needsCatalog
}

// pointWhere proves that where's only routing condition is the sharding
// column of the shape's one table equal to a ?, and records the table and
// the argument in pr.
func (s *statement) pointWhere(sh *shape, where sqlparser.Expr, pr *pointRoute) bool {
	c := s.conditions(sh.sharded[0])
	arg, ok := c.pointArg(where)
	if !ok {
		return false
	}
	pr.table, pr.arg = sh.sharded[0].sharded, arg
	return true
}
