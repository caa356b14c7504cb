// Package coltype classifies the column types MySQL and MariaDB report
// (as go-sql-driver names them: sql.ColumnType.DatabaseTypeName) by how
// shardsql compares and formats their values above the nodes. The merge
// operators compare by Kind; the router and the driver ask the same
// questions (is this a decimal, does it carry fractional seconds) so that
// all three agree on one table of type names.
package coltype

import "strings"

// Kind is how values of a column compare: it follows the column's SQL type.
type Kind uint8

const (
	// Bytes compares raw bytes (binary strings, unknown types).
	Bytes Kind = iota
	// Text compares by collation: the one the nodes report (merge.Spec.Collations),
	// raw bytes otherwise (the binary collation of the embedded shards).
	Text
	// Int compares signed integers.
	Int
	// Uint compares unsigned integers.
	Uint
	// Decimal compares exact decimals without float rounding.
	Decimal
	// Float compares FLOAT and DOUBLE.
	Float
	// Time compares DATE, DATETIME and TIMESTAMP.
	Time
	// Duration compares TIME values, which may be negative.
	Duration
	// Bit is a BIT column: big-endian bytes of a fixed width, which
	// compare as bytes. (MIN/MAX of a BIT column arrive as decimal text or
	// as bytes depending on the server's plan: the merge refuses them.)
	Bit
	// Enum is an ENUM or SET column. MySQL orders them by index (the
	// SET bitmask), which the value does not carry: a merge never orders
	// by such a column (the router sorts by the index instead, or the
	// merge refuses), and MIN/MAX of them arrive as text.
	Enum
)

// Of maps a database type name as go-sql-driver reports it
// (sql.ColumnType.DatabaseTypeName: "BIGINT", "UNSIGNED INT", "VARCHAR", …)
// to how its values compare.
func Of(typeName string) Kind {
	t := strings.ToUpper(typeName)
	unsigned := strings.HasPrefix(t, "UNSIGNED ")
	t = strings.TrimPrefix(t, "UNSIGNED ")
	switch t {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "YEAR", "BOOL", "BOOLEAN":
		if unsigned {
			return Uint
		}
		return Int
	case "DECIMAL", "NUMERIC":
		return Decimal
	case "FLOAT", "DOUBLE", "REAL":
		return Float
	case "DATE", "DATETIME", "TIMESTAMP":
		return Time
	case "TIME":
		return Duration
	case "CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "JSON":
		return Text
	case "ENUM", "SET":
		return Enum
	case "BIT":
		return Bit
	}
	return Bytes
}

// FractionalTime reports a column type with fractional seconds (its scale
// is their number of digits).
func FractionalTime(typeName string) bool {
	switch strings.ToUpper(typeName) {
	case "TIME", "DATETIME", "TIMESTAMP":
		return true
	}
	return false
}

// AvgDecimalSize is the precision and scale MySQL reports for an AVG whose
// node SUM has precision p and scale s.
func AvgDecimalSize(p, s int64) (int64, int64) {
	return min(max(p-18, 1), 65), min(s+4, 38)
}
