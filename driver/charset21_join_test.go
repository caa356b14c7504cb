package driver_test

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

// A cross-node join looks the inner side up by the outer key values
// written as string literals (route/join_cross.go, joinLiteral), which
// the inner column's collation compares. When the key columns' collations
// differ MariaDB compares both in one of them (converting the other):
// the literals against a latin1 column converted the utf8mb4 value 'Ж'
// into latin1 and failed (1271), and compared 'u' with 'ü' by
// latin1_swedish_ci (different) where one server compares by
// utf8mb4_general_ci (equal): no inner row came back, so the join's own
// collation check never ran and the answer was no rows.
func TestCharset21JoinLookupCollations(t *testing.T) {
	for _, ip := range []bool{false, true} {
		e := newCS21Env(t, "cs21_join", ip)
		for _, db := range []*sql.DB{e.oracle, e.sharded} {
			_, err := db.Exec("INSERT INTO ca21 (id, l, w, u, n) VALUES (7, 'q', 'q', 'Ж', 7), (8, 'q', 'q', 'u', 8)")
			require.NoError(t, err)
		}
		for _, q := range []string{
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.u = b.l WHERE a.id = 8",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.u = b.l WHERE a.id = 7",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.u = b.w WHERE a.id = 8",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.u = b.l",
			"SELECT a.id, b.id FROM ca21 a LEFT JOIN cb21 b ON a.u = b.l",
		} {
			e.refused(t, "shardsql: unsupported: join on text columns of different collations", q)
		}
		// the same character set and collation on both sides: exact
		for _, q := range []string{
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.l = b.l",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.w = b.w",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.u = b.u",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.l = b.l AND a.w = b.w",
			"SELECT a.id, b.id FROM ca21 a LEFT JOIN cb21 b ON a.l = b.l",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.n = b.n AND a.l = b.l",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.l = b.l WHERE b.id IN (11, 12, 14)",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b ON a.w = b.w WHERE b.id IN (11, 12, 14)",
			"SELECT a.id, b.id FROM ca21 a JOIN cb21 b USING (l, w)",
		} {
			e.same(t, q)
		}
	}
}
