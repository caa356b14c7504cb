package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// limitDeadline bounds every statement of the pool-limit tests: a
// regression fails them instead of hanging.
const limitDeadline = 10 * time.Second

// limitDB is t_lim sharded by user_id over the servers × 4 tables, with
// pools shardsql opens from the DSNs (so its pool options apply), and
// rows for users 1..40 (user u has u%3+1 rows).
func limitDB(t *testing.T, dsns []string, opts ...driver.Option) *sql.DB {
	t.Helper()
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_lim", Column: "user_id",
		Nodes: fmt.Sprintf("ds${0..%d}.t_lim_${0..3}", len(dsns)-1), Algorithm: shard.Hash()}))
	db := openDB(t, topo, opts...)
	ctx := context.Background()
	_, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS t_lim (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)")
	require.NoError(t, err)
	var sb strings.Builder
	id := 0
	for u := 1; u <= 40; u++ {
		for k := 0; k <= u%3; k++ {
			if id > 0 {
				sb.WriteString(", ")
			}
			id++
			fmt.Fprintf(&sb, "(%d, %d)", id, u)
		}
	}
	_, err = db.ExecContext(ctx, "INSERT INTO t_lim (id, user_id) VALUES "+sb.String())
	require.NoError(t, err)
	return db
}

// limRows is the number of rows limitDB inserts.
const limRows = 80

// scatterCount runs two cross-node reads, a COUNT and a sorted page, and
// checks them.
func scatterCount(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}) error {
	rows, err := q.QueryContext(ctx, "SELECT COUNT(*) FROM t_lim")
	if err != nil {
		return err
	}
	var n int
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if n != limRows {
		return fmt.Errorf("COUNT(*) = %d, want %d", n, limRows)
	}
	rows, err = q.QueryContext(ctx, "SELECT id FROM t_lim ORDER BY id DESC LIMIT 3")
	if err != nil {
		return err
	}
	defer rows.Close()
	want := int64(limRows)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if id != want {
			return fmt.Errorf("ORDER BY id DESC: got %d, want %d", id, want)
		}
		want--
	}
	return rows.Err()
}

// A cross-node query on a small pool makes progress whatever else holds
// connections: open rows, transactions, *sql.Conn sessions.
func TestBoundedPoolsMakeProgress(t *testing.T) {
	dsns := sharedDSNs(t, t.Name())
	db := limitDB(t, dsns, driver.WithMaxOpenConns(4))
	ctx, cancel := context.WithTimeout(context.Background(), limitDeadline)
	defer cancel()

	t.Run("open point rows", func(t *testing.T) {
		rows, err := db.QueryContext(ctx, "SELECT id FROM t_lim WHERE user_id = ?", 5)
		require.NoError(t, err)
		defer rows.Close()
		require.NoError(t, scatterCount(ctx, db))
		collectInts(t, rows)
	})
	t.Run("open transaction on both data sources", func(t *testing.T) {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer tx.Rollback()
		require.NoError(t, scatterCount(ctx, tx), "inside")
		require.NoError(t, scatterCount(ctx, db), "outside")
		_, err = tx.ExecContext(ctx, "UPDATE t_lim SET id = id WHERE user_id IN (1, 2, 3, 4)")
		require.NoError(t, err)
		require.NoError(t, scatterCount(ctx, db), "outside, after a write")
	})
	t.Run("Conn with sessions, its own open rows, and scatters", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		rows, err := conn.QueryContext(ctx, "SELECT id FROM t_lim WHERE user_id = ?", 7)
		require.NoError(t, err)
		require.NoError(t, scatterCount(ctx, conn), "while its point rows are open")
		collectInts(t, rows)
		require.NoError(t, scatterCount(ctx, conn))
	})
	t.Run("mix under concurrency", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		// Fewer callers than connections: each holds at most one
		// connection per data source while it asks for one more, so
		// one is always free (see TestCallersHoldingEveryConnection).
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 12; i++ {
					var err error
					switch (g + i) % 4 {
					case 0:
						err = scatterCount(ctx, db)
					case 1: // rows held open across a scatter
						var rows *sql.Rows
						if rows, err = db.QueryContext(ctx, "SELECT id FROM t_lim WHERE user_id = ?", g+1); err == nil {
							err = scatterCount(ctx, db)
							rows.Close()
						}
					case 2:
						var tx *sql.Tx
						if tx, err = db.BeginTx(ctx, nil); err == nil {
							if err = scatterCount(ctx, tx); err == nil {
								err = scatterCount(ctx, db)
							}
							_ = tx.Rollback()
						}
					case 3:
						var conn *sql.Conn
						if conn, err = db.Conn(ctx); err == nil {
							if _, err = conn.ExecContext(ctx, "SET @g = ?", g); err == nil {
								err = scatterCount(ctx, conn)
							}
							conn.Close()
						}
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		require.NoError(t, ctx.Err(), "nothing may wait for its deadline")
	})
}

