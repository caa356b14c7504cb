package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDivPrecision (attack11): which SETs of div_precision_increment the
// driver must remember, and which SELECTs may divide above the nodes.
func TestDivPrecision(t *testing.T) {
	r := testRouter(t)
	for _, c := range []struct {
		sql             string
		sets, isDefault bool
	}{
		{"SET div_precision_increment = 8", true, false},
		{"SET @@div_precision_increment = 8", true, false},
		{"SET @@session.div_precision_increment = 0", true, false},
		{"SET SESSION div_precision_increment = 4", true, true},
		{"SET @@local.div_precision_increment = 6", true, false},
		{"SET div_precision_increment = DEFAULT", true, true},
		{"SET div_precision_increment = ?", true, false},
		{"SET div_precision_increment = 9, sql_mode = ''", true, false},
		{"SET @div_precision_increment = 9", false, false},
		{"SET sql_mode = ''", false, false},
	} {
		var args []any
		if c.sql == "SET div_precision_increment = ?" {
			args = []any{4}
		}
		p, err := r.Route(c.sql, args)
		require.NoError(t, err, c.sql)
		assert.Equal(t, c.sets, p.SetsDivPrecision, c.sql)
		assert.Equal(t, c.isDefault, p.DivPrecisionDefault, c.sql)
	}
	for _, c := range []struct {
		sql  string
		args []any
		want bool
	}{
		{"SELECT AVG(amount) FROM t_order", nil, true},
		{"SELECT user_id, AVG(DISTINCT amount) FROM t_order GROUP BY user_id", nil, true},
		{"SELECT SUM(amount) / COUNT(*) FROM t_order", nil, true},
		{"SELECT user_id, COUNT(*) FROM t_order GROUP BY user_id HAVING COUNT(*) / 2 > 1", nil, true},
		{"SELECT x.a / 3 FROM (SELECT amount AS a FROM t_order ORDER BY order_id LIMIT 5) x", nil, true},
		{"SELECT amount DIV 2 FROM t_order UNION SELECT 1", nil, true},
		{"SELECT order_id, amount / 3 FROM t_order ORDER BY order_id", nil, false},
		{"SELECT MAX(amount), COUNT(*) FROM t_order", nil, false},
		{"SELECT AVG(amount) FROM t_order WHERE user_id = ?", []any{7}, false},
	} {
		p, err := r.Route(c.sql, c.args)
		require.NoError(t, err, c.sql)
		assert.Equal(t, c.want, p.DividesAbove, c.sql)
	}
}
