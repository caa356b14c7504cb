package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// CloseTwice runs query on conn's shardsql connection as database/sql runs
// a Query, then closes its rows twice at the driver level (database/sql
// itself never does), reporting both errors and whether the rows lived in
// a pooled oneUnit (rows_one_unit.go).
func CloseTwice(ctx context.Context, conn *sql.Conn, query string, args ...any) (pooled bool, first, second error) {
	err := conn.Raw(func(dc any) error {
		nv := make([]driver.NamedValue, len(args))
		for i, a := range args {
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		rows, err := dc.(*Conn).QueryContext(ctx, query, nv)
		if err != nil {
			return err
		}
		r := rows.(*Rows)
		pooled = r.pooled != nil
		first = r.Close()
		second = r.Close()
		return nil
	})
	if err != nil {
		return false, err, nil
	}
	return pooled, first, second
}

// ExecOwnResult runs query with Exec on conn's shardsql connection, as
// database/sql runs it, and reports whether the result is the server
// connection's own (exec_one.go) rather than a result of shardsql's.
func ExecOwnResult(ctx context.Context, conn *sql.Conn, query string, args ...any) (own bool, err error) {
	err = conn.Raw(func(dc any) error {
		nv := make([]driver.NamedValue, len(args))
		for i, a := range args {
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		res, err := dc.(*Conn).ExecContext(ctx, query, nv)
		if err != nil {
			return err
		}
		_, ours := res.(*result)
		own = !ours
		return nil
	})
	return own, err
}
