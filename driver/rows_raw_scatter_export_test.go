package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// DeepPageRawUnits runs query on conn (inside a transaction when inTx)
// and reports how many of its plan's units were read inside Raw
// (rows_raw_scatter.go), of how many.
func DeepPageRawUnits(ctx context.Context, conn *sql.Conn, inTx bool, query string, args ...any) (raw, units int, err error) {
	err = conn.Raw(func(dc any) error {
		c := dc.(*Conn)
		if inTx {
			tx, err := c.BeginTx(ctx, driver.TxOptions{})
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
		}
		nv := make([]driver.NamedValue, len(args))
		for i, a := range args {
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		rows, err := c.QueryContext(ctx, query, nv)
		if err != nil {
			return err
		}
		for _, u := range rows.(*Rows).ex.prepared {
			units++
			if u.meta != nil {
				raw++
			}
		}
		return rows.Close()
	})
	return raw, units, err
}
