package driver

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// ExplainRead returns Explain's plan for query and args on db, followed by
// the server each data source's part would be read from if the statement
// ran now on a fresh connection outside a transaction:
//
//	select t_order on 2 unit(s)
//	  …
//	reads:
//	  ds0 → replica ds0/r1
//	  ds1 → primary (the replicas are behind the writes this read must see)
//
// Deciding may read a replica's applied position, as a read would.
func ExplainRead(ctx context.Context, db *sql.DB, query string, args ...any) (string, error) {
	plan, err := Explain(ctx, db, query, args...)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(plan.String())
	b.WriteString("\nreads:")
	err = withConnector(ctx, db, func(c *Connector) error {
		conn := &Conn{c: c}
		rs := c.replicas()
		if why := conn.primaryReason(ctx, plan); why != "" || len(rs.byDS) == 0 {
			if len(rs.byDS) == 0 {
				why = "the topology has no replicas"
			}
			for _, ds := range plan.DataSources() {
				fmt.Fprintf(&b, "\n  %s → primary (%s)", ds, why)
			}
			return nil
		}
		for _, t := range conn.readTargets(ctx, plan, rs) {
			if t.rep != nil {
				fmt.Fprintf(&b, "\n  %s → replica %s", t.ds, t.rep.name)
			} else {
				fmt.Fprintf(&b, "\n  %s → primary (%s)", t.ds, t.reason)
			}
		}
		return nil
	})
	return b.String(), err
}
