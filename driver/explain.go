package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/shardsql/shardsql/route"
)

// Explain returns the plan shardsql would run for query and args on db,
// without running it: the units (data source, physical table, SQL, args)
// and how their results are merged. db must have been opened with the
// shardsql driver.
func Explain(ctx context.Context, db *sql.DB, query string, args ...any) (*route.Plan, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return nil, fmt.Errorf("shardsql: Explain: argument %d: %w", i+1, err)
		}
		vals[i] = v
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("shardsql: Explain: %w", err)
	}
	defer conn.Close()
	var plan *route.Plan
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*Conn)
		if !ok {
			return fmt.Errorf("shardsql: Explain needs a *sql.DB opened with the shardsql driver, not %T", dc)
		}
		var err error
		plan, err = c.c.route(ctx, query, vals)
		return err
	})
	return plan, err
}
