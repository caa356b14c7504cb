package merge

import (
	"database/sql/driver"

	"github.com/shardsql/shardsql/internal/coltype"
)

// unzeroFilled writes the DECIMAL values of a union's rows without the
// zeros a ZEROFILL column's text is filled with.
//
// Hazard (review19a): MariaDB's UNION (ALL) column is not ZEROFILL even
// when every SELECT's column is (`SELECT zd FROM t UNION ALL SELECT zd
// FROM u` answers 2.30 where `SELECT zd FROM t` answers 000002.30), but
// each node's statement reads the column itself, whose DECIMAL text
// arrives zero-filled; the union above the nodes passed 000002.30 on.
// MySQL writes no other DECIMAL with a leading zero before a digit, so
// such zeros are dropped. (ZEROFILL integers and floats arrive as numbers
// already: go-sql-driver parses them.)
type unzeroFilled struct {
	in   Cursor
	cols []int
}

// decimalColumns are the DECIMAL columns of cols.
func decimalColumns(cols *columns) []int {
	var out []int
	for i, k := range cols.kinds {
		if k == coltype.Decimal {
			out = append(out, i)
		}
	}
	return out
}

func (u *unzeroFilled) Next(dest []driver.Value) error {
	if err := u.in.Next(dest); err != nil {
		return err
	}
	for _, c := range u.cols {
		if b, ok := dest[c].([]byte); ok {
			dest[c] = trimZeroFill(b)
		}
	}
	return nil
}

func (u *unzeroFilled) Close() error { return u.in.Close() }

// trimZeroFill drops the leading zeros before the first digit of the
// integer part ("000002.30" is "2.30", "000000.50" is "0.50").
func trimZeroFill(b []byte) []byte {
	i := 0
	for i+1 < len(b) && b[i] == '0' && b[i+1] >= '0' && b[i+1] <= '9' {
		i++
	}
	return b[i:]
}
