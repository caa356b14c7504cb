package driver_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// twoByTwo opens shardsql over the shared servers' database dbName with
// table sharded by column over ds${0..1}.table_${0..1}, and returns it
// with the data sources' DSNs (for reaching node tables behind its back).
func twoByTwo(t *testing.T, dbName, table, column string) (*sql.DB, []string) {
	t.Helper()
	dsns := sharedDSNs(t, dbName)
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: table, Column: column, Nodes: "ds${0..1}." + table + "_${0..1}"}))
	return openDB(t, topo), dsns
}
