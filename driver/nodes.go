package driver

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shardsql/shardsql/shard"
)

// AddNodes adds the nodes of a node expression to a running time-sharded
// (Interval) table, for example the coming months of a monthly log:
//
//	driver.AddNodes(ctx, db, "t_log", "ds1.t_log_${2026-01..2026-03|month|200601}")
//
// It first creates each new physical table on its data source from the
// definition of the table's first node (SHOW CREATE TABLE), then adds the
// nodes to the topology, so no statement is routed to a table that does
// not exist yet. Creating is idempotent (IF NOT EXISTS), so a failed call
// can be repeated. db must have been opened with the shardsql driver.
func AddNodes(ctx context.Context, db *sql.DB, table, expr string) ([]shard.Node, error) {
	var added []shard.Node
	err := withConnector(ctx, db, func(c *Connector) error {
		st, ok := c.topo.Table(table)
		if !ok {
			return fmt.Errorf("shardsql: AddNodes: %q is not a sharded table of the topology", table)
		}
		nodes, err := shard.ExpandNodes(expr)
		if err != nil {
			return fmt.Errorf("shardsql: AddNodes: %w", err)
		}
		template := st.Nodes[0]
		src, err := c.db(template.DataSource)
		if err != nil {
			return err
		}
		for _, ds := range c.topo.DataSources() {
			defer c.unparked(ds.Name)() // the pools, not through the gate (pin_park.go)
		}
		var name, ddl string
		if err := src.QueryRowContext(ctx, "SHOW CREATE TABLE `"+template.Table+"`").Scan(&name, &ddl); err != nil {
			return fmt.Errorf("shardsql: AddNodes: reading the definition of %s: %w", template, err)
		}
		for _, n := range nodes {
			create, err := c.router.CreateTableFor(ddl, n.Table)
			if err != nil {
				return err
			}
			dst, err := c.db(n.DataSource)
			if err != nil {
				return err
			}
			if _, err := dst.ExecContext(ctx, create); err != nil {
				return fmt.Errorf("shardsql: AddNodes: creating %s: %w", n, err)
			}
		}
		added, err = c.topo.AddNodes(table, expr)
		return err
	})
	return added, err
}

// withConnector runs f with the Connector behind db.
func withConnector(ctx context.Context, db *sql.DB, f func(*Connector) error) error {
	c, err := connectorOf(ctx, db) // lookup.go: also behind wrapping drivers
	if err != nil {
		return err
	}
	return f(c)
}
