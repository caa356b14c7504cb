package driver

import (
	"context"
	"database/sql"

	"github.com/shardsql/shardsql/internal/schema"
)

// CatalogOf returns the schema catalog the connector behind db routes with,
// loading the facts it lacks as a statement needing them would.
func CatalogOf(ctx context.Context, db *sql.DB) (*schema.Catalog, error) {
	var cat *schema.Catalog
	err := withConnector(ctx, db, func(c *Connector) error {
		cat = c.catalog.current(c)
		if fresh := c.catalog.reload(ctx, c, cat, true); fresh != nil {
			cat = fresh
		}
		return nil
	})
	return cat, err
}
