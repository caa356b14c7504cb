package shard

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxNodes is the most nodes one node expression may expand to.
const MaxNodes = 100000

// Node is one physical table on one data source.
type Node struct {
	// DataSource is the name of a registered data source, e.g. "ds0".
	DataSource string
	// Table is the physical table name, e.g. "t_order_1".
	Table string
}

// String returns "dataSource.table", e.g. "ds0.t_order_1".
func (n Node) String() string { return n.DataSource + "." + n.Table }

// ExpandNodes expands a node expression into nodes, in expansion order.
//
// An expression is one or more comma-separated groups, each
// "<dataSource>.<table>". Either part may contain placeholders:
// ${a..b} is the inclusive integer range a to b (zero padding kept as
// written, so ${00..11} gives 00, 01, …, 11) and ${x,y,z} is a list.
// ${FROM..TO|UNIT|LAYOUT} is a calendar range, for Interval tables: the start
// of every period of UNIT (day, week, month or year; weeks start on Monday)
// from the one holding FROM to the one holding TO, formatted with the Go time
// layout LAYOUT. FROM and TO are dates written YYYY-MM-DD, YYYY-MM or YYYY,
// at least as precise as UNIT:
//
//	ds0.t_log_${2025-11..2026-02|month|200601}  →  ds0.t_log_202511, ds0.t_log_202512, ds0.t_log_202601, ds0.t_log_202602
//	ds0.t_log_${2025-12-29..2026-01-11|week|20060102}  →  ds0.t_log_20251229, ds0.t_log_20260105
//
// Several placeholders in one group give their Cartesian product with the
// leftmost varying slowest:
//
//	ds${0..1}.t_order_${0..1}  →  ds0.t_order_0, ds0.t_order_1, ds1.t_order_0, ds1.t_order_1
//
// Data source names may hold [A-Za-z0-9_-], table names [A-Za-z0-9_$].
// An expression may expand to at most MaxNodes nodes and must not name the
// same node twice.
func ExpandNodes(expr string) ([]Node, error) {
	nodes, err := expandNodes(expr)
	if err != nil {
		return nil, fmt.Errorf("shardsql: %w", err)
	}
	return nodes, nil
}

// expandNodes is ExpandNodes with errors that lack the "shardsql: " prefix.
func expandNodes(expr string) ([]Node, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, exprErrorf(expr, "is empty; want e.g. \"ds${0..1}.t_order_${0..3}\"")
	}
	var nodes []Node
	seen := make(map[Node]bool)
	for i, group := range splitGroups(expr) {
		group = strings.TrimSpace(group)
		if group == "" {
			return nil, exprErrorf(expr, "group %d is empty (stray comma?)", i+1)
		}
		got, err := expandGroup(expr, group, MaxNodes-len(nodes))
		if err != nil {
			return nil, err
		}
		for _, n := range got {
			if seen[n] {
				return nil, exprErrorf(expr, "node %s appears more than once", n)
			}
			seen[n] = true
		}
		nodes = append(nodes, got...)
	}
	return nodes, nil
}

// splitGroups splits expr at commas outside ${...}. Malformed braces are left
// for expandGroup to report.
func splitGroups(expr string) []string {
	var groups []string
	start, inside := 0, false
	for i := 0; i < len(expr); i++ {
		switch {
		case expr[i] == '$' && i+1 < len(expr) && expr[i+1] == '{':
			inside = true
			i++
		case expr[i] == '}':
			inside = false
		case expr[i] == ',' && !inside:
			groups = append(groups, expr[start:i])
			start = i + 1
		}
	}
	return append(groups, expr[start:])
}

// segment is a piece of a name: literal text, or a placeholder's choices.
type segment struct {
	lit     string
	choices []string // nil for a literal
}

// expandGroup expands one trimmed group into at most limit nodes.
func expandGroup(expr, group string, limit int) ([]Node, error) {
	dot, err := findDot(expr, group)
	if err != nil {
		return nil, err
	}
	dsPart, tablePart := group[:dot], group[dot+1:]
	if dsPart == "" {
		return nil, exprErrorf(expr, "group %q has an empty data source part before the '.'", group)
	}
	if tablePart == "" {
		return nil, exprErrorf(expr, "group %q has an empty table part after the '.'", group)
	}
	dsSegs, err := parsePart(expr, group, dsPart)
	if err != nil {
		return nil, err
	}
	tableSegs, err := parsePart(expr, group, tablePart)
	if err != nil {
		return nil, err
	}

	var places [][]string // choices of every placeholder, left to right
	total := 1
	for _, s := range append(append([]segment(nil), dsSegs...), tableSegs...) {
		if s.choices == nil {
			continue
		}
		places = append(places, s.choices)
		if total > limit/len(s.choices) {
			return nil, exprErrorf(expr, "expands to more than %d nodes", MaxNodes)
		}
		total *= len(s.choices)
	}

	nodes := make([]Node, 0, total)
	pick := make([]int, len(places)) // odometer; the last placeholder varies fastest
	for {
		p := 0
		ds := render(dsSegs, pick, &p)
		table := render(tableSegs, pick, &p)
		if !validName(ds, "-") {
			return nil, exprErrorf(expr, "data source name %q (from group %q) has characters outside [A-Za-z0-9_-]", ds, group)
		}
		if !validName(table, "$") {
			return nil, exprErrorf(expr, "table name %q (from group %q) has characters outside [A-Za-z0-9_$]", table, group)
		}
		nodes = append(nodes, Node{DataSource: ds, Table: table})

		i := len(pick) - 1
		for ; i >= 0; i-- {
			pick[i]++
			if pick[i] < len(places[i]) {
				break
			}
			pick[i] = 0
		}
		if i < 0 {
			return nodes, nil
		}
	}
}