// As many callers as connections, each holding open rows while it runs a
// cross-node query: nothing can be given back, and the waits end with an
// error naming the pool after WithConnWaitTimeout, before the deadline.
func TestCallersHoldingEveryConnection(t *testing.T) {
	dsns := sharedDSNs(t, t.Name())
	db := limitDB(t, dsns, driver.WithMaxOpenConns(2), driver.WithConnWaitTimeout(500*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), limitDeadline)
	defer cancel()
	var held, wg sync.WaitGroup
	held.Add(2)
	errs := make([]error, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rows, err := db.QueryContext(ctx, "SELECT id FROM t_lim")
			held.Done()
			if err != nil {
				errs[g] = err
				return
			}
			defer rows.Close()
			held.Wait()
			errs[g] = scatterCount(ctx, db)
		}()
	}
	wg.Wait()
	require.NoError(t, ctx.Err(), "the waits end before the deadline")
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			assert.Contains(t, err.Error(), "waiting for a connection of data source ds")
			assert.Contains(t, err.Error(), "no connection was given back in time")
		}
	}
	assert.Positive(t, failed)
	require.NoError(t, scatterCount(ctx, db), "the pools work once the rows are closed")
}

// With one connection per pool, a *sql.Conn reads a scatter on its own
// session connection; rows held open on the only connection make a
// statement that needs another fail at its deadline naming the pool.
func TestOneConnectionPools(t *testing.T) {
	dsns := sharedDSNs(t, t.Name())
	db := limitDB(t, dsns, driver.WithMaxOpenConns(1))
	ctx, cancel := context.WithTimeout(context.Background(), limitDeadline)
	defer cancel()
	require.NoError(t, scatterCount(ctx, db))
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	var n int
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_lim WHERE user_id = 1").Scan(&n))
	require.NoError(t, scatterCount(ctx, conn), "on the Conn's own connections")
	require.NoError(t, conn.Close())

	rows, err := db.QueryContext(ctx, "SELECT id FROM t_lim")
	require.NoError(t, err)
	require.True(t, rows.Next())
	short, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	defer stop()
	err = scatterCount(short, db)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "waiting for a connection of data source ds")
	assert.Contains(t, err.Error(), "WithMaxOpenConns")
	require.NoError(t, rows.Close())
	require.NoError(t, scatterCount(ctx, db), "the pool is free again")
}

// Many concurrent cross-node queries on the default pool settings stay
// within the servers' connection limit (max_connections 151).
func TestManyScattersOnDefaults(t *testing.T) {
	dsns := sharedDSNs(t, t.Name())
	db := limitDB(t, dsns)
	db.SetMaxOpenConns(0) // unbounded logical connections: the shard pools bound the servers'
	ctx, cancel := context.WithTimeout(context.Background(), 4*limitDeadline)
	defer cancel()
	// The servers are shared with the package's other tests, whose idle
	// connections count too: FLUSH STATUS sets Max_used_connections to
	// the connections open now, and the bound below is over that.
	before := make([]int, len(dsns))
	for i, dsn := range dsns {
		plain, err := sql.Open("mysql", dsn)
		require.NoError(t, err)
		_, err = plain.ExecContext(ctx, "FLUSH STATUS")
		require.NoError(t, err)
		var name string
		require.NoError(t, plain.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Max_used_connections'").Scan(&name, &before[i]))
		require.NoError(t, plain.Close())
	}
	const clients = 64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := make(chan struct{})
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for k := 0; k < 3; k++ {
				if err := scatterCount(ctx, db); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, dsn := range dsns {
		plain, err := sql.Open("mysql", dsn)
		require.NoError(t, err)
		defer plain.Close()
		var name string
		var threads int
		require.NoError(t, plain.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Max_used_connections'").Scan(&name, &threads))
		assert.LessOrEqual(t, threads-before[i], driver.DefaultMaxOpenConns+4, "server %d: at most the pool's limit (and this test's own connections) over the %d open before", i, before[i])
	}
}
