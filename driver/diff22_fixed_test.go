package driver_test

import (
	"strings"
	"testing"
)

// TestDiff22InListOneNodeWhole: an IN list on the sharding column whose
// values one node owns was trimmed to them, NULLs dropped: `id IN (NULL,
// 3)` reached the node as `id in (3)`, a const-table lookup, and MariaDB
// reported `GROUP BY e WITH ROLLUP`'s ENUM column as VARCHAR (seed 2201
// of TestDiff21Generated). Such a list now goes whole.
func TestDiff22InListOneNodeWhole(t *testing.T) {
	diff21Steps(t, "diff22_in_one", diff21Config{}, false,
		q("Q SELECT e, COUNT(*) FROM h21 WHERE id IN (NULL, 3) GROUP BY e WITH ROLLUP"),
		q("Q SELECT e, GROUP_CONCAT(vb ORDER BY id), MIN(vb), COUNT(*) FROM h21 WHERE id IN (NULL, '  3') GROUP BY e WITH ROLLUP"),
		q("Q SELECT e, st, COUNT(*) FROM h21 WHERE id IN (NULL, '3') GROUP BY e, st WITH ROLLUP"),
		q("Q SELECT e, COUNT(*) FROM h21 WHERE id IN (10, 8) GROUP BY e WITH ROLLUP"),
		q("Q SELECT e, COUNT(*) FROM h21 WHERE id = 3 GROUP BY e WITH ROLLUP"),
	)
}

// TestDiff22RollupBitKey: MariaDB 10.11's WITH ROLLUP super-aggregate
// rows show a BIT key column with the last group's value, not NULL
// (`SELECT bt, COUNT(*) … GROUP BY bt WITH ROLLUP` totals under 0x72);
// across nodes the merge wrote NULL. Refused naming the BIT column; the
// advice (group by bt + 0) and a BIT key the select list does not show
// are answered.
func TestDiff22RollupBitKey(t *testing.T) {
	e := newDiff21Env(t, "diff22_rollup_bit", diff21Config{})
	defer e.closeConns()
	for _, sql := range []string{
		"SELECT bt, COUNT(*) FROM h21 GROUP BY bt WITH ROLLUP",
		"SELECT bt, COUNT(*) FROM h21 WHERE id IN (10, 8, NULL) GROUP BY bt WITH ROLLUP",
		"SELECT e, bt, COUNT(*) FROM h21 WHERE id < 6 GROUP BY e, bt WITH ROLLUP",
		"SELECT bt, e, SUM(n) FROM h21 GROUP BY bt, e WITH ROLLUP",
		"SELECT h21.bt, COUNT(*) FROM h21 GROUP BY h21.bt WITH ROLLUP",
	} {
		out := diff21Step(e, q("Q "+sql))
		if !strings.HasPrefix(out, "refused: ") || !strings.Contains(out, "GROUP BY BIT column bt WITH ROLLUP") {
			t.Errorf("%s => %s, want GROUP BY BIT column … WITH ROLLUP refused", sql, out)
		}
	}
	for _, sql := range []string{
		"SELECT bt + 0, COUNT(*) FROM h21 GROUP BY bt + 0 WITH ROLLUP",
		"SELECT e, bt + 0, COUNT(*) FROM h21 WHERE id < 6 GROUP BY e, bt + 0 WITH ROLLUP",
		"SELECT e, COUNT(*) FROM h21 WHERE id < 6 GROUP BY e, bt WITH ROLLUP",
		"SELECT bt, COUNT(*) FROM h21 WHERE id = 10 GROUP BY bt WITH ROLLUP",
		"SELECT bt, COUNT(*) FROM h21 GROUP BY bt",
	} {
		if out := diff21Step(e, q("Q "+sql)); out != "exact" {
			t.Errorf("%s => %s", sql, out)
		}
	}
}
