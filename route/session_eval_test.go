package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSessionEvalVars (attack11): which SETs of div_precision_increment,
// lc_time_names and default_week_format the driver must remember, and which
// SELECTs may compute with them above the nodes.
func TestSessionEvalVars(t *testing.T) {
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
		assert.Equal(t, c.sets, p.SetsEval&EvalDivPrecision != 0, c.sql)
		assert.Equal(t, c.isDefault, p.EvalDefault&EvalDivPrecision != 0, c.sql)
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
		assert.Equal(t, c.want, p.EvalAbove&EvalDivPrecision != 0, c.sql)
	}
	for _, c := range []struct {
		sql       string
		sets, def EvalVars
	}{
		{"SET lc_time_names = 'de_DE'", EvalTimeNames, 0},
		{"SET lc_time_names = 'en_US'", EvalTimeNames, EvalTimeNames},
		{"SET lc_time_names = 'en_US', default_week_format = 3", EvalTimeNames | EvalWeekFormat, EvalTimeNames},
		{"SET @@session.default_week_format = DEFAULT", EvalWeekFormat, EvalWeekFormat},
		{"SET default_week_format = 0, div_precision_increment = 5", EvalWeekFormat | EvalDivPrecision, EvalWeekFormat},
	} {
		p, err := r.Route(c.sql, nil)
		require.NoError(t, err, c.sql)
		assert.Equal(t, c.sets, p.SetsEval, c.sql)
		assert.Equal(t, c.def, p.EvalDefault, c.sql)
	}
	for _, c := range []struct {
		sql  string
		want EvalVars
	}{
		{"SELECT x.d FROM (SELECT DATE_FORMAT(created, '%b') AS d FROM t_order ORDER BY order_id LIMIT 5) x", EvalTimeNames},
		{"SELECT MONTHNAME(created) AS m, COUNT(*) FROM t_order GROUP BY m", EvalTimeNames},
		{"SELECT WEEK(x.c) FROM (SELECT created AS c FROM t_order ORDER BY order_id LIMIT 5) x", EvalWeekFormat},
		{"SELECT WEEK(x.c, 3) FROM (SELECT created AS c FROM t_order ORDER BY order_id LIMIT 5) x", 0},
		{"SELECT order_id, DATE_FORMAT(created, '%b'), WEEK(created) FROM t_order ORDER BY order_id", 0},
	} {
		p, err := r.Route(c.sql, nil)
		require.NoError(t, err, c.sql)
		assert.Equal(t, c.want, p.EvalAbove&^(EvalSortLength|EvalCollation), c.sql)
	}
}
