package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// sqlxLedger is a row of xt_ledger scanned by sqlx: DECIMAL, DATETIME and
// NULL-able columns.
type sqlxLedger struct {
	ID     int64           `db:"id"`
	Owner  int64           `db:"owner"`
	Amount string          `db:"amount"`
	Rate   float64         `db:"rate"`
	At     time.Time       `db:"at"`
	Memo   sql.NullString  `db:"memo"`
	Paid   sql.NullTime    `db:"paid"`
	Fee    sql.NullFloat64 `db:"fee"`
	Ref    *string         `db:"ref"`
}

// parseTimeDSN returns dsn with parseTime=true, as applications that scan
// DATETIME into time.Time open it.
func parseTimeDSN(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ParseTime = true
	return cfg.FormatDSN()
}

// TestSqlxTypes runs sqlx's NamedExec of a slice (one multi-row INSERT),
// sqlx.In, and Get/Select scanning DECIMAL, DATETIME(3) (parseTime) and
// NULL columns into structs — plain rows and aggregates merged over the
// nodes (SUM/AVG/MIN/MAX of DECIMAL, DATETIME and NULL-able columns, GROUP
// BY) — on one database and through shardsql.
func TestSqlxTypes(t *testing.T) {
	e := newEnv(t, "sqlxtypes")
	topo := shard.NewTopology()
	for i, dsn := range e.ShardDSNs {
		if err := topo.AddDataSource(fmt.Sprintf("ds%d", i), parseTimeDSN(t, dsn)); err != nil {
			t.Fatal(err)
		}
	}
	if err := topo.AddTable(shard.Table{Name: "xt_ledger", Column: "owner", Nodes: "ds${0..1}.xt_ledger_${0..1}"}); err != nil {
		t.Fatal(err)
	}
	conn, err := driver.NewConnector(topo)
	if err != nil {
		t.Fatal(err)
	}
	sharded := sql.OpenDB(conn)
	t.Cleanup(func() { _ = sharded.Close() })
	oracle, err := sql.Open("mysql", parseTimeDSN(t, e.OracleDSN))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = oracle.Close() })

	var transcripts [2][]string
	for i, db := range []*sql.DB{oracle, sharded} {
		t.Run([]string{"oracle", "sharded"}[i], func(t *testing.T) {
			ctx := context.Background()
			x := sqlx.NewDb(db, "mysql")
			var out []string
			log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
			defer func() { transcripts[i] = out }()
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			x.MustExecContext(ctx, `CREATE TABLE xt_ledger (id BIGINT PRIMARY KEY, owner BIGINT NOT NULL,
				amount DECIMAL(14,4) NOT NULL, rate DOUBLE NOT NULL, at DATETIME(3) NOT NULL,
				memo VARCHAR(20) NULL, paid DATETIME NULL, fee DECIMAL(8,2) NULL, ref VARCHAR(10) NULL)`)
			base := time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC)
			var rows []map[string]any
			for n := 1; n <= 24; n++ {
				row := map[string]any{"id": n, "owner": n % 5, "amount": fmt.Sprintf("%d.%04d", n*1000, n*37%10000),
					"rate": float64(n) / 8, "at": base.Add(time.Duration(n) * 90 * time.Minute), "memo": nil, "paid": nil, "fee": nil, "ref": nil}
				if n%3 == 0 {
					row["memo"], row["paid"], row["fee"] = fmt.Sprintf("m%d", n), base.Add(time.Duration(n)*time.Hour), fmt.Sprintf("%d.5", n)
				}
				if n%4 == 0 {
					row["ref"] = fmt.Sprintf("r%d", n)
				}
				rows = append(rows, row)
			}
			res, err := x.NamedExecContext(ctx, `INSERT INTO xt_ledger (id, owner, amount, rate, at, memo, paid, fee, ref)
				VALUES (:id, :owner, :amount, :rate, :at, :memo, :paid, :fee, :ref)`, rows)
			must(err)
			n, err := res.RowsAffected()
			must(err)
			log("bulk inserted %d", n)

			var one sqlxLedger
			must(x.GetContext(ctx, &one, "SELECT * FROM xt_ledger WHERE owner = ? AND id = ?", 3, 3))
			log("get %+v ref %v", one, one.Ref != nil)
			var all []sqlxLedger
			must(x.SelectContext(ctx, &all, "SELECT * FROM xt_ledger WHERE at >= ? ORDER BY at DESC, id LIMIT 7", base.Add(10*time.Hour)))
			for _, r := range all {
				ref := "<nil>"
				if r.Ref != nil {
					ref = *r.Ref
				}
				log("select %d %s %v %s %v %v %v %s", r.ID, r.Amount, r.Rate, r.At.Format(time.RFC3339Nano), r.Memo, r.Paid, r.Fee, ref)
			}
			q, args, err := sqlx.In("SELECT id, amount, paid FROM xt_ledger WHERE owner IN (?) AND fee IS NOT NULL ORDER BY amount DESC", []int64{0, 1, 3})
			must(err)
			var some []struct {
				ID     int64        `db:"id"`
				Amount string       `db:"amount"`
				Paid   sql.NullTime `db:"paid"`
			}
			must(x.SelectContext(ctx, &some, x.Rebind(q), args...))
			log("in %+v", some)

			var agg struct {
				Sum      string          `db:"s"`
				Avg      string          `db:"a"`
				MinAt    time.Time       `db:"min_at"`
				MaxPaid  sql.NullTime    `db:"max_paid"`
				SumFee   sql.NullString  `db:"sum_fee"`
				AvgFee   sql.NullFloat64 `db:"avg_fee"`
				CountRef int64           `db:"count_ref"`
				MinMemo  sql.NullString  `db:"min_memo"`
			}
			must(x.GetContext(ctx, &agg, `SELECT SUM(amount) AS s, AVG(amount) AS a, MIN(at) AS min_at, MAX(paid) AS max_paid,
				SUM(fee) AS sum_fee, AVG(fee) AS avg_fee, COUNT(ref) AS count_ref, MIN(memo) AS min_memo FROM xt_ledger`))
			log("agg %+v", agg)
			var groups []struct {
				Owner  int64          `db:"owner"`
				Sum    string         `db:"s"`
				MaxAt  time.Time      `db:"max_at"`
				SumFee sql.NullString `db:"sum_fee"`
				Rate   float64        `db:"rate"`
			}
			must(x.SelectContext(ctx, &groups, `SELECT owner, SUM(amount) AS s, MAX(at) AS max_at, SUM(fee) AS sum_fee, AVG(rate) AS rate
				FROM xt_ledger GROUP BY owner ORDER BY owner`))
			log("groups %+v", groups)
			var none struct {
				Sum sql.NullString `db:"s"`
				Max sql.NullTime   `db:"m"`
			}
			must(x.GetContext(ctx, &none, "SELECT SUM(amount) AS s, MAX(at) AS m FROM xt_ledger WHERE id < 0"))
			log("empty agg %+v", none)
		})
	}
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("sqlx observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
