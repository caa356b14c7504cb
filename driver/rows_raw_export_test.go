package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// QueryBuffered runs query on conn's shardsql connection as database/sql
// runs a Query (inside a transaction of its own when inTx), closes its rows,
// and reports whether they were read whole inside Raw (rows_raw.go).
func QueryBuffered(ctx context.Context, conn *sql.Conn, inTx bool, query string, args ...any) (buffered bool, err error) {
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
		buffered = rows.(*Rows).meta != nil
		return rows.Close()
	})
	return buffered, err
}
