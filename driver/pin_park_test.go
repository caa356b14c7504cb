package driver_test

import (
	"context"
	"database/sql"
	"errors"
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

// parkEnv is t_pk (id primary key, user_id, v) over the two shared servers,
// one table each by user_id % 2 (user 1 on ds1), with rows 1-20 (user
// id % 4), opened with interpolateParams (the bounded read and the
// one-unit exec run inside Raw). It returns the sharded pool and a plain
// pool on each server.
func parkEnv(t *testing.T, opts ...driver.Option) (*sql.DB, []*sql.DB) {
	t.Helper()
	return parkEnvDSN(t, "&interpolateParams=true", opts...)
}

// parkEnvDSN is parkEnv with the data sources' DSNs given suffix (their
// parameters) in place of interpolateParams=true.
func parkEnvDSN(t *testing.T, suffix string, opts ...driver.Option) (*sql.DB, []*sql.DB) {
	t.Helper()
	ctx := context.Background()
	dsns := sharedDSNs(t, strings.ToLower(strings.NewReplacer("/", "_", "=", "_").Replace(t.Name())))
	var plains []*sql.DB
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		plain := openPlain(t, dsn)
		_, err := plain.ExecContext(ctx, "DROP TABLE IF EXISTS t_pk")
		require.NoError(t, err)
		_, err = plain.ExecContext(ctx, "CREATE TABLE t_pk (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, v VARCHAR(20))")
		require.NoError(t, err)
		plains = append(plains, plain)
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn+suffix))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_pk", Column: "user_id", Nodes: "ds${0..1}.t_pk", Algorithm: shard.Mod()}))
	db := openDB(t, topo, opts...)
	for id := 1; id <= 20; id++ {
		_, err := db.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, ?)", id, id%4, fmt.Sprintf("v%d", id))
		require.NoError(t, err)
	}
	return db, plains
}

// connID is the server connection id a one-unit statement for user 1 runs
// on (ds1).
func connID(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var id int64
	require.NoError(t, db.QueryRowContext(context.Background(), "SELECT CONNECTION_ID() FROM t_pk WHERE user_id = ? LIMIT 1", 1).Scan(&id))
	return id
}

// kill kills server connection id on plain's server and waits until the
// server has let it go.
func kill(t *testing.T, plain *sql.DB, id int64) {
	t.Helper()
	ctx := context.Background()
	_, err := plain.ExecContext(ctx, fmt.Sprintf("KILL %d", id))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, plain.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&n))
		return n == 0
	}, 10*time.Second, 10*time.Millisecond)
}

// TestPinParkKilled kills the server connection of a parked pin between
// statements (one connection per data source, so the next statement takes
// exactly that one from the parking list): the next INSERT, point select
// (both checked inside their Raw callback) and streamed read (checked when
// the pin is taken) each succeed on a fresh connection, nothing is applied
// twice, and each found and discarded the dead one. Without the liveness
// check the INSERT fails with go-sql-driver's invalid connection (it wrote
// to a closed socket: nothing can be retried).
func TestPinParkKilled(t *testing.T) {
	ctx := context.Background()
	db, plains := parkEnv(t, driver.WithMaxOpenConns(1))
	// The park timer would give the connection back to its pool within two
	// 20 ms ticks of its checkout; under -race on a loaded machine that
	// happened between a statement and the check that it is parked. This
	// test is about killed parked connections, not the timer.
	require.NoError(t, driver.SetParkTick(ctx, db, time.Hour))
	steps := []struct {
		name  string
		run   func() error
		check func()
	}{
		{"insert", func() error {
			res, err := db.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, ?)", 101, 1, "once")
			if err == nil {
				n, _ := res.RowsAffected()
				assert.EqualValues(t, 1, n)
			}
			return err
		}, func() {
			var n int
			require.NoError(t, plains[1].QueryRowContext(ctx, "SELECT COUNT(*) FROM t_pk WHERE id = 101").Scan(&n))
			assert.Equal(t, 1, n, "the INSERT applied once")
		}},
		{"point select", func() error {
			var v string
			err := db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 5, 1).Scan(&v)
			assert.Equal(t, "v5", v)
			return err
		}, func() {}},
		{"streamed", func() error {
			rows, err := db.QueryContext(ctx, "SELECT id FROM t_pk WHERE user_id = ? ORDER BY id", 1)
			if err != nil {
				return err
			}
			var ids []int64
			for rows.Next() {
				var id int64
				require.NoError(t, rows.Scan(&id))
				ids = append(ids, id)
			}
			assert.Equal(t, []int64{1, 5, 9, 13, 17, 101}, ids)
			return errors.Join(rows.Err(), rows.Close())
		}, func() {}},
	}
	for _, st := range steps {
		before := connID(t, db)
		parked, discards, err := driver.ParkState(ctx, db, "ds1")
		require.NoError(t, err)
		require.Equal(t, 1, parked, "%s: the connection is parked between statements", st.name)
		kill(t, plains[1], before)
		require.NoError(t, st.run(), st.name)
		st.check()
		_, after, err := driver.ParkState(ctx, db, "ds1")
		require.NoError(t, err)
		assert.Equal(t, discards+1, after, "%s: the dead parked connection was found and discarded", st.name)
		assert.NotEqual(t, before, connID(t, db), st.name)
	}
}

