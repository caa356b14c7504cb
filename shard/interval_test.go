package shard_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// intervalTable registers t_log(created_at) with nodes and Interval(unit,
// layout) on ds0 and ds1 and returns it.
func intervalTable(t *testing.T, unit shard.Unit, layout, nodes string) *shard.ShardedTable {
	t.Helper()
	topo := newTopo(t)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_log", Column: "created_at", Nodes: nodes, Algorithm: shard.Interval(unit, layout)}))
	st, ok := topo.Table("t_log")
	require.True(t, ok)
	return st
}

// date is a UTC time for tests.
func date(y int, m time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, m, d, h, mi, s, ns, time.UTC)
}

func TestIntervalShard(t *testing.T) {
	type text string // a defined string type
	plus1 := time.FixedZone("UTC+1", 3600)
	minus5 := time.FixedZone("UTC-5", -5*3600)
	const (
		months = "ds0.t_log_${2024-01..2024-12|month|200601}, ds1.t_log_${2025-01..2025-12|month|200601}"
		days   = "ds0.t_log_${2024-02-27..2024-03-02|day|20060102}"
		weeks  = "ds0.t_log_${2020-12-21..2021-01-10|week|20060102}, ds1.t_log_${2025-12-22..2026-01-11|week|20060102}"
		years  = "ds0.t_log_${2023..2026|year|2006}"
	)
	tests := []struct {
		name   string
		unit   shard.Unit
		layout string
		nodes  string
		value  any
		want   string // physical table
	}{
		{"month: last instant of January", shard.Month, "200601", months, "2025-01-31 23:59:59.999999", "t_log_202501"},
		{"month: first instant of February", shard.Month, "200601", months, "2025-02-01", "t_log_202502"},
		{"month: year end", shard.Month, "200601", months, "2024-12-31 23:59:59", "t_log_202412"},
		{"month: new year", shard.Month, "200601", months, "2025-01-01 00:00:00", "t_log_202501"},
		{"month: leap day", shard.Month, "200601", months, "2024-02-29", "t_log_202402"},
		{"month: leap day evening", shard.Month, "200601", months, "2024-02-29 23:00:00", "t_log_202402"},
		{"month: T separator", shard.Month, "200601", months, "2025-03-15T10:00:00", "t_log_202503"},
		{"month: fraction", shard.Month, "200601", months, "2025-03-15 10:00:00.1", "t_log_202503"},
		{"month: bytes", shard.Month, "200601", months, []byte("2025-04-01 00:00:00.5"), "t_log_202504"},
		{"month: defined string type", shard.Month, "200601", months, text("2025-05-05"), "t_log_202505"},
		{"month: time.Time in UTC", shard.Month, "200601", months, date(2025, 6, 30, 23, 59, 59, 999999999), "t_log_202506"},
		{"month: time.Time east of UTC counts by UTC", shard.Month, "200601", months, time.Date(2025, 3, 1, 0, 30, 0, 0, plus1), "t_log_202502"},
		{"month: time.Time west of UTC counts by UTC", shard.Month, "200601", months, time.Date(2025, 1, 31, 20, 0, 0, 0, minus5), "t_log_202502"},

		{"day: before leap day", shard.Day, "20060102", days, "2024-02-28 23:59:59.999999", "t_log_20240228"},
		{"day: leap day", shard.Day, "20060102", days, "2024-02-29", "t_log_20240229"},
		{"day: end of leap day", shard.Day, "20060102", days, "2024-02-29 23:59:59", "t_log_20240229"},
		{"day: after leap day", shard.Day, "20060102", days, "2024-03-01 00:00:00", "t_log_20240301"},

		{"week: Sunday 2021-01-03 is in the week of 2020-12-28", shard.Week, "20060102", weeks, "2021-01-03", "t_log_20201228"},
		{"week: 2020-12-31", shard.Week, "20060102", weeks, "2020-12-31 12:00:00", "t_log_20201228"},
		{"week: Monday 2021-01-04", shard.Week, "20060102", weeks, "2021-01-04", "t_log_20210104"},
		{"week: last instant of a week", shard.Week, "20060102", weeks, "2025-12-28 23:59:59.999999", "t_log_20251222"},
		{"week: Monday 2025-12-29", shard.Week, "20060102", weeks, "2025-12-29", "t_log_20251229"},
		{"week: 2025-12-31 is in the week of 2025-12-29", shard.Week, "20060102", weeks, "2025-12-31", "t_log_20251229"},
		{"week: Sunday 2026-01-04", shard.Week, "20060102", weeks, "2026-01-04 23:59:59", "t_log_20251229"},
		{"week: Monday 2026-01-05", shard.Week, "20060102", weeks, "2026-01-05", "t_log_20260105"},

		{"year: last instant", shard.Year, "2006", years, "2024-12-31 23:59:59.999999", "t_log_2024"},
		{"year: first instant", shard.Year, "2006", years, "2025-01-01", "t_log_2025"},
		{"year: leap day", shard.Year, "2006", years, "2024-02-29", "t_log_2024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := intervalTable(t, tt.unit, tt.layout, tt.nodes)
			i, err := st.NodeFor(tt.value)
			require.NoError(t, err)
			assert.Equal(t, tt.want, st.Nodes[i].Table)
		})
	}
}

