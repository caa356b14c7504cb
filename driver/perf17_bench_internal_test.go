package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"testing"

	"github.com/shardsql/shardsql/shardtest"
)

// BenchmarkCaptureMeta: what a bounded read paid per statement for the
// column types before they were captured late (meta_late.go): the report
// point select's five columns, from go-sql-driver's rows of that result
// (closed, as the late capture asks them).
func BenchmarkCaptureMeta(b *testing.B) {
	if !shardtest.HaveMariaDB() {
		b.Skip("no mariadbd")
	}
	servers, err := shardtest.StartMariaDB(1, "app")
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}()
	db, err := sql.Open("mysql", servers[0].DSN()+"&interpolateParams=true")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE t (order_id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,2) NOT NULL, status VARCHAR(16) NOT NULL, created DATETIME NOT NULL)",
		"INSERT INTO t VALUES (1, 1, 12.50, 'paid', '2026-12-03 01:02:03')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var rows driver.Rows
	err = conn.Raw(func(dc any) error {
		var err error
		rows, err = dc.(driver.QueryerContext).QueryContext(ctx, "SELECT order_id, user_id, amount, status, created FROM t WHERE order_id = 1", nil)
		if err != nil {
			return err
		}
		vals := make([]driver.Value, 5)
		for rows.Next(vals) != io.EOF {
		}
		return rows.Close()
	})
	if err != nil {
		b.Fatal(err)
	}
	var meta [oneUnitInline]colMeta
	for b.Loop() {
		captureMeta(rows, meta[:5])
	}
}

// BenchmarkTakeOne: a statement's take and give-back of its oneUnit,
// through the Conn's slot (oneSlot) and through the Connector's sync.Pool
// alone (the slot kept full), in a tight loop (in place the pool's lines
// are colder).
func BenchmarkTakeOne(b *testing.B) {
	for _, slot := range []bool{true, false} {
		b.Run(map[bool]string{true: "slot", false: "pool"}[slot], func(b *testing.B) {
			c := &Conn{c: &Connector{}}
			full := new(oneUnit)
			for b.Loop() {
				one := c.takeOne() // the slot is empty for the pool's
				one.rows.done = false
				if !slot {
					c.spareOne = full // recycle then gives it to the pool
				}
				one.recycle()
				if !slot {
					c.spareOne = nil
				}
			}
		})
	}
}
