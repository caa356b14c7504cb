package route

import (
	"strconv"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// TopNBoundCap is the largest node LIMIT of a top-N scatter (ORDER BY …
// LIMIT n on every node) that sets its units' RowBound: results small
// enough to read whole.
const TopNBoundCap = 1024

// limitBound is the row bound a node statement's LIMIT proves: its
// constant row count up to TopNBoundCap (a SELECT with LIMIT [o,] n
// returns at most n rows, whatever else it holds), 0 otherwise; 0 too
// when the units' rows together would pass the memory cap maxRows (0:
// merge.DefaultMaxRows): read whole, they are all held at once, where
// streamed the merge holds a row per unit.
func limitBound(l *sqlparser.Limit, units, maxRows int) int {
	if l == nil {
		return 0
	}
	if maxRows <= 0 {
		maxRows = merge.DefaultMaxRows
	}
	lit, ok := l.Rowcount.(*sqlparser.Literal)
	if !ok || lit.Type != sqlparser.IntVal {
		return 0
	}
	n, err := strconv.Atoi(lit.Val)
	if err != nil || n < 1 || n > TopNBoundCap || int64(n)*int64(units) > int64(maxRows) {
		return 0
	}
	return n
}
