package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOneSlotInterleaved: a Conn's rows give their struct back to the
// Conn's slot (rows_one_unit.go: oneSlot), and its next statement takes
// it; rows of one *sql.Conn kept open across its next statements, closed
// in another order than opened, and closed by database/sql's context
// watcher (a cancelled statement context, from its own goroutine) while
// the Conn runs on, each read their own row to the end. It fails when
// the slot's struct can go to two statements at once (a take that leaves
// it in the slot): an open statement's row then becomes the next one's.
func TestOneSlotInterleaved(t *testing.T) {
	ctx := context.Background()
	db, _ := pooledEnv(t)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	var opened []*sql.Rows
	defer func() {
		for _, r := range opened {
			_ = r.Close()
		}
	}()
	open := func(qctx context.Context, streamed bool, id int64) *sql.Rows {
		t.Helper()
		user := id / 1000
		var rows *sql.Rows
		var err error
		if streamed {
			rows, err = conn.QueryContext(qctx, pooledRange, user, id, id)
		} else {
			rows, err = conn.QueryContext(qctx, pooledPoint, user, id)
		}
		if err != nil {
			t.Errorf("open row %d: %v", id, err)
			t.FailNow() // the deferred Closes run first: the rows still open are in opened
		}
		opened = append(opened, rows)
		return rows
	}
	read := func(rows *sql.Rows, id int64) error {
		defer rows.Close()
		if !rows.Next() {
			return fmt.Errorf("row %d: no row (%v)", id, rows.Err())
		}
		var got int64
		var bl []byte
		var vc, dc string
		if err := rows.Scan(&got, &bl, &vc, &dc); err != nil {
			return err
		}
		if got != id || vc != pooledVC(id) || dc != pooledDC(id) || string(bl) != string(pooledBL(id)) {
			return fmt.Errorf("row %d read as %d %q %q %x", id, got, vc, dc, bl)
		}
		if rows.Next() {
			return fmt.Errorf("row %d: a second row", id)
		}
		return rows.Close()
	}
	id := func(i int64) int64 { return (i%pooledUsers+1)*1000 + i%pooledPerUser + 1 }
	for i := int64(0); i < 60; i++ {
		streamed := i%5 == 4
		// a and b open at once, the next statements run while they are
		a, b := open(ctx, false, id(i)), open(ctx, streamed, id(i+1))
		require.NoError(t, read(open(ctx, false, id(i+2)), id(i+2)))
		require.NoError(t, read(b, id(i+1))) // closed before a
		c := open(ctx, false, id(i+3))
		require.NoError(t, read(a, id(i)))
		// a point select whose context ends: database/sql's watcher
		// closes its rows from its own goroutine while the Conn runs on
		// (a streamed one's connection is cut with it: the session is
		// lost, and the next statement's error is driver.ErrBadConn)
		cctx, cancel := context.WithCancel(ctx)
		d := open(cctx, false, id(i+4))
		cancel()
		for j := int64(5); j < 8; j++ {
			require.NoError(t, read(open(ctx, j == 6 && streamed, id(i+j)), id(i+j)))
		}
		require.NoError(t, read(c, id(i+3)))
		_ = d.Close()
	}
}
