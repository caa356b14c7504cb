package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReview8PrimaryOnlySpellings: the spellings of server schemas,
// global variables and user functions that must keep a read on the
// primary (replica_reads.go), beyond TestPrimaryOnlyReads'.
func TestReview8PrimaryOnlySpellings(t *testing.T) {
	r := testRouter(t)
	for _, c := range []struct {
		sql     string
		primary bool
	}{
		{"SELECT * FROM `INFORMATION_SCHEMA`.`PROCESSLIST`", true},
		{"SELECT * FROM `information_schema`.processlist p", true},
		{"SELECT * FROM Information_Schema.Tables", true},
		{"SELECT * FROM t_plain WHERE a IN (SELECT id FROM mysql.`user`)", true},
		{"SELECT * FROM (SELECT * FROM sys.session) d", true},
		{"WITH c AS (SELECT * FROM information_schema.innodb_trx) SELECT * FROM c", true},
		{"SELECT a FROM t_plain UNION ALL SELECT user FROM mysql.user", true},
		{"SELECT * FROM t_plain JOIN performance_schema.threads th ON th.thread_id = t_plain.a", true},
		{"SELECT EXISTS (SELECT 1 FROM information_schema.tables)", true},
		{"SELECT @@GLOBAL.read_only", true},
		{"SELECT @@global.`read_only`", true},
		{"SELECT `mydb`.`f`(1)", true},
		{"SELECT COALESCE(NULL, my_udf(1))", true},
		{"SELECT * FROM t_plain WHERE a = my_udf(1)", true},
		{"SELECT * FROM t_plain ORDER BY my_udf(a)", true},
		{"SELECT a, COUNT(*) FROM t_plain GROUP BY a HAVING my_udf(COUNT(*)) > 0", true},
		{"SELECT master_pos_wait('bin.000001', 4)", true},
		{"SELECT * FROM t_plain", false},
		{"SELECT UPPER(a), `abs`(-1) FROM t_plain", false},
	} {
		p, err := r.Route(c.sql, nil)
		if err != nil {
			t.Logf("%s: refused: %v", c.sql, err)
			continue
		}
		assert.Equal(t, c.primary, p.Session&PrimaryOnly != 0, c.sql)
	}
}

// TestReview8SetsLastInsertID: LAST_INSERT_ID(expr) is told from
// LAST_INSERT_ID(), wherever it is written.
func TestReview8SetsLastInsertID(t *testing.T) {
	r := testRouter(t)
	for _, c := range []struct {
		sql  string
		sets bool
	}{
		{"SELECT LAST_INSERT_ID()", false},
		{"SELECT * FROM t_order WHERE user_id = 1 AND order_id = LAST_INSERT_ID()", false},
		{"SELECT LAST_INSERT_ID(5)", true},
		{"SELECT last_insert_id(order_id) FROM t_order WHERE user_id = 1", true},
		{"UPDATE t_order SET status = LAST_INSERT_ID(status + 1) WHERE user_id = 1", true},
		{"INSERT INTO t_order (order_id, user_id) VALUES (1, 1) ON DUPLICATE KEY UPDATE order_id = LAST_INSERT_ID(order_id)", true},
	} {
		p, err := r.Route(c.sql, nil)
		if err != nil {
			t.Logf("%s: refused: %v", c.sql, err)
			continue
		}
		assert.Equal(t, c.sets, p.Session&SetsLastInsertID != 0, c.sql)
		assert.NotZero(t, p.Session&UsesLastInsertID, c.sql)
	}
}
