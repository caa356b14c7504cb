package route

import (
	"math"
	"math/big"
	"reflect"
	"strconv"

	"github.com/shardsql/shardsql/internal/schema"
)

// Integer columns: MySQL compares an integer column with a string or a
// DOUBLE as DOUBLE (the string's longest numeric prefix), with a DECIMAL
// exactly, and stores a string or a fraction rounded, or not at all in
// strict mode. Conversion follows the comparison where it is exact and
// places stored values only when the stored integer is certain.

// maxExactDigits is the number of significant digits below which a decimal
// number's DOUBLE is unambiguous: 15 digits are below 2⁵³, where every
// integer is a distinct DOUBLE, and round-trip through a DOUBLE exactly.
const maxExactDigits = 15

// integerKey converts v for an integer column.
func integerKey(col *schema.Column, v any, use keyUse) key {
	switch x := v.(type) {
	case int64:
		if int64Fits(col, x) {
			return exactKey(v) // the caller's int64, already boxed: int64Key's answer without a new box
		}
		return int64Key(col, x, use)
	case uint64:
		return uint64Key(col, x, use)
	case bool:
		if x {
			return int64Key(col, 1, use)
		}
		return int64Key(col, 0, use)
	case float64:
		return floatKey(col, x, use)
	case float32:
		return floatKey(col, float64(x), use)
	case decimalText:
		return decimalKey(col, string(x), use)
	case string:
		return stringIntKey(col, x, use)
	case []byte:
		return stringIntKey(col, string(x), use)
	case hexLiteral:
		return unknownKey("hexadecimal literal %s for an integer column (MySQL and MariaDB read it differently; write the decimal integer)", string(x))
	}
	if n, ok := goInteger(v); ok {
		return intInColumn(col, n, use)
	}
	return unknownKey("a %T value for integer column", v)
}

// goInteger returns the value of a Go integer of any type.
func goInteger(v any) (*big.Int, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return big.NewInt(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return new(big.Int).SetUint64(rv.Uint()), true
	}
	return nil, false
}

// intInColumn is the key of integer n for col: compared, a value outside
// the column's range equals no row; stored, it is refused, since the
// server errors or clamps depending on sql_mode.
func intInColumn(col *schema.Column, n *big.Int, use keyUse) key {
	switch {
	case n.IsInt64():
		return int64Key(col, n.Int64(), use)
	case n.IsUint64():
		return uint64Key(col, n.Uint64(), use)
	}
	return outOfRange(col, n.String(), use)
}

// int64Fits reports whether int64Key takes i exactly (in col's range).
func int64Fits(col *schema.Column, i int64) bool {
	bits := integerBits(col)
	if i < 0 {
		return !col.Unsigned && (bits >= 64 || i >= -(1<<(bits-1)))
	}
	if !col.Unsigned {
		bits--
	}
	return bits >= 64 || uint64(i) <= 1<<bits-1
}

// int64Key is intInColumn for an int64, without allocating.
func int64Key(col *schema.Column, i int64, use keyUse) key {
	if i < 0 {
		if col.Unsigned || (integerBits(col) < 64 && i < -(1<<(integerBits(col)-1))) {
			return outOfRange(col, strconv.FormatInt(i, 10), use)
		}
		return exactKey(i)
	}
	return uint64Key(col, uint64(i), use)
}

// uint64Key is intInColumn for a uint64, without allocating.
func uint64Key(col *schema.Column, u uint64, use keyUse) key {
	bits := integerBits(col)
	if !col.Unsigned {
		bits--
	}
	if bits < 64 && u > 1<<bits-1 {
		return outOfRange(col, strconv.FormatUint(u, 10), use)
	}
	if u <= math.MaxInt64 {
		return exactKey(int64(u))
	}
	return exactKey(u)
}

// outOfRange is the key of an integer outside the column's range.
func outOfRange(col *schema.Column, n string, use keyUse) key {
	if use == keyCompare {
		return key{res: keyNone}
	}
	return unknownKey("%s is out of range for %s column (the server errors or clamps it, depending on sql_mode)", n, col.ColumnType)
}

// integerBits returns the width of an integer column.
func integerBits(col *schema.Column) uint {
	switch col.DataType {
	case "tinyint":
		return 8
	case "smallint":
		return 16
	case "mediumint":
		return 24
	case "int", "integer":
		return 32
	}
	return 64
}

// floatKey converts a DOUBLE for an integer column. Compared, MySQL
// compares as DOUBLE: exact below 2⁵³, several integers equal it above.
// Stored, the server rounds a fraction (half to even or half up, depending
// on the path), so only integral values are placed.
func floatKey(col *schema.Column, f float64, use keyUse) key {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return unknownKey("%v for an integer column", f)
	}
	integral := f == math.Trunc(f)
	if use == keyStore {
		if !integral || math.Abs(f) >= 1<<63 {
			return unknownKey("%v is not an integer the column stores exactly (the server rounds it; write the integer you mean)", f)
		}
		n, _ := new(big.Float).SetFloat64(f).Int(nil)
		return intInColumn(col, n, use)
	}
	if math.Abs(f) >= 1<<53 {
		return unknownKey("%v is compared as DOUBLE, which several integers equal beyond 2^53", f)
	}
	if !integral {
		return nearKey(col, new(big.Rat).SetFloat64(f))
	}
	return int64Key(col, int64(f), use)
}

