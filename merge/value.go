package merge

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shardsql/shardsql/internal/coltype"
)

// key is one decoded comparison value; which field holds it depends on the Kind.
type key struct {
	null bool
	i    int64
	u    uint64
	f    float64
	b    []byte
	t    time.Time
}

// decode fills k from a driver value of a column of kind kd.
func decode(kd coltype.Kind, v driver.Value, k *key) error {
	*k = key{}
	if v == nil {
		k.null = true
		return nil
	}
	var err error
	switch kd {
	case coltype.Int:
		switch x := v.(type) {
		case int64:
			k.i = x
		case []byte:
			k.i, err = strconv.ParseInt(string(x), 10, 64)
		case uint64:
			if x > math.MaxInt64 {
				return fmt.Errorf("shardsql: merge: integer %d out of range", x)
			}
			k.i = int64(x)
		default:
			return badValue(kd, v)
		}
	case coltype.Uint:
		switch x := v.(type) {
		case uint64:
			k.u = x
		case int64:
			k.u = uint64(x)
		case []byte:
			k.u, err = strconv.ParseUint(string(x), 10, 64)
		default:
			return badValue(kd, v)
		}
	case coltype.Float:
		switch x := v.(type) {
		case float64:
			k.f = x
		case float32:
			k.f = float64(x)
		case int64:
			k.f = float64(x)
		case []byte:
			k.f, err = strconv.ParseFloat(string(x), 64)
		default:
			return badValue(kd, v)
		}
	case coltype.Time:
		switch x := v.(type) {
		case time.Time:
			k.t = x
		case []byte:
			k.b = x // fixed-width text: byte order is time order
		case string:
			k.b = []byte(x)
		default:
			return badValue(kd, v)
		}
	case coltype.Duration:
		switch x := v.(type) {
		case []byte:
			k.i, err = parseDuration(x)
		case string:
			k.i, err = parseDuration([]byte(x))
		case int64:
			k.i = x
		default:
			return badValue(kd, v)
		}
	default: // coltype.Bytes, coltype.Text, coltype.Decimal
		switch x := v.(type) {
		case []byte:
			k.b = x
		case string:
			k.b = []byte(x)
		case int64:
			k.b = strconv.AppendInt(nil, x, 10)
		case uint64: // an unsigned integer key joined with a signed one (mixedSigns)
			k.b = strconv.AppendUint(nil, x, 10)
		case float64:
			k.b = strconv.AppendFloat(nil, x, 'f', -1, 64)
		default:
			return badValue(kd, v)
		}
	}
	if err != nil {
		return fmt.Errorf("shardsql: merge: %w", err)
	}
	return nil
}

func badValue(kd coltype.Kind, v driver.Value) error {
	return fmt.Errorf("shardsql: merge: unexpected %T value for a column of kind %d", v, kd)
}

// compare orders a and b as MySQL does ascending: NULL first.
func compare(kd coltype.Kind, a, b *key) int {
	switch {
	case a.null && b.null:
		return 0
	case a.null:
		return -1
	case b.null:
		return 1
	}
	switch kd {
	case coltype.Int, coltype.Duration:
		return cmpOrdered(a.i, b.i)
	case coltype.Uint:
		return cmpOrdered(a.u, b.u)
	case coltype.Float:
		return cmpOrdered(a.f, b.f)
	case coltype.Time:
		switch {
		case a.b == nil && b.b == nil:
			return a.t.Compare(b.t)
		case a.b != nil && b.b != nil:
			return bytes.Compare(a.b, b.b)
		}
		// time.Time against text (a literal, or parseTime off on one side)
		at, bt := a.t, b.t
		if a.b != nil {
			at = parseTimeText(a.b)
		} else {
			bt = parseTimeText(b.b)
		}
		return at.Compare(bt)
	case coltype.Decimal:
		return compareDecimal(a.b, b.b)
	}
	return bytes.Compare(a.b, b.b)
}

func cmpOrdered[T int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseDuration reads a TIME value ("-838:59:59.000000") as microseconds.
func parseDuration(b []byte) (int64, error) {
	s := string(b)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var frac int64
	if dot := strings.IndexByte(s, '.'); dot >= 0 {
		f := (s[dot+1:] + "000000")[:6]
		var err error
		if frac, err = strconv.ParseInt(f, 10, 64); err != nil {
			return 0, fmt.Errorf("bad TIME %q", b)
		}
		s = s[:dot]
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("bad TIME %q", b)
	}
	var total int64
	for _, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bad TIME %q", b)
		}
		total = total*60 + n
	}
	total = total*1_000_000 + frac
	if neg {
		total = -total
	}
	return total, nil
}

// compareDecimal compares two decimal numbers written in text ("-12.50")
// exactly, digit by digit.
func compareDecimal(a, b []byte) int {
	an, ai, af := splitDecimal(a)
	bn, bi, bf := splitDecimal(b)
	zeroA := len(ai) == 0 && len(af) == 0
	zeroB := len(bi) == 0 && len(bf) == 0
	if zeroA {
		an = false
	}
	if zeroB {
		bn = false
	}
	if an != bn {
		if an {
			return -1
		}
		return 1
	}
	c := compareMagnitude(ai, af, bi, bf)
	if an {
		return -c
	}
	return c
}

// splitDecimal returns the sign, the integer digits without leading zeros
// and the fraction digits without trailing zeros.
func splitDecimal(d []byte) (neg bool, intPart, frac []byte) {
	if len(d) > 0 && (d[0] == '-' || d[0] == '+') {
		neg = d[0] == '-'
		d = d[1:]
	}
	intPart = d
	if dot := bytes.IndexByte(d, '.'); dot >= 0 {
		intPart, frac = d[:dot], d[dot+1:]
	}
	intPart = bytes.TrimLeft(intPart, "0")
	frac = bytes.TrimRight(frac, "0")
	return neg, intPart, frac
}

func compareMagnitude(ai, af, bi, bf []byte) int {
	if len(ai) != len(bi) {
		return cmpOrdered(int64(len(ai)), int64(len(bi)))
	}
	if c := bytes.Compare(ai, bi); c != 0 {
		return c
	}
	return bytes.Compare(af, bf) // no trailing zeros: byte order is numeric order
}

// parseTimeText reads a DATE, DATETIME or TIMESTAMP value written as text
// ("2025-03-15", "2025-03-15 10:00:00.5") as a UTC time; unreadable text is
// the zero time, which sorts first.
func parseTimeText(b []byte) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, string(b)); err == nil {
			return t
		}
	}
	return time.Time{}
}
