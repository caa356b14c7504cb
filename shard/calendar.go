package shard

import (
	"strings"
	"time"
)

// parseCalendar expands the body of a calendar placeholder
// ${FROM..TO|UNIT|LAYOUT}: the start of every period of UNIT from the one
// holding FROM to the one holding TO, formatted with LAYOUT.
func parseCalendar(expr, ph, body string) ([]string, error) {
	parts := strings.Split(body, "|")
	if len(parts) != 3 {
		return nil, exprErrorf(expr, "calendar placeholder %s needs FROM..TO|UNIT|LAYOUT, as in ${2025-01..2025-12|month|200601}", ph)
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	unit, ok := parseUnit(parts[1])
	if !ok {
		return nil, exprErrorf(expr, "calendar placeholder %s has unit %q; use day, week, month or year", ph, parts[1])
	}
	lo, hi, ok := strings.Cut(parts[0], "..")
	if !ok {
		return nil, exprErrorf(expr, "calendar placeholder %s has range %q; write it FROM..TO, as in 2025-01..2025-12", ph, parts[0])
	}
	from, err := parseCalendarDate(expr, ph, unit, strings.TrimSpace(lo))
	if err != nil {
		return nil, err
	}
	to, err := parseCalendarDate(expr, ph, unit, strings.TrimSpace(hi))
	if err != nil {
		return nil, err
	}
	if from.After(to) {
		return nil, exprErrorf(expr, "calendar placeholder %s starts after it ends", ph)
	}
	layout := parts[2]
	if _, err := checkLayout(unit, layout); err != nil {
		return nil, exprErrorf(expr, "calendar placeholder %s: %v", ph, err)
	}
	last := unit.start(to)
	var out []string
	for p := unit.start(from); !p.After(last); p = unit.next(p) {
		if len(out) == MaxNodes {
			return nil, exprErrorf(expr, "calendar placeholder %s expands to more than %d nodes", ph, MaxNodes)
		}
		out = append(out, p.Format(layout))
	}
	return out, nil
}

// parseCalendarDate parses FROM or TO of a calendar placeholder: YYYY,
// YYYY-MM or YYYY-MM-DD, at least as precise as unit so that the period it
// names is clear.
func parseCalendarDate(expr, ph string, unit Unit, s string) (time.Time, error) {
	layouts := [...]struct {
		layout string
		names  Unit // the finest unit a date in this layout names
	}{
		{"2006", Year},
		{"2006-01", Month},
		{"2006-01-02", Day},
	}
	for _, l := range layouts {
		if len(s) != len(l.layout) {
			continue
		}
		t, err := time.Parse(l.layout, s)
		if err != nil || t.Format(l.layout) != s {
			break
		}
		if l.names > unit {
			want := "YYYY-MM"
			if unit != Month {
				want = "YYYY-MM-DD"
			}
			return time.Time{}, exprErrorf(expr, "calendar placeholder %s has date %q, which does not name one %s; write FROM and TO as %s", ph, s, unit, want)
		}
		return t, nil
	}
	return time.Time{}, exprErrorf(expr, "calendar placeholder %s has date %q, which is not a valid YYYY, YYYY-MM or YYYY-MM-DD date", ph, s)
}
