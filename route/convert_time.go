package route

import (
	"strconv"
	"time"

	"github.com/shardsql/shardsql/internal/schema"
)

// temporalKey converts v for a DATE, DATETIME or TIMESTAMP column. MySQL
// reads many spellings of one instant ('2025-04-04', '20250404',
// '2025/4/4', 20250404, '2025-04-04T00:00:00'); a time sharding algorithm
// must see the instant, not the spelling, or a read of '20250404' would be
// refused (or routed by text) while the server finds the row. The
// spellings read here are the ones MySQL reads without guessing: delimited
// dates and datetimes with 4-digit years, and the compact 8 and 14 digit
// forms as text or as numbers. Anything else (2-digit years, zero dates,
// out-of-range fields, other types) is unknown: reads go to every node,
// writes are refused.
func temporalKey(col *schema.Column, v any, use keyUse) key {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case uint64:
		s = strconv.FormatUint(x, 10)
	default:
		return unknownKey("a %T value for %s column", v, col.DataType)
	}
	t, ok := parseMySQLDateTime(s)
	if !ok {
		return unknownKey("%s is not a date or datetime shardsql reads exactly as the server does (write 'YYYY-MM-DD[ hh:mm:ss[.ffffff]]')", quoteValue(s))
	}
	return fractionKey(col, t, use)
}

// fractionKey is the key of t (a UTC wall clock) for col, given fractional
// digits beyond those the server keeps: the column's precision (DATETIME
// is DATETIME(0); a time.Time argument carries nanoseconds and
// go-sql-driver sends all nine digits). A stored value is cut to it, and
// so is a compared one where the server looks it up in an index on the
// column (WHERE at = '2025-06-30 23:59:59.9' finds the row of 23:59:59,
// or under TIME_ROUND_FRACTIONAL of July 1st 00:00:00). The hazard: MariaDB truncates the extra digits by default but
// rounds them under sql_mode TIME_ROUND_FRACTIONAL, and MySQL rounds by
// default; rounding up carries into the next second, and from 23:59:59
// into the next day, which a Day, Week, Month or Year interval places on
// another node. Found by the write attack suite: under
// TIME_ROUND_FRACTIONAL, INSERT … VALUES ('2025-06-30 23:59:59.9') into a
// monthly DATETIME table stored 2025-07-01 00:00:00 in June's table, and
// WHERE at = ? with 23:59:59.9999996 read June's table while the server
// matched July 1st's row. Which rule a server follows shardsql cannot see
// (the mode may be global or set per session), so a value whose truncated
// and rounded forms fall on different days is unknown: reads go to every
// node and writes are refused. Other values are placed by their truncated
// form (the day is the same either way). A DATE column stores the date
// alone and never rounds into the next day.
func fractionKey(col *schema.Column, t time.Time, use keyUse) key {
	if use == keyStore && col != nil && col.DataType == "timestamp" && (t.Before(timestampLow) || t.After(timestampHigh)) {
		return unknownKey("%s is at or beyond the edge of a TIMESTAMP column's range (1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC, read in the session's time zone), which the server stores as 0000-00-00 00:00:00 outside strict sql_mode; use a DATETIME column for such times",
			quoteValue(t.Format("2006-01-02 15:04:05.999999999")))
	}
	digits := 6
	switch {
	case col == nil:
	case col.DataType != "date":
		digits = min(max(col.Scale, 0), 6)
	case use == keyStore:
		return exactKey(t)
	default:
		digits = 0 // a DATE compared through its index: the fraction is cut or rounded as for DATETIME(0)
	}
	unit := time.Duration(1)
	for i := digits; i < 9; i++ {
		unit *= 10
	}
	trunc := t.Truncate(unit)
	if trunc.Equal(t) {
		return exactKey(t)
	}
	if t.Sub(trunc)*2 >= unit {
		up := trunc.Add(unit)
		if up.YearDay() != trunc.YearDay() || up.Year() != trunc.Year() {
			return unknownKey("%s has more fractional digits than the %d the server keeps, and rounding them (sql_mode TIME_ROUND_FRACTIONAL; MySQL's default) carries into the next day while truncating them (MariaDB's default) does not; write the value at the column's precision",
				quoteValue(t.Format("2006-01-02 15:04:05.999999999")), digits)
		}
	}
	k := exactKey(trunc)
	k.inexact = true
	return k
}

