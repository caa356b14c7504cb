package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	shardsql "github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// The rows of a one-unit query live in a oneUnit the Connector pools
// (rows_one_unit.go): these tests prove that nothing a caller received
// lives in it, that closing the rows any way gives it back once, and that
// a read that fails or is cancelled leaves nothing behind.

// pooledUsers and pooledPerUser are the rows of t_pool: users 1..4, ids
// user*1000+1 .. user*1000+pooledPerUser.
const (
	pooledUsers   = 4
	pooledPerUser = 150
)

// pooledEnv is t_pool sharded by user_id over the two shared servers.
func pooledEnv(t *testing.T, opts ...shardsql.Option) (*sql.DB, []string) {
	t.Helper()
	ctx := context.Background()
	dsns := sharedDSNs(t, "pooled_rows")
	for _, dsn := range dsns {
		node := openPlain(t, dsn)
		_, err := node.ExecContext(ctx, "DROP TABLE IF EXISTS t_pool")
		require.NoError(t, err)
		_, err = node.ExecContext(ctx, "CREATE TABLE t_pool (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, vc VARCHAR(40), bl BLOB, dc DECIMAL(12,2), KEY (user_id))")
		require.NoError(t, err)
	}
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn+"&interpolateParams=true"))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_pool", Column: "user_id", Nodes: "ds${0..1}.t_pool", Algorithm: shard.Mod()}))
	db := openDB(t, topo, opts...)
	for u := int64(1); u <= pooledUsers; u++ {
		for i := int64(1); i <= pooledPerUser; i++ {
			id := u*1000 + i
			_, err := db.ExecContext(ctx, "INSERT INTO t_pool (id, user_id, vc, bl, dc) VALUES (?, ?, ?, ?, ?)", id, u, pooledVC(id), pooledBL(id), pooledDC(id))
			require.NoError(t, err)
		}
	}
	return db, dsns
}

func pooledVC(id int64) string { return fmt.Sprintf("vc-%d-%x", id, id*7919) }
func pooledBL(id int64) []byte { return []byte{byte(id), byte(id >> 8), 0, 0xff, byte(id * 31)} }
func pooledDC(id int64) string { return fmt.Sprintf("%d.%02d", id, id%100) }

// pooledHeld is a row's values as a caller keeps them: scanned into
// *any, *[]byte, *string and sql.RawBytes.
type pooledHeld struct {
	id  int64
	any any
	vc  []byte
	dc  string
	raw sql.RawBytes
}

func (h pooledHeld) check(t *testing.T) {
	t.Helper()
	assert.Equal(t, pooledBL(h.id), h.any, "*any of row %d", h.id)
	assert.Equal(t, pooledVC(h.id), string(h.vc), "*[]byte of row %d", h.id)
	assert.Equal(t, pooledDC(h.id), h.dc, "*string of row %d", h.id)
	assert.Equal(t, pooledVC(h.id), string(h.raw), "RawBytes of row %d", h.id)
}

// The statements a one-unit query takes: a point select by the primary
// key (read whole inside Raw, rows_raw.go) and a key range (streamed
// through the pin's *sql.Conn, scanned into the oneUnit's buffers).
const (
	pooledPoint = "SELECT id, bl, vc, dc FROM t_pool WHERE user_id = ? AND id = ?"
	pooledRange = "SELECT id, bl, vc, dc FROM t_pool WHERE user_id = ? AND id >= ? AND id <= ? ORDER BY id"
)

