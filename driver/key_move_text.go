package driver

import (
	"database/sql"

	"github.com/shardsql/shardsql/internal/coltype"
)

// A key move copies each row as read (key_move.go); a text column's value
// arrives as []byte, in the connection's character set (utf8mb4).
//
// Hazard (review21, TestReview21MoveLatin1Interpolated): under
// interpolateParams go-sql-driver writes a []byte argument as
// _binary'…', and MariaDB stores a binary string into a latin1 (cp1251,
// …) column byte for byte, without converting: 'é' read as C3 A9 was
// stored on the target node as the two characters 'Ã©', silently. A
// string argument is written as a string literal in the connection's
// character set, which the server converts to the column's (and a
// prepared statement's parameter is converted either way). So the values
// of text columns are copied as strings; binary columns (BINARY,
// VARBINARY, BLOB, BIT, GEOMETRY) keep []byte, whose bytes are the value.

// textColumns reports, per column of rs, whether it holds text.
func textColumns(rs *sql.Rows) ([]bool, error) {
	types, err := rs.ColumnTypes()
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(types))
	for i, ct := range types {
		k := coltype.Of(ct.DatabaseTypeName())
		out[i] = k == coltype.Text || k == coltype.Enum // CHAR … LONGTEXT, JSON, ENUM, SET
	}
	return out, nil
}

// textValues turns row's []byte values of text columns into strings.
func textValues(row []any, text []bool) {
	for i, v := range row {
		if b, ok := v.([]byte); ok && i < len(text) && text[i] {
			row[i] = string(b)
		}
	}
}
