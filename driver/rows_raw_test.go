package driver_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	shardsql "github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// rawKindsDDL has a column of every kind whose values or types the
// driver reports differently: the bounded read inside Raw (rows_raw.go)
// must report each as the streamed path does.
const rawKindsDDL = `CREATE TABLE t_kinds (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL,
	e ENUM('a','b'), st SET('x','y'), bt BIT(5), dt DATETIME(6), js JSON, dc DECIMAL(12,4), u BIGINT UNSIGNED,
	n INT, tx TEXT, bl BLOB, vc VARCHAR(20) NOT NULL, f DOUBLE, fl FLOAT, d DATE, tm TIME(3), ts TIMESTAMP NULL,
	ti TINYINT, yr YEAR, vb VARBINARY(8), ch CHAR(3))`

// rawKindsEnv is t_kinds sharded by user_id over the two shared servers
// (one table each), with rows 1-3 of user 1 and 4-6 of user 2; row 3 and
// row 6 are NULL in every nullable column.
func rawKindsEnv(t *testing.T, params string, opts ...shardsql.Option) (*sql.DB, []string) {
	t.Helper()
	ctx := context.Background()
	dsns := sharedDSNs(t, "raw_rows")
	for i, dsn := range dsns {
		node := openPlain(t, dsn)
		_, err := node.ExecContext(ctx, "DROP TABLE IF EXISTS t_kinds")
		require.NoError(t, err)
		_, err = node.ExecContext(ctx, rawKindsDDL)
		require.NoError(t, err)
		for id := int64(1); id <= 6; id++ {
			user := (id-1)/3 + 1
			if int(user%2) != i {
				continue
			}
			if id%3 == 0 {
				_, err = node.ExecContext(ctx, "INSERT INTO t_kinds (id, user_id, vc) VALUES (?, ?, '')", id, user)
			} else {
				_, err = node.ExecContext(ctx, `INSERT INTO t_kinds VALUES (?, ?, 'b', 'x,y', b'10101', '2026-12-02 03:04:05.123456',
					'{"k": [1, "é"]}', -12.3456, 18446744073709551615, -7, 'text ü', x'00ff27', 'vc', 1.25, 2.5, '2026-12-02', '-12:34:56.789',
					'2026-12-02 01:02:03', -128, 2026, x'0a0b', 'ab')`, id, user)
			}
			require.NoError(t, err)
		}
	}
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn+params))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_kinds", Column: "user_id", Nodes: "ds${0..1}.t_kinds", Algorithm: shard.Mod()}))
	return openDB(t, topo, opts...), dsns
}

// rawColType is everything database/sql's ColumnType says of a column.
type rawColType struct {
	name, db         string
	nullable, nullOK bool
	length           int64
	lengthOK         bool
	prec, scale      int64
	decimalOK        bool
	scanType         string
}

// describeColumns is everything database/sql's ColumnTypes say.
func describeColumns(cts []*sql.ColumnType) []rawColType {
	var out []rawColType
	for _, ct := range cts {
		c := rawColType{name: ct.Name(), db: ct.DatabaseTypeName(), scanType: ct.ScanType().String()}
		c.nullable, c.nullOK = ct.Nullable()
		c.length, c.lengthOK = ct.Length()
		c.prec, c.scale, c.decimalOK = ct.DecimalSize()
		out = append(out, c)
	}
	return out
}

// rawResult reads rows whole: column types (asked before the first row),
// and values scanned into *any.
func rawResult(t *testing.T) func(rows *sql.Rows, err error) ([]rawColType, [][]any) {
	return func(rows *sql.Rows, err error) ([]rawColType, [][]any) {
		return rawRead(t, rows, err)
	}
}

func rawRead(t *testing.T, rows *sql.Rows, err error) ([]rawColType, [][]any) {
	t.Helper()
	require.NoError(t, err)
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	require.NoError(t, err)
	types := describeColumns(cts)
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cts))
		scan := make([]any, len(cts))
		for i := range vals {
			scan[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(scan...))
		out = append(out, vals)
	}
	require.NoError(t, rows.Err())
	return types, out
}