// TestPinParkCancel cancels a bounded read and a one-unit UPDATE while the
// server sleeps: the statement fails with the context's error, its
// connection (which go-sql-driver closed) is neither parked nor reused,
// and the next statements are right.
func TestPinParkCancel(t *testing.T) {
	ctx := context.Background()
	db, _ := parkEnv(t, driver.WithMaxOpenConns(1))
	for _, q := range []string{
		"SELECT SLEEP(5), v FROM t_pk WHERE id = ? AND user_id = ?",
		"UPDATE t_pk SET v = CONCAT(v, SLEEP(5)) WHERE id = ? AND user_id = ?",
	} {
		before := connID(t, db)
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		var err error
		if strings.HasPrefix(q, "SELECT") {
			var s, v string
			err = db.QueryRowContext(cctx, q, 5, 1).Scan(&s, &v)
		} else {
			_, err = db.ExecContext(cctx, q, 5, 1)
		}
		cancel()
		require.Error(t, err, q)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%s: %v", q, err)
		assert.NotEqual(t, before, connID(t, db), "%s: the cancelled connection is not reused", q)
		var v string
		require.NoError(t, db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 9, 1).Scan(&v))
		assert.Equal(t, "v9", v)
	}
}

// TestPinParkLifetime: with WithConnMaxLifetime, statements on a *sql.DB
// move to new server connections as the lifetime passes (a parked
// connection goes back to its pool within two park ticks of being taken
// from it, and database/sql then closes an expired one), and once the
// statements stop, the parked connections go back to the pool.
func TestPinParkLifetime(t *testing.T) {
	ctx := context.Background()
	db, _ := parkEnv(t, driver.WithMaxOpenConns(2), driver.WithConnMaxLifetime(150*time.Millisecond))
	ids := map[int64]bool{}
	for start := time.Now(); time.Since(start) < 1200*time.Millisecond; {
		ids[connID(t, db)] = true
		time.Sleep(10 * time.Millisecond)
	}
	assert.GreaterOrEqual(t, len(ids), 3, "server connections used over 8 lifetimes: %v", ids)
	require.Eventually(t, func() bool {
		parked, _, err := driver.ParkState(ctx, db, "ds1")
		require.NoError(t, err)
		return parked == 0
	}, 10*time.Second, 20*time.Millisecond, "parked connections go back to the pool when unused")
}

