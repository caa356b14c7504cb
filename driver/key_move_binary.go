package driver

import (
	"context"
	"database/sql"
)

// queryBinary runs a key move's SELECT … FOR UPDATE as a prepared
// statement, so its rows come in the binary protocol; done closes the
// statement after the rows.
//
// Hazard (review19f): a move copies each row as read. Read in the text
// protocol (a WHERE of literals, or any query under interpolateParams),
// a FLOAT arrives as MariaDB prints it, with 6 significant digits:
// 1234567.875 read as "1.23457e+06" and inserted on the target node as
// 1234570, 16777216 as 16777200 — the moved row's value changed, with no
// error or warning, where one server's UPDATE of the key leaves it
// alone. The binary protocol sends the FLOAT's 4 bytes (a float32, whose
// float64 argument the INSERT stores back exactly) and a DOUBLE's 8.
func (p *participant) queryBinary(ctx context.Context, query string, args ...any) (rows *sql.Rows, done func(), err error) {
	if err := p.busy(); err != nil {
		return nil, nil, err
	}
	if p.broken && p.tx != nil {
		return nil, nil, p.tx.lost(p, nil) // tx_conn_lost.go
	}
	st, err := p.conn.PrepareContext(ctx, query)
	if err == nil {
		rows, err = st.QueryContext(ctx, args...)
		if err != nil {
			_ = st.Close()
		}
	}
	if err != nil {
		p.failed(err) // tx_rolled_back.go
		return nil, nil, p.statementFailed(ctx, err)
	}
	return rows, func() { p.rowsRead(rows); _ = st.Close() }, nil
}