// TestBoundedRowsKinds: a point select by a unique key and a constant
// small LIMIT are read inside Raw (rows_raw.go), and report the same
// column names, types and values — every column kind, NULLs, with
// parseTime on and off — as the same rows streamed (a range on the key
// proves no bound), read as database/sql reads them.
func TestBoundedRowsKinds(t *testing.T) {
	ctx := context.Background()
	for _, params := range []string{"&interpolateParams=true", "&interpolateParams=true&parseTime=false", "", "&parseTime=false"} {
		t.Run(params, func(t *testing.T) {
			db, dsns := rawKindsEnv(t, params)
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			defer conn.Close()
			const point = "SELECT * FROM t_kinds WHERE user_id = ? AND id = ?"
			const streamed = "SELECT * FROM t_kinds WHERE user_id = ? AND id >= ? AND id <= ?"
			for id := int64(1); id <= 6; id++ {
				user := (id-1)/3 + 1
				buffered, err := shardsql.QueryBuffered(ctx, conn, false, point, user, id)
				require.NoError(t, err)
				require.True(t, buffered, "a point select by the primary key is read inside Raw")
				buffered, err = shardsql.QueryBuffered(ctx, conn, false, streamed, user, id, id)
				require.NoError(t, err)
				require.False(t, buffered, "a range proves no bound")
				wantTypes, want := rawResult(t)(db.QueryContext(ctx, streamed, user, id, id))
				gotTypes, got := rawResult(t)(db.QueryContext(ctx, point, user, id))
				require.Len(t, want, 1)
				assert.Equal(t, wantTypes, gotTypes, "row %d", id)
				assert.Equal(t, want, got, "row %d", id)
				// through the Conn too (its pin), and QueryRow's single row
				gotTypes, got = rawResult(t)(conn.QueryContext(ctx, point, user, id))
				assert.Equal(t, wantTypes, gotTypes)
				assert.Equal(t, want, got)
			}
			// a constant LIMIT up to route.RowBoundCap: at most that many rows
			const limited = "SELECT id, vc, bl FROM t_kinds WHERE user_id = ? ORDER BY id LIMIT 2"
			buffered, err := shardsql.QueryBuffered(ctx, conn, false, limited, 1)
			require.NoError(t, err)
			require.True(t, buffered)
			wantTypes, want := rawResult(t)(db.QueryContext(ctx, "SELECT id, vc, bl FROM t_kinds WHERE user_id = ? ORDER BY id LIMIT 100", 1))
			gotTypes, got := rawResult(t)(db.QueryContext(ctx, limited, 1))
			assert.Equal(t, wantTypes, gotTypes)
			assert.Equal(t, want[:2], got)
			// LIMIT ? with a small integer: the same
			const limitedArg = "SELECT id, vc, bl FROM t_kinds WHERE user_id = ? ORDER BY id LIMIT ?"
			buffered, err = shardsql.QueryBuffered(ctx, conn, false, limitedArg, int64(1), int64(2))
			require.NoError(t, err)
			require.True(t, buffered)
			gotTypes, got = rawResult(t)(db.QueryContext(ctx, limitedArg, 1, 2))
			assert.Equal(t, wantTypes, gotTypes)
			assert.Equal(t, want[:2], got)
			// no row
			_, got = rawResult(t)(db.QueryContext(ctx, point, 1, 99))
			assert.Empty(t, got)

			// A table outside the topology (passed through to ds0): a
			// top-level LIMIT bounds it, and a SELECT of no table is one
			// row; read inside Raw, the rows and types are those streamed
			// and those the plain driver gives.
			node := openPlain(t, dsns[0]+params)
			for _, q := range []string{"DROP TABLE IF EXISTS t_kinds_free", "CREATE TABLE t_kinds_free LIKE t_kinds", "INSERT INTO t_kinds_free SELECT * FROM t_kinds"} {
				_, err := node.ExecContext(ctx, q)
				require.NoError(t, err)
			}
			for id := int64(4); id <= 6; id++ {
				const free = "SELECT * FROM t_kinds_free WHERE id = ? ORDER BY id LIMIT 1"
				buffered, err := shardsql.QueryBuffered(ctx, conn, false, free, id)
				require.NoError(t, err)
				require.True(t, buffered, "LIMIT 1 on a table outside the topology is read inside Raw")
				wantTypes, want := rawResult(t)(db.QueryContext(ctx, "SELECT * FROM t_kinds_free WHERE id = ?", id))
				require.Len(t, want, 1)
				gotTypes, got := rawResult(t)(db.QueryContext(ctx, free, id))
				assert.Equal(t, wantTypes, gotTypes, "row %d", id)
				assert.Equal(t, want, got, "row %d", id)
				plainTypes, plain := rawResult(t)(node.QueryContext(ctx, free, id))
				assert.Equal(t, plainTypes, gotTypes, "row %d", id)
				assert.Equal(t, plain, got, "row %d", id)
			}
			const noTable = "SELECT 1 AS one, 'é' AS s, CAST('2026-12-02 01:02:03.5' AS DATETIME(1)) AS dt, NULL AS n, 2.50 AS d, ? + 1 AS a"
			buffered, err = shardsql.QueryBuffered(ctx, conn, false, noTable, int64(1))
			require.NoError(t, err)
			require.True(t, buffered, "a SELECT of no table is read inside Raw")
			plainTypes, plain := rawResult(t)(node.QueryContext(ctx, noTable, int64(1)))
			gotTypes, got = rawResult(t)(db.QueryContext(ctx, noTable, int64(1)))
			assert.Equal(t, plainTypes, gotTypes)
			assert.Equal(t, plain, got)
		})
	}
}

