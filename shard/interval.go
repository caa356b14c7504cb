package shard

import (
	"fmt"
	"time"
)

// Interval returns an algorithm that places a time value in the node for the
// period holding it: its day, its ISO week (starting Monday), its month or
// its year, as unit says. Each node's physical table name ends with the
// start of its period formatted with suffixFormat, a fixed-width Go time
// layout that can name every period of the unit: e.g. Interval(Month,
// "200601") with nodes t_log_202501, t_log_202502, …, or Interval(Week,
// "20060102") with t_log_20251229 (a Monday), t_log_20260105, …. A calendar
// placeholder writes such nodes compactly:
// "ds0.t_log_${2025-01..2025-12|month|200601}" (see ExpandNodes).
//
// Interval implements TableAlgorithm: Topology.AddTable reads each node's
// period from its table name and fails if a suffix does not parse, is not
// the start of a period, or two nodes hold the same period. Nodes may be in
// any order and need not cover a contiguous run of periods;
// Topology.AddNodes adds nodes for later periods to a registered table. The
// bound algorithm implements RangeAlgorithm, so range conditions prune to
// the nodes whose periods they touch.
//
// Accepted values are time.Time, placed by its UTC wall clock (t.UTC()),
// which is what go-sql-driver/mysql stores with its default loc=UTC (the
// router first moves a time.Time to the wall clock of its data sources'
// loc DSN parameter, which is what the server stores), and
// MySQL date and datetime literals as string or []byte: "2025-03-15",
// "2025-03-15 10:00:00", "2025-03-15 10:00:00.123456", also with 'T' between
// date and time. Literals are read as written, with no time zone
// conversion. Any other value, including NULL, is an error; a value in no
// node's period is an error wrapping ErrNoNode that names the table needed.
func Interval(unit Unit, suffixFormat string) Algorithm {
	a := intervalAlgorithm{unit: unit, layout: suffixFormat}
	if !unit.valid() {
		a.err = fmt.Errorf("shardsql: interval: unknown unit %s; use shard.Day, shard.Week, shard.Month or shard.Year", unit)
		return a
	}
	width, err := checkLayout(unit, suffixFormat)
	if err != nil {
		a.err = fmt.Errorf("shardsql: interval: %w", err)
		return a
	}
	a.width = width
	return a
}

// intervalAlgorithm implements Interval before it is bound to nodes.
type intervalAlgorithm struct {
	unit   Unit
	layout string
	width  int   // length of a formatted suffix
	err    error // why unit or layout is unusable
}

// Name implements Algorithm.
func (intervalAlgorithm) Name() string { return "interval" }

// Shard implements Algorithm. An unbound Interval has no nodes to choose
// from, so it always fails.
func (a intervalAlgorithm) Shard(any, int) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	return 0, fmt.Errorf("shardsql: interval: the algorithm has not seen the table's nodes; register the table with Topology.AddTable, which binds it with ForNodes")
}

// ForNodes implements TableAlgorithm: it reads every node's period from the
// suffix of its table name.
func (a intervalAlgorithm) ForNodes(nodes []Node) (Algorithm, error) {
	if a.err != nil {
		return nil, a.err
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("shardsql: interval: the table has no nodes; give it one node per %s", a.unit)
	}
	b := &boundInterval{
		unit:    a.unit,
		layout:  a.layout,
		starts:  make([]time.Time, len(nodes)),
		byStart: make(map[int64]int, len(nodes)),
	}
	example := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Format(a.layout)
	for i, n := range nodes {
		if len(n.Table) < a.width {
			return nil, fmt.Errorf("shardsql: interval: node %s: table name is shorter than a %d-character %q suffix; name the tables like t_log_%s",
				n, a.width, a.layout, example)
		}
		prefix, suffix := n.Table[:len(n.Table)-a.width], n.Table[len(n.Table)-a.width:]
		start, err := time.Parse(a.layout, suffix)
		if err != nil || start.Format(a.layout) != suffix {
			return nil, fmt.Errorf("shardsql: interval: node %s: table suffix %q is not a date in layout %q; name the tables like %s%s",
				n, suffix, a.layout, prefix, example)
		}
		if p := a.unit.start(start); !p.Equal(start) {
			what := start.Format(time.DateOnly)
			if a.unit == Week {
				what += ", a " + start.Weekday().String() + " (weeks start on Monday)"
			}
			return nil, fmt.Errorf("shardsql: interval: node %s: table suffix %q is %s, which does not start a %s; use %s%s for %s",
				n, suffix, what, a.unit, prefix, p.Format(a.layout), a.unit.describe(p))
		}
		if j, dup := b.byStart[start.Unix()]; dup {
			return nil, fmt.Errorf("shardsql: interval: nodes %s and %s both hold %s; give each %s exactly one node",
				nodes[j], n, a.unit.describe(start), a.unit)
		}
		if i == 0 {
			b.prefix = prefix
		}
		b.starts[i] = start
		b.byStart[start.Unix()] = i
	}
	return b, nil
}

