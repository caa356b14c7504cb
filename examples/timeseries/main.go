// Command timeseries shards a log table by month over two data sources,
// shows how time ranges prune to the months they touch, and rolls the
// table forward by adding the next months' nodes to the running topology.
//
// It runs on two embedded in-memory MySQL servers:
//
//	go run ./examples/timeseries
//
// or on real servers with -dsn given twice.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

type dsnList []string

func (d *dsnList) String() string     { return strings.Join(*d, ",") }
func (d *dsnList) Set(v string) error { *d = append(*d, v); return nil }

func main() {
	var dsns dsnList
	flag.Var(&dsns, "dsn", "go-sql-driver DSN of a data source (give it twice; default: 2 embedded servers)")
	flag.Parse()
	log.SetFlags(0)
	if err := run(context.Background(), dsns); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dsns []string) error {
	if len(dsns) == 0 {
		servers, err := shardtest.StartEmbedded(2, "app")
		if err != nil {
			return err
		}
		defer func() {
			for _, s := range servers {
				_ = s.Close()
			}
		}()
		dsns = []string{servers[0].DSN(), servers[1].DSN()}
		fmt.Println("running on 2 embedded in-memory MySQL servers")
	}
	if len(dsns) != 2 {
		return fmt.Errorf("give -dsn exactly twice")
	}

	// January–June on ds0, July–December on ds1: one table per month.
	topo := shard.NewTopology()
	_ = topo.AddDataSource("ds0", dsns[0])
	_ = topo.AddDataSource("ds1", dsns[1])
	err := topo.AddTable(shard.Table{
		Name:      "t_log",
		Column:    "created",
		Nodes:     "ds0.t_log_${2025-01..2025-06|month|200601}, ds1.t_log_${2025-07..2025-12|month|200601}",
		Algorithm: shard.Interval(shard.Month, "200601"),
	})
	if err != nil {
		return err
	}
	connector, err := driver.NewConnector(topo)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()

	if _, err := db.ExecContext(ctx, `CREATE TABLE t_log (
		id BIGINT NOT NULL PRIMARY KEY,
		created DATETIME NOT NULL,
		level VARCHAR(8) NOT NULL,
		msg VARCHAR(64) NOT NULL)`); err != nil {
		return err
	}
	fmt.Println("created t_log on 12 monthly tables")

	// One row every 36 hours through 2025, inserted in batches; each batch
	// is split by month.
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	id := 0
	for batch := 0; batch < 6; batch++ {
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO t_log (id, created, level, msg) VALUES ")
		for i := 0; i < 40; i++ {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?)")
			at := start.Add(time.Duration(id) * 36 * time.Hour)
			args = append(args, id, at, []string{"INFO", "WARN", "ERROR"}[id%3], fmt.Sprintf("event %d", id))
			id++
		}
		if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	fmt.Printf("inserted %d rows\n", id)

	show := func(q string, args ...any) error {
		plan, err := driver.Explain(ctx, db, q, args...)
		if err != nil {
			return err
		}
		var nodes []string
		for _, u := range plan.Units {
			nodes = append(nodes, u.Node.String())
		}
		fmt.Printf("\n%s\n  -> %s\n", q, strings.Join(nodes, ", "))
		return nil
	}

	q := "SELECT COUNT(*), MIN(created), MAX(created) FROM t_log WHERE created BETWEEN ? AND ?"
	from, to := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC)
	if err := show(q, from, to); err != nil {
		return err
	}
	var n int
	var lo, hi time.Time
	if err := db.QueryRowContext(ctx, q, from, to).Scan(&n, &lo, &hi); err != nil {
		return err
	}
	fmt.Printf("  %d rows from %s to %s\n", n, lo.Format(time.DateTime), hi.Format(time.DateTime))

	q = "SELECT level, COUNT(*) FROM t_log WHERE created >= '2025-11-15' GROUP BY level ORDER BY level"
	if err := show(q); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	for rows.Next() {
		var level string
		var c int
		if err := rows.Scan(&level, &c); err != nil {
			return err
		}
		fmt.Printf("  %-5s %d\n", level, c)
	}
	if err := rows.Close(); err != nil {
		return err
	}

	// 2026 arrives: writing January fails until its node exists.
	jan := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	_, err = db.ExecContext(ctx, "INSERT INTO t_log (id, created, level, msg) VALUES (?, ?, 'INFO', 'new year')", id, jan)
	fmt.Printf("\nwriting 2026-01-05 before rolling forward:\n  %v\n", err)

	added, err := driver.AddNodes(ctx, db, "t_log", "ds0.t_log_${2026-01..2026-03|month|200601}")
	if err != nil {
		return err
	}
	fmt.Printf("\nadded %d nodes without a restart: %v\n", len(added), added)
	if _, err := db.ExecContext(ctx, "INSERT INTO t_log (id, created, level, msg) VALUES (?, ?, 'INFO', 'new year')", id, jan); err != nil {
		return err
	}
	q = "SELECT id, created, msg FROM t_log WHERE created >= '2025-12-28' ORDER BY created"
	if err := show(q); err != nil {
		return err
	}
	rows, err = db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rid int
		var at time.Time
		var msg string
		if err := rows.Scan(&rid, &at, &msg); err != nil {
			return err
		}
		fmt.Printf("  %d  %s  %s\n", rid, at.Format(time.DateTime), msg)
	}
	return rows.Err()
}
