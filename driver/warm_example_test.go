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

// Open the connections the first requests will need before serving them.
func ExampleWarm() {
	servers, err := shardtest.StartEmbedded(2, "app")
	if err != nil {
		log.Fatal(err)
	}
	defer servers[0].Close()
	defer servers[1].Close()
	topo := shard.NewTopology()
	_ = topo.AddDataSource("ds0", servers[0].DSN())
	_ = topo.AddDataSource("ds1", servers[1].DSN())
	connector, err := driver.NewConnector(topo, driver.WithMaxIdleConns(4))
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()

	ctx := context.Background()
	if err := driver.Warm(ctx, db, 16); err != nil { // capped at WithMaxIdleConns
		log.Fatal(err)
	}
	st, err := driver.Stats(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("idle:", st.DataSources["ds0"].Idle, st.DataSources["ds1"].Idle)
	// Output:
	// idle: 4 4
}