// boundInterval implements Interval bound to a table's nodes. It is
// immutable.
type boundInterval struct {
	unit    Unit
	layout  string
	prefix  string        // the first node's table name without its suffix
	starts  []time.Time   // period start of each node, by node index
	byStart map[int64]int // Unix seconds of a period start → node index
}

// Name implements Algorithm.
func (*boundInterval) Name() string { return "interval" }

// checkN rejects a node count other than the one the algorithm was bound to.
func (b *boundInterval) checkN(n int) error {
	if n != len(b.starts) {
		return fmt.Errorf("shardsql: interval: the algorithm was bound to %d nodes but is asked about %d; bind it to the table's nodes with ForNodes", len(b.starts), n)
	}
	return nil
}

// Shard implements Algorithm.
func (b *boundInterval) Shard(value any, n int) (int, error) {
	if err := b.checkN(n); err != nil {
		return 0, err
	}
	t, err := timeValue("interval", value)
	if err != nil {
		return 0, err
	}
	start := b.unit.start(t)
	if i, ok := b.byStart[start.Unix()]; ok {
		return i, nil
	}
	return 0, &noNodeError{alg: "interval", value: formatTime(t), table: b.prefix + start.Format(b.layout)}
}

// ShardRange implements RangeAlgorithm: it returns the nodes whose period
// [start, next start) meets r. An exclusive low bound is treated as if the
// column could hold any instant after it, whatever its precision.
func (b *boundInterval) ShardRange(r ValueRange, n int) ([]int, error) {
	if err := b.checkN(n); err != nil {
		return nil, err
	}
	var lo, hi time.Time
	var err error
	if r.Low.Set {
		if lo, err = timeValue("interval", r.Low.Value); err != nil {
			return nil, err
		}
	}
	if r.High.Set {
		if hi, err = timeValue("interval", r.High.Value); err != nil {
			return nil, err
		}
	}
	out := []int{}
	if r.Low.Set && r.High.Set && (lo.After(hi) || (lo.Equal(hi) && !(r.Low.Inclusive && r.High.Inclusive))) {
		return out, nil
	}
	for i, start := range b.starts {
		if r.Low.Set && !lo.Before(b.unit.next(start)) {
			continue
		}
		if r.High.Set && (start.After(hi) || (start.Equal(hi) && !r.High.Inclusive)) {
			continue
		}
		out = append(out, i)
	}
	return out, nil
}

// ForNodes implements TableAlgorithm: it binds the same unit and layout to
// another set of nodes, as Topology.AddNodes does.
func (b *boundInterval) ForNodes(nodes []Node) (Algorithm, error) {
	return Interval(b.unit, b.layout).(TableAlgorithm).ForNodes(nodes)
}

// placementDiff implements placementComparer.
func (b *boundInterval) placementDiff(other Algorithm) string {
	o, ok := other.(*boundInterval)
	if !ok {
		return fmt.Sprintf("one is shard.Interval and the other a %T", other)
	}
	if b.unit != o.unit {
		return fmt.Sprintf("one has a node per %s, the other per %s", b.unit, o.unit)
	}
	if len(b.starts) != len(o.starts) {
		return fmt.Sprintf("one has %d nodes, the other %d", len(b.starts), len(o.starts))
	}
	for i := range b.starts {
		if !b.starts[i].Equal(o.starts[i]) {
			return fmt.Sprintf("node %d holds %s in one and %s in the other", i, b.unit.describe(b.starts[i]), o.unit.describe(o.starts[i]))
		}
	}
	return ""
}
