package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard: the parser knows MySQL's aggregates by name and reads any other
// call as a scalar function. A stored aggregate (CREATE AGGREGATE FUNCTION),
// a loadable UDF or a stored function that reads other rows, evaluated on
// each node of a cross-node SELECT, gives one partial result per node that
// the merge then passes on (or sorts, groups) as a plain column: one row per
// node instead of one, or values computed over part of the rows. Only
// built-in scalar functions are computed per row the same way on every node;
// calls of any other function in a SELECT that spans nodes are refused.

// userFunction returns the first call in node of a function that is not a
// MySQL/MariaDB built-in, printed, or "". A call with a schema qualifier
// (mydb.f(x)) is always user-defined.
func userFunction(node sqlparser.SQLNode) string {
	found := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if found == "" {
			found = userCall(n) // builtins_nodes.go
		}
		return found == "", nil
	}, node)
	return found
}

// checkFunctions refuses a SELECT merged from several nodes that calls a
// function other than a built-in.
func (s *statement) checkFunctions(sel *sqlparser.Select, nodes int) error {
	if f := userFunction(sel); f != "" {
		return unsupported(s.sql, "call of %s, which is not a MySQL/MariaDB built-in function, in a SELECT merged from %d nodes (each node would compute it over its own rows only: route the statement to one node, or compute it on the merged rows in your application)", f, nodes)
	}
	return s.seededRandRefusal(sel, nodes) // rand_seeded.go
}
