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

// The README's example: shard t_order by user_id over 2 data sources × 4
// tables and use a plain *sql.DB.
func Example() {
	servers, err := shardtest.StartEmbedded(2, "app") // or your own MySQL/MariaDB DSNs
	if err != nil {
		log.Fatal(err)
	}
	defer servers[0].Close()
	defer servers[1].Close()

	topo := shard.NewTopology()
	_ = topo.AddDataSource("ds0", servers[0].DSN())
	_ = topo.AddDataSource("ds1", servers[1].DSN())
	err = topo.AddTable(shard.Table{Name: "t_order", Column: "user_id",
		Nodes: "ds${0..1}.t_order_${0..3}", Algorithm: shard.Hash()})
	if err != nil {
		log.Fatal(err)
	}
	connector, err := driver.NewConnector(topo)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()

	db.Exec("CREATE TABLE t_order (order_id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,2))")
	db.Exec("INSERT INTO t_order (order_id, user_id, amount) VALUES (1, 1, 9.50), (2, 2, 20.00), (3, 1, 5.25)")
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM t_order WHERE user_id = ?", 1).Scan(&n); err != nil {
		log.Fatal(err)
	}
	fmt.Println("orders of user 1:", n)

	plan, err := driver.Explain(context.Background(), db, "SELECT * FROM t_order WHERE user_id = ?", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan.Units[0].Node, "<-", plan.Units[0].SQL)
	// Output:
	// orders of user 1: 2
	// ds1.t_order_2 <- select * from t_order_2 where user_id = ?
}

// Register a topology under a name and open it with sql.Open.
func ExampleRegister() {
	servers, err := shardtest.StartEmbedded(1, "app")
	if err != nil {
		log.Fatal(err)
	}
	defer servers[0].Close()
	topo := shard.NewTopology()
	_ = topo.AddDataSource("ds0", servers[0].DSN())
	_ = topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds0.t_user_${0..1}", Algorithm: shard.Mod()})
	if err := driver.Register("example-app", topo); err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("shardsql", "example-app")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	// Routing converts values by the column's type, read from the servers:
	// the table must exist.
	if _, err := db.Exec("CREATE TABLE t_user (id BIGINT PRIMARY KEY, name VARCHAR(40))"); err != nil {
		log.Fatal(err)
	}
	plan, err := driver.Explain(context.Background(), db, "DELETE FROM t_user WHERE id IN (1, 2, 3)")
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range plan.Units {
		fmt.Println(u.Node, "<-", u.SQL)
	}
	// Output:
	// ds0.t_user_0 <- delete from t_user_0 where id in (2)
	// ds0.t_user_1 <- delete from t_user_1 where id in (1, 3)
}