func TestIntervalNodesInAnyOrderWithGaps(t *testing.T) {
	st := intervalTable(t, shard.Month, "200601", "ds1.t_log_202505, ds0.t_log_202501, ds0.t_log_202503")
	for value, want := range map[string]string{
		"2025-01-10": "ds0.t_log_202501",
		"2025-03-31": "ds0.t_log_202503",
		"2025-05-01": "ds1.t_log_202505",
	} {
		i, err := st.NodeFor(value)
		require.NoError(t, err)
		assert.Equal(t, want, st.Nodes[i].String(), value)
	}
	_, err := st.NodeFor("2025-02-10")
	require.ErrorIs(t, err, shard.ErrNoNode)
	assert.Contains(t, err.Error(), "add a node for table t_log_202502")
}

func TestIntervalBadValues(t *testing.T) {
	st := intervalTable(t, shard.Month, "200601", "ds0.t_log_${2025-01..2025-12|month|200601}")
	const hint = "use a time.Time or a 'YYYY-MM-DD[ hh:mm:ss[.ffffff]]' literal"
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"int", 20250101, "interval: cannot shard a value of type int; " + hint},
		{"int64", int64(1735689600), "cannot shard a value of type int64; " + hint},
		{"float", 2025.5, "cannot shard a value of type float64; " + hint},
		{"bool", true, "cannot shard a value of type bool"},
		{"pointer to time", new(time.Time), "cannot shard a value of type *time.Time"},
		{"NULL", nil, "interval: cannot shard NULL"},
		{"empty string", "", `"" is not a valid date or datetime; ` + hint},
		{"month 13", "2025-13-01", `"2025-13-01" is not a valid date or datetime`},
		{"month 0", "2025-00-10", `"2025-00-10" is not a valid date`},
		{"zero date", "0000-00-00", `"0000-00-00" is not a valid date`},
		{"February 30", "2025-02-30", `"2025-02-30" is not a valid date`},
		{"February 29 in a common year", "2025-02-29", `"2025-02-29" is not a valid date`},
		{"unpadded", "2025-3-15", `"2025-3-15" is not a valid date`},
		{"slashes", "2025/03/15", `"2025/03/15" is not a valid date`},
		{"hour 24", "2025-03-15 24:00:00", `is not a valid date or datetime`},
		{"minute 60", "2025-03-15 10:60:00", `is not a valid date or datetime`},
		{"no seconds", "2025-03-15 10:00", `is not a valid date or datetime`},
		{"seven fraction digits", "2025-03-15 10:00:00.1234567", `is not a valid date or datetime`},
		{"empty fraction", "2025-03-15 10:00:00.", `is not a valid date or datetime`},
		{"trailing text", "2025-03-15x", `is not a valid date or datetime`},
		{"other separator", "2025-03-15_10:00:00", `is not a valid date or datetime`},
		{"time zone", "2025-03-15 10:00:00Z", `is not a valid date or datetime`},
		{"long value shortened", "not a date, and a rather long text that goes on and on", `"not a date, and a rather long text that "…`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.NodeFor(tt.value)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "shardsql: table t_log, column created_at: ")
			assert.Contains(t, err.Error(), tt.want)
			var ve *shard.ValueError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, "interval", ve.Algorithm)
			assert.False(t, errors.Is(err, shard.ErrNoNode))
		})
	}
}

