package route

import "vitess.io/vitess/go/vt/sqlparser"

// Refusals of writes that read other tables (review18e): UPDATE/DELETE with
// a subquery, a join, a UNION or a WITH, and INSERT/REPLACE … SELECT into
// or from a sharded table. shardsql runs none of them (each node would
// evaluate the read part over its own rows only, or the written rows would
// have to be routed row by row). Before review18e these refusals named the
// construct but not what to send instead ("subquery with sharded table
// w"), and a WITH reading a sharded table before a DELETE from an
// unsharded one was called a "DELETE from sharded table s". The standard
// is a refusal naming the construct and the way round it: here always the
// same two steps, the read as its own SELECT (which shardsql runs across
// nodes) and the write by key or by VALUES, in one transaction.

// writeReadRefusal is checkSingleTable's refusal for an UPDATE or DELETE
// (kind) whose shape has a construct that reads across tables; target
// says whether the first sharded table in sh is the written table (false:
// the written table is unsharded or broadcast and the sharded one is only
// read). It returns nil when sh has none of those constructs.
func (s *statement) writeReadRefusal(kind string, sh *shape, from int, target bool) error {
	name := sh.sharded[0].name.Name.String()
	var what string
	switch {
	case sh.union:
		what = "UNION over sharded table " + name
	case sh.with:
		what = "WITH (common table expression) with sharded table " + name
	case sh.subquery:
		what = "subquery with sharded table " + name
	case sh.join || from > 1 || len(sh.refs) > 1:
		if target {
			return unsupported(s.sql, "join with sharded table %s in a multi-table %s (shardsql does not run a join inside a write): select the rows' keys with the join as a SELECT first, then %s the rows by their keys (WHERE <primary key> IN (?, …)) in one transaction", name, kind, kind)
		}
		return unsupported(s.sql, "join with sharded table %s in a multi-table %s that reads it (shardsql does not run a join inside a write): read what the join needs with a SELECT first, then %s by key (WHERE <primary key> IN (?, …)) in one transaction", name, kind, kind)
	default:
		return nil
	}
	if target {
		return unsupported(s.sql, "%s in %s of %s (shardsql does not evaluate a subquery inside a write across nodes): run the subquery as its own SELECT first and pass its values as ? arguments (WHERE … IN (?, …)), in one transaction, with SELECT … FOR UPDATE if what it reads must not change meanwhile", what, kind, name)
	}
	article := "a "
	if kind == "UPDATE" {
		article = "an "
	}
	return unsupported(s.sql, "%s read by %s of another table (shardsql does not evaluate a subquery over a sharded table inside a write): run the subquery as its own SELECT first and pass its values as ? arguments (WHERE … IN (?, …)), in one transaction, with SELECT … FOR UPDATE if what it reads must not change meanwhile", what, article+kind)
}

// writesSharded reports whether the written table of an UPDATE or DELETE
// (its first table expression, as single-table forms have it) is the
// shape's first sharded table. A multi-table form (a join first) counts
// as writing it: which of its tables are written is not asked here.
func writesSharded(sh *shape, exprs sqlparser.TableExprs) bool {
	if len(exprs) == 0 || len(sh.sharded) == 0 {
		return false
	}
	a, ok := exprs[0].(*sqlparser.AliasedTableExpr)
	return !ok || sh.sharded[0].expr == a
}

// insertReadsAdvice is the advice ending the INSERT refusals (routeInsert).
const insertReadsAdvice = ": read the rows with their own SELECT first (shardsql runs it across nodes) and write them with INSERT … VALUES (?, …), which routes each row to its node, in one transaction"
