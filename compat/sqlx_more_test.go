package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"
)

// TestSqlxNamedIn runs sqlx's Named + In together (a named query whose
// argument is a slice), a prepared NamedStmt used many times, Preparex
// with Get, and Select into a slice of values, on one database and
// through shardsql.
func TestSqlxNamedIn(t *testing.T) {
	e := newEnv(t, "sqlxin", table{"xi_items", "owner", ""})
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
		x.MustExecContext(ctx, "CREATE TABLE xi_items (id BIGINT PRIMARY KEY, owner BIGINT NOT NULL, name VARCHAR(20) NOT NULL, qty INT NOT NULL)")
		ins, err := x.PrepareNamedContext(ctx, "INSERT INTO xi_items (id, owner, name, qty) VALUES (:id, :owner, :name, :qty)")
		must(err)
		for i := 1; i <= 30; i++ {
			_, err := ins.ExecContext(ctx, sqlxItem{ID: int64(i), Owner: int64(i % 6), Name: fmt.Sprintf("n%02d", i), Qty: i % 4})
			must(err)
		}
		must(ins.Close())

		q, args, err := sqlx.Named("SELECT id FROM xi_items WHERE owner IN (:owners) AND qty >= :min ORDER BY id", map[string]any{"owners": []int64{1, 2, 5}, "min": 2})
		must(err)
		q, args, err = sqlx.In(q, args...)
		must(err)
		var ids []int64
		must(x.SelectContext(ctx, &ids, x.Rebind(q), args...))
		log("named in %v", ids)

		get, err := x.PreparexContext(ctx, "SELECT * FROM xi_items WHERE owner = ? AND id = ?")
		must(err)
		for _, id := range []int64{6, 7, 13} {
			var it sqlxItem
			must(get.GetContext(ctx, &it, id%6, id))
			log("get %+v", it)
		}
		must(get.Close())
		var names []string
		must(x.SelectContext(ctx, &names, "SELECT DISTINCT name FROM xi_items WHERE qty = ? ORDER BY name DESC LIMIT 4", 3))
		log("names %v", names)
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("sqlx observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