// decimalKey converts a DECIMAL literal for an integer column.
func decimalKey(col *schema.Column, text string, use keyUse) key {
	n, ok := scanNumber(text, 0)
	if !ok || n.end != len(text) {
		return unknownKey("DECIMAL literal %s", text)
	}
	return numberKey(col, text, n, use)
}

// stringIntKey converts a string for an integer column. Compared, MySQL
// reads the longest numeric prefix as a DOUBLE (' 1', '1abc' → 1; 'abc',
// ” → 0). Stored, only a string that is a number as a whole (spaces
// around it allowed) is placed: others are errors or truncations depending
// on sql_mode.
func stringIntKey(col *schema.Column, s string, use keyUse) key {
	if use == keyStore {
		n, ok := scanNumber(s, ' ')
		if !ok || n.digits == 0 || !onlySpaces(s[n.end:]) {
			return unknownKey("string %s is not an integer (the server errors or truncates it, depending on sql_mode; write the integer)", quoteValue(s))
		}
		return numberKey(col, s, n, use)
	}
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	if i < len(s) && (s[i] == '\v' || s[i] == '\f') {
		return unknownKey("string %s starts with a control character", quoteValue(s))
	}
	n, ok := scanNumber(s[i:], 0)
	if !ok {
		return unknownKey("string %s", quoteValue(s))
	}
	if n.digits == 0 {
		return int64Key(col, 0, use) // no number: the server reads 0
	}
	n.start += i
	n.end += i
	return numberKey(col, s, n, use)
}

// number is a decimal number found in a string by scanNumber.
type number struct {
	start, end int // the number's bytes
	digits     int // significant digits of the mantissa (leading zeros excluded)
	exp        int64
}

// scanNumber reads [sign] digits [. digits] [e [sign] digits] at the start
// of s, after any leading pad bytes (0 for none). A mantissa without digits
// reads as no number (digits 0, end at the start); an exponent without
// digits is not part of the number, as in MySQL ('1e' is 1).
func scanNumber(s string, pad byte) (number, bool) {
	i := 0
	for pad != 0 && i < len(s) && s[i] == pad {
		i++
	}
	n := number{start: i, end: i}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	mant := 0
	lead := true
	for ; i < len(s) && isDigit(s[i]); i++ {
		mant++
		if s[i] != '0' || !lead {
			lead = false
			n.digits++
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && isDigit(s[i]); i++ {
			mant++
			if s[i] != '0' || !lead {
				lead = false
				n.digits++
			}
		}
	}
	if mant == 0 {
		return n, true
	}
	if lead {
		n.digits = 1 // zero
	}
	n.end = i
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for ; k < len(s) && isDigit(s[k]); k++ {
		}
		if k > j {
			e, err := strconv.ParseInt(s[j:k], 10, 32)
			if err != nil {
				return n, false
			}
			if s[j-1] == '-' {
				e = -e
			}
			n.exp = e
			n.end = k
		}
	}
	return n, true
}

// numberKey converts the number n found in text for an integer column.
func numberKey(col *schema.Column, text string, n number, use keyUse) key {
	lit := text[n.start:n.end]
	if n.exp > 400 || n.exp < -400 {
		return unknownKey("%s has an exponent shardsql does not convert", quoteValue(lit))
	}
	r, ok := new(big.Rat).SetString(lit)
	if !ok {
		return unknownKey("%s", quoteValue(lit))
	}
	if use == keyStore {
		if !r.IsInt() {
			return unknownKey("%s is not an integer the column stores exactly (the server rounds it; write the integer you mean)", quoteValue(text))
		}
		return intInColumn(col, r.Num(), use)
	}
	if n.digits > maxExactDigits || new(big.Rat).Abs(r).Cmp(twoTo53) >= 0 {
		return unknownKey("%s is compared as DOUBLE and has more than %d significant digits or is beyond 2^53, where several integers equal it", quoteValue(text), maxExactDigits)
	}
	if !r.IsInt() {
		return nearKey(col, r)
	}
	return intInColumn(col, r.Num(), use)
}

// nearKey is the key of a number r with a fraction compared with integer
// column col. No integer equals it, yet MariaDB (10.11) answers `k = 7.2`
// through an index on k with k = 7's rows: the index lookup stores the
// constant into the column's type, rounding it (a DECIMAL or a string half
// away from zero, a DOUBLE half to even), while a scan or a range compares
// exactly and finds nothing. Found by the write attack suite: SELECT …
// WHERE k = 7.2 returned user 7's rows on the oracle and none through
// shardsql, which routed it nowhere; DELETE … WHERE k = 7.5 deleted k = 8
// on the oracle. The statement goes to the nodes of the integers on either
// side (those in the column's range), so each answers as the server does.
func nearKey(col *schema.Column, r *big.Rat) key {
	floor := new(big.Int).Div(r.Num(), r.Denom()) // Euclidean: rounds down for a positive denominator
	k := key{res: keyNone, inexact: true}
	for _, n := range []*big.Int{floor, new(big.Int).Add(floor, big.NewInt(1))} {
		if nk := intInColumn(col, n, keyCompare); nk.res == keyExact {
			k.near = append(k.near, nk.value)
		}
	}
	return k
}

// twoTo53 is 2⁵³: integers at and beyond it share DOUBLE values.
var twoTo53 = new(big.Rat).SetInt64(1 << 53)

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func onlySpaces(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			return false
		}
	}
	return true
}

// quoteValue quotes a value for an error message, shortened.
func quoteValue(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + "…"
	}
	return strconv.Quote(s)
}