// TestPinParkConnectorClose: closing the *sql.DB closes the parked
// connections too (they are checked out of their pools, which DB.Close
// would otherwise wait for forever): the servers end every connection of
// the test's database.
func TestPinParkConnectorClose(t *testing.T) {
	ctx := context.Background()
	db, plains := parkEnv(t)
	for i := 0; i < 4; i++ {
		var v string
		require.NoError(t, db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 2, 2).Scan(&v))
		require.NoError(t, db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 5, 1).Scan(&v))
	}
	count, err := driver.ParkCounter(ctx, db)
	require.NoError(t, err)
	for _, ds := range []string{"ds0", "ds1"} {
		require.Positive(t, count(ds), ds)
	}
	require.NoError(t, db.Close())
	for _, ds := range []string{"ds0", "ds1"} {
		assert.Zero(t, count(ds), "%s: Close gave the parked connections back", ds)
	}
	for i, plain := range plains {
		require.Eventually(t, func() bool {
			var n int
			require.NoError(t, plain.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()").Scan(&n))
			return n == 0
		}, 10*time.Second, 20*time.Millisecond, "server %d: shardsql's connections closed", i)
	}
}

// TestPinParkLimitedPools mixes, on pools of 1 and 2 connections per data
// source, from 8 goroutines: point selects and one-row INSERTs (the parked
// path), a scatter, transactions, *sql.Conn sessions holding their pins
// across statements and Ping (which takes connections from the pools
// without the gate). Nothing may hang (a parked connection must not
// starve a caller) and every answer is right.
func TestPinParkLimitedPools(t *testing.T) {
	ctx := context.Background()
	for _, limit := range []int{1, 2} {
		t.Run(fmt.Sprintf("conns=%d", limit), func(t *testing.T) {
			db, _ := parkEnv(t, driver.WithMaxOpenConns(limit), driver.WithConnWaitTimeout(60*time.Second))
			var wg sync.WaitGroup
			errs := make(chan error, 8*30)
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 30; i++ {
						id := int64(i%20 + 1)
						var err error
						switch (g + i) % 6 {
						case 0:
							var v string
							err = db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", id, id%4).Scan(&v)
							if err == nil && v != fmt.Sprintf("v%d", id) {
								err = fmt.Errorf("point %d: %q", id, v)
							}
						case 1:
							nid := int64(1000 + g*100 + i)
							_, err = db.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, 'ins')", nid, nid%4)
						case 2:
							var n int
							err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_pk WHERE id IN (?, ?, ?)", 1, 2, 3).Scan(&n)
							if err == nil && n != 3 {
								err = fmt.Errorf("scatter: %d", n)
							}
						case 3:
							var tx *sql.Tx
							if tx, err = db.BeginTx(ctx, nil); err == nil {
								var v string
								err = tx.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", id, id%4).Scan(&v)
								err = errors.Join(err, tx.Commit())
							}
						case 4:
							var conn *sql.Conn
							if conn, err = db.Conn(ctx); err == nil {
								var a, b int64
								err = conn.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_pk WHERE user_id = ? LIMIT 1", 1).Scan(&a)
								if err == nil {
									err = conn.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_pk WHERE user_id = ? LIMIT 1", 1).Scan(&b)
								}
								if err == nil && a != b {
									err = fmt.Errorf("a *sql.Conn's session moved: %d then %d", a, b)
								}
								err = errors.Join(err, conn.Close())
							}
						case 5:
							err = db.PingContext(ctx)
						}
						if err != nil {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// TestPinParkStats: shardsql's Stats count parked connections as idle, not
// in use, once every statement is done.
func TestPinParkStats(t *testing.T) {
	ctx := context.Background()
	db, _ := parkEnv(t)
	var v string
	require.NoError(t, db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 5, 1).Scan(&v))
	count, err := driver.ParkCounter(ctx, db)
	require.NoError(t, err)
	require.Positive(t, count("ds1"))
	st, err := driver.Stats(ctx, db)
	require.NoError(t, err)
	assert.Zero(t, st.DataSources["ds1"].InUse, "parked connections are no statement's")
	assert.Positive(t, st.DataSources["ds1"].Idle)
}
