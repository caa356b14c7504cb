package driver_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestDiff19KeyMoveErrorValues: a key move copies the row with SELECT *
// and INSERT; a value only non-strict writes store (ENUM's ” error
// value after INSERT IGNORE of a non-member, a zero date under
// NO_ZERO_DATE) was refused by that INSERT under strict sql_mode (1265,
// 1292) where the oracle's UPDATE keeps it in place (seed 502 of
// TestDiff19WritesGenerated, sequence 1271).
func TestDiff19KeyMoveErrorValues(t *testing.T) {
	e := newDiff19Env(t, "diff19_fixed_move")
	defer e.closeConns()
	steps := []string{
		"INSERT IGNORE INTO k19 (id, e, st) VALUES (30, 'q', 'w'), (31, 'a', 'x')",
		"SET sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE'",
		"INSERT IGNORE INTO k19 (id, dt) VALUES (32, '0000-00-00'), (33, '2025-00-01')",
	}
	// Each row moved to several ids: some on another node.
	for _, from := range []int{30, 32, 33} {
		for i, to := range []int{41, 42, 43, 44, 45} {
			src := from
			if i > 0 {
				src = 40 + i
			}
			steps = append(steps, fmt.Sprintf("UPDATE k19 SET id = %d WHERE id = %d", to, src))
		}
		steps = append(steps, "UPDATE k19 SET id = "+fmt.Sprint(from)+" WHERE id = 45")
	}
	steps = append(steps, "BEGIN", "UPDATE k19 SET id = 46, n = n + 1 WHERE id = 30", "UPDATE k19 SET id = 47 WHERE id = 46", "COMMIT TX",
		"Q SELECT @@sql_mode")
	for _, line := range steps {
		out := diff19Step(e, line)
		if out != "exact" {
			t.Errorf("%s => %s", line, out)
		}
	}
	if d := diff19Dump(e); d != "" {
		t.Errorf("contents: %s", d)
	}
	r, err := runDiffQuery(e.sharded, "SELECT id, e, e + 0, st, dt FROM k19 WHERE id > 29 ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("moved rows: %v", r.rows)
}

// TestDiff19KeyMoveStrictWhere: an UPDATE moving a row whose WHERE
// converts with a warning (`bt = x'25'` on a BIT column) fails on one
// server under strict sql_mode when it evaluates the row; the move's
// SELECT … FOR UPDATE only warned, found no row and answered (seed 503,
// sequence 413, of TestDiff19WritesGenerated). Now each source node runs
// the WHERE as an UPDATE too (route.MoveSource.Check).
func TestDiff19KeyMoveStrictWhere(t *testing.T) {
	e := newDiff19Env(t, "diff19_fixed_where")
	defer e.closeConns()
	steps := []string{
		"INSERT INTO k19 (id, bt) VALUES (23, 37), (24, 1)",
		"UPDATE k19 SET id = 48 WHERE id = 24 AND bt = x'25'",
		"UPDATE k19 SET id = 48 WHERE id = 23 AND bt = x'25'",
		"UPDATE k19 SET id = 48, n = 1 WHERE id IN (23, 24) AND bt = x'25'",
		"BEGIN",
		"UPDATE k19 SET id = 48 WHERE id = 24 AND bt = x'25'",
		"UPDATE k19 SET id = 49 WHERE id = 24",
		"COMMIT TX",
		"UPDATE k19 SET id = 50, n = n + 1 WHERE id IN (2, 3, 4) AND d > 3",
		"UPDATE k19 SET id = 51 WHERE e = 'b' AND yr > 2020",
	}
	for _, line := range steps {
		out := diff19Step(e, line)
		if out != "exact" && !strings.HasPrefix(out, "both failed") {
			t.Errorf("%s => %s", line, out)
		}
	}
	if d := diff19Dump(e); d != "" {
		t.Errorf("contents: %s", d)
	}
}
