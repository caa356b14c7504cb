package driver_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAttackInTransaction: inside a transaction with uncommitted writes,
// every stage of a statement — bound subqueries, the derived table merged
// first, a deep page's later phases — must read the transaction's own
// rows, as the oracle's transaction does.
func TestAttackInTransaction(t *testing.T) {
	env := newAttackEnv(t, "attack_tx")
	otx, err := env.oracle.Begin()
	require.NoError(t, err)
	defer func() { _ = otx.Rollback() }()
	stx, err := env.sharded.Begin()
	require.NoError(t, err)
	defer func() { _ = stx.Rollback() }()
	for _, tx := range []*sql.Tx{otx, stx} {
		for _, q := range []string{
			"INSERT INTO t_side (id, k, gci) VALUES (1001, 77, 'zz'), (1002, 78, 'a')",
			"UPDATE t_side SET k = 5 WHERE id BETWEEN 1 AND 10",
			"INSERT INTO t_kind (id, user_id, n, gci) VALUES (5001, 3, 77, 'a'), (5002, 4, 78, 'B'), (5003, 5, NULL, NULL), (5004, 6, 3, 'a ')",
			"DELETE FROM t_kind WHERE id BETWEEN 100 AND 130",
			"UPDATE t_kind SET n = NULL WHERE id BETWEEN 200 AND 260",
		} {
			_, err := tx.Exec(q)
			require.NoError(t, err, q)
		}
	}
	for i, q := range []diffQuery{
		unordered("SELECT COUNT(*) FROM t_kind WHERE n IN (SELECT k FROM t_side)"),
		unordered("SELECT COUNT(*) FROM t_kind WHERE n NOT IN (SELECT k FROM t_side WHERE k IS NOT NULL)"),
		unordered("SELECT id FROM t_kind WHERE n = (SELECT MAX(k) FROM t_side)"),
		unordered("SELECT id FROM t_kind WHERE n = ANY (SELECT k FROM t_side WHERE id > 1000)"),
		unordered("SELECT COUNT(*) FROM t_kind WHERE EXISTS (SELECT 1 FROM t_side WHERE k = 78)"),
		ordered("SELECT n, c FROM (SELECT n, COUNT(*) AS c FROM t_kind GROUP BY n) x ORDER BY n"),
		ordered("WITH s AS (SELECT n, COUNT(*) AS c FROM t_kind GROUP BY n) SELECT n, c FROM s WHERE c > (SELECT AVG(c) FROM s) ORDER BY n"),
		ordered("SELECT gci, COUNT(*) FROM (SELECT gci FROM t_kind ORDER BY id DESC LIMIT 100) x GROUP BY gci ORDER BY gci"),
		ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT 600, 20"),
		ordered("SELECT id, n FROM t_kind ORDER BY n DESC, id LIMIT 1100, 30"),
		ordered("SELECT id, gci FROM t_kind ORDER BY gci, id LIMIT 700, 20"),
		ordered("SELECT id FROM t_kind ORDER BY id LIMIT 1150, 30"),
	} {
		want, err := otx.Query(q.sql, q.args...)
		require.NoError(t, err)
		w, err := scanDiffRows(want)
		require.NoError(t, err)
		got, err := stx.Query(q.sql, q.args...)
		require.NoError(t, err, q.sql)
		g, err := scanDiffRows(got)
		require.NoError(t, err, q.sql)
		require.Empty(t, env.compare(q, w, g), fmt.Sprintf("tx %d: %s", i, q.sql))
	}
}
