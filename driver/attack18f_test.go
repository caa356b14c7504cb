package driver_test

import (
	"strings"
	"testing"
)

// attack18fCases are review18f's read classes above the nodes over r16
// (round 16's table): each must answer exactly as the oracle (names,
// type names, values' text), or be refused naming refuse.
var attack18fCases = []attack16Case{
	// GROUP_CONCAT of a YEAR column: the nodes group and sort by the
	// column for the merge, and MariaDB sends a grouped YEAR 0 as `0`,
	// where one server's GROUP_CONCAT writes the column's text, `0000`.
	{sql: "SELECT GROUP_CONCAT(yr ORDER BY yr) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(DISTINCT yr ORDER BY yr) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(yr ORDER BY yr DESC SEPARATOR '|') FROM r16"},
	{sql: "SELECT g, GROUP_CONCAT(yr ORDER BY yr) FROM r16 GROUP BY g ORDER BY g", ordered: true},
	{sql: "SELECT GROUP_CONCAT(yr ORDER BY id) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(yr, 'x' ORDER BY yr) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(id, yr ORDER BY id) FROM r16"},
	{sql: "SELECT g, GROUP_CONCAT(yr ORDER BY yr) FROM r16 GROUP BY g WITH ROLLUP", refuse: "GROUP_CONCAT with WITH ROLLUP"},
	// beside them, what answered already
	{sql: "SELECT GROUP_CONCAT(yr + 0 ORDER BY yr) FROM r16"},
	{sql: "SELECT yr, COUNT(*) FROM r16 GROUP BY yr ORDER BY yr", ordered: true},
	{sql: "SELECT MIN(yr), MAX(yr) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(u ORDER BY u), GROUP_CONCAT(d5 ORDER BY d5) FROM r16"},
}

func TestAttack18fReads(t *testing.T) {
	e := newR16Env(t, "attack18f_reads")
	for _, c := range attack18fCases {
		out := e.outcome(c.sql, c.ordered)
		switch {
		case c.refuse != "":
			if !strings.HasPrefix(out, "refused: ") || !strings.Contains(out, c.refuse) {
				t.Errorf("%s\n    want a refusal naming %q, got %s", c.sql, c.refuse, out)
			}
		case out != "exact":
			t.Errorf("%s\n    => %s", c.sql, out)
		}
	}
}
