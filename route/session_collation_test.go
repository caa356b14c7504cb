package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSessionCollationConnection (review20a): which SETs change the
// collation of string literals, and which SELECTs compare literals above
// the nodes with it.
func TestSessionCollationConnection(t *testing.T) {
	r := testRouter(t)
	for _, c := range []struct {
		sql       string
		sets, def bool
	}{
		{"SET NAMES utf8mb4", true, true},
		{"SET NAMES 'utf8mb4'", true, true},
		{"SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci", true, false},
		{"SET NAMES utf8mb4 COLLATE 'utf8mb4_general_ci'", true, false},
		{"SET CHARACTER SET utf8mb4", true, false},
		{"SET character_set_connection = 'utf8mb4'", true, true},
		{"SET collation_connection = 'utf8mb4_bin'", true, false},
		{"SET collation_connection = 'utf8mb4_general_ci'", true, true},
		{"SET @@session.collation_connection = 'UTF8MB4_GENERAL_CI'", true, true},
		{"SET character_set_client = 'utf8mb4'", false, false},
		{"SET sql_mode = ''", false, false},
	} {
		p, err := r.Route(c.sql, nil)
		require.NoError(t, err, c.sql)
		assert.Equal(t, c.sets, p.SetsEval&EvalCollation != 0, c.sql)
		assert.Equal(t, c.def, p.EvalDefault&EvalCollation != 0, c.sql)
	}
	for _, c := range []struct {
		sql  string
		want bool
	}{
		{"SELECT user_id FROM t_order GROUP BY user_id HAVING IF(COUNT(*) > 0, 'a', 'b') = 'A'", true},
		{"SELECT user_id, GREATEST(MAX(status), 'b') FROM t_order GROUP BY user_id", true},
		{"SELECT x.s FROM (SELECT status AS s FROM t_order ORDER BY order_id LIMIT 5) x WHERE CONCAT(x.s, 'b') = 'ab'", true},
		{"SELECT x.s FROM (SELECT status AS s FROM t_order ORDER BY order_id LIMIT 5) x WHERE x.s LIKE 'a%'", false},
		{"SELECT user_id, CASE MAX(status) WHEN 'a' THEN 1 END FROM t_order GROUP BY user_id", true},
		// compared with a column or an aggregate: the column's collation
		{"SELECT user_id FROM t_order GROUP BY user_id HAVING MAX(status) = 'a'", false},
		{"SELECT x.s FROM (SELECT status AS s FROM t_order ORDER BY order_id LIMIT 5) x WHERE x.s IN ('a', 'b')", false},
		{"SELECT x.s FROM (SELECT status AS s FROM t_order ORDER BY order_id LIMIT 5) x WHERE x.s BETWEEN 'a' AND 'b'", false},
		// not compared, or on the nodes
		{"SELECT x.d FROM (SELECT DATE_FORMAT(created, '%b') AS d FROM t_order ORDER BY order_id LIMIT 5) x", false},
		{"SELECT user_id, CONCAT(MAX(status), 'x') FROM t_order GROUP BY user_id", false},
		{"SELECT user_id, COUNT(*) FROM t_order WHERE IF(status = 'a', 'x', 'y') = 'X' GROUP BY user_id", false},
		{"SELECT IF(status = 'a', 'x', 'y') = 'X' FROM t_order WHERE user_id = 7", false},
	} {
		p, err := r.Route(c.sql, nil)
		require.NoError(t, err, c.sql)
		assert.Equal(t, c.want, p.EvalAbove&EvalCollation != 0, c.sql)
	}
}

// TestSessionSortLength (review20a): max_sort_length below its default
// makes merges that order or group refused.
func TestSessionSortLength(t *testing.T) {
	r := testRouter(t)
	for _, c := range []struct {
		sql       string
		sets, def bool
	}{
		{"SET max_sort_length = 64", true, false},
		{"SET max_sort_length = 1024", true, true},
		{"SET SESSION max_sort_length = 8388608", true, true},
		{"SET max_sort_length = DEFAULT", true, true},
	} {
		p, err := r.Route(c.sql, nil)
		require.NoError(t, err, c.sql)
		assert.Equal(t, c.sets, p.SetsEval&EvalSortLength != 0, c.sql)
		assert.Equal(t, c.def, p.EvalDefault&EvalSortLength != 0, c.sql)
	}
	for _, c := range []struct {
		sql  string
		want bool
	}{
		{"SELECT order_id FROM t_order ORDER BY status, order_id", true},
		{"SELECT status, COUNT(*) FROM t_order GROUP BY status", true},
		{"SELECT DISTINCT status FROM t_order", true},
		{"SELECT order_id, ROW_NUMBER() OVER (PARTITION BY status ORDER BY order_id) FROM t_order", true},
		{"SELECT order_id FROM t_order WHERE user_id = 7 ORDER BY status", false},
		{"SELECT order_id FROM t_order", false},
	} {
		p, err := r.Route(c.sql, nil)
		require.NoError(t, err, c.sql)
		assert.Equal(t, c.want, p.EvalAbove&EvalSortLength != 0, c.sql)
	}
	assert.Equal(t, EvalSortLength, EvalVarsOther([]string{"4", "en_US", "0", "SYSTEM", "utf8mb4_general_ci", "64"}))
	assert.Equal(t, EvalVars(0), EvalVarsOther([]string{"4", "en_US", "0", "SYSTEM", "utf8mb4_general_ci", "2048"}))
}