// timestampLow and timestampHigh bound the wall clocks a TIMESTAMP
// column stores as written, in any session time zone (±14 hours) and
// rounding (a second): MariaDB 10.11 keeps 1970-01-01 00:00:01 to
// 2038-01-19 03:14:07 UTC. Hazard (time22): outside strict sql_mode the
// server stores a time beyond them as 0000-00-00 00:00:00 with a warning;
// INSERT … ('2039-06-01') into a yearly TIMESTAMP table put that zero row
// in 2039's table, where WHERE k < '1970-06-01' (which one table answers
// with the zero row) does not look. A stored key within a day of the
// edges is refused (reads compare as before: no row holds such a time).
var (
	timestampLow  = time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)
	timestampHigh = time.Date(2038, 1, 18, 0, 0, 0, 0, time.UTC)
)

// parseMySQLDateTime parses the spellings temporalKey documents into the
// UTC time with the same wall clock.
func parseMySQLDateTime(s string) (time.Time, bool) {
	if len(s) > 0 && allDigits(s) {
		switch len(s) {
		case 8:
			return makeTime(s[0:4], s[4:6], s[6:8], "0", "0", "0", "")
		case 14:
			return makeTime(s[0:4], s[4:6], s[6:8], s[8:10], s[10:12], s[12:14], "")
		}
		return time.Time{}, false
	}
	// Delimited: YYYY<p>M<p>D[( |T)h<p>m<p>s[.frac]] where <p> is one
	// punctuation character, fields of one or two digits (four for the year).
	fields := make([]string, 0, 7)
	i := 0
	for field := 0; field < 6; field++ {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i {
			return time.Time{}, false
		}
		fields = append(fields, s[i:j])
		i = j
		if i == len(s) {
			break
		}
		if field == 5 {
			break
		}
		sep := s[i]
		switch {
		case field == 2 && (sep == ' ' || sep == 'T'):
		case field != 2 && isDatePunct(sep):
		default:
			return time.Time{}, false
		}
		i++
	}
	frac := ""
	if i < len(s) {
		if len(fields) != 6 || s[i] != '.' || len(s)-i-1 < 1 || len(s)-i-1 > 6 || !allDigits(s[i+1:]) {
			return time.Time{}, false
		}
		frac = s[i+1:]
	}
	switch len(fields) {
	case 3:
		fields = append(fields, "0", "0", "0")
	case 6:
	default:
		return time.Time{}, false
	}
	if len(fields[0]) != 4 {
		return time.Time{}, false // a 2-digit year: MySQL's 70/69 window, not guessed
	}
	for _, f := range fields[1:] {
		if len(f) > 2 {
			return time.Time{}, false
		}
	}
	return makeTime(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], frac)
}

// makeTime builds the time from decimal fields, rejecting what MySQL
// rejects or turns into a zero date (month 0, day 0, February 30).
func makeTime(ys, mos, ds, hs, mis, ss, frac string) (time.Time, bool) {
	y, _ := strconv.Atoi(ys)
	mo, _ := strconv.Atoi(mos)
	d, _ := strconv.Atoi(ds)
	h, _ := strconv.Atoi(hs)
	mi, _ := strconv.Atoi(mis)
	sec, _ := strconv.Atoi(ss)
	nsec := 0
	if frac != "" {
		f, _ := strconv.Atoi(frac)
		for k := len(frac); k < 9; k++ {
			f *= 10
		}
		nsec = f
	}
	if y < 1000 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isDatePunct reports a delimiter MySQL accepts between date and time
// fields.
func isDatePunct(b byte) bool {
	switch b {
	case '-', '/', '.', ':', '^', '@', '+', '=', '_', '!', '~':
		return true
	}
	return false
}
