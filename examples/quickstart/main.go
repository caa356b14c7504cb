// Command quickstart shards an orders table across two data sources × four
// tables, writes a few hundred rows whose keys come from the global id
// generator and reads them back: by key, sorted across shards, a deep page
// (with the strategy Explain reports), the next deep page placed by the
// position hint the first one left, and the page after it by keyset,
// printing where each statement was routed.
//
// With no flags it runs on two embedded in-memory MySQL servers, so nothing
// needs installing:
//
//	go run ./examples/quickstart
//
// Give -dsn twice to run on real MySQL/MariaDB servers instead:
//
//	go run ./examples/quickstart -dsn 'app:pw@tcp(10.0.0.1:3306)/app' -dsn 'app:pw@tcp(10.0.0.2:3306)/app'
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/seq"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// dsnList collects repeated -dsn flags.
type dsnList []string

func (d *dsnList) String() string     { return strings.Join(*d, ",") }
func (d *dsnList) Set(v string) error { *d = append(*d, v); return nil }

func main() {
	var dsns dsnList
	flag.Var(&dsns, "dsn", "go-sql-driver DSN of a data source (repeat: once per data source; default: 2 embedded servers)")
	rows := flag.Int("rows", 400, "number of orders to insert")
	flag.Parse()
	if err := run(context.Background(), dsns, *rows); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dsns []string, numRows int) error {
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
		for _, s := range servers {
			dsns = append(dsns, s.DSN())
		}
		fmt.Println("running on 2 embedded in-memory MySQL servers")
	}

	topo := shard.NewTopology()
	for i, dsn := range dsns {
		if err := topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn); err != nil {
			return err
		}
	}
	last := len(dsns) - 1
	// Global ids: a Snowflake generator fills order_id on every INSERT row
	// that omits it (in production, lease the worker id with
	// seq.LeaseWorkerID so no two processes share one).
	ids, err := seq.NewSnowflake(1)
	if err != nil {
		return err
	}
	if err := topo.AddTable(shard.Table{
		Name:         "t_order",
		Column:       "user_id",
		Nodes:        fmt.Sprintf("ds${0..%d}.t_order_${0..3}", last),
		Algorithm:    shard.Hash(),
		KeyColumn:    "order_id",
		KeyGenerator: ids,
	}); err != nil {
		return err
	}
	connector, err := driver.NewConnector(topo)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()

	show := func(query string, args ...any) error {
		plan, err := driver.Explain(ctx, db, query, args...)
		if err != nil {
			return err
		}
		fmt.Printf("\n%s\n", query)
		for _, u := range plan.Units {
			fmt.Printf("  -> %-14s %s\n", u.Node, u.SQL)
		}
		return nil
	}

	ddl := `CREATE TABLE IF NOT EXISTS t_order (
		order_id BIGINT NOT NULL PRIMARY KEY,
		user_id  BIGINT NOT NULL,
		amount   DECIMAL(10,2) NOT NULL,
		status   VARCHAR(16) NOT NULL)`
	fmt.Printf("\ncreating t_order on %d physical tables\n", 4*len(dsns))
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		return err
	}

	// Insert in batches of 50 rows without order_id: the generator fills
	// it; each batch is split per node.
	const batch = 50
	for start := 1; start <= numRows; start += batch {
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO t_order (user_id, amount, status) VALUES ")
		for i := start; i < start+batch && i <= numRows; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?)")
			args = append(args, i%37+1, fmt.Sprintf("%d.%02d", i%90+10, i%100), []string{"new", "paid", "shipped"}[i%3])
		}
		if start == 1 {
			plan, err := driver.Explain(ctx, db, sb.String(), args...)
			if err != nil {
				return err
			}
			fmt.Printf("\nfirst batch of %d rows is split into %d statements (one per node); order_id comes from the generator (Explain drew %d ids, such as %d)\n",
				batch, len(plan.Units), len(plan.GeneratedIDs), plan.GeneratedIDs[0])
		}
		if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	fmt.Printf("inserted %d orders\n", numRows)

	// Sorted pages across shards: every node sorts, the streams merge.
	firstPage := "SELECT order_id, user_id, amount FROM t_order ORDER BY order_id LIMIT 5"
	if err := show(firstPage); err != nil {
		return err
	}
	if _, err := printRows(ctx, db, firstPage); err != nil {
		return err
	}

	// A deep page: streaming would make every node send offset+count
	// rows; the deep-page strategy reads a window per node, then only the
	// rows between two bounds (docs/deep-pages.md).
	offset := numRows * 3 / 4
	deepPage := fmt.Sprintf("SELECT order_id, user_id, amount FROM t_order ORDER BY order_id LIMIT %d, 5", offset)
	plan, err := driver.Explain(ctx, db, deepPage)
	if err != nil {
		return err
	}
	fmt.Printf("\n%s\n  %s\n", deepPage, strategy(plan.String()))
	if _, err := printRows(ctx, db, deepPage); err != nil {
		return err
	}

	// The page left a position hint (each node's rows before and in it):
	// the next page of the same shape reads each node's own small window
	// around its predicted share, full rows, one statement per data
	// source. The hint only places the windows; the page is still proven
	// from what they return.
	nextPage := fmt.Sprintf("SELECT order_id, user_id, amount FROM t_order ORDER BY order_id LIMIT %d, 5", offset+5)
	if plan, err = driver.Explain(ctx, db, nextPage); err != nil {
		return err
	}
	fmt.Printf("\n%s\n  %s\n", nextPage, strategy(plan.String()))
	lastID, err := printRows(ctx, db, nextPage)
	if err != nil {
		return err
	}

	// The next page by keyset: WHERE order_id > the last one seen. Each
	// node sends at most 5 rows however deep the page: the recommended way
	// to page through a large result.
	keyset := "SELECT order_id, user_id, amount FROM t_order WHERE order_id > ? ORDER BY order_id LIMIT 5"
	if err := show(keyset, lastID); err != nil {
		return err
	}
	if _, err := printRows(ctx, db, keyset, lastID); err != nil {
		return err
	}

	// Read by key: one node.
	byKey := "SELECT order_id, amount, status FROM t_order WHERE user_id = ?"
	if err := show(byKey, 7); err != nil {
		return err
	}
	if _, err := printRows(ctx, db, byKey, 7); err != nil {
		return err
	}

	// An IN list: only the nodes owning the keys, each sent its own keys.
	inList := "SELECT order_id, user_id FROM t_order WHERE user_id IN (?, ?, ?)"
	if err := show(inList, 3, 4, 5); err != nil {
		return err
	}
	n, err := countRows(ctx, db, inList, 3, 4, 5)
	if err != nil {
		return err
	}
	fmt.Printf("  %d orders of users 3, 4 and 5\n", n)

	// No sharding key: every node, rows streamed back.
	scatter := "SELECT order_id, user_id, status FROM t_order WHERE status = 'shipped'"
	if err := show(scatter); err != nil {
		return err
	}
	n, err = countRows(ctx, db, scatter)
	if err != nil {
		return err
	}
	fmt.Printf("  %d shipped orders across all nodes\n", n)

	upd := "UPDATE t_order SET status = 'cancelled' WHERE user_id = ?"
	if err := show(upd, 7); err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, upd, 7)
	if err != nil {
		return err
	}
	affected, _ := res.RowsAffected()
	fmt.Printf("  %d rows updated\n", affected)

	// What shardsql cannot do exactly is refused, never run half-way: a
	// sharding key set to an expression would move each row to a node
	// that depends on the row. (A literal new key moves the rows in one
	// transaction.)
	_, err = db.ExecContext(ctx, "UPDATE t_order SET user_id = user_id + 1 WHERE status = 'new'")
	fmt.Printf("\nsetting the sharding key to an expression is refused:\n  %v\n", err)
	if !errors.Is(err, driver.ErrUnsupported) {
		return fmt.Errorf("expected an unsupported error, got %v", err)
	}

	if _, err := db.ExecContext(ctx, "DROP TABLE t_order"); err != nil {
		return err
	}
	fmt.Println("\ndropped t_order on every node; done")
	return nil
}

// strategy returns the deep-page operator's line of a printed plan, or
// "streamed".
func strategy(plan string) string {
	for _, line := range strings.Split(plan, "\n") {
		if s := strings.TrimSpace(line); strings.HasPrefix(s, "DeepPage ") {
			return "strategy: " + s
		}
	}
	return "strategy: streamed (each node LIMIT offset+count)"
}

// printRows prints a result and returns its last row's first column.
func printRows(ctx context.Context, db *sql.DB, query string, args ...any) (string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	fmt.Printf("  %s\n", strings.Join(cols, " | "))
	last := ""
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = string(v)
		}
		last = parts[0]
		fmt.Printf("  %s\n", strings.Join(parts, " | "))
	}
	return last, rows.Err()
}

func countRows(ctx context.Context, db *sql.DB, query string, args ...any) (int, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

func init() {
	log.SetFlags(0)
	log.SetOutput(os.Stderr)
}
