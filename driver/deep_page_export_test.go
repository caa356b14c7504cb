package driver

import (
	"context"
	"database/sql"
	"slices"
)

// DeepPageLater runs query on conn (inside a transaction when inTx) and
// returns the statements its operators built while it ran (a deep page's
// phase 2, counts and fetch: planExec.later), and for each whether its
// rows were read whole inside Raw (rows_raw_scatter.go).
func DeepPageLater(ctx context.Context, conn *sql.Conn, inTx bool, query string, args ...any) (sqls []string, raw []bool, err error) {
	err = queryRaw(ctx, conn, inTx, query, args, func(r *Rows) {
		for _, u := range r.ex.opened {
			if slices.Contains(r.ex.prepared, u) {
				continue
			}
			sqls = append(sqls, u.unit.SQL)
			raw = append(raw, u.meta != nil)
		}
	})
	return sqls, raw, err
}
