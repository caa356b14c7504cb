package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// Explain prints the operator tree of a cross-node SELECT: each operator
// indented under the one that reads it, each route's node statements under
// the route.
func ExampleExplain_tree() {
	servers, err := shardtest.StartEmbedded(2, "app")
	if err != nil {
		log.Fatal(err)
	}
	defer servers[0].Close()
	defer servers[1].Close()
	topo := shard.NewTopology()
	_ = topo.AddDataSource("ds0", servers[0].DSN())
	_ = topo.AddDataSource("ds1", servers[1].DSN())
	_ = topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order", Algorithm: shard.Mod()})
	connector, err := driver.NewConnector(topo)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t_order (order_id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, status VARCHAR(16))"); err != nil {
		log.Fatal(err)
	}
	plan, err := driver.Explain(context.Background(), db,
		"SELECT status, COUNT(*) AS n FROM t_order GROUP BY status HAVING COUNT(*) > ? ORDER BY n DESC LIMIT 3", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan)
	// Output:
	// select t_order on 2 unit(s)
	//   Limit 3
	//     MemorySort by #1 desc (at most 1000000 rows)
	//       Filter #1 > 1
	//         OrderedAggregate group by #0: count(#1)
	//           MergeSort by #0
	//             Route 2 unit(s)
	//               ds0.t_order: select `status`, count(*) as n from t_order group by `status` order by `status` asc
	//               ds1.t_order: select `status`, count(*) as n from t_order group by `status` order by `status` asc
}
