package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"time"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// After a migration run on the servers directly (a trigger, a foreign key,
// a stored function created there), tell shardsql to read the schema
// again; WithCatalogRefresh does it periodically for schemas changed by
// others.
func ExampleReloadCatalog() {
	servers, err := shardtest.StartEmbedded(2, "app")
	if err != nil {
		log.Fatal(err)
	}
	defer servers[0].Close()
	defer servers[1].Close()
	topo := shard.NewTopology()
	_ = topo.AddDataSource("ds0", servers[0].DSN())
	_ = topo.AddDataSource("ds1", servers[1].DSN())
	connector, err := driver.NewConnector(topo, driver.WithCatalogRefresh(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector) // Close stops the periodic refresh
	defer db.Close()

	// … the migration tool creates triggers on every server …
	if err := driver.ReloadCatalog(context.Background(), db); err != nil {
		log.Fatal(err)
	}
	fmt.Println("catalog reloaded")
	// Output:
	// catalog reloaded
}
