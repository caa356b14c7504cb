package route

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestAttack10NodeTableNames: statements naming a sharded table's node
// table by its physical name (any case, unqualified or qualified with the
// home database; any qualifier without a catalog) are refused, as are DDL
// of a sharded table naming another table or declaring a foreign key.
// Before attack10 each of the refused statements went to the default data
// source (or to every node table), where it dropped, emptied, renamed,
// altered, wrote or read the live node table.
func TestAttack10NodeTableNames(t *testing.T) {
	r := testRouter(t)
	cat := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Database: "app"}, "ds1": {Database: "app"}}}
	refused := []string{
		"DROP TABLE t_order_0", "DROP TABLE IF EXISTS T_ORDER_1", "DROP TABLE t_plain, t_user_1", "TRUNCATE app.t_order_0",
		"RENAME TABLE t_order_0 TO x", "RENAME TABLE t_plain TO t_order_3", "ALTER TABLE t_order_0 ADD z INT",
		"CREATE TABLE t_order_2 (id INT)", "CREATE TABLE t_x LIKE t_order_2", "INSERT INTO t_order_0 (user_id) VALUES (1)",
		"SELECT * FROM t_order_0", "SELECT * FROM t_plain WHERE id IN (SELECT id FROM t_user_1)", "SHOW CREATE TABLE t_order_0",
		"DESCRIBE t_order_0", "SHOW COLUMNS FROM t_order_0", "ANALYZE TABLE t_order_0", "OPTIMIZE TABLE t_order_0",
		"REPAIR TABLE `t_order_2`", "DELETE FROM t_order_1 WHERE user_id = 3", "UPDATE t_user_0 SET name = 'x'",
		"ALTER TABLE t_order EXCHANGE PARTITION p WITH TABLE t_plain",
		"ALTER TABLE t_order ADD FOREIGN KEY (user_id) REFERENCES t_order (id)",
		"ALTER TABLE t_order ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES t_plain (id)",
		"CREATE TABLE t_order (id INT, user_id INT, FOREIGN KEY (user_id) REFERENCES t_plain (id))",
	}
	for _, q := range refused {
		for _, c := range []*schema.Catalog{cat, nil} {
			_, err := r.RouteWith(q, nil, Options{Catalog: c})
			require.ErrorIs(t, err, ErrUnsupported, "%s (catalog %v)", q, c != nil)
		}
	}
	for _, q := range []string{
		"TRUNCATE other.t_order_0", "SELECT t_order_0.id FROM t_plain AS t_order_0", "DROP TABLE t_order",
		"ALTER TABLE app.t_order ADD COLUMN z INT", "CREATE INDEX i ON t_order (status)", "ALTER TABLE t_order DROP FOREIGN KEY fk",
		"OPTIMIZE TABLE t_plain", "SELECT * FROM t_order WHERE user_id = 1", "SHOW CREATE TABLE t_order",
	} {
		_, err := r.RouteWith(q, nil, Options{Catalog: cat})
		require.NoError(t, err, q)
	}
}
