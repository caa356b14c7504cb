package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// Page through a sharded table by keyset: remember the last row's sort
// keys and ask for the rows after them. Each node applies the row
// comparison and LIMIT itself, so every page costs at most nodes × 3 rows
// however deep it is. A deep LIMIT offset, count page takes the
// two-phase strategy Explain reports (docs/deep-pages.md).
func Example_keysetPagination() {
	servers, err := shardtest.StartEmbedded(2, "app")
	if err != nil {
		log.Fatal(err)
	}
	defer servers[0].Close()
	defer servers[1].Close()
	topo := shard.NewTopology()
	_ = topo.AddDataSource("ds0", servers[0].DSN())
	_ = topo.AddDataSource("ds1", servers[1].DSN())
	_ = topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..3}"})
	connector, err := driver.NewConnector(topo)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Exec("CREATE TABLE t_order (order_id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, created DATE NOT NULL)"); err != nil {
		log.Fatal(err)
	}
	var values []string
	for id := 1; id <= 600; id++ {
		values = append(values, fmt.Sprintf("(%d, %d, '2025-01-%02d')", id, id%13, id%28+1))
	}
	if _, err := db.Exec("INSERT INTO t_order (order_id, user_id, created) VALUES " + strings.Join(values, ", ")); err != nil {
		log.Fatal(err)
	}

	const first = "SELECT order_id, created FROM t_order ORDER BY created, order_id LIMIT 3"
	const next = "SELECT order_id, created FROM t_order WHERE (created, order_id) > (?, ?) ORDER BY created, order_id LIMIT 3"
	var lastID int64
	var lastCreated time.Time
	page := func(q string, args ...any) {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			log.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			if err := rows.Scan(&lastID, &lastCreated); err != nil {
				log.Fatal(err)
			}
			ids = append(ids, lastID)
		}
		fmt.Println(ids, lastCreated.Format(time.DateOnly))
	}
	page(first)
	page(next, lastCreated, lastID)
	page(next, lastCreated, lastID)

	plan, err := driver.Explain(ctx, db, "SELECT order_id, created FROM t_order ORDER BY created, order_id LIMIT 500, 3")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Split(plan.String(), "\n")[1])
	page("SELECT order_id, created FROM t_order ORDER BY created, order_id LIMIT 500, 3")
	// Output:
	// [28 56 84] 2025-01-01
	// [112 140 168] 2025-01-01
	// [196 224 252] 2025-01-01
	//   DeepPage offset 500, count 3 on 8 nodes, order created asc, order_id asc: phase 1 each node LIMIT 46, 35; phase 2 only for nodes whose window misses the page, rows between the bounds; else the stream below; no position hint of this shape yet: phase 1 as above, and the page leaves one
	// [163 191 219] 2025-01-24
}
