package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Reads that must see or change what the primary holds are marked
// PrimaryOnly, and stay routable across nodes: PrimaryOnly is no session
// dependence.
func TestPrimaryOnlyReads(t *testing.T) {
	r := testRouter(t)
	for _, c := range []struct {
		sql     string
		primary bool
	}{
		{"SELECT * FROM t_order WHERE user_id = 1", false},
		{"SELECT COUNT(*) FROM t_order", false},
		{"SELECT 1", false},
		{"SELECT * FROM t_order WHERE user_id = 1 FOR UPDATE", true},
		{"SELECT * FROM t_order FOR UPDATE", true},
		{"SELECT * FROM t_order WHERE user_id = 1 LOCK IN SHARE MODE", true},
		{"SELECT * FROM t_order WHERE user_id = 1 FOR SHARE", true},
		{"SELECT * FROM t_order WHERE user_id = 1 FOR UPDATE SKIP LOCKED", true},
		{"SELECT * FROM t_plain INTO OUTFILE '/tmp/x'", true},
		{"SELECT NEXTVAL(s)", true},
		{"SELECT SETVAL(s, 10)", true},
		{"SELECT NEXT VALUE FOR s", true}, // the parser's Nextval (round 10)
		{"SELECT * FROM t_plain WHERE a IN (SELECT b FROM t_other FOR UPDATE)", true},
		{"SELECT f_ins()", true},
		{"SELECT mydb.f(1)", true},
		{"SELECT `F_Ins`() FROM t_plain", true},
		{"SELECT * FROM t_order WHERE user_id = 1 AND f(user_id) = 1", true},
		{"SELECT (SELECT my_func())", true},
		{"SELECT CONCAT('a', UPPER('b')), ABS(-1), NOW()", false},
		{"SELECT @@GLOBAL.server_id", true},
		{"SELECT * FROM information_schema.PROCESSLIST", true},
		{"SELECT COUNT(*) FROM INFORMATION_SCHEMA.innodb_trx t", true},
		{"SELECT * FROM performance_schema.threads", true},
		{"SELECT MASTER_GTID_WAIT('0-1-5', 1)", true},
		{"SELECT BINLOG_GTID_POS('bin.000001', 4)", true},
		{"SELECT @@global.gtid_binlog_pos FROM t_plain", true},
	} {
		p, err := r.Route(c.sql, nil)
		if !assert.NoError(t, err, c.sql) {
			continue
		}
		assert.Equal(t, c.primary, p.Session&PrimaryOnly != 0, c.sql)
		assert.False(t, p.Session.Depends(), c.sql)
	}
}
