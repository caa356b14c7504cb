package driver

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shardsql/shardsql/merge"
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
		if err == nil && plan.DeepPage != nil {
			noteDeepHint(c, plan)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// noteDeepHint tells, on a deep page's line, whether its first phase will
// read the windows of a position hint (merge/deep_hints.go).
func noteDeepHint(c *Connector, plan *Plan) {
	dp, ok := plan.Root.(*merge.DeepPageScan)
	if !ok {
		return
	}
	switch {
	case c.deepHints == nil:
		dp.HintNote = "; position hints off"
	case c.deepHints.Has(plan.DeepPage.HintKey()):
		dp.HintNote = "; a position hint of this shape is kept: phase 1 reads each node's window around the positions it predicts"
	default:
		dp.HintNote = "; no position hint of this shape yet: phase 1 as above, and the page leaves one"
	}
}
