package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"
)

// sqlxItem is scanned by sqlx by its db tags.
type sqlxItem struct {
	ID    int64  `db:"id"`
	Owner int64  `db:"owner"`
	Name  string `db:"name"`
	Qty   int    `db:"qty"`
}

// TestSqlx runs a sqlx program on one database and through shardsql:
// NamedExec batches, Get, Select, In, transactions, named queries and an
// aggregate scanned by its column name.
func TestSqlx(t *testing.T) {
	e := newEnv(t, "sqlxdb", table{"x_items", "owner", ""})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		ctx := context.Background()
		x := sqlx.NewDb(db, "mysql")
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		x.MustExecContext(ctx, "CREATE TABLE x_items (id BIGINT PRIMARY KEY, owner BIGINT NOT NULL, name VARCHAR(20) NOT NULL, qty INT NOT NULL)")
		var items []sqlxItem
		for i := 1; i <= 40; i++ {
			items = append(items, sqlxItem{ID: int64(i), Owner: int64(i % 7), Name: fmt.Sprintf("item%02d", i), Qty: i * 3 % 11})
		}
		res, err := x.NamedExecContext(ctx, "INSERT INTO x_items (id, owner, name, qty) VALUES (:id, :owner, :name, :qty)", items)
		must(err)
		n, err := res.RowsAffected()
		must(err)
		log("inserted %d", n)
		id, err := res.LastInsertId()
		must(err)
		log("last insert id %d", id)

		var one sqlxItem
		must(x.GetContext(ctx, &one, "SELECT * FROM x_items WHERE owner = ? AND id = ?", 3, 10))
		log("get %+v", one)
		var list []sqlxItem
		must(x.SelectContext(ctx, &list, "SELECT id, owner, name, qty FROM x_items WHERE qty > ? ORDER BY name DESC LIMIT 5 OFFSET 2", 4))
		log("select %+v", list)
		q, args, err := sqlx.In("SELECT * FROM x_items WHERE owner IN (?) ORDER BY id", []int64{1, 4, 6})
		must(err)
		list = nil
		must(x.SelectContext(ctx, &list, x.Rebind(q), args...))
		log("in %d %+v", len(list), list[0])

		tx := x.MustBeginTx(ctx, nil)
		tx.MustExecContext(ctx, "UPDATE x_items SET qty = qty + 100 WHERE owner = ?", 2)
		_, err = tx.NamedExecContext(ctx, "DELETE FROM x_items WHERE owner = :owner AND id = :id", map[string]any{"owner": 5, "id": 5})
		must(err)
		must(tx.Commit())

		rows, err := x.NamedQueryContext(ctx, "SELECT owner, SUM(qty) AS total FROM x_items WHERE owner < :max GROUP BY owner ORDER BY owner", map[string]any{"max": 4})
		must(err)
		for rows.Next() {
			var owner, total int64
			must(rows.Scan(&owner, &total))
			log("total %d %d", owner, total)
		}
		must(rows.Err())
		rows.Close()

		t.Run("column named COUNT(*)", func(t *testing.T) {
			var c struct {
				N int `db:"COUNT(*)"`
			}
			if err := x.GetContext(ctx, &c, "SELECT COUNT(*) FROM x_items"); err != nil {
				t.Fatal(err)
			}
			if c.N != 39 {
				t.Fatalf("COUNT(*) = %d", c.N)
			}
		})
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("sqlx observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
