package driver_test

import (
	"strings"
	"testing"

	"github.com/shardsql/shardsql/shard"
)

// TestTime22UniqueAcrossMonths: a time- or range-sharded table whose
// unique key does not hold the sharding column (id unique across months):
// writes that one table would resolve against the other month's row
// (INSERT IGNORE, REPLACE, ON DUPLICATE KEY UPDATE) must be refused, and
// key moves agree with the oracle. (A plain INSERT of a duplicate id into
// another month is checked on its own node only, as docs/attack.md
// documents.)
func TestTime22UniqueAcrossMonths(t *testing.T) {
	e := newDMLEnvOf(t, "t22_unique", nil, []dmlTable{
		{name: "t22u", key: "k", cols: "id INT NOT NULL PRIMARY KEY, k DATETIME NOT NULL, n INT NOT NULL DEFAULT 0, KEY (k)", order: "id",
			alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.t22u_202601, ds1.t22u_202602"},
		{name: "t22v", key: "k", intKey: true, cols: "id INT NOT NULL, k BIGINT NOT NULL, n INT NOT NULL DEFAULT 0, UNIQUE KEY (id), KEY (k)", order: "id",
			alg: shard.Range(100), nodes: "ds0.t22v_0, ds1.t22v_1"},
	})
	var sts []dmlStmt
	for _, q := range []string{
		"INSERT INTO t22u (id, k) VALUES (1, '2026-01-10')",
		"INSERT IGNORE INTO t22u (id, k) VALUES (1, '2026-02-10')",
		"REPLACE INTO t22u (id, k) VALUES (1, '2026-02-10')",
		"INSERT INTO t22u (id, k, n) VALUES (1, '2026-02-10', 5) ON DUPLICATE KEY UPDATE n = n + 10",
		"INSERT INTO t22u (id, k) VALUES (3, '2026-01-12')",
		"UPDATE t22u SET k = '2026-02-12' WHERE id = 3",
		"INSERT INTO t22v (id, k) VALUES (1, 50)",
		"REPLACE INTO t22v (id, k) VALUES (1, 150)",
		"INSERT INTO t22v (id, k, n) VALUES (1, 150, 5) ON DUPLICATE KEY UPDATE n = n + 10",
		"INSERT IGNORE INTO t22v (id, k) VALUES (1, 150)",
		"INSERT INTO t22v (id, k) VALUES (2, 10)",
		"UPDATE t22v SET k = 120 WHERE id = 2",
	} {
		st := dmlStmt{sql: q}
		if strings.Contains(q, "IGNORE") || strings.HasPrefix(q, "REPLACE") || strings.Contains(q, "DUPLICATE") {
			st.refuse = "does not contain sharding column k"
		}
		sts = append(sts, st)
	}
	time22Run(t, e, "unique", sts)
}
