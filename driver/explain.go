package driver

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shardsql/shardsql/route"
)

// Plan is a routed statement as Explain returns it: its Units (data
// source, physical table, SQL, args) and, for a SELECT, the operator tree
// that merges their rows. Its String method prints the tree, one operator
// per line, with each route's node statements under it.
type Plan = route.Plan

// Explain returns the plan shardsql would run for query and args on db,
// without running it: the units (data source, physical table, SQL, args)
// and how their results are merged. db must have been opened with the
// shardsql driver.
func Explain(ctx context.Context, db *sql.DB, query string, args ...any) (*Plan, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		v, err := convertArg(a) // as statement arguments (CheckNamedValue)
		if err != nil {
			return nil, fmt.Errorf("shardsql: Explain: argument %d: %w", i+1, err)
		}
		vals[i] = v
	}
	var plan *route.Plan
	err := withConnector(ctx, db, func(c *Connector) error {
		var err error
		plan, err = c.route(ctx, query, vals)
		return err
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}
