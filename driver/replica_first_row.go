package driver

import "database/sql"

// firstRow is what a replica read learned of its rows before handing them
// to the merge: their columns and whether a first row is there. A replica
// can accept a query, send its columns and then fail before the first row
// (killed or shut down mid-query, connection reset while the first row is
// read). Had the rows gone to the merge at once, that failure would reach
// the caller although no row of the unit had been handed on and the read
// could still be run elsewhere; so readUnit reads up to the first row
// (peekFirst) while a retry is still transparent. Past the first row a
// failure is the caller's error: rows already merged cannot be taken back.
type firstRow struct {
	peeked bool // the fields below are set; the cursor must not ask the rows again
	cols   []string
	types  []*sql.ColumnType
	// onRow: rows.Next returned true and the current row, the unit's
	// first, has not been scanned. The cursor's next read scans it
	// instead of advancing. False with peeked: the rows ended empty.
	onRow bool
	// raw: the unit was read whole inside Raw (rows_raw_scatter.go).
	raw *rawRows
}

// peekFirst reads rows' columns and advances to their first row. An error
// means no row was read; the rows are then closed.
func peekFirst(rows *sql.Rows) (firstRow, error) {
	cols, err := rows.Columns()
	if err != nil {
		_ = rows.Close()
		return firstRow{}, err
	}
	// Read before Next: once rows end (an empty result) they are closed
	// and no longer answer Columns or ColumnTypes.
	types, err := rows.ColumnTypes()
	if err != nil {
		_ = rows.Close()
		return firstRow{}, err
	}
	if rows.Next() {
		return firstRow{peeked: true, cols: cols, types: types, onRow: true}, nil
	}
	if err := rows.Err(); err != nil {
		_ = rows.Close()
		return firstRow{}, err
	}
	return firstRow{peeked: true, cols: cols, types: types}, nil
}
