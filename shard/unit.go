package shard

import (
	"fmt"
	"strings"
	"time"
)

// Unit is the length of the periods an Interval algorithm and a calendar
// placeholder in a node expression work with.
type Unit int

// The units. A Week is an ISO week: it starts on Monday.
const (
	Day Unit = iota
	Week
	Month
	Year
)

// String returns the unit's lower-case name as written in a calendar
// placeholder: "day", "week", "month" or "year".
func (u Unit) String() string {
	switch u {
	case Day:
		return "day"
	case Week:
		return "week"
	case Month:
		return "month"
	case Year:
		return "year"
	}
	return fmt.Sprintf("Unit(%d)", int(u))
}

// valid reports whether u is one of the defined units.
func (u Unit) valid() bool { return u >= Day && u <= Year }

// parseUnit reads a unit name as written in a calendar placeholder.
func parseUnit(s string) (Unit, bool) {
	for u := Day; u <= Year; u++ {
		if strings.EqualFold(s, u.String()) {
			return u, true
		}
	}
	return 0, false
}

// start returns the start of the period of unit u that holds t, in UTC.
// t must already be in UTC.
func (u Unit) start(t time.Time) time.Time {
	y, m, d := t.Date()
	switch u {
	case Week:
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		return day.AddDate(0, 0, -back)
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case Year:
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// next returns the start of the period after the one starting at start.
func (u Unit) next(start time.Time) time.Time {
	switch u {
	case Week:
		return start.AddDate(0, 0, 7)
	case Month:
		return start.AddDate(0, 1, 0)
	case Year:
		return start.AddDate(1, 0, 0)
	}
	return start.AddDate(0, 0, 1)
}

// describe names the period of unit u starting at start for error messages,
// e.g. "the month starting 2025-01-01".
func (u Unit) describe(start time.Time) string {
	return fmt.Sprintf("the %s starting %s", u, start.Format(time.DateOnly))
}

// layoutExample is a layout that names every period of a unit, suggested in
// error messages.
func (u Unit) layoutExample() string {
	switch u {
	case Day, Week:
		return "20060102"
	case Month:
		return "200601"
	}
	return "2006"
}

// checkLayout checks that layout, a Go time layout, formats every period
// start of unit u as text of one fixed width that parses back to the same
// period start, and returns that width.
func checkLayout(u Unit, layout string) (int, error) {
	if layout == "" {
		return 0, fmt.Errorf("time layout is empty; use a Go layout such as %q", u.layoutExample())
	}
	// Neighbouring periods of these dates cover one- and two-digit months
	// and days, every weekday, year ends and a leap day.
	samples := [...]time.Time{
		time.Date(1999, 12, 27, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 26, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 5, 9, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC),
	}
	width := -1
	for _, from := range samples {
		for p, i := u.start(from), 0; i < 3; p, i = u.next(p), i+1 {
			s := p.Format(layout)
			if width < 0 {
				width = len(s)
			} else if len(s) != width {
				return 0, fmt.Errorf("time layout %q is not fixed-width (it formats %s as %q but other dates with %d characters); use zero-padded fields such as %q",
					layout, p.Format(time.DateOnly), s, width, u.layoutExample())
			}
			back, err := time.Parse(layout, s)
			if err != nil || !back.Equal(p) {
				return 0, fmt.Errorf("time layout %q cannot name every %s (it formats %s as %q, which does not read back as that date); for %s use a layout such as %q",
					layout, u, u.describe(p), s, u, u.layoutExample())
			}
		}
	}
	if width == 0 {
		return 0, fmt.Errorf("time layout %q formats dates as empty text; use a Go layout such as %q", layout, u.layoutExample())
	}
	return width, nil
}
