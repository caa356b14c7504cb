package driver_test

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

// Subquery values bound as literals into the outer statement
// (route/subquery_literal.go) compared with latin1, cp1251 and utf8mb4
// columns holding non-ASCII text, interpolateParams on and off.
func TestCharset21SubqueryBound(t *testing.T) {
	for _, ip := range []bool{false, true} {
		e := newCS21Env(t, "cs21_sub", ip)
		for _, db := range []*sql.DB{e.oracle, e.sharded} {
			_, err := db.Exec("INSERT INTO ca21 (id, l, w, u, n) VALUES (7, 'q', 'q', 'Ж', 7), (8, 'y', 'q', 'u', 8), (9, 'u', 'е', 'y', 9)")
			require.NoError(t, err)
		}
		for _, q := range []string{
			"SELECT id FROM ca21 WHERE l IN (SELECT l FROM cb21)",
			"SELECT id FROM ca21 WHERE w IN (SELECT w FROM cb21)",
			"SELECT id FROM ca21 WHERE l NOT IN (SELECT l FROM cb21)",
			"SELECT id FROM ca21 WHERE w NOT IN (SELECT w FROM cb21 WHERE id > 11)",
			"SELECT id FROM ca21 WHERE l = (SELECT l FROM cb21 WHERE id = 12)",
			"SELECT id FROM ca21 WHERE w = (SELECT w FROM cb21 WHERE id = 11)",
			"SELECT id FROM ca21 WHERE l > (SELECT l FROM cb21 WHERE id = 12)",
			"SELECT id FROM ca21 WHERE l = ANY (SELECT l FROM cb21 WHERE id > 11)",
			"SELECT id FROM ca21 WHERE l <> ALL (SELECT l FROM cb21 WHERE id > 11)",
			"SELECT id FROM ca21 WHERE l IN (SELECT MAX(l) FROM cb21)",
			"SELECT id FROM ca21 WHERE EXISTS (SELECT 1 FROM cb21 WHERE cb21.l = 'ü')",
			"SELECT COUNT(*), MIN(id) FROM ca21 GROUP BY l HAVING l IN (SELECT l FROM cb21)",
			"SELECT id, (SELECT l FROM cb21 WHERE id = 12) FROM ca21",
			"SELECT id, (SELECT w FROM cb21 WHERE id = 11) FROM ca21",
		} {
			e.same(t, q)
		}
	}
}

// Subquery text of another character set than the outer column's
// (route/subquery_cross_charset.go): a utf8mb4 column against latin1 or
// cp1251 subquery text and the reverse answer as one server (which
// compares both in utf8mb4, by the utf8mb4 column's collation: 'u' and
// 'ü' equal under utf8mb4_general_ci, not under latin1_swedish_ci);
// latin1 against cp1251 stays refused (one server: error 1267).
func TestCharset21SubqueryCharsets(t *testing.T) {
	for _, ip := range []bool{false, true} {
		e := newCS21Env(t, "cs21_subcs", ip)
		for _, db := range []*sql.DB{e.oracle, e.sharded} {
			_, err := db.Exec("INSERT INTO ca21 (id, l, w, u, n) VALUES (7, 'q', 'q', 'Ж', 7), (8, 'y', 'q', 'u', 8), (9, 'u', 'е', 'y', 9)")
			require.NoError(t, err)
		}
		for _, q := range []string{
			"SELECT id FROM ca21 WHERE u IN (SELECT l FROM cb21)",
			"SELECT id FROM ca21 WHERE u NOT IN (SELECT l FROM cb21)",
			"SELECT id FROM ca21 WHERE u NOT IN (SELECT l FROM cb21) OR id = 0",
			"SELECT id, u IN (SELECT l FROM cb21) FROM ca21",
			"SELECT id FROM ca21 WHERE u = ANY (SELECT l FROM cb21)",
			"SELECT id FROM ca21 WHERE u <> ALL (SELECT l FROM cb21)",
			"SELECT id FROM ca21 WHERE u = (SELECT l FROM cb21 WHERE id = 14)",
			"SELECT id FROM ca21 WHERE u > (SELECT l FROM cb21 WHERE id = 14)",
			"SELECT id FROM ca21 WHERE u IN (SELECT w FROM cb21)",
			"SELECT id FROM ca21 WHERE u NOT IN (SELECT w FROM cb21)",
			"SELECT id FROM ca21 WHERE u = (SELECT w FROM cb21 WHERE id = 18)",
			"SELECT id FROM ca21 WHERE l = (SELECT u FROM cb21 WHERE id = 14)",
			"SELECT id FROM ca21 WHERE l < (SELECT u FROM cb21 WHERE id = 14)",
			"SELECT id FROM ca21 WHERE w = (SELECT u FROM cb21 WHERE id = 18)",
			"SELECT id FROM ca21 WHERE l <> (SELECT MAX(u) FROM cb21)",
		} {
			e.same(t, q)
		}
		for _, q := range []string{
			"SELECT id FROM ca21 WHERE l IN (SELECT u FROM cb21)",
			"SELECT id FROM ca21 WHERE l NOT IN (SELECT u FROM cb21)",
			"SELECT id, l IN (SELECT u FROM cb21) FROM ca21",
			"SELECT id FROM ca21 WHERE l <> ALL (SELECT u FROM cb21)",
			"SELECT id FROM ca21 WHERE w IN (SELECT u FROM cb21)",
		} {
			e.refused(t, "shardsql: unsupported: subquery whose text values (collation utf8mb4_general_ci) are compared with", q)
		}
		q := "SELECT id FROM ca21 WHERE l IN (SELECT w FROM cb21)"
		_, err := e.oracle.Query(q)
		require.ErrorContains(t, err, "1267")
		_, err = e.sharded.Query(q)
		require.ErrorContains(t, err, "shardsql: unsupported: subquery whose text values (collation cp1251_general_ci) are compared with l")
	}
}
