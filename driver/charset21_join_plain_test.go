package driver_test

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

// The join key check of TestCharset21JoinLookupCollations with an
// unsharded table (the default data source's) on the outer side: its
// utf8mb4 'u' looked up in the latin1 column found nothing (u and ü
// differ under latin1_swedish_ci), where one server matches them.
func TestCharset21JoinLookupUnsharded(t *testing.T) {
	e := newCS21Env(t, "cs21_plainp", false)
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, q := range []string{
			"INSERT INTO ca21 (id, l, w, u, n) VALUES (7, 'q', 'q', 'Ж', 7), (8, 'y', 'q', 'u', 8)",
			"DROP TABLE IF EXISTS pu21",
			"CREATE TABLE pu21 (id INT PRIMARY KEY, l VARCHAR(10) CHARACTER SET latin1, u VARCHAR(10) CHARACTER SET utf8mb4)",
			"INSERT INTO pu21 VALUES (1, 'ü', 'ü'), (2, 'a', 'a'), (3, 'x', 'u')",
		} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	for _, q := range []string{
		"SELECT a.id, p.id FROM pu21 p JOIN ca21 a ON a.l = p.u WHERE p.id = 3",
		"SELECT a.id, p.id FROM pu21 p JOIN ca21 a ON a.l = p.u WHERE p.id = 1",
		"SELECT a.id, p.id FROM ca21 a JOIN pu21 p ON a.u = p.l",
	} {
		e.refused(t, "shardsql: unsupported: join on text columns of different collations", q)
	}
	for _, q := range []string{
		"SELECT a.id, p.id FROM ca21 a JOIN pu21 p ON a.u = p.l WHERE a.id = 8",
		"SELECT a.id, p.id FROM ca21 a JOIN pu21 p ON a.l = p.l",
		"SELECT a.id, p.id FROM pu21 p JOIN ca21 a ON a.u = p.u",
	} {
		e.same(t, q)
	}
}
