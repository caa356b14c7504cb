package driver_test

import (
	"strings"
	"testing"
)

// Classes TestDiff18ReadsGenerated found (diff18), each now refused or
// exact against the oracle (each answered different rows before).
func TestDiff18Fixed(t *testing.T) {
	e := newR18Env(t, "diff18_fixed")
	for _, q := range []string{
		// a subquery's utf8mb4 text column against a broadcast table's
		// latin1 column: MariaDB compares under utf8mb4_general_ci, the
		// bound literal was converted to latin1 (seed 1 statement 52)
		"SELECT id, (SELECT s FROM y18 WHERE id = 11) < l1 FROM z18",
		"SELECT id FROM z18 WHERE l1 = (SELECT s FROM y18 WHERE id = 5)",
		"SELECT id FROM (SELECT id, l1 FROM x18) t WHERE l1 > (SELECT s FROM y18 WHERE id = 11)",
		// GREATEST/LEAST of text (an ungrouped ENUM MIN/MAX) and numbers
		// compare as numbers (seed 1 statement 81)
		"SELECT GREATEST(MIN(e), 1.5) FROM (SELECT id, g, e, st FROM x18) t",
		"SELECT GREATEST(MIN(e), 1.5) FROM x18",
		"SELECT LEAST(MAX(e), 1) FROM x18",
		"SELECT GREATEST(MIN(x18.e), 1.5) FROM x18 JOIN y18 ON x18.id = y18.g",
		"SELECT LEAST(MAX(s), 1) FROM x18",
	} {
		out := diff18Outcome(e.oracle, e.sharded, unordered(q))
		if out != "exact" && !strings.HasPrefix(out, "refused: ") {
			t.Errorf("%s\n    => %s", q, out)
		}
	}
}
