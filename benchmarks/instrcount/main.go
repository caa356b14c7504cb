// Command instrcount runs the report's point select (five columns by
// user_id and order_id, interpolateParams=true, concurrency 1) n times
// through the plain go-sql-driver on one table or through shardsql on 8,
// against a MariaDB server started outside the process, so that its
// client work can be counted in instructions under valgrind — a figure
// the machine's load does not move, where CPU time on 2 shared cores
// does (docs/performance.md, "Round 21").
//
//	instrcount -dsn 'root@tcp(127.0.0.1:3306)/cg' -mode setup
//	GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind \
//	    instrcount -dsn … -mode plain -n 1000   # and -n 5000, and -mode sharded
//
// The difference between the two counts of a mode, over 4000, is its
// instructions per statement. GOGC=off keeps the garbage collector's idle
// workers, which spin under valgrind, out of the count, and the runtime's
// asynchronous preemption signals stop callgrind; the server must not be
// a child of the process for the same reason.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"strings"

	_ "github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// tables is how many rows setup loads into each table; the statements
// read them in turn.
const tables = 2000

func main() {
	mode := flag.String("mode", "plain", "plain, sharded, or setup (create and fill t_rplain and t_rorder_0..7)")
	n := flag.Int("n", 1000, "statements to run")
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/cg", "go-sql-driver DSN of the database (interpolateParams and parseTime are added)")
	flag.Parse()
	full := *dsn + sep(*dsn) + "interpolateParams=true&parseTime=true"
	topo := shard.NewTopology()
	if err := topo.AddDataSource("ds0", full); err != nil {
		log.Fatal(err)
	}
	if err := topo.AddTable(shard.Table{Name: "t_rorder", Column: "user_id", Nodes: "ds0.t_rorder_${0..7}", Algorithm: shard.Hash()}); err != nil {
		log.Fatal(err)
	}
	c, err := driver.NewConnector(topo)
	if err != nil {
		log.Fatal(err)
	}
	sharded := sql.OpenDB(c)
	defer sharded.Close()
	plain, err := sql.Open("mysql", full)
	if err != nil {
		log.Fatal(err)
	}
	defer plain.Close()
	switch *mode {
	case "setup":
		if err := setup(plain, sharded); err != nil {
			log.Fatal(err)
		}
	case "plain":
		err = run(plain, "t_rplain", *n)
	case "sharded":
		err = run(sharded, "t_rorder", *n)
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// sep is what joins a parameter to dsn.
func sep(dsn string) string {
	if strings.Contains(dsn, "?") {
		return "&"
	}
	return "?"
}

// setup creates the plain table and the sharded one and fills both.
func setup(plain, sharded *sql.DB) error {
	ddl := "CREATE TABLE %s (order_id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,2) NOT NULL, status VARCHAR(16) NOT NULL, created DATETIME NOT NULL, KEY idx_user (user_id))"
	var rows strings.Builder
	for i := 0; i < tables; i++ {
		if i > 0 {
			rows.WriteString(",")
		}
		fmt.Fprintf(&rows, "(%d, %d, %d.50, 'paid', '2026-01-02 03:04:05')", i, i, i%100)
	}
	for _, t := range []struct {
		db   *sql.DB
		name string
	}{{plain, "t_rplain"}, {sharded, "t_rorder"}} {
		if _, err := t.db.Exec(fmt.Sprintf(ddl, t.name)); err != nil {
			return fmt.Errorf("create %s: %w", t.name, err)
		}
		if _, err := t.db.Exec("INSERT INTO " + t.name + " (order_id, user_id, amount, status, created) VALUES " + rows.String()); err != nil {
			return fmt.Errorf("fill %s: %w", t.name, err)
		}
	}
	return nil
}

// run reads n rows one statement at a time, as the report's point select
// does: QueryContext under a context that can end, scanned into RawBytes.
func run(db *sql.DB, table string, n int) error {
	q := "SELECT order_id, user_id, amount, status, created FROM " + table + " WHERE user_id = ? AND order_id = ?"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	raw := make([]sql.RawBytes, 5)
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for i := 0; i < n; i++ {
		k := i % tables
		rows, err := db.QueryContext(ctx, q, k, k)
		if err != nil {
			return fmt.Errorf("statement %d: %w", i, err)
		}
		got := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return fmt.Errorf("statement %d: %w", i, err)
			}
			got++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("statement %d: %w", i, err)
		}
		if got != 1 {
			return fmt.Errorf("statement %d: %d rows for key %d", i, got, k)
		}
	}
	return nil
}