// TestBoundedRowsPaths: without interpolateParams (go-sql-driver asks for
// a prepared statement) a bounded select is still read inside Raw —
// prepared, queried and closed there (raw_prepared.go), the server's
// prepared statements not growing, a wrong argument count refused with
// database/sql's error — and so is a one-unit write; what does not read
// inside Raw — inside a transaction, on a session that set a variable —
// still answers, and the pin is free while a bounded select's rows are
// open.
func TestBoundedRowsPaths(t *testing.T) {
	ctx := context.Background()
	const point = "SELECT vc, n FROM t_kinds WHERE user_id = ? AND id = ?"
	t.Run("interpolateParams=false", func(t *testing.T) {
		db, dsns := rawKindsEnv(t, "")
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		buffered, err := shardsql.QueryBuffered(ctx, conn, false, point, int64(1), int64(1))
		require.NoError(t, err)
		assert.True(t, buffered, "prepared, queried and closed inside Raw")
		var vc string
		var n sql.NullInt64
		require.NoError(t, db.QueryRowContext(ctx, point, 1, 1).Scan(&vc, &n))
		assert.Equal(t, "vc", vc)
		assert.Equal(t, int64(-7), n.Int64)

		prepared := func() (total int64) {
			for _, dsn := range dsns {
				var name string
				var v int64
				require.NoError(t, openPlain(t, dsn).QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'").Scan(&name, &v))
				total += v
			}
			return total
		}
		before := prepared()
		for i := range 40 {
			id := int64(i%6 + 1)
			user := (id-1)/3 + 1
			require.NoError(t, db.QueryRowContext(ctx, point, user, id).Scan(&vc, &n))
			res, err := db.ExecContext(ctx, "UPDATE t_kinds SET n = ? WHERE user_id = ? AND id = ?", n, user, id)
			require.NoError(t, err)
			affected, err := res.RowsAffected()
			require.NoError(t, err)
			assert.Zero(t, affected, "the same value: no row changed")
		}
		// The servers are shared with tests running in parallel, whose
		// prepared statements come and go: a leak here would keep 40–80
		// statements open for good; others' settle within moments.
		leaked := func() int64 { return prepared() - before }
		for deadline := time.Now().Add(5 * time.Second); leaked() >= 10 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		assert.Less(t, leaked(), int64(10), "every statement prepared inside Raw was closed")

		_, err = db.ExecContext(ctx, "UPDATE t_kinds SET n = n WHERE user_id = 1 AND id = 1", 7)
		require.Error(t, err, "an argument too many")
		var got int64
		err = db.QueryRowContext(ctx, "SELECT n FROM t_kinds WHERE user_id = 1 AND id = 1", 7).Scan(&got)
		require.Error(t, err, "an argument too many")
	})
	t.Run("transaction and dirty session", func(t *testing.T) {
		db, _ := rawKindsEnv(t, "&interpolateParams=true")
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		buffered, err := shardsql.QueryBuffered(ctx, conn, true, point, int64(1), int64(1))
		require.NoError(t, err)
		assert.False(t, buffered, "inside a transaction")
		buffered, err = shardsql.QueryBuffered(ctx, conn, false, point, int64(1), int64(1))
		require.NoError(t, err)
		assert.True(t, buffered)
		_, err = conn.ExecContext(ctx, "SET @v = 1")
		require.NoError(t, err)
		buffered, err = shardsql.QueryBuffered(ctx, conn, false, point, int64(1), int64(1))
		require.NoError(t, err)
		assert.False(t, buffered, "a session holding a variable")
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		var vc string
		require.NoError(t, tx.QueryRowContext(ctx, point, 2, 4).Scan(&vc, new(any)))
		assert.Equal(t, "vc", vc)
		require.NoError(t, tx.Rollback())
	})
	t.Run("multi-statement", func(t *testing.T) {
		// each statement's rows are its own Rows: the first read inside
		// Raw, the second too (LIMIT 2), one result set after another
		db, _ := rawKindsEnv(t, "&interpolateParams=true")
		rows, err := db.QueryContext(ctx, point+"; SELECT id FROM t_kinds WHERE user_id = ? ORDER BY id LIMIT 2", 1, 1, 2)
		require.NoError(t, err)
		defer rows.Close()
		cts, err := rows.ColumnTypes()
		require.NoError(t, err)
		require.Len(t, cts, 2)
		assert.Equal(t, "VARCHAR", cts[0].DatabaseTypeName())
		require.True(t, rows.Next())
		var vc string
		var n sql.NullInt64
		require.NoError(t, rows.Scan(&vc, &n))
		assert.Equal(t, "vc", vc)
		assert.Equal(t, int64(-7), n.Int64)
		require.False(t, rows.Next())
		require.True(t, rows.NextResultSet())
		var ids []int64
		for rows.Next() {
			var id int64
			require.NoError(t, rows.Scan(&id))
			ids = append(ids, id)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, []int64{4, 5}, ids)
		require.False(t, rows.NextResultSet())
	})
	t.Run("pin free while rows are open", func(t *testing.T) {
		db, _ := rawKindsEnv(t, "&interpolateParams=true")
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		var before int64
		require.NoError(t, conn.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_kinds WHERE user_id = ? AND id = ?", 1, 1).Scan(&before))
		rows, err := conn.QueryContext(ctx, point, 1, 1)
		require.NoError(t, err)
		// a statement depending on the session runs on the same pin while
		// the bounded rows are open (streamed rows would hold it: errPinBusy)
		var during int64
		require.NoError(t, conn.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_kinds WHERE user_id = ? AND id = ?", 1, 1).Scan(&during))
		assert.Equal(t, before, during)
		require.True(t, rows.Next())
		var vc string
		require.NoError(t, rows.Scan(&vc, new(any)))
		assert.Equal(t, "vc", vc)
		require.False(t, rows.Next())
		require.NoError(t, rows.Close())
	})
}

// TestBoundedRowsStaleCatalog: a result larger than its proven bound (a
// unique key dropped behind the catalog's back) is read past the bound and
// answered whole, as the server answers it, never truncated; the
// connection stays usable, and the next run of the statement, proving no
// bound from the forgotten facts, streams both rows.
func TestBoundedRowsStaleCatalog(t *testing.T) {
	ctx := context.Background()
	db, dsns := rawKindsEnv(t, "&interpolateParams=true")
	const point = "SELECT id, vc FROM t_kinds WHERE user_id = ? AND id = ?"
	var vc string
	require.NoError(t, db.QueryRowContext(ctx, point, 2, 4).Scan(new(int64), &vc)) // the catalog is loaded
	node := openPlain(t, dsns[0])                                                  // user 2 lives on ds0
	_, err := node.ExecContext(ctx, "ALTER TABLE t_kinds DROP PRIMARY KEY")
	require.NoError(t, err)
	_, err = node.ExecContext(ctx, "INSERT INTO t_kinds (id, user_id, vc) VALUES (4, 2, 'dup')")
	require.NoError(t, err)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	// the bounded read answers exactly, both rows, as the server does
	_, got := rawResult(t)(conn.QueryContext(ctx, point, 2, 4))
	assert.Len(t, got, 2, "a stale bound is read past, never truncated")
	require.NoError(t, conn.QueryRowContext(ctx, point, 1, 1).Scan(new(int64), &vc), "the session goes on")
	assert.Equal(t, "vc", vc)
	buffered, err := shardsql.QueryBuffered(ctx, conn, false, point, int64(2), int64(4))
	require.NoError(t, err)
	assert.False(t, buffered, "the table's facts were forgotten: no bound")
	_, got = rawResult(t)(conn.QueryContext(ctx, point, 2, 4))
	assert.Len(t, got, 2)
}

// TestBoundedRowsFaults: contexts cancelled before, during and after a
// bounded read, and a pin's server connection killed under a *sql.Conn:
// the errors are the streamed path's, the killed session's next
// statements fail rather than running on another session, and the pool
// goes on.
func TestBoundedRowsFaults(t *testing.T) {
	ctx := context.Background()
	db, dsns := rawKindsEnv(t, "&interpolateParams=true")
	const point = "SELECT id, vc FROM t_kinds WHERE user_id = ? AND id = ?"
	var vc string

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := db.QueryContext(cancelled, point, 1, 1)
	require.ErrorIs(t, err, context.Canceled)

	// a deadline while the server sleeps: the query ends with it
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	const sleepy = "SELECT id FROM t_kinds WHERE user_id = ? AND id = ? AND SLEEP(?) = 0"
	buffered, err := shardsql.QueryBuffered(ctx, conn, false, sleepy, int64(1), int64(1), int64(0))
	require.NoError(t, err)
	require.True(t, buffered)
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	start := time.Now()
	_, err = conn.QueryContext(short, sleepy, 1, 1, 3)
	cancelShort()
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn), "%v", err)
	assert.Less(t, time.Since(start), 2*time.Second)
	_ = conn.Close()
	require.NoError(t, db.QueryRowContext(ctx, point, 1, 1).Scan(new(int64), &vc))

	// cancelled after the rows were returned: they are in memory, and
	// database/sql closes them for the context as it closes any
	after, cancelAfter := context.WithCancel(ctx)
	rows, err := db.QueryContext(after, point, 1, 1)
	require.NoError(t, err)
	cancelAfter()
	for rows.Next() {
		// database/sql's own watcher may close the rows for the ended
		// context between Next and Scan: Scan then says so
		if err := rows.Scan(new(int64), &vc); err != nil {
			require.ErrorIs(t, err, context.Canceled)
			break
		}
	}
	if err := rows.Err(); err != nil {
		require.ErrorIs(t, err, context.Canceled)
	}
	require.NoError(t, rows.Close())

	// the pin's connection killed under a *sql.Conn
	conn, err = db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	var connID int64
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_kinds WHERE user_id = ? AND id = ?", 1, 1).Scan(&connID))
	admin := openPlain(t, dsns[1]) // user 1 lives on ds1
	_, err = admin.ExecContext(ctx, fmt.Sprintf("KILL %d", connID))
	require.NoError(t, err)
	err = conn.QueryRowContext(ctx, point, 1, 1).Scan(new(int64), &vc)
	require.Error(t, err)
	err = conn.QueryRowContext(ctx, point, 1, 1).Scan(new(int64), &vc)
	require.Error(t, err, "the session's connection is gone: its next statement fails too")
	require.NoError(t, db.QueryRowContext(ctx, point, 1, 1).Scan(new(int64), &vc), "the pool goes on")
}

// TestBoundedRowsPoolLimits: bounded reads from many goroutines through
// data-source pools of one and two connections neither deadlock nor mix
// rows up.
func TestBoundedRowsPoolLimits(t *testing.T) {
	ctx := context.Background()
	for _, limit := range []int{1, 2} {
		t.Run(fmt.Sprintf("max open %d", limit), func(t *testing.T) {
			db, _ := rawKindsEnv(t, "&interpolateParams=true", shardsql.WithMaxOpenConns(limit))
			db.SetMaxOpenConns(16)
			done := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 50; i++ {
						id := int64((g+i)%6 + 1)
						var got int64
						var vc string
						if err := db.QueryRowContext(ctx, "SELECT id, vc FROM t_kinds WHERE user_id = ? AND id = ?", (id-1)/3+1, id).Scan(&got, &vc); err != nil {
							errs <- err
							return
						}
						if got != id {
							errs <- fmt.Errorf("row %d for key %d", got, id)
							return
						}
					}
				}()
			}
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("deadlock: bounded reads did not finish")
			}
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
		})
	}
}
