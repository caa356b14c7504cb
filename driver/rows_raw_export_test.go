package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// queryRaw runs query on conn's shardsql connection as database/sql runs a
// Query (inside a transaction of its own when inTx), hands its rows to
// inspect and closes them.
func queryRaw(ctx context.Context, conn *sql.Conn, inTx bool, query string, args []any, inspect func(*Rows)) error {
	return conn.Raw(func(dc any) error {
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
		inspect(rows.(*Rows))
		return rows.Close()
	})
}

// QueryBuffered runs query on conn (inside a transaction of its own when
// inTx) and reports whether its rows were read whole inside Raw
// (rows_raw.go).
func QueryBuffered(ctx context.Context, conn *sql.Conn, inTx bool, query string, args ...any) (buffered bool, err error) {
	err = queryRaw(ctx, conn, inTx, query, args, func(r *Rows) { buffered = r.meta != nil })
	return buffered, err
}

// DeepPageRawUnits runs query on conn (inside a transaction when inTx)
// and reports how many of its plan's units were read inside Raw
// (rows_raw_scatter.go), of how many.
func DeepPageRawUnits(ctx context.Context, conn *sql.Conn, inTx bool, query string, args ...any) (raw, units int, err error) {
	err = queryRaw(ctx, conn, inTx, query, args, func(r *Rows) {
		for _, u := range r.ex.prepared {
			units++
			if u.meta != nil {
				raw++
			}
		}
	})
	return raw, units, err
}
