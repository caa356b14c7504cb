package driver_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"testing"
)

// BenchmarkInnerTrip measures the ways a one-unit query can reach the
// shard connection from shardsql's Conn, on the plain go-sql-driver pool
// (interpolateParams=true) and the point select of the overhead
// benchmarks: what shardsql does today on a pin (DB.Conn, Conn.QueryContext,
// Next, Scan into *any, Rows.Close, Conn.Close), the same statement read
// inside Conn.Raw on the driver connection with its row copied out
// (the buffered design of issue 16, item 2b), and DB.QueryContext without
// a pin (2a, which would give the statement another session than the
// caller's).
//
//	SHARDSQL_REQUIRE_MARIADB=1 go test -run XXX -bench InnerTrip -benchmem -count 6 ./driver
func BenchmarkInnerTrip(b *testing.B) {
	const q = "SELECT amount FROM t_plain WHERE user_id = ? AND order_id = ?"
	ctx := context.Background()
	b.Run("pin-query", func(b *testing.B) {
		plain, _, _ := overheadDBs(b)
		b.ReportAllocs()
		defer clientCPU(b)()
		i := 0
		vals := make([]any, 1)
		scan := []any{&vals[0]}
		for b.Loop() {
			k := int64(i % overheadRows)
			i++
			conn, err := plain.Conn(ctx)
			if err != nil {
				b.Fatal(err)
			}
			rows, err := conn.QueryContext(ctx, q, k, k)
			if err != nil {
				b.Fatal(err)
			}
			readOneRow(b, rows, scan)
			_ = conn.Close()
		}
	})
	b.Run("pin-raw-buffered", func(b *testing.B) {
		plain, _, _ := overheadDBs(b)
		b.ReportAllocs()
		defer clientCPU(b)()
		rb := newRawBuffered(ctx, q)
		i := 0
		for b.Loop() {
			rb.args(int64(i % overheadRows))
			i++
			conn, err := plain.Conn(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if err := conn.Raw(rb.run); err != nil || len(rb.held) != 1 {
				b.Fatal(len(rb.held), err)
			}
			_ = conn.Close()
		}
	})
	b.Run("held-pin-raw-buffered", func(b *testing.B) {
		// pin-raw-buffered on a connection taken once, as a pin kept
		// across checkouts would be (issue 16, round 5 step 2): what
		// DB.Conn, its liveness check and Conn.Close cost per statement.
		plain, _, _ := overheadDBs(b)
		b.ReportAllocs()
		rb := newRawBuffered(ctx, q)
		conn, err := plain.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		defer clientCPU(b)()
		i := 0
		for b.Loop() {
			rb.args(int64(i % overheadRows))
			i++
			if err := conn.Raw(rb.run); err != nil || len(rb.held) != 1 {
				b.Fatal(len(rb.held), err)
			}
		}
	})
	b.Run("db-query", func(b *testing.B) {
		plain, _, _ := overheadDBs(b)
		b.ReportAllocs()
		defer clientCPU(b)()
		i := 0
		vals := make([]any, 1)
		scan := []any{&vals[0]}
		for b.Loop() {
			k := int64(i % overheadRows)
			i++
			rows, err := plain.QueryContext(ctx, q, k, k)
			if err != nil {
				b.Fatal(err)
			}
			readOneRow(b, rows, scan)
		}
	})
}

// readOneRow reads rows as a caller of a point select does (columns, then
// each row scanned) and fails unless there was exactly one row.
func readOneRow(b *testing.B, rows *sql.Rows, scan []any) {
	if _, err := rows.Columns(); err != nil {
		b.Fatal(err)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(scan...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Close(); err != nil || n != 1 {
		b.Fatal(n, err)
	}
}

// rawBuffered reads a point select whole on the driver connection inside
// sql.Conn.Raw (its run is the callback), copying the []byte values the
// driver lends, as shardsql's bounded read does.
type rawBuffered struct {
	ctx  context.Context
	q    string
	nv   []driver.NamedValue
	held [][]driver.Value
}

func newRawBuffered(ctx context.Context, q string) *rawBuffered {
	return &rawBuffered{ctx: ctx, q: q, nv: make([]driver.NamedValue, 2)}
}

// args sets both placeholders to k and forgets the last rows.
func (r *rawBuffered) args(k int64) {
	r.nv[0] = driver.NamedValue{Ordinal: 1, Value: k}
	r.nv[1] = driver.NamedValue{Ordinal: 2, Value: k}
	r.held = r.held[:0]
}

func (r *rawBuffered) run(dc any) error {
	rows, err := dc.(driver.QueryerContext).QueryContext(r.ctx, r.q, r.nv)
	if err != nil {
		return err
	}
	cols := rows.Columns()
	for {
		row := make([]driver.Value, len(cols))
		if err := rows.Next(row); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			_ = rows.Close()
			return err
		}
		for j, v := range row {
			if bs, ok := v.([]byte); ok {
				row[j] = append([]byte(nil), bs...)
			}
		}
		r.held = append(r.held, row)
	}
	return rows.Close()
}
