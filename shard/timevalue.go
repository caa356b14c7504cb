package shard

import (
	"fmt"
	"reflect"
	"time"
)

// timeHint tells the user what Interval can shard.
const timeHint = "use a time.Time or a 'YYYY-MM-DD[ hh:mm:ss[.ffffff]]' literal"

// timeValue converts a sharding value to the UTC time it stands for.
//
// A time.Time counts by its UTC wall clock, which is what go-sql-driver/mysql
// writes with its default loc=UTC. Strings and byte slices are MySQL date and
// datetime literals: "2025-03-15", "2025-03-15 10:00:00" and
// "2025-03-15 10:00:00.123456", with ' ' or 'T' between date and time and 1
// to 6 fraction digits.
func timeValue(alg string, v any) (time.Time, error) {
	var s string
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Round(0), nil
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		if v == nil {
			return time.Time{}, newValueError(alg, v, timeHint)
		}
		rv := reflect.ValueOf(v)
		switch {
		case rv.Kind() == reflect.String:
			s = rv.String()
		case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
			s = string(rv.Bytes())
		default:
			return time.Time{}, newValueError(alg, v, timeHint)
		}
	}
	t, ok := parseDateTime(s)
	if !ok {
		return time.Time{}, newValueError(alg, v, fmt.Sprintf("%s is not a valid date or datetime; %s", quoteShort(s), timeHint))
	}
	return t, nil
}

// parseDateTime parses a MySQL date or datetime literal strictly.
func parseDateTime(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false
	}
	var h, mi, sec, nsec int
	if rest := s[10:]; rest != "" {
		if len(rest) < 9 || (rest[0] != ' ' && rest[0] != 'T') || rest[3] != ':' || rest[6] != ':' {
			return time.Time{}, false
		}
		var ok4, ok5, ok6 bool
		h, ok4 = digits(rest[1:3])
		mi, ok5 = digits(rest[4:6])
		sec, ok6 = digits(rest[7:9])
		if !ok4 || !ok5 || !ok6 {
			return time.Time{}, false
		}
		if frac := rest[9:]; frac != "" {
			if frac[0] != '.' || len(frac) < 2 || len(frac) > 7 {
				return time.Time{}, false
			}
			f, ok := digits(frac[1:])
			if !ok {
				return time.Time{}, false
			}
			for i := len(frac) - 1; i < 9; i++ {
				f *= 10
			}
			nsec = f
		}
	}
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC)
	if t.Day() != d { // e.g. 2025-02-30 normalized to March
		return time.Time{}, false
	}
	return t, true
}

// digits parses a non-empty string of ASCII digits.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// quoteShort quotes s for an error message, shortening long values.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return fmt.Sprintf("%q…", s[:limit])
	}
	return fmt.Sprintf("%q", s)
}

// formatTime formats a time for error messages in MySQL's datetime style,
// with fraction digits only when needed.
func formatTime(t time.Time) string {
	return t.Format("2006-01-02 15:04:05.999999999")
}
