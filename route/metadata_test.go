package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestRouteMetadata pins the node statements of metadata plans: per-table
// statements on the first node, lookups rewritten to its table and
// database, listings with a unit per logical table.
func TestRouteMetadata(t *testing.T) {
	r := testRouter(t)
	cat := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Database: "app"}, "ds1": {Database: "app1"}}}
	for _, c := range []struct {
		sql   string
		args  []any
		units []goldenUnit
	}{
		{sql: "SHOW CREATE TABLE t_order", units: []goldenUnit{gu("ds0.t_order_0", "show create table t_order_0")}},
		{sql: "SHOW FULL COLUMNS FROM t_user FROM app LIKE 'n%'", units: []goldenUnit{gu("ds0.t_user_0", "show full columns from t_user_0 like 'n%'")}},
		{sql: "DESCRIBE t_user", units: []goldenUnit{gu("ds0.t_user_0", "explain t_user_0")}},
		{sql: "SHOW INDEX FROM t_order", units: []goldenUnit{gu("ds0.t_order_0", "show indexes from t_order_0")}},
		{sql: "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", args: []any{"app", "t_user"},
			units: []goldenUnit{gu("ds0.t_user_0", "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", "app", "t_user_0")}},
		{sql: "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't_order'",
			units: []goldenUnit{gu("ds0.t_order_0", "select `column_name` from information_schema.`columns` where table_schema = database() and `table_name` = 't_order_0'")}},
		{sql: "SHOW TABLE STATUS LIKE 't_user'", units: []goldenUnit{gu("ds0", "SHOW TABLE STATUS LIKE 't_user'"), gu("ds0.t_user_0", `show table status like 't\_user\_0'`)}},
	} {
		p, err := r.RouteWith(c.sql, c.args, Options{Catalog: cat})
		require.NoError(t, err, c.sql)
		require.NotNil(t, p.Metadata, c.sql)
		assert.Equal(t, c.units, actualUnits(p), c.sql)
		assert.Len(t, p.Metadata.Units, len(p.Units))
	}
	// Not about a logical table: unchanged, no rewrite.
	p, err := r.RouteWith("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", []any{"app", "t_other"}, Options{Catalog: cat})
	require.NoError(t, err)
	assert.Nil(t, p.Metadata)
}