func TestIntervalNoNode(t *testing.T) {
	tests := []struct {
		name   string
		unit   shard.Unit
		layout string
		nodes  string
		value  any
		want   string
	}{
		{"month after the last", shard.Month, "200601", "ds0.t_log_${2025-01..2026-12|month|200601}", "2027-01-05",
			"shardsql: table t_log, column created_at: interval: no node holds 2027-01-05 00:00:00; add a node for table t_log_202701"},
		{"month before the first", shard.Month, "200601", "ds0.t_log_${2025-01..2025-12|month|200601}", date(2024, 12, 31, 23, 59, 59, 999999000),
			"no node holds 2024-12-31 23:59:59.999999; add a node for table t_log_202412"},
		{"week", shard.Week, "20060102", "ds0.t_log_${2025-12-29..2026-01-11|week|20060102}", "2026-01-14 08:30:00",
			"no node holds 2026-01-14 08:30:00; add a node for table t_log_20260112"},
		{"day", shard.Day, "20060102", "ds0.t_log_${2024-02-27..2024-02-28|day|20060102}", "2024-02-29",
			"add a node for table t_log_20240229"},
		{"year with the first node's prefix", shard.Year, "2006", "ds0.log_a_2024, ds1.log_b_2025", "2026-06-01",
			"add a node for table log_a_2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := intervalTable(t, tt.unit, tt.layout, tt.nodes)
			_, err := st.NodeFor(tt.value)
			require.Error(t, err)
			assert.ErrorIs(t, err, shard.ErrNoNode)
			assert.Contains(t, err.Error(), tt.want)
			var ve *shard.ValueError
			assert.False(t, errors.As(err, &ve), "a value in no period is not a bad value")
		})
	}
}

