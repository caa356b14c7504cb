package driver_test

import (
	"strings"
	"testing"
)

// TestRandSeededAcrossNodes: RAND(N) with a constant seed draws one
// sequence per statement on one server; across nodes each node starts it
// again (values repeat per node, other rows picked), so such statements
// are refused; RAND() and RAND(col) run (route/rand_seeded.go).
func TestRandSeededAcrossNodes(t *testing.T) {
	e := newR16Env(t, "randseeded")
	const refuse = "with a constant seed"
	e.checkCases(t, []attack16Case{
		{sql: "SELECT ROUND(RAND(1), 6) FROM r16", refuse: refuse},
		{sql: "SELECT id FROM r16 ORDER BY RAND(1) LIMIT 3", refuse: refuse},
		{sql: "SELECT COUNT(*) FROM r16 WHERE RAND(3) < 0.5", refuse: refuse},
		{sql: "SELECT SUM(RAND(1 + 1) < 0.5) FROM r16", refuse: refuse},
		{sql: "SELECT g, MAX(RAND(7)) FROM r16 GROUP BY g", refuse: refuse},
		{sql: "SELECT x.id FROM (SELECT id, RAND(2) AS r FROM r16) x WHERE x.r < 0.5", refuse: refuse},
		{sql: "SELECT a.id FROM r16 a JOIN r16b b ON a.id = b.id WHERE RAND(4) < 0.5", refuse: refuse},
		{sql: "SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM r16 WHERE RAND(5) < 0.5", refuse: refuse},
		// exact: one node, no seed, or a seed read from each row
		{sql: "SELECT ROUND(RAND(1), 6) FROM r16 WHERE id = 3"},
		{sql: "SELECT id FROM r16 WHERE RAND() < 2 ORDER BY id", ordered: true},
		{sql: "SELECT id, ROUND(RAND(id), 6) FROM r16 ORDER BY id", ordered: true},
		{sql: "SELECT COUNT(*) FROM r16 WHERE RAND(id) < 0.5"},
	})
	for _, w := range []string{
		"UPDATE r16 SET g = FLOOR(RAND(1) * 100)",
		"DELETE FROM r16 WHERE RAND(9) < 0.5",
	} {
		_, err := e.sharded.Exec(w)
		if err == nil || !strings.Contains(err.Error(), refuse) {
			t.Errorf("%s: want a refusal naming %q, got %v", w, refuse, err)
		}
	}
}
