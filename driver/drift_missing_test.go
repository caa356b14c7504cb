package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestDriftMissingNodeTable checks that a node table that does not exist
// is not taken for node tables that differ (catalog_drift.go): a read
// that merges two node tables that exist and agree is answered, and one
// that reaches the missing table fails there, never answered without it.
func TestDriftMissingNodeTable(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "drift_missing", "t_dm", "user_id")
	_, err := db.ExecContext(ctx, "CREATE TABLE t_dm (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, name VARCHAR(20) NOT NULL)")
	require.NoError(t, err)
	users := map[string][]int64{} // node → users it holds
	var order []string
	for u := int64(1); u <= 40; u++ {
		p, err := driver.Explain(ctx, db, "SELECT id FROM t_dm WHERE user_id = ?", u)
		require.NoError(t, err)
		require.Len(t, p.Units, 1)
		node := p.Units[0].Node.String()
		if _, ok := users[node]; !ok {
			order = append(order, node)
		}
		users[node] = append(users[node], u)
		_, err = db.ExecContext(ctx, "INSERT INTO t_dm (id, user_id, name) VALUES (?, ?, ?)", u, u, fmt.Sprintf("n%02d", u))
		require.NoError(t, err)
	}
	require.Len(t, order, 4, "every node table holds a user")
	drop := order[0]
	p, err := driver.Explain(ctx, db, "SELECT id FROM t_dm WHERE user_id = ?", users[drop][0])
	require.NoError(t, err)
	unit := p.Units[0]
	var dsIndex int
	_, err = fmt.Sscanf(unit.DataSource, "ds%d", &dsIndex)
	require.NoError(t, err)
	plain := openPlain(t, dsns[dsIndex])
	_, err = plain.ExecContext(ctx, "DROP TABLE "+unit.Node.Table)
	require.NoError(t, err)
	require.NoError(t, driver.ReloadCatalog(ctx, db))

	a, b := users[order[1]][0], users[order[2]][0]
	rows, err := db.QueryContext(ctx, "SELECT user_id, name FROM t_dm WHERE user_id IN (?, ?) ORDER BY name DESC", a, b)
	require.NoError(t, err, "two node tables that exist and agree")
	var got []string
	for rows.Next() {
		var u int64
		var name string
		require.NoError(t, rows.Scan(&u, &name))
		got = append(got, name)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	want := []string{fmt.Sprintf("n%02d", max(a, b)), fmt.Sprintf("n%02d", min(a, b))}
	assert.Equal(t, want, got)

	var n int64
	err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_dm").Scan(&n)
	require.Error(t, err, "a read reaching the missing node table fails, never counts without it")
	assert.Contains(t, err.Error(), "1146")
}
