package driver_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestAttackDMLTimeZoneUnknownColumn: SET time_zone is refused while a
// time-sharded table's column could be a TIMESTAMP — the table does not
// exist yet (one created after the SET would keep the session's zone), or
// the SET is the first statement of a new DB, its catalog not loaded —
// and accepted once the catalog shows a DATETIME column. (Found by the
// review of round 6: the SET was accepted in both cases, and the row
// written after it in '+09:00' sat in July's table while another
// session read it as June 30th and found nothing.)
func TestAttackDMLTimeZoneUnknownColumn(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "adml_tz_cat")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_tz", Column: "at",
		Nodes: "ds0.t_tz_${2025-06..2025-06|month|200601}, ds1.t_tz_${2025-07..2025-07|month|200601}", Algorithm: shard.Interval(shard.Month, "200601")}))
	setup := openDB(t, topo)
	_, _ = setup.ExecContext(ctx, "DROP TABLE IF EXISTS t_tz")

	// not created yet
	_, err := openDB(t, topo).ExecContext(ctx, "SET time_zone = '+09:00'")
	require.ErrorIs(t, err, driver.ErrUnsupported, "SET time_zone before the time-sharded table exists")

	// a TIMESTAMP key, the SET first on a new DB
	_, err = setup.ExecContext(ctx, "CREATE TABLE t_tz (id INT NOT NULL, at TIMESTAMP NOT NULL, PRIMARY KEY (id, at))")
	require.NoError(t, err)
	_, err = openDB(t, topo).ExecContext(ctx, "SET time_zone = '+09:00'")
	require.ErrorIs(t, err, driver.ErrUnsupported, "SET time_zone as a new DB's first statement, t_tz sharded by a TIMESTAMP")

	// a DATETIME key: the zone does not move it
	_, err = setup.ExecContext(ctx, "DROP TABLE t_tz")
	require.NoError(t, err)
	_, err = setup.ExecContext(ctx, "CREATE TABLE t_tz (id INT NOT NULL, at DATETIME NOT NULL, PRIMARY KEY (id, at))")
	require.NoError(t, err)
	db := openDB(t, topo)
	c, err := db.Conn(ctx)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.ExecContext(ctx, "SET time_zone = '+09:00'")
	require.NoError(t, err, "SET time_zone with t_tz sharded by a DATETIME")
}