// pooledRead runs one of the two statements for row id and returns the
// row as a caller keeps it, the rows closed.
func pooledRead(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, streamed bool, id int64) (pooledHeld, error) {
	user := id / 1000
	var rows *sql.Rows
	var err error
	if streamed {
		rows, err = db.QueryContext(ctx, pooledRange, user, id, id)
	} else {
		rows, err = db.QueryContext(ctx, pooledPoint, user, id)
	}
	if err != nil {
		return pooledHeld{}, err
	}
	defer rows.Close()
	h := pooledHeld{}
	if !rows.Next() {
		return h, fmt.Errorf("row %d: no row (%v)", id, rows.Err())
	}
	var raw sql.RawBytes
	if err := rows.Scan(&h.id, &h.any, &h.vc, &h.dc); err != nil {
		return h, err
	}
	// RawBytes: valid until the next Next, Scan or Close by database/sql's
	// contract; held here past Close and later statements, it proves the
	// bytes are no storage the pool hands to the next statement.
	if err := rows.Scan(new(int64), new(any), &raw, new(string)); err != nil {
		return h, err
	}
	h.raw = raw
	if rows.Next() {
		return h, fmt.Errorf("row %d: a second row", id)
	}
	return h, rows.Close()
}

// TestPooledRowsValuesOutliveRows: values scanned from a one-unit query's
// rows stay intact after the rows close and while later statements — on
// the same *sql.Conn, and from many goroutines on other connections, which
// take the pooled storage the closed rows gave back — read other rows.
func TestPooledRowsValuesOutliveRows(t *testing.T) {
	ctx := context.Background()
	db, _ := pooledEnv(t)
	db.SetMaxOpenConns(8)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	for _, streamed := range []bool{false, true} {
		t.Run(fmt.Sprintf("streamed=%v", streamed), func(t *testing.T) {
			var held []pooledHeld
			for i := int64(1); i <= 40; i++ {
				id := (i%pooledUsers+1)*1000 + i
				h, err := pooledRead(ctx, conn, streamed, id)
				require.NoError(t, err)
				held = append(held, h)
				// the same session's next statement reads another row
				other, err := pooledRead(ctx, conn, !streamed, id+1)
				require.NoError(t, err)
				other.check(t)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for g := int64(0); g < 8; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []pooledHeld
					for i := int64(0); i < 60; i++ {
						id := ((g+i)%pooledUsers+1)*1000 + (g*7+i)%pooledPerUser + 1
						h, err := pooledRead(ctx, db, (g+i)%2 == 0, id)
						if err != nil {
							errs <- err
							return
						}
						mine = append(mine, h)
					}
					for _, h := range mine {
						if string(h.vc) != pooledVC(h.id) || string(h.raw) != pooledVC(h.id) || h.dc != pooledDC(h.id) {
							errs <- fmt.Errorf("row %d changed after its rows closed: %q %q %q", h.id, h.vc, h.raw, h.dc)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			for _, h := range held {
				h.check(t)
			}
		})
	}
}

// TestPooledRowsClose: rows closed without reading, closed twice (by
// database/sql, which guards it, and at the driver level, where the rows'
// own flag does), and a QueryRow's rows, each give the storage back once:
// the session and later statements are unaffected.
func TestPooledRowsClose(t *testing.T) {
	ctx := context.Background()
	db, _ := pooledEnv(t)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	var before int64
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_pool WHERE user_id = ? AND id = ?", 1, 1001).Scan(&before))
	for _, q := range []string{pooledPoint, pooledRange} {
		args := []any{int64(1), int64(1001)}
		if q == pooledRange {
			args = []any{int64(1), int64(1001), int64(1000 + pooledPerUser)} // more rows than Close drains (finishRows)
		}
		// closed without Next, twice
		rows, err := conn.QueryContext(ctx, q, args...)
		require.NoError(t, err)
		require.NoError(t, rows.Close())
		require.NoError(t, rows.Close())
		assert.False(t, rows.Next())
		// read one row of several, then closed
		rows, err = conn.QueryContext(ctx, q, args...)
		require.NoError(t, err)
		require.True(t, rows.Next())
		require.NoError(t, rows.Close())
		// at the driver level, twice
		pooled, first, second := shardsql.CloseTwice(ctx, conn, q, args...)
		assert.True(t, pooled, "a one-unit query's rows live in a pooled oneUnit")
		require.NoError(t, first)
		require.NoError(t, second)
		// the session goes on, on its pin
		var during int64
		require.NoError(t, conn.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_pool WHERE user_id = ? AND id = ?", 1, 1001).Scan(&during))
		assert.Equal(t, before, during, "the same pin: closing gave it back to the session, not the pool")
		for i := int64(1); i <= 20; i++ {
			h, err := pooledRead(ctx, conn, i%2 == 0, 2000+i)
			require.NoError(t, err)
			h.check(t)
		}
	}
	// a scatter's rows are not pooled (their plan keeps the arguments in
	// the storage): closing them twice is as before
	pooled, first, second := shardsql.CloseTwice(ctx, conn, "SELECT id FROM t_pool WHERE id > ? ORDER BY id LIMIT 3", 0)
	assert.False(t, pooled)
	require.NoError(t, first)
	require.NoError(t, second)
}

// TestPooledRowsCancel: contexts cancelled before, during and after a
// one-unit read, from many goroutines at once: each read either answers
// its own row or fails with the context's error, and the statements after
// them read their rows intact (run it with -race too).
func TestPooledRowsCancel(t *testing.T) {
	ctx := context.Background()
	db, _ := pooledEnv(t)
	db.SetMaxOpenConns(8)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := int64(0); g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); i < 30; i++ {
				user := (g+i)%pooledUsers + 1
				qctx, cancel := context.WithCancel(ctx)
				defer cancel()
				switch i % 3 {
				case 0: // before
					cancel()
					if _, err := db.QueryContext(qctx, pooledPoint, user, user*1000+1); err == nil {
						errs <- fmt.Errorf("a cancelled context ran")
						return
					}
				case 1: // during a streamed read of many rows
					rows, err := db.QueryContext(qctx, pooledRange, user, user*1000+1, user*1000+pooledPerUser)
					if err != nil {
						errs <- err
						return
					}
					n := 0
					for rows.Next() {
						if n++; n == 2 {
							cancel()
						}
					}
					if err := rows.Err(); err != nil && !errorsIsCanceled(err) {
						errs <- err
						return
					}
					_ = rows.Close()
				case 2: // after a point read answered
					rows, err := db.QueryContext(qctx, pooledPoint, user, user*1000+2)
					if err != nil {
						errs <- err
						return
					}
					cancel()
					for rows.Next() {
					}
					if err := rows.Err(); err != nil && !errorsIsCanceled(err) {
						errs <- err
						return
					}
					_ = rows.Close()
				}
				cancel()
				id := user*1000 + (g+i)%pooledPerUser + 1
				h, err := pooledRead(ctx, db, i%2 == 0, id)
				if err != nil {
					errs <- err
					return
				}
				if string(h.vc) != pooledVC(id) || h.id != id {
					errs <- fmt.Errorf("row %d read %d %q", id, h.id, h.vc)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func errorsIsCanceled(err error) bool { return errors.Is(err, context.Canceled) }

// TestPooledRowsErrorMidRead: a one-unit query whose server fails after
// sending rows (a BIGINT overflow from the third row on) fails as the
// plain driver's does — streamed: the rows before the error, then the
// server's error; read whole inside Raw (a LIMIT proves a bound): the
// server's error, from Query — the storage goes back, and the session and
// later statements are unaffected.
func TestPooledRowsErrorMidRead(t *testing.T) {
	ctx := context.Background()
	db, dsns := pooledEnv(t)
	const q = "SELECT id, id * IF(id < ?, 1, 9223372036854775807) FROM t_pool WHERE user_id = ? AND id >= ? ORDER BY id"
	read := func(rows *sql.Rows, err error) ([]int64, error) {
		require.NoError(t, err)
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			require.NoError(t, rows.Scan(&id, new(any)))
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	// user 2 lives on ds0 (Mod over two data sources)
	wantIDs, wantErr := read(openPlain(t, dsns[0]).QueryContext(ctx, q, 2003, 2, 2001))
	require.Error(t, wantErr, "the server fails mid-read")
	require.Equal(t, []int64{2001, 2002}, wantIDs)
	for i := 0; i < 3; i++ {
		ids, err := read(conn.QueryContext(ctx, q, 2003, 2, 2001))
		assert.Equal(t, wantIDs, ids)
		require.Error(t, err)
		assert.Contains(t, err.Error(), wantErr.Error())
		buffered, err := shardsql.QueryBuffered(ctx, conn, false, q+" LIMIT 5", 2003, 2, 2001)
		require.Error(t, err)
		assert.False(t, buffered)
		assert.Contains(t, err.Error(), wantErr.Error())
		_, err = conn.QueryContext(ctx, q+" LIMIT 5", 2003, 2, 2001)
		require.Error(t, err)
		assert.Contains(t, err.Error(), wantErr.Error())
		h, err := pooledRead(ctx, conn, i%2 == 0, 2010+int64(i))
		require.NoError(t, err, "the session goes on")
		h.check(t)
	}
}

// TestPooledRowsWide: a point select of more columns than a pooled
// oneUnit holds inline reads into buffers the struct keeps when it is
// recycled (oneUnit.wideVals) and copies a row's []byte values into one
// allocation (cloneRow): values the caller keeps — *any, sql.RawBytes,
// NULL, an empty string — stay intact while later wide reads reuse the
// buffers, and appending to one value never writes into its neighbour.
func TestPooledRowsWide(t *testing.T) {
	ctx := context.Background()
	db, _ := pooledEnv(t)
	db.SetMaxOpenConns(2)
	const wide = "SELECT id, bl, vc, dc, NULL, '', vc, bl, dc, user_id, vc FROM t_pool WHERE user_id = ? AND id = ?"
	type held struct {
		id        int64
		vals      []any
		raw, raw2 sql.RawBytes // columns 2 and 3: neighbours in the row's allocation
	}
	read := func(id int64) held {
		t.Helper()
		rows, err := db.QueryContext(ctx, wide, id/1000, id)
		require.NoError(t, err)
		defer rows.Close()
		require.True(t, rows.Next(), "row %d", id)
		h := held{id: id, vals: make([]any, 11)}
		ptrs := make([]any, 11)
		for i := range ptrs {
			ptrs[i] = &h.vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		raws := make([]any, 11)
		for i := range raws {
			raws[i] = new(any)
		}
		raws[2], raws[3] = &h.raw, &h.raw2
		require.NoError(t, rows.Scan(raws...))
		require.False(t, rows.Next())
		require.NoError(t, rows.Err())
		return h
	}
	check := func(h held) {
		t.Helper()
		vc, bl, dc := pooledVC(h.id), pooledBL(h.id), pooledDC(h.id)
		assert.Equal(t, []any{h.id, bl, []byte(vc), []byte(dc), nil, []byte{}, []byte(vc), bl, []byte(dc), h.id / 1000, []byte(vc)}, normalizeInts(h.vals), "row %d", h.id)
		assert.Equal(t, vc, string(h.raw), "RawBytes of row %d", h.id)
		assert.Equal(t, dc, string(h.raw2), "RawBytes of row %d", h.id)
		assert.NotNil(t, h.vals[5], "the empty string of row %d is not NULL", h.id)
	}
	var kept []held
	for i := int64(1); i <= 30; i++ {
		id := (i%pooledUsers+1)*1000 + i
		kept = append(kept, read(id))
	}
	for _, h := range kept {
		check(h)
	}
	// Appending to one value must reallocate, not write into the next
	// value's bytes (they share the row's allocation).
	h := kept[0]
	bl := h.vals[1].([]byte)
	_ = append(bl, 'x', 'y', 'z')
	_ = append(h.raw, 'x', 'y', 'z')
	check(h)
}

// normalizeInts returns vals with integer values as int64 (the text
// protocol's integers arrive as int64 or as their digits).
func normalizeInts(vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
		if b, ok := v.([]byte); ok && (i == 0 || i == 9) {
			var n int64
			fmt.Sscan(string(b), &n)
			out[i] = n
		}
	}
	return out
}
