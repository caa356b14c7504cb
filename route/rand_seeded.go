package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// seededRand returns the first RAND(N) call in node whose seed N reads no
// column (a literal, a ?, a constant expression), or "".
//
// Hazard: RAND(N) with a constant seed starts one sequence per statement
// and draws from it row by row, so on one server `SELECT RAND(1) FROM t`
// gives the sequence's first k values for k rows. Sent to several nodes,
// each node starts the sequence again: the values repeat per node (a
// probe gave 0.094459 three times where one server gives it once), `WHERE
// RAND(3) < 0.5` keeps a different number of rows, `ORDER BY RAND(1)
// LIMIT 3` other rows, and `UPDATE … SET x = RAND(1)` writes the same
// values on every node. Such statements are refused when they reach
// several nodes. RAND() without a seed is random on one server too (any
// answer is one it could give), and RAND(col) seeds again from each row's
// value, which every node does alike: both run.
func seededRand(node sqlparser.SQLNode) string {
	found := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if found != "" {
			return false, nil
		}
		f, ok := n.(*sqlparser.FuncExpr)
		if !ok || !strings.EqualFold(f.Name.String(), "rand") || len(f.Exprs) == 0 {
			return true, nil
		}
		if !readsColumn(f.Exprs[0]) {
			found = sqlparser.String(f)
		}
		return true, nil
	}, node)
	return found
}

// readsColumn reports whether e reads a column.
func readsColumn(e sqlparser.Expr) bool {
	reads := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if _, ok := n.(*sqlparser.ColName); ok {
			reads = true
		}
		return !reads, nil
	}, e)
	return reads
}

// seededRandRefusal refuses a statement reaching nodes > 1 nodes that
// calls RAND with a constant seed (seededRand), nil otherwise.
func (s *statement) seededRandRefusal(node sqlparser.SQLNode, nodes int) error {
	if nodes < 2 {
		return nil
	}
	if f := seededRand(node); f != "" {
		return unsupported(s.sql, "%s with a constant seed in a statement that reaches %d nodes (each node would start the seeded sequence again, so values repeat per node and rows are picked differently from one table): seed it from a column, drop the seed, or route the statement to one node", f, nodes)
	}
	return nil
}