// findDot returns the index of the single '.' outside ${...} in group,
// checking on the way that every ${ is closed, none is nested and no } is
// stray.
func findDot(expr, group string) (int, error) {
	dot, inside := -1, false
	for i := 0; i < len(group); i++ {
		c := group[i]
		switch {
		case c == '$' && i+1 < len(group) && group[i+1] == '{':
			if inside {
				return 0, exprErrorf(expr, "group %q has a nested \"${\"; placeholders cannot contain placeholders", group)
			}
			inside = true
			i++
		case c == '}':
			if !inside {
				return 0, exprErrorf(expr, "group %q has a '}' without a matching \"${\"", group)
			}
			inside = false
		case c == '.' && !inside:
			if dot >= 0 {
				return 0, exprErrorf(expr, "group %q has more than one '.' outside ${...}; want <dataSource>.<table>", group)
			}
			dot = i
		}
	}
	if inside {
		return 0, exprErrorf(expr, "group %q has an unclosed \"${\"", group)
	}
	if dot < 0 {
		return 0, exprErrorf(expr, "group %q has no '.'; want <dataSource>.<table>", group)
	}
	return dot, nil
}

// parsePart splits one side of a group into literal and placeholder
// segments. Braces have already been checked by findDot.
func parsePart(expr, group, part string) ([]segment, error) {
	var segs []segment
	for part != "" {
		open := strings.Index(part, "${")
		if open < 0 {
			segs = append(segs, segment{lit: part})
			break
		}
		if open > 0 {
			segs = append(segs, segment{lit: part[:open]})
		}
		end := strings.IndexByte(part[open:], '}') + open
		choices, err := parsePlaceholder(expr, group, part[open+2:end])
		if err != nil {
			return nil, err
		}
		segs = append(segs, segment{choices: choices})
		part = part[end+1:]
	}
	return segs, nil
}

// parsePlaceholder expands the body of ${...}: a calendar range
// FROM..TO|UNIT|LAYOUT, an integer range a..b or a list x,y,z.
func parsePlaceholder(expr, group, body string) ([]string, error) {
	ph := "${" + body + "}"
	if strings.TrimSpace(body) == "" {
		return nil, exprErrorf(expr, "group %q has an empty placeholder \"${}\"", group)
	}
	if strings.Contains(body, "|") {
		return parseCalendar(expr, ph, body)
	}
	if lo, hi, ok := strings.Cut(body, ".."); ok {
		return parseRange(expr, ph, strings.TrimSpace(lo), strings.TrimSpace(hi))
	}
	items := strings.Split(body, ",")
	for i, item := range items {
		items[i] = strings.TrimSpace(item)
		if items[i] == "" {
			return nil, exprErrorf(expr, "list %s has an empty item", ph)
		}
	}
	return items, nil
}

// parseRange expands the inclusive range lo..hi of placeholder ph.
func parseRange(expr, ph, lo, hi string) ([]string, error) {
	if lo == "" || hi == "" {
		return nil, exprErrorf(expr, "range %s needs both bounds, as in ${0..3}", ph)
	}
	from, err := parseBound(expr, ph, lo)
	if err != nil {
		return nil, err
	}
	to, err := parseBound(expr, ph, hi)
	if err != nil {
		return nil, err
	}
	if from > to {
		return nil, exprErrorf(expr, "range %s starts after it ends", ph)
	}
	if to-from >= MaxNodes {
		return nil, exprErrorf(expr, "range %s expands to more than %d nodes", ph, MaxNodes)
	}
	width := 0
	if (len(lo) > 1 && lo[0] == '0') || (len(hi) > 1 && hi[0] == '0') {
		width = max(len(lo), len(hi))
	}
	out := make([]string, 0, to-from+1)
	for v := from; ; v++ {
		s := strconv.FormatUint(v, 10)
		if len(s) < width {
			s = strings.Repeat("0", width-len(s)) + s
		}
		out = append(out, s)
		if v == to {
			return out, nil
		}
	}
}

// parseBound parses one range bound: a non-negative decimal integer.
func parseBound(expr, ph, s string) (uint64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, exprErrorf(expr, "range %s has bound %q, which is not a non-negative integer", ph, s)
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, exprErrorf(expr, "range %s has bound %q, which is too large", ph, s)
	}
	return v, nil
}

// render concatenates segs, taking placeholder choices from pick starting at
// *p and advancing *p past the placeholders used.
func render(segs []segment, pick []int, p *int) string {
	var b strings.Builder
	for _, s := range segs {
		if s.choices == nil {
			b.WriteString(s.lit)
			continue
		}
		b.WriteString(s.choices[pick[*p]])
		*p++
	}
	return b.String()
}

// validName reports whether s is non-empty and made of ASCII letters, digits,
// '_' and the characters in extra.
func validName(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}
