package driver_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// timeKeysFollowDSNLoc: go-sql-driver writes a time.Time as its wall
// clock in the DSN's loc, and a DATETIME column stores that wall clock, so
// an Interval table must place the row by it: an instant near a month's
// end belongs to different months in different zones.
func timeKeysFollowDSNLoc(t *testing.T, servers []*shardtest.Server) {
	ctx := context.Background()
	instants := []time.Time{
		time.Date(2025, 3, 31, 20, 0, 0, 0, time.UTC),       // April 1st in Tokyo
		time.Date(2025, 4, 1, 2, 0, 0, 0, time.UTC),         // March 31st in New York
		time.Date(2025, 6, 30, 23, 30, 0, 0, time.UTC),      // July 1st in Tokyo: the other data source
		time.Date(2025, 7, 1, 3, 0, 0, 123456000, time.UTC), // June 30th in New York
		time.Date(2025, 5, 15, 12, 0, 0, 0, time.UTC),       // mid-month everywhere
		time.Date(2025, 11, 2, 5, 30, 0, 0, time.UTC),       // New York's DST change
	}
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	for z, zone := range []string{"UTC", "Asia/Tokyo", "America/New_York"} {
		t.Run(zone, func(t *testing.T) {
			loc, err := time.LoadLocation(zone)
			require.NoError(t, err)
			name := fmt.Sprintf("t_tz%d", z)
			topo := shard.NewTopology()
			for i, s := range servers {
				require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()+"&loc="+url.QueryEscape(zone)))
			}
			require.NoError(t, topo.AddTable(shard.Table{Name: name, Column: "at",
				Nodes:     fmt.Sprintf("ds0.%[1]s_${2025-01..2025-06|month|200601}, ds1.%[1]s_${2025-07..2025-12|month|200601}", name),
				Algorithm: shard.Interval(shard.Month, "200601")}))
			table, _ := topo.Table(name)
			db := openDB(t, topo)
			_, err = db.ExecContext(ctx, "CREATE TABLE "+name+" (id INT NOT NULL PRIMARY KEY, at DATETIME(6) NOT NULL)")
			require.NoError(t, err)

			for id, at := range instants {
				// The zone of the value does not matter, only its instant.
				_, err := db.ExecContext(ctx, "INSERT INTO "+name+" (id, at) VALUES (?, ?)", id, at.In(paris))
				require.NoError(t, err)
				wall := at.In(loc)
				ds := "ds0"
				if wall.Month() >= time.July {
					ds = "ds1"
				}
				want := fmt.Sprintf("%s.%s_%s", ds, name, wall.Format("200601"))
				assert.Equal(t, []string{want}, nodesHolding(t, servers, table, id), "%v is %v in %s", at, wall, zone)
			}
			for id, at := range instants {
				got := queryIDs(t, db, "SELECT id FROM "+name+" WHERE at >= ? AND at < ?", at.Add(-time.Second), at.Add(time.Second))
				assert.Equal(t, []int64{int64(id)}, got, "range read of %v in %s", at, zone)
				got = queryIDs(t, db, "SELECT id FROM "+name+" WHERE at = ?", at)
				assert.Equal(t, []int64{int64(id)}, got, "point read of %v in %s", at, zone)
				plan, err := driver.Explain(ctx, db, "SELECT id FROM "+name+" WHERE at BETWEEN ? AND ?", at, at)
				require.NoError(t, err)
				assert.Len(t, plan.Units, 1, "one month's table")
				var back time.Time
				require.NoError(t, db.QueryRowContext(ctx, "SELECT at FROM "+name+" WHERE id = ?", id).Scan(&back))
				assert.True(t, back.Equal(at), "read back %v, wrote %v", back, at)
			}
			// A literal is the wall clock as written, whatever the loc.
			_, err = db.ExecContext(ctx, "INSERT INTO "+name+" (id, at) VALUES (100, '2025-03-31 23:59:59')")
			require.NoError(t, err)
			assert.Equal(t, []string{"ds0." + name + "_202503"}, nodesHolding(t, servers, table, 100))
		})
	}
}
