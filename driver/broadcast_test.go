package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestBroadcastWritesAllOrNothing checks that a write to a broadcast table
// changes every copy or none: a write that fails on the second data source
// only (a unique key conflict its copy alone has) leaves the first
// unchanged too, in best-effort and XA mode, outside and inside a
// transaction; and RowsAffected counts one copy.
func TestBroadcastWritesAllOrNothing(t *testing.T) {
	servers := shardtest.MariaDB(t, 2)
	ctx := context.Background()
	for _, xa := range []bool{false, true} {
		t.Run(fmt.Sprintf("xa=%v", xa), func(t *testing.T) {
			table := "t_bc_plain"
			var opts []driver.Option
			if xa {
				table = "t_bc_xa"
				opts = append(opts, driver.WithXA())
			}
			topo := shard.NewTopology()
			for i, s := range servers {
				require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
			}
			require.NoError(t, topo.AddBroadcastTable(table))
			db := openDB(t, topo, opts...)
			_, err := db.ExecContext(ctx, "CREATE TABLE "+table+" (id BIGINT NOT NULL PRIMARY KEY, code VARCHAR(16) NOT NULL UNIQUE, name VARCHAR(16) NOT NULL)")
			require.NoError(t, err)

			res, err := db.ExecContext(ctx, "INSERT INTO "+table+" (id, code, name) VALUES (1, 'a', 'one'), (2, 'b', 'two')")
			require.NoError(t, err)
			n, err := res.RowsAffected()
			require.NoError(t, err)
			assert.EqualValues(t, 2, n, "the rows of one copy")

			// A row only the second copy has: its code conflicts there.
			_, err = direct(t, servers[1]).Exec("INSERT INTO " + table + " (id, code, name) VALUES (99, 'dup', 'stray')")
			require.NoError(t, err)
			copies := func() [2]string {
				var out [2]string
				for i, s := range servers {
					rows, err := direct(t, s).Query("SELECT id, code, name FROM " + table + " WHERE id < 99 ORDER BY id")
					require.NoError(t, err)
					for rows.Next() {
						var id int
						var code, name string
						require.NoError(t, rows.Scan(&id, &code, &name))
						out[i] += fmt.Sprintf("%d:%s:%s ", id, code, name)
					}
					require.NoError(t, rows.Err())
					rows.Close()
				}
				return out
			}
			want := [2]string{"1:a:one 2:b:two ", "1:a:one 2:b:two "}
			require.Equal(t, want, copies())

			for _, stmt := range []string{
				"INSERT INTO " + table + " (id, code, name) VALUES (3, 'dup', 'three')",
				"UPDATE " + table + " SET code = 'dup' WHERE id = 1",
				"UPDATE " + table + " SET name = 'changed', code = IF(id = 2, 'dup', code)",
			} {
				_, err := db.ExecContext(ctx, stmt)
				require.Error(t, err, stmt)
				assert.Contains(t, err.Error(), "ds1", stmt)
				assert.Equal(t, want, copies(), "%s: both copies unchanged", stmt)

				tx, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, stmt)
				require.Error(t, err, stmt)
				require.NoError(t, tx.Rollback())
				assert.Equal(t, want, copies(), "%s in a transaction: both copies unchanged", stmt)
			}

			// In a transaction: one copy's rows, committed everywhere.
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			res, err = tx.ExecContext(ctx, "UPDATE "+table+" SET name = ? WHERE id IN (1, 2)", "both")
			require.NoError(t, err)
			n, err = res.RowsAffected()
			require.NoError(t, err)
			assert.EqualValues(t, 2, n)
			require.NoError(t, tx.Commit())
			want = [2]string{"1:a:both 2:b:both ", "1:a:both 2:b:both "}
			assert.Equal(t, want, copies())

			_, err = db.ExecContext(ctx, "UPDATE "+table+" SET name = UUID() WHERE id = 1")
			require.ErrorIs(t, err, route.ErrUnsupported)
			assert.Equal(t, want, copies())

			var stuck int
			for _, s := range servers {
				var n int
				require.NoError(t, direct(t, s).QueryRow("SELECT COUNT(*) FROM information_schema.INNODB_TRX").Scan(&n))
				stuck += n
			}
			assert.Zero(t, stuck, "no transaction left open")
		})
	}
}
