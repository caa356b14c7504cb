package route

import (
	"fmt"
	"strings"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
)

// Sharding values are converted to the column's type the way the server
// converts them before an algorithm sees them. The hazard this avoids: an
// integer column compares '01', ' 1', '1.0' and 1 as equal (MySQL compares
// an integer column with a string as DOUBLE), so hashing the text "01"
// would send the statement to a node that does not hold user 1's rows, and
// an INSERT of '01' would store user 1 where no later "= 1" looks.

// keyUse says what a sharding value is for.
type keyUse int

const (
	// keyCompare is a value compared with the column: WHERE, IN, hints.
	keyCompare keyUse = iota
	// keyStore is a value stored in the column: an INSERT row.
	keyStore
)

// keyResult is what a converted sharding value means for routing.
type keyResult int

const (
	// keyExact: the value the algorithm must see is known.
	keyExact keyResult = iota
	// keyNone: no row's column value can equal it (1.5 on an integer
	// column, NULL).
	keyNone
	// keyUnknown: shardsql cannot tell which value the server compares or
	// stores: reads go to every node, writes are refused.
	keyUnknown
)

// key is a sharding value converted for the column.
type key struct {
	res   keyResult
	value any    // keyExact: what the algorithm sees
	why   string // keyUnknown: why, for errors
	// near: for keyNone of a non-integral number compared with an
	// integer column, the integers on either side of it that the column
	// holds (see nearKey): a read must reach their nodes too.
	near []any
	// inexact: the server matches the value one way through an index on
	// the column (which rounds or cuts it to the column's type) and
	// another by a scan (which compares it exactly): nearKey, fractionKey.
	inexact bool
}

func exactKey(v any) key { return key{res: keyExact, value: v} }
func unknownKey(format string, a ...any) key {
	return key{res: keyUnknown, why: fmt.Sprintf(format, a...)}
}

// decimalText is a DECIMAL literal as written (1.0, -12.50): MySQL keeps
// it exact, unlike a float.
type decimalText string

// hexLiteral is a hexadecimal or bit literal (0x31, X'31', b'1'): MariaDB
// reads X'31' as the string '1' and 0x31 as the number 49 where MySQL
// reads both as 49 next to a number, so shardsql does not guess.
type hexLiteral string

// keyExpr returns the sharding value written in e: a ? argument's value or a
// literal, typed so that conversion can follow the server (see decimalText,
// hexLiteral). ok is false for anything else (columns, functions,
// expressions).
func (s *statement) keyExpr(e sqlparser.Expr) (any, bool) {
	switch e := e.(type) {
	case *sqlparser.Literal:
		return keyLiteral(e.Type, e.Val)
	case *sqlparser.UnaryExpr:
		lit, ok := e.Expr.(*sqlparser.Literal)
		if !ok || e.Operator != sqlparser.UMinusOp {
			return nil, false
		}
		switch lit.Type {
		case sqlparser.IntVal, sqlparser.DecimalVal, sqlparser.FloatVal:
			return keyLiteral(lit.Type, "-"+lit.Val)
		}
		return nil, false
	}
	return s.value(e)
}

// keyLiteral types a literal for keyExpr.
func keyLiteral(t sqlparser.ValType, text string) (any, bool) {
	switch t {
	case sqlparser.IntVal:
		if v, ok := literalValue(t, text); ok {
			return v, true
		}
		return decimalText(text), true // beyond 64 bits: MySQL reads a DECIMAL
	case sqlparser.DecimalVal:
		return decimalText(text), true
	case sqlparser.HexVal:
		return hexLiteral("X'" + text + "'"), true
	case sqlparser.HexNum, sqlparser.BitNum:
		return hexLiteral(text), true
	}
	return literalValue(t, text)
}

// convertKey converts v, a value from keyExpr or a hint, for column col of
// a table whose data sources write time.Time values in loc. col nil means
// the catalog does not know the column.
func convertKey(col *schema.Column, v any, use keyUse, loc *time.Location) key {
	if v == nil {
		return key{res: keyNone} // = NULL matches no row; INSERT checks NULL itself
	}
	if t, ok := v.(time.Time); ok {
		// go-sql-driver writes a time.Time as its wall clock in the DSN's
		// loc, and the server stores that wall clock: place it there.
		if col != nil && !col.IsTemporal() {
			return unknownKey("a time value for %s column", col.DataType)
		}
		return fractionKey(col, wallClock(t, loc), use)
	}
	switch {
	case col == nil:
		return unknownKey("the column's type is unknown (the table was not found on its first node's server)")
	case col.IsInteger():
		return integerKey(col, v, use)
	case col.IsText():
		return textKey(col, v, use)
	case col.DataType == "varbinary" || col.DataType == "binary" || strings.HasSuffix(col.DataType, "blob"):
		return binaryKey(col, v, use)
	case col.IsTemporal():
		return temporalKey(col, v, use)
	}
	return unknownKey("shardsql does not convert values for %s sharding columns", col.ColumnType)
}

// wallClock returns the instant whose UTC wall clock is t's wall clock in
// loc, which is how the algorithms read a time.Time.
func wallClock(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	w := t.In(loc)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
}

// binaryKey converts v for a binary string column, which compares bytes
// and pads nothing (VARBINARY, BLOB) or pads with zero bytes to its width
// (BINARY(n), where only a value of the full width is stored as given).
func binaryKey(col *schema.Column, v any, use keyUse) key {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		n, ok := goInteger(v)
		if !ok || use == keyCompare {
			return unknownKey("a %T value for %s column (write the bytes as a string)", v, col.DataType)
		}
		b = []byte(n.String())
	}
	if use == keyStore && col.MaxLength > 0 && int64(len(b)) > col.MaxLength {
		// Hazard (review20a): under a lax sql_mode (or INSERT IGNORE) the
		// server stores VARBINARY(4)'s 'abcdef' as 'abcd'; placed by all
		// six bytes, the row was where k = 'abcd' never looks.
		return unknownKey("a value longer than the %d bytes of column %s (the server errors or cuts it, depending on sql_mode)", col.MaxLength, col.Name)
	}
	if col.DataType == "binary" && int64(len(b)) != col.MaxLength {
		return unknownKey("a %d-byte value for %s column (the server pads it with zero bytes; give all %d bytes)", len(b), col.ColumnType, col.MaxLength)
	}
	return exactKey(b)
}
