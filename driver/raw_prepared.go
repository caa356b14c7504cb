package driver

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// A connection that wants a prepared statement for a statement with
// arguments (go-sql-driver without interpolateParams: QueryContext and
// ExecContext answer driver.ErrSkip with nothing sent) is served inside
// Raw as database/sql serves it: prepare, execute, close — the same three
// round trips — instead of stepping aside to sql.Conn's path, whose trip
// through database/sql (its Rows, the release closure, Scan into *any of
// each value) the Raw paths exist to skip (issue 16).
//
// The hazards, each kept as database/sql keeps it (ctxDriverPrepare,
// driverArgsConnLocked, rowsiFromStatement, resultFromStatement):
//   - Arguments: converted with the connection's CheckNamedValue before
//     (convertArgs), the converter go-sql-driver's statements use too; the
//     statement's NumInput is checked against them, with database/sql's
//     error, and nothing is executed when it differs.
//   - The prepared statement is closed on every path once its rows are read
//     (or its result is), its close error ignored, as database/sql ignores
//     it: the server's statement count does not grow.
//   - A connection or statement that lacks the context interfaces makes the
//     caller step aside with nothing sent, as before.
//   - Errors: a prepare error is the statement's, as database/sql returns
//     it; a bad connection closes it through Raw's release as the other
//     Raw paths do.

// queryPrepared prepares q on dc, runs it with nv and gives its rows to
// read, reporting sent=false (nothing sent) when dc cannot.
func queryPrepared(ctx context.Context, dc any, q string, nv []driver.NamedValue, read func(driver.Rows) error) (sent bool, err error) {
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return false, nil
	}
	st, err := pc.PrepareContext(ctx, q)
	if err != nil {
		return true, err
	}
	defer st.Close()
	sq, ok := st.(driver.StmtQueryContext)
	if !ok {
		return true, fmt.Errorf("shardsql: the driver's prepared statement cannot run with a context")
	}
	if err := checkNumInput(st, nv); err != nil {
		return true, err
	}
	rows, err := sq.QueryContext(ctx, nv)
	if err != nil {
		return true, err
	}
	err = read(rows)
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return true, err
}

// execPrepared prepares q on dc and executes it with nv, reporting
// sent=false (nothing sent) when dc cannot.
func execPrepared(ctx context.Context, dc any, q string, nv []driver.NamedValue) (res driver.Result, sent bool, err error) {
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, false, nil
	}
	st, err := pc.PrepareContext(ctx, q)
	if err != nil {
		return nil, true, err
	}
	defer st.Close()
	se, ok := st.(driver.StmtExecContext)
	if !ok {
		return nil, true, fmt.Errorf("shardsql: the driver's prepared statement cannot run with a context")
	}
	if err := checkNumInput(st, nv); err != nil {
		return nil, true, err
	}
	res, err = se.ExecContext(ctx, nv)
	return res, true, err
}

// checkNumInput is database/sql's check of a prepared statement's
// placeholders against the arguments.
func checkNumInput(st driver.Stmt, nv []driver.NamedValue) error {
	if want := st.NumInput(); want >= 0 && want != len(nv) {
		return fmt.Errorf("sql: expected %d arguments, got %d", want, len(nv))
	}
	return nil
}
