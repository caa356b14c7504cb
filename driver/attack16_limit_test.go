package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestAttack16InterpolatedLimit: under interpolateParams=true
// go-sql-driver writes a string LIMIT argument as '2' and a []byte one as
// _binary'2', which one MariaDB rejects (a syntax error); shardsql read
// the arguments itself for the merge's page and answered. Now it refuses
// them when the data sources interpolate; integers are answered, and
// without interpolateParams (the binary protocol takes text arguments)
// text is answered as before.
func TestAttack16InterpolatedLimit(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "attack16_limit")
	open := func(params string) *sql.DB {
		topo := shard.NewTopology()
		for i, dsn := range dsns {
			require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn+params))
		}
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_a16l", Column: "user_id", Nodes: "ds${0..1}.t_a16l_${0..1}"}))
		return openDB(t, topo)
	}
	oracle := openPlain(t, sharedDSNs(t, "attack16_limit_oracle")[0]+"&interpolateParams=true")
	inter, binary := open("&interpolateParams=true"), open("")
	for _, db := range []*sql.DB{oracle, inter} {
		for _, q := range []string{"DROP TABLE IF EXISTS t_a16l", "CREATE TABLE t_a16l (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)",
			"INSERT INTO t_a16l (id, user_id) VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)"} {
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err)
		}
	}
	ids := func(db *sql.DB, q string, args ...any) ([]int64, error) {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	for _, c := range []struct {
		q    string
		args []any
	}{
		{"SELECT id FROM t_a16l ORDER BY id LIMIT ?, ?", []any{"1", "2"}},
		{"SELECT id FROM t_a16l ORDER BY id LIMIT ? OFFSET ?", []any{[]byte("2"), 1}},
		{"SELECT id FROM t_a16l ORDER BY id LIMIT ?, ?", []any{1, "2"}},
		{"SELECT id FROM t_a16l WHERE id < 3 UNION ALL SELECT id FROM t_a16l WHERE id > 4 ORDER BY id LIMIT ?", []any{"2"}},
	} {
		_, oerr := ids(oracle, c.q, c.args...)
		require.Error(t, oerr, "one MariaDB under interpolateParams: %s %v", c.q, c.args)
		_, err := ids(inter, c.q, c.args...)
		require.Error(t, err, "%s %v", c.q, c.args)
		assert.ErrorIs(t, err, driver.ErrUnsupported, "%s %v", c.q, c.args)
		got, err := ids(binary, c.q, c.args...)
		require.NoError(t, err, "binary protocol: %s %v", c.q, c.args)
		assert.Len(t, got, 2)
	}
	got, err := ids(inter, "SELECT id FROM t_a16l ORDER BY id LIMIT ?, ?", 1, uint64(2))
	require.NoError(t, err)
	assert.Equal(t, []int64{2, 3}, got)
	// One node: the statement goes with its arguments and fails there.
	_, err = ids(inter, "SELECT id FROM t_a16l WHERE user_id = 3 LIMIT ?", "1")
	require.Error(t, err)
	_, err = inter.ExecContext(ctx, "DROP TABLE IF EXISTS t_a16l")
	require.NoError(t, err)
}
