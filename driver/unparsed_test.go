package driver_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestUnparsedStatements runs MariaDB-only statements the SQL parser cannot
// read: unchanged on the default data source when they name no table of
// the topology, refused in one line when they do.
func TestUnparsedStatements(t *testing.T) {
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_up", Column: "user_id", Nodes: "ds${0..1}.t_up_${0..1}"}))
	db := openDB(t, topo)
	_, err := db.Exec("CREATE TABLE t_up (id BIGINT NOT NULL, user_id BIGINT NOT NULL, PRIMARY KEY (id, user_id))")
	require.NoError(t, err)

	_, err = db.Exec("CREATE OR REPLACE SEQUENCE s_up START WITH 100 INCREMENT BY 10")
	require.NoError(t, err)
	var next int64
	require.NoError(t, db.QueryRow("SELECT NEXT VALUE FOR s_up").Scan(&next))
	assert.EqualValues(t, 100, next)
	_, err = db.Exec("EXECUTE IMMEDIATE 'DO 1'")
	require.NoError(t, err)

	for _, q := range []string{
		"EXECUTE IMMEDIATE 'DELETE FROM t_up'",
		"DELETE FROM t_up_0 WHERE id = 1 RETURNING id, , ",
		"SELEC * FROM t_up",
	} {
		_, err := db.Exec(q)
		require.ErrorIs(t, err, driver.ErrUnsupported, q)
		assert.NotContains(t, err.Error(), "\n", "one line: %s", q)
		assert.Contains(t, err.Error(), "naming table", q)
	}
}
