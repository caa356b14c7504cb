package driver

import (
	"context"
	"database/sql"
	"fmt"
)

// GateReport returns a function describing, for the shardsql connector
// behind db, each data source's gate (slots used of cap, waiters), parked
// connections and pool statistics; usable while db's own pool is
// exhausted (a hang's diagnosis).
func GateReport(ctx context.Context, db *sql.DB) (func() string, error) {
	c, err := connectorOf(ctx, db)
	if err != nil {
		return nil, err
	}
	return func() string {
		out := ""
		for _, ds := range c.topo.DataSources() {
			line := ds.Name + ":"
			if v, ok := c.gates.Load(ds.Name); ok {
				g := v.(*gate)
				line += fmt.Sprintf(" gate %d/%d waiters %d", g.used.Load(), g.cap.Load(), g.waiters.Load())
			}
			if v, ok := c.parks.Load(ds.Name); ok {
				line += fmt.Sprintf(" parked %d", v.(*parkList).n.Load())
			}
			if pdb, err := c.db(ds.Name); err == nil {
				st := pdb.Stats()
				line += fmt.Sprintf(" pool open %d inuse %d idle %d waiting %d", st.OpenConnections, st.InUse, st.Idle, st.WaitCount)
			}
			out += line + "\n"
		}
		return out
	}, nil
}