func TestIntervalShardRange(t *testing.T) {
	// Nodes 0..5 hold January to June 2025.
	const months = "ds0.t_log_${2025-01..2025-03|month|200601}, ds1.t_log_${2025-04..2025-06|month|200601}"
	ge := func(v any) shard.Bound { return shard.Bound{Value: v, Inclusive: true, Set: true} }
	gt := func(v any) shard.Bound { return shard.Bound{Value: v, Set: true} }
	le, lt := ge, gt
	open := shard.Bound{}
	tests := []struct {
		name string
		r    shard.ValueRange
		want []int
	}{
		{"open", shard.ValueRange{}, []int{0, 1, 2, 3, 4, 5}},
		{"< first of February excludes February", shard.ValueRange{High: lt("2025-02-01")}, []int{0}},
		{"<= first of February includes February", shard.ValueRange{High: le("2025-02-01")}, []int{0, 1}},
		{"< an instant after the boundary", shard.ValueRange{High: lt("2025-02-01 00:00:00.000001")}, []int{0, 1}},
		{"<= last instant of January", shard.ValueRange{High: le("2025-01-31 23:59:59.999999")}, []int{0}},
		{">= first of February", shard.ValueRange{Low: ge("2025-02-01")}, []int{1, 2, 3, 4, 5}},
		{"> first of February", shard.ValueRange{Low: gt("2025-02-01")}, []int{1, 2, 3, 4, 5}},
		{"> last whole second of January keeps January", shard.ValueRange{Low: gt("2025-01-31 23:59:59")}, []int{0, 1, 2, 3, 4, 5}},
		{"> last microsecond of January keeps January (conservative)", shard.ValueRange{Low: gt("2025-01-31 23:59:59.999999")}, []int{0, 1, 2, 3, 4, 5}},
		{">= last second of March", shard.ValueRange{Low: ge("2025-03-31 23:59:59")}, []int{2, 3, 4, 5}},
		{"one month, half open", shard.ValueRange{Low: ge("2025-02-01"), High: lt("2025-03-01")}, []int{1}},
		{"one month, closed", shard.ValueRange{Low: ge("2025-02-01"), High: le("2025-02-28 23:59:59")}, []int{1}},
		{"two months, closed at a boundary", shard.ValueRange{Low: ge("2025-02-01"), High: le("2025-03-01")}, []int{1, 2}},
		{"across ds", shard.ValueRange{Low: gt("2025-03-15"), High: lt("2025-05-01")}, []int{2, 3}},
		{"one instant", shard.ValueRange{Low: ge("2025-04-01"), High: le("2025-04-01")}, []int{3}},
		{"one instant, low exclusive", shard.ValueRange{Low: gt("2025-04-01"), High: le("2025-04-01")}, []int{}},
		{"one instant, high exclusive", shard.ValueRange{Low: ge("2025-04-01"), High: lt("2025-04-01")}, []int{}},
		{"low above high in one month", shard.ValueRange{Low: ge("2025-01-20"), High: le("2025-01-10")}, []int{}},
		{"low above high across months", shard.ValueRange{Low: ge("2025-05-01"), High: le("2025-02-01")}, []int{}},
		{"after every node", shard.ValueRange{Low: ge("2025-07-01")}, []int{}},
		{"before every node", shard.ValueRange{High: lt("2025-01-01")}, []int{}},
		{"touching the first node", shard.ValueRange{High: le("2025-01-01")}, []int{0}},
		{"wider than every node", shard.ValueRange{Low: ge("2020-01-01"), High: le("2030-01-01")}, []int{0, 1, 2, 3, 4, 5}},
		{"time.Time bounds", shard.ValueRange{Low: ge(date(2025, 5, 31, 23, 0, 0, 0)), High: lt(date(2025, 6, 1, 0, 0, 0, 1))}, []int{4, 5}},
		{"time.Time bound in another zone", shard.ValueRange{High: lt(time.Date(2025, 2, 1, 0, 30, 0, 0, time.FixedZone("UTC+1", 3600)))}, []int{0}},
		{"byte bounds", shard.ValueRange{Low: ge([]byte("2025-06-01T00:00:00")), High: open}, []int{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := intervalTable(t, shard.Month, "200601", months)
			got, err := st.NodesFor(tt.r)
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestIntervalShardRangeWeeksUnorderedNodes(t *testing.T) {
	// Node order is not period order; indexes come back ascending.
	st := intervalTable(t, shard.Week, "20060102", "ds1.t_log_20260105, ds0.t_log_20251222, ds0.t_log_20251229, ds1.t_log_20260112")
	got, err := st.NodesFor(shard.ValueRange{
		Low:  shard.Bound{Value: "2025-12-31", Inclusive: true, Set: true},
		High: shard.Bound{Value: "2026-01-05", Inclusive: true, Set: true},
	})
	require.NoError(t, err)
	assert.Equal(t, []int{0, 2}, got)
}

func TestIntervalShardRangeErrors(t *testing.T) {
	st := intervalTable(t, shard.Month, "200601", "ds0.t_log_${2025-01..2025-06|month|200601}")
	tests := []struct {
		name string
		r    shard.ValueRange
		want string
	}{
		{"bad low", shard.ValueRange{Low: shard.Bound{Value: 5, Set: true}}, "shardsql: table t_log, column created_at: interval: cannot shard a value of type int"},
		{"bad high", shard.ValueRange{High: shard.Bound{Value: "2025-02-30", Set: true}}, `"2025-02-30" is not a valid date`},
		{"NULL bound", shard.ValueRange{Low: shard.Bound{Set: true}}, "interval: cannot shard NULL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.NodesFor(tt.r)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	// An unset bound's value is ignored.
	got, err := st.NodesFor(shard.ValueRange{Low: shard.Bound{Value: 5}})
	require.NoError(t, err)
	assert.Len(t, got, 6)
}

func TestIntervalForNodesErrors(t *testing.T) {
	tests := []struct {
		name  string
		alg   shard.Algorithm
		nodes string
		want  []string
	}{
		{"unknown unit", shard.Interval(shard.Unit(7), "200601"), "ds0.t_log_202501", []string{
			"shardsql: table t_log: interval: unknown unit Unit(7); use shard.Day, shard.Week, shard.Month or shard.Year"}},
		{"empty layout", shard.Interval(shard.Month, ""), "ds0.t_log_202501", []string{
			`shardsql: table t_log: interval: time layout is empty; use a Go layout such as "200601"`}},
		{"week layout without a day", shard.Interval(shard.Week, "200601"), "ds0.t_log_202501", []string{
			`time layout "200601" cannot name every week`, `for week use a layout such as "20060102"`}},
		{"month layout without a month", shard.Interval(shard.Month, "2006"), "ds0.t_log_2025", []string{
			`time layout "2006" cannot name every month`, `"200601"`}},
		{"day layout without a year", shard.Interval(shard.Day, "0102"), "ds0.t_log_0101", []string{
			`time layout "0102" cannot name every day`}},
		{"variable-width layout", shard.Interval(shard.Month, "20061"), "ds0.t_log_20251", []string{
			`time layout "20061" is not fixed-width`}},
		{"month names vary in width", shard.Interval(shard.Month, "2006January"), "ds0.t_log_2025January", []string{
			`time layout "2006January" is not fixed-width`}},
		{"suffix not a date", shard.Interval(shard.Month, "200601"), "ds0.t_log_202501, ds0.t_log_2025ab", []string{
			`shardsql: table t_log: interval: node ds0.t_log_2025ab: table suffix "2025ab" is not a date in layout "200601"; name the tables like t_log_202501`}},
		{"month 13", shard.Interval(shard.Month, "200601"), "ds0.t_log_202513", []string{
			`table suffix "202513" is not a date in layout "200601"`}},
		{"table name too short", shard.Interval(shard.Month, "200601"), "ds0.t_1", []string{
			`node ds0.t_1: table name is shorter than a 6-character "200601" suffix`}},
		{"week suffix not a Monday", shard.Interval(shard.Week, "20060102"), "ds0.t_log_20251229, ds0.t_log_20251230", []string{
			`node ds0.t_log_20251230: table suffix "20251230" is 2025-12-30, a Tuesday (weeks start on Monday), which does not start a week; use t_log_20251229 for the week starting 2025-12-29`}},
		{"month suffix not the first", shard.Interval(shard.Month, "20060102"), "ds0.t_log_20250115", []string{
			`table suffix "20250115" is 2025-01-15, which does not start a month; use t_log_20250101 for the month starting 2025-01-01`}},
		{"year suffix not January", shard.Interval(shard.Year, "200601"), "ds0.t_log_202502", []string{
			`which does not start a year; use t_log_202501`}},
		{"two nodes for one period", shard.Interval(shard.Month, "200601"), "ds0.t_log_${2025-01..2025-03|month|200601}, ds1.t_log_202502", []string{
			"nodes ds0.t_log_202502 and ds1.t_log_202502 both hold the month starting 2025-02-01; give each month exactly one node"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := newTopo(t)
			err := topo.AddTable(shard.Table{Name: "t_log", Column: "created_at", Nodes: tt.nodes, Algorithm: tt.alg})
			require.Error(t, err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.Empty(t, topo.Tables())
		})
	}
}

func TestIntervalInterfaces(t *testing.T) {
	alg := shard.Interval(shard.Month, "200601")
	assert.Equal(t, "interval", alg.Name())
	ta, ok := alg.(shard.TableAlgorithm)
	require.True(t, ok, "Interval implements TableAlgorithm")
	_, ok = alg.(shard.RangeAlgorithm)
	assert.False(t, ok, "an unbound Interval cannot prune")

	_, err := alg.Shard("2025-01-01", 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shardsql: interval: the algorithm has not seen the table's nodes; register the table with Topology.AddTable")

	_, err = ta.ForNodes(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shardsql: interval: the table has no nodes")

	nodes, err := shard.ExpandNodes("ds0.t_log_${2025-01..2025-03|month|200601}")
	require.NoError(t, err)
	bound, err := ta.ForNodes(nodes)
	require.NoError(t, err)
	assert.Equal(t, "interval", bound.Name())
	ra, ok := bound.(shard.RangeAlgorithm)
	require.True(t, ok, "a bound Interval implements RangeAlgorithm")
	i, err := bound.Shard("2025-03-03", 3)
	require.NoError(t, err)
	assert.Equal(t, 2, i)

	_, err = bound.Shard("2025-03-03", 4)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shardsql: interval: the algorithm was bound to 3 nodes but is asked about 4")
	_, err = ra.ShardRange(shard.ValueRange{}, 2)
	require.Error(t, err)

	// A bound Interval can be bound again, as AddTable does when it is
	// reused for another table.
	rebound, err := bound.(shard.TableAlgorithm).ForNodes(nodes[:2])
	require.NoError(t, err)
	_, err = rebound.Shard("2025-03-03", 2)
	assert.ErrorIs(t, err, shard.ErrNoNode)

	// The bad-layout error comes back from Shard as well.
	_, err = shard.Interval(shard.Week, "2006").Shard("2025-01-01", 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cannot name every week`)
}

func TestUnitString(t *testing.T) {
	assert.Equal(t, "day", shard.Day.String())
	assert.Equal(t, "week", shard.Week.String())
	assert.Equal(t, "month", shard.Month.String())
	assert.Equal(t, "year", shard.Year.String())
	assert.Equal(t, "Unit(-1)", shard.Unit(-1).String())
}
