package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	sq "github.com/Masterminds/squirrel"
)

// TestSquirrel runs what code built with squirrel
// (github.com/Masterminds/squirrel) sends, on one database and through
// shardsql: a multi-row Insert with generated ids (LastInsertId numbers the
// rows), Select with sq.Eq of a slice (an IN list), sq.Gt/sq.Or/sq.Like,
// ORDER BY/LIMIT/OFFSET across nodes, GROUP BY with HAVING, a CASE
// expression, Update with sq.Expr, an upsert by Suffix, Delete, and
// FOR UPDATE in a transaction.
func TestSquirrel(t *testing.T) {
	e := newEnv(t, "squirrel", table{"sq_orders", "customer", "id"})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		ctx := context.Background()
		b := sq.StatementBuilder.RunWith(db)
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.ExecContext(ctx, `CREATE TABLE sq_orders (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, customer INT NOT NULL,
			sku VARCHAR(16) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, UNIQUE KEY cust_sku (customer, sku))`)
		must(err)

		ins := b.Insert("sq_orders").Columns("customer", "sku", "qty", "price")
		for i := range 16 {
			ins = ins.Values(i%5, fmt.Sprintf("sku-%02d", i), i%4+1, fmt.Sprintf("%d.%02d", 3+i, i*7%100))
		}
		res, err := ins.ExecContext(ctx)
		must(err)
		first, err := res.LastInsertId()
		must(err)
		n, err := res.RowsAffected()
		must(err)
		// The rows' ids are first, first+1, … in row order.
		var consecutive bool
		must(b.Select("COUNT(*) = 16").From("sq_orders").Where("id = ? + CAST(SUBSTRING(sku, 5) AS SIGNED)", first).QueryRowContext(ctx).Scan(&consecutive))
		log("inserted %d consecutive ids %v", n, consecutive)

		scanSkus := func(what string, q sq.SelectBuilder) {
			t.Helper()
			rows, err := q.QueryContext(ctx)
			must(err)
			defer rows.Close()
			var got []string
			for rows.Next() {
				var s string
				must(rows.Scan(&s))
				got = append(got, s)
			}
			must(rows.Err())
			log("%s %v", what, got)
		}
		scanSkus("eq slice", b.Select("sku").From("sq_orders").Where(sq.Eq{"customer": []int{1, 3}}).OrderBy("sku"))
		scanSkus("or/gt/like", b.Select("sku").From("sq_orders").Where(sq.Or{sq.Gt{"qty": 3}, sq.Like{"sku": "sku-1%"}}).OrderBy("sku DESC").Limit(5).Offset(2))
		scanSkus("noteq and lt", b.Select("sku").From("sq_orders").Where(sq.And{sq.NotEq{"customer": []int{0, 2}}, sq.Lt{"price": "10"}}).OrderBy("price", "sku"))

		rows, err := b.Select("customer", "SUM(qty) AS q", "SUM(price) AS total",
			"SUM(CASE WHEN qty > 2 THEN 1 ELSE 0 END) AS big").From("sq_orders").GroupBy("customer").Having("SUM(qty) > ?", 4).OrderBy("total DESC").QueryContext(ctx)
		must(err)
		for rows.Next() {
			var c, q, big int
			var total string
			must(rows.Scan(&c, &q, &total, &big))
			log("group %d %d %s %d", c, q, total, big)
		}
		must(rows.Err())
		rows.Close()

		res, err = b.Update("sq_orders").Set("qty", sq.Expr("qty * ?", 10)).Where(sq.Eq{"customer": 2}).ExecContext(ctx)
		must(err)
		n, _ = res.RowsAffected()
		log("updated %d", n)
		for range 2 {
			res, err = b.Insert("sq_orders").Columns("customer", "sku", "qty", "price").Values(4, "sku-04", 1, "1.00").
				Suffix("ON DUPLICATE KEY UPDATE qty = qty + VALUES(qty)").ExecContext(ctx)
			must(err)
			n, _ = res.RowsAffected()
			log("upsert %d", n)
		}
		res, err = b.Delete("sq_orders").Where(sq.LtOrEq{"qty": 1}).ExecContext(ctx)
		must(err)
		n, _ = res.RowsAffected()
		log("deleted %d", n)

		tx, err := db.BeginTx(ctx, nil)
		must(err)
		var qty int
		must(sq.Select("qty").From("sq_orders").Where(sq.Eq{"customer": 4, "sku": "sku-04"}).Suffix("FOR UPDATE").RunWith(tx).QueryRowContext(ctx).Scan(&qty))
		_, err = sq.Update("sq_orders").Set("qty", qty+100).Where(sq.Eq{"customer": 4, "sku": "sku-04"}).RunWith(tx).ExecContext(ctx)
		must(err)
		must(tx.Commit())
		scanSkus("final", b.Select("CONCAT(sku, ':', qty)").From("sq_orders").OrderBy("customer", "sku"))
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("squirrel observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
