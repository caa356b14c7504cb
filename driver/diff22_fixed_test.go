package driver_test

import "testing"

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
