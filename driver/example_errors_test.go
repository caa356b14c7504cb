package driver_test

import (
	"database/sql"
	"errors"
	"fmt"
	"log"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// openOrders opens t_order sharded by user_id over two embedded servers,
// with a few orders of three users.
func openOrders(opts ...driver.Option) (*sql.DB, func()) {
	servers, err := shardtest.StartEmbedded(2, "app")
	if err != nil {
		log.Fatal(err)
	}
	topo := shard.NewTopology()
	_ = topo.AddDataSource("ds0", servers[0].DSN())
	_ = topo.AddDataSource("ds1", servers[1].DSN())
	if err := topo.AddTable(shard.Table{Name: "t_order", Column: "user_id",
		Nodes: "ds${0..1}.t_order_${0..1}", Algorithm: shard.Hash()}); err != nil {
		log.Fatal(err)
	}
	connector, err := driver.NewConnector(topo, opts...)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector)
	for _, q := range []string{
		"CREATE TABLE t_order (order_id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,2))",
		"INSERT INTO t_order (order_id, user_id, amount) VALUES (1, 1, 9.50), (2, 2, 20.00), (3, 3, 5.25), (4, 1, 1.00)",
	} {
		if _, err := db.Exec(q); err != nil {
			log.Fatal(err)
		}
	}
	return db, func() {
		db.Close()
		servers[0].Close()
		servers[1].Close()
	}
}

// A statement shardsql cannot execute exactly as one server would is
// refused with an error wrapping ErrUnsupported; nothing runs on the nodes.
// Test for it with errors.Is, without importing shardsql's planner.
func ExampleErrUnsupported() {
	db, done := openOrders()
	defer done()

	// the sharding key set to an expression: the row's new node depends on
	// each row's value
	_, err := db.Exec("UPDATE t_order SET user_id = user_id + 10 WHERE amount > 5")
	fmt.Println(errors.Is(err, driver.ErrUnsupported))
	// Output:
	// true
}

// A statement whose merge would hold more rows in memory than
// WithMaxMemoryRows allows (here: sorting the groups by an aggregate)
// fails with an error wrapping ErrTooLarge instead of growing without
// bound.
func ExampleErrTooLarge() {
	db, done := openOrders(driver.WithMaxMemoryRows(2))
	defer done()

	rows, err := db.Query("SELECT user_id, SUM(amount) AS total FROM t_order GROUP BY user_id ORDER BY total")
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	fmt.Println(errors.Is(err, driver.ErrTooLarge))
	// Output:
	// true
}
