package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// r8Held is a value a caller keeps from a statement: what it read, and
// what the one table answers.
type r8Held struct {
	what      string
	got, want []byte
}

// TestReview8PoolStress mixes, from many goroutines on pools of one and
// two connections per data source (WithMaxOpenConns), the statements
// whose storage this session pooled or whose connections the lock-free
// gate counts: point selects (one-unit rows read inside Raw, pooled
// oneUnit), one-unit ranges (streamed, pooled), small scatters, deep
// pages (phase 1 and the later phases read inside Raw into pooled rawBuf
// storage, or on the pins when the pool is short), QueryRow with and
// without a row, transactions committed with their rows still open,
// *sql.Conn sessions, and reads cancelled mid-way. Every value a caller
// scanned is kept as []byte until the end and compared with the one
// table's: a pooled storage handed to another statement while a caller
// still held a value would show here (and under -race). Nothing may hang
// (the gate's wake-ups) or fail but the cancelled reads.
func TestReview8PoolStress(t *testing.T) {
	ctx := context.Background()
	_, oracle, topo := laterEnv(t, "r8_pool_stress")
	want := map[int64]string{}
	rows, err := oracle.QueryContext(ctx, "SELECT id, COALESCE(v, 'null') FROM t_dl")
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		var v string
		require.NoError(t, rows.Scan(&id, &v))
		want[id] = v
	}
	require.NoError(t, rows.Close())
	const deep = "SELECT id, COALESCE(v, 'null') FROM t_dl WHERE user_id <> ? ORDER BY dt DESC, id LIMIT %d, 4"
	deepWant := map[int]string{}
	for _, off := range []int{120, 380, 560} {
		r, err := runDiffQuery(oracle, fmt.Sprintf(deep, off), 3)
		require.NoError(t, err)
		deepWant[off] = fmt.Sprint(r.rows)
	}
	for _, limit := range []int{1, 2} {
		t.Run(fmt.Sprintf("conns=%d", limit), func(t *testing.T) {
			db := openDB(t, topo("&interpolateParams=true"), driver.WithMaxOpenConns(limit), driver.WithConnWaitTimeout(30*time.Second))
			var wg sync.WaitGroup
			var mu sync.Mutex
			var held []r8Held
			var fails []string
			fail := func(f string, a ...any) {
				mu.Lock()
				fails = append(fails, fmt.Sprintf(f, a...))
				mu.Unlock()
			}
			for g := 0; g < 10; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []r8Held
					keep := func(what string, got []byte, w string) {
						mine = append(mine, r8Held{what: what, got: got, want: []byte(w)})
					}
					for i := 0; i < 24; i++ {
						id := int64((g*37+i*11)%600 + 1)
						switch (g + i) % 8 {
						case 0, 1: // point select, read inside Raw
							var v []byte
							var a any
							err := db.QueryRowContext(ctx, "SELECT COALESCE(v, 'null'), COALESCE(v, 'null') FROM t_dl WHERE id = ?", id).Scan(&v, &a)
							if err != nil {
								fail("point %d: %v", id, err)
								continue
							}
							keep(fmt.Sprintf("point %d", id), v, want[id])
							if b, ok := a.([]byte); ok {
								keep(fmt.Sprintf("point %d *any", id), b, want[id])
							}
						case 2: // one-unit range, streamed
							rs, err := db.QueryContext(ctx, "SELECT id, COALESCE(v, 'null') FROM t_dl WHERE id BETWEEN ? AND ? ORDER BY id", id, id+3)
							if err != nil {
								fail("range %d: %v", id, err)
								continue
							}
							for rs.Next() {
								var rid int64
								var raw sql.RawBytes
								if err := rs.Scan(&rid, &raw); err != nil {
									fail("range scan: %v", err)
									break
								}
								// RawBytes kept past Next and Close (beyond
								// database/sql's contract, as TestPooledRows
								// holds them): shardsql's values are their own
								// allocations, never pooled storage
								keep(fmt.Sprintf("range row %d (RawBytes)", rid), raw, want[rid])
							}
							if err := rs.Close(); err != nil {
								fail("range close: %v", err)
							}
						case 3: // scatter over the nodes
							rs, err := db.QueryContext(ctx, "SELECT id, COALESCE(v, 'null') FROM t_dl WHERE id IN (?, ?, ?) ORDER BY id", id, (id+150)%600+1, (id+420)%600+1)
							if err != nil {
								fail("scatter %d: %v", id, err)
								continue
							}
							for rs.Next() {
								var rid int64
								var raw sql.RawBytes
								_ = rs.Scan(&rid, &raw)
								keep(fmt.Sprintf("scatter row %d (RawBytes)", rid), raw, want[rid])
							}
							if err := rs.Err(); err != nil {
								fail("scatter: %v", err)
							}
							_ = rs.Close()
						case 4: // a deep page
							off := []int{120, 380, 560}[(g+i)%3]
							r, err := runDiffQuery(db, fmt.Sprintf(deep, off), 3)
							if err != nil {
								fail("deep page %d: %v", off, err)
								continue
							}
							keep(fmt.Sprintf("deep page %d", off), []byte(fmt.Sprint(r.rows)), deepWant[off])
							// the same page's values kept as RawBytes
							rs, err := db.QueryContext(ctx, fmt.Sprintf(deep, off), 3)
							if err != nil {
								fail("deep page %d: %v", off, err)
								continue
							}
							for rs.Next() {
								var rid int64
								var raw sql.RawBytes
								_ = rs.Scan(&rid, &raw)
								keep(fmt.Sprintf("deep page %d row %d (RawBytes)", off, rid), raw, want[rid])
							}
							if err := rs.Err(); err != nil {
								fail("deep page %d: %v", off, err)
							}
							_ = rs.Close()
						case 5: // a transaction committed with its rows open
							tx, err := db.BeginTx(ctx, nil)
							if err != nil {
								fail("begin: %v", err)
								continue
							}
							var v []byte
							if err := tx.QueryRowContext(ctx, "SELECT COALESCE(v, 'null') FROM t_dl WHERE id = ?", id).Scan(&v); err != nil {
								fail("tx point: %v", err)
							} else {
								keep(fmt.Sprintf("tx point %d", id), v, want[id])
							}
							// within id's data source (ids 200 and up are ds1's): a
							// transaction that holds one data source's only
							// connection and waits for the other's, while another
							// holds that one and waits, can only time out
							hi := id + 3
							if id < 200 && hi >= 200 {
								hi = 199
							}
							rs, err := tx.QueryContext(ctx, "SELECT id, COALESCE(v, 'null') FROM t_dl WHERE id BETWEEN ? AND ? ORDER BY id", id, hi)
							if err != nil {
								fail("tx range: %v", err)
								_ = tx.Rollback()
								continue
							}
							if rs.Next() {
								var rid int64
								var v []byte
								_ = rs.Scan(&rid, &v)
								keep(fmt.Sprintf("tx range row %d", rid), v, want[rid])
							}
							if err := tx.Commit(); err != nil {
								fail("commit with rows open: %v", err)
							}
							_ = rs.Close()
						case 6: // QueryRow without a row; a *sql.Conn session
							err := db.QueryRowContext(ctx, "SELECT v FROM t_dl WHERE id = ? AND user_id = -1", id).Scan(new([]byte))
							if !errors.Is(err, sql.ErrNoRows) {
								fail("no row: %v", err)
							}
							conn, err := db.Conn(ctx)
							if err != nil {
								fail("conn: %v", err)
								continue
							}
							var v []byte
							if err := conn.QueryRowContext(ctx, "SELECT COALESCE(v, 'null') FROM t_dl WHERE id = ?", id).Scan(&v); err != nil {
								fail("conn point: %v", err)
							} else {
								keep(fmt.Sprintf("conn point %d", id), v, want[id])
							}
							_ = conn.Close()
						case 7: // cancelled mid-way
							cctx, cancel := context.WithCancel(ctx)
							rs, err := db.QueryContext(cctx, "SELECT id, COALESCE(v, 'null') FROM t_dl WHERE id BETWEEN ? AND ? ORDER BY id", id, id+200)
							if err == nil {
								if rs.Next() {
									var rid int64
									var v []byte
									if rs.Scan(&rid, &v) == nil {
										keep(fmt.Sprintf("cancelled row %d", rid), v, want[rid])
									}
								}
								cancel()
								for rs.Next() {
								}
								_ = rs.Close()
							} else if !errors.Is(err, context.Canceled) {
								fail("cancelled read: %v", err)
							}
							cancel()
						}
					}
					mu.Lock()
					held = append(held, mine...)
					mu.Unlock()
				}()
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(4 * time.Minute):
				t.Fatal("the statements hung")
			}
			for _, f := range fails {
				t.Error(f)
			}
			bad := 0
			for _, h := range held {
				if string(h.got) != string(h.want) {
					if bad++; bad <= 10 {
						t.Errorf("%s: kept %q, the table holds %q", h.what, h.got, h.want)
					}
				}
			}
			t.Logf("%d values kept and checked, %d changed", len(held), bad)
			st := db.Stats()
			require.LessOrEqual(t, st.InUse, 0, "connections in use after every statement closed")
		})
	}
}
