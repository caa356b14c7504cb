package driver_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestJoinUnshardedTable: a table the topology does not know lives on the
// default data source (ds0); a join of a sharded table with it runs when
// every node the WHERE chooses is on ds0, and is refused otherwise.
func TestJoinUnshardedTable(t *testing.T) {
	env := newDiffEnv(t, backends[1]) // MariaDB, the judge
	const ddl = "CREATE TABLE t_vip (user_id BIGINT NOT NULL PRIMARY KEY, tier VARCHAR(8) NOT NULL)"
	_, err := env.oracle.Exec(ddl)
	require.NoError(t, err)
	_, err = env.sharded.Exec(ddl) // unknown table: the default data source
	require.NoError(t, err)
	var rows []string
	for u := 1; u <= 60; u += 3 {
		rows = append(rows, fmt.Sprintf("(%d, '%s')", u, []string{"gold", "Gold", "silver"}[u%3]))
	}
	rows = append(rows, "(1000, 'none')") // a VIP without orders
	ins := "INSERT INTO t_vip (user_id, tier) VALUES " + strings.Join(rows, ", ")
	_, err = env.oracle.Exec(ins)
	require.NoError(t, err)
	_, err = env.sharded.Exec(ins)
	require.NoError(t, err)

	// The users whose t_order rows are on ds0, and one on ds1.
	var home []string
	other := ""
	nodeOf := map[string]string{}
	for u := 1; u <= 60; u++ {
		p, err := driver.Explain(context.Background(), env.sharded, "SELECT * FROM t_order WHERE user_id = ?", u)
		require.NoError(t, err)
		require.Len(t, p.Units, 1)
		if p.Units[0].DataSource == "ds0" {
			home = append(home, fmt.Sprint(u))
			nodeOf[p.Units[0].Node.String()] = fmt.Sprint(u)
		} else if other == "" {
			other = fmt.Sprint(u)
		}
	}
	require.GreaterOrEqual(t, len(home), 6)
	require.NotEmpty(t, other)
	in := strings.Join(home, ", ")

	t.Run("exact", func(t *testing.T) {
		for i, q := range []diffQuery{
			ordered("SELECT o.order_id, v.tier FROM t_order o JOIN t_vip v ON v.user_id = o.user_id WHERE o.user_id = ? ORDER BY o.order_id", home[0]),
			ordered("SELECT o.order_id, v.tier FROM t_order o JOIN t_vip v ON v.user_id = o.user_id WHERE o.user_id IN (" + in + ") ORDER BY o.order_id"),
			ordered("SELECT o.order_id, v.tier FROM t_order o LEFT JOIN t_vip v ON v.user_id = o.user_id WHERE o.user_id IN (" + in + ") ORDER BY o.order_id LIMIT 20"),
			ordered("SELECT v.tier, COUNT(*), SUM(o.amount) FROM t_order o JOIN t_vip v ON v.user_id = o.user_id WHERE o.user_id IN (" + in + ") GROUP BY v.tier ORDER BY v.tier"),
			ordered("SELECT v.user_id, o.order_id FROM t_vip v LEFT JOIN t_order o ON o.user_id = v.user_id WHERE o.user_id IN (" + in + ") ORDER BY o.order_id"),
			ordered("SELECT v.user_id, COUNT(o.order_id) FROM t_vip v LEFT JOIN t_order o ON o.user_id = v.user_id WHERE o.user_id = ? GROUP BY v.user_id ORDER BY v.user_id", home[1]),
		} {
			env.check(t, q, fmt.Sprintf("exact %d", i))
		}
	})

	t.Run("other data sources: evaluated above the nodes", func(t *testing.T) {
		// Refused node by node (t_vip is only on ds0); the cross-node
		// join reads t_vip once from ds0.
		for _, q := range []string{
			"SELECT o.order_id, v.tier FROM t_order o JOIN t_vip v ON v.user_id = o.user_id",
			"SELECT o.order_id, v.tier FROM t_order o JOIN t_vip v ON v.user_id = o.user_id WHERE o.user_id = " + other,
			"SELECT o.order_id, v.tier FROM t_order o JOIN t_vip v ON v.user_id = o.user_id WHERE o.user_id IN (" + in + ", " + other + ")",
			"SELECT v.user_id, o.order_id FROM t_vip v LEFT JOIN t_order o ON o.user_id = v.user_id",
		} {
			env.checkExactOrRefused(t, q, "neither bound to it nor a broadcast table: it is only on ds0")
		}
	})

	t.Run("hint on two home nodes, outer join preserving the unsharded table", func(t *testing.T) {
		// A hint chooses nodes without a WHERE: both on ds0, so the
		// unsharded table is readable, but each node would preserve t_vip.
		var users []any
		for _, u := range nodeOf {
			users = append(users, u)
		}
		require.GreaterOrEqual(t, len(users), 2)
		ctx := driver.WithShardingValues(context.Background(), "t_order", users[:2]...)
		rows, err := env.sharded.QueryContext(ctx, "SELECT v.user_id, o.order_id FROM t_vip v LEFT JOIN t_order o ON o.user_id = v.user_id")
		if err == nil {
			rows.Close()
		}
		require.ErrorIs(t, err, driver.ErrUnsupported)
		require.ErrorContains(t, err, "LEFT JOIN preserving table t_vip against sharded table t_order on 2 nodes")
	})
}
