package coltype

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOf(t *testing.T) {
	cases := map[string]Kind{
		// go-sql-driver's DatabaseTypeName spellings
		"TINYINT": Int, "SMALLINT": Int, "MEDIUMINT": Int, "INT": Int,
		"BIGINT": Int, "YEAR": Int, "INTEGER": Int,
		"UNSIGNED TINYINT": Uint, "UNSIGNED SMALLINT": Uint, "UNSIGNED MEDIUMINT": Uint,
		"UNSIGNED INT": Uint, "UNSIGNED BIGINT": Uint,
		"DECIMAL": Decimal, "NUMERIC": Decimal,
		"FLOAT": Float, "DOUBLE": Float, "REAL": Float,
		"DATE": Time, "DATETIME": Time, "TIMESTAMP": Time,
		"TIME": Duration,
		"CHAR": Text, "VARCHAR": Text, "TEXT": Text, "TINYTEXT": Text,
		"MEDIUMTEXT": Text, "LONGTEXT": Text, "ENUM": Enum, "SET": Enum, "BIT": Bit, "JSON": Text,
		"BINARY": Bytes, "VARBINARY": Bytes, "BLOB": Bytes, "TINYBLOB": Bytes,
		"MEDIUMBLOB": Bytes, "LONGBLOB": Bytes, "GEOMETRY": Bytes, "VECTOR": Bytes,
		"NULL": Bytes, "": Bytes, "SOMETHING NEW": Bytes,
		// case does not matter
		"bigint": Int, "unsigned bigint": Uint, "varchar": Text, "Decimal": Decimal,
	}
	for name, want := range cases {
		assert.Equal(t, want, Of(name), "Of(%q)", name)
	}
}

func TestFractionalTime(t *testing.T) {
	for _, name := range []string{"TIME", "DATETIME", "TIMESTAMP", "datetime"} {
		assert.True(t, FractionalTime(name), name)
	}
	for _, name := range []string{"DATE", "DECIMAL", "BIGINT", "YEAR", ""} {
		assert.False(t, FractionalTime(name), name)
	}
}

// TestAvgDecimalSize: MySQL reports AVG(x) of a DECIMAL(p-22, s) column
// (its node SUM is DECIMAL(p, s)) as DECIMAL(p-18, s+4), within DECIMAL's
// limits of 65 digits and scale 38.
func TestAvgDecimalSize(t *testing.T) {
	for _, c := range []struct{ p, s, wantP, wantS int64 }{
		{32, 2, 14, 6},   // SUM of DECIMAL(10,2)
		{41, 0, 23, 4},   // SUM of BIGINT
		{65, 30, 47, 34}, // at the limit of precision
		{65, 36, 47, 38}, // scale capped
		{18, 0, 1, 4},    // precision at least 1
	} {
		p, s := AvgDecimalSize(c.p, c.s)
		assert.Equal(t, [2]int64{c.wantP, c.wantS}, [2]int64{p, s}, "AvgDecimalSize(%d, %d)", c.p, c.s)
	}
}
