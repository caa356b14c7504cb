package driver

import (
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/shard"
)

// locations returns the time zone in which go-sql-driver writes time.Time
// values to each data source: the DSN's loc (UTC by default). A pool
// registered with AddDB hides its DSN, so UTC, go-sql-driver's default, is
// assumed for it: open such pools with the default loc, or register the
// data source by DSN.
func locations(sources []shard.DataSource) map[string]*time.Location {
	out := make(map[string]*time.Location, len(sources))
	for _, ds := range sources {
		out[ds.Name] = time.UTC
		if ds.DB == nil {
			if cfg, err := mysql.ParseDSN(ds.DSN); err == nil && cfg.Loc != nil {
				out[ds.Name] = cfg.Loc
			}
		}
	}
	return out
}

// checkLocations refuses a topology with a sharded table whose data sources
// write time.Time values in different time zones: one instant would be
// stored as different wall clocks on different nodes. Tables added later
// are checked when a time value is routed to them.
func checkLocations(topo *shard.Topology) error {
	locs := locations(topo.DataSources())
	for _, t := range topo.Tables() {
		first := t.Nodes[0].DataSource
		for _, n := range t.Nodes {
			if a, b := locs[first], locs[n.DataSource]; a.String() != b.String() {
				return fmt.Errorf("shardsql: table %s: data sources %s (loc=%s) and %s (loc=%s) write time values in different time zones; give every data source of a sharded table the same loc in its DSN",
					t.Name, first, a, n.DataSource, b)
			}
		}
	}
	return nil
}
