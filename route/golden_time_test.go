package route

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// timeRouter has one Interval table per unit, a Range table, bound tables
// and a broadcast table.
func timeRouter(t *testing.T) *Router {
	t.Helper()
	topo := testTopology(t)
	add := func(tb shard.Table) { require.NoError(t, topo.AddTable(tb)) }
	add(shard.Table{Name: "t_day", Column: "at", Nodes: "ds0.t_day_${2024-02-27..2024-03-02|day|20060102}", Algorithm: shard.Interval(shard.Day, "20060102")})
	add(shard.Table{Name: "t_week", Column: "at", Nodes: "ds0.t_week_${2025-12-22..2026-01-12|week|20060102}", Algorithm: shard.Interval(shard.Week, "20060102")})
	add(shard.Table{Name: "t_month", Column: "at", Nodes: "ds0.t_month_${2025-01..2025-06|month|200601}, ds1.t_month_${2025-07..2025-12|month|200601}", Algorithm: shard.Interval(shard.Month, "200601")})
	add(shard.Table{Name: "t_year", Column: "at", Nodes: "ds0.t_year_${2023..2024|year|2006}", Algorithm: shard.Interval(shard.Year, "2006")})
	add(shard.Table{Name: "t_range", Column: "k", Nodes: "ds${0..1}.t_range_${0..1}", Algorithm: shard.Range(100, 200, 300)})
	r, err := New(topo)
	require.NoError(t, err)
	return r
}

func TestTimeAndRangeRouting(t *testing.T) {
	r := timeRouter(t)
	months := func(ms ...string) []string {
		var out []string
		for _, m := range ms {
			ds := "ds0"
			if m >= "202507" {
				ds = "ds1"
			}
			out = append(out, ds+".t_month_"+m)
		}
		return out
	}
	cases := []struct {
		name, sql string
		args      []any
		nodes     []string
	}{
		// month boundaries, inclusive and exclusive ends
		{"month =", "SELECT * FROM t_month WHERE at = '2025-03-15 10:00:00'", nil, months("202503")},
		{"last instant of a month", "SELECT * FROM t_month WHERE at = '2025-01-31 23:59:59.999999'", nil, months("202501")},
		{"first instant of the next", "SELECT * FROM t_month WHERE at = '2025-02-01'", nil, months("202502")},
		{"< month start excludes it", "SELECT * FROM t_month WHERE at < '2025-03-01'", nil, months("202501", "202502")},
		{"<= month start includes it", "SELECT * FROM t_month WHERE at <= '2025-03-01'", nil, months("202501", "202502", "202503")},
		{"> last second keeps the next month only", "SELECT * FROM t_month WHERE at > '2025-11-30 23:59:59' ", nil, months("202511", "202512")},
		{">= month start", "SELECT * FROM t_month WHERE at >= '2025-12-01'", nil, months("202512")},
		{"between", "SELECT * FROM t_month WHERE at BETWEEN '2025-05-20' AND '2025-07-02'", nil, months("202505", "202506", "202507")},
		{"key on the right", "SELECT * FROM t_month WHERE '2025-11-10' < at", nil, months("202511", "202512")},
		{"AND of two ranges", "SELECT * FROM t_month WHERE at >= '2025-04-01' AND at < '2025-06-01'", nil, months("202504", "202505")},
		{"OR of ranges", "SELECT * FROM t_month WHERE at < '2025-02-01' OR at >= '2025-12-01'", nil, months("202501", "202512")},
		{"args", "SELECT * FROM t_month WHERE at BETWEEN ? AND ?", []any{time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}, months("202508", "202509")},
		{"args in another zone use UTC", "SELECT * FROM t_month WHERE at = ?", []any{time.Date(2025, 9, 1, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600))}, months("202508")},
		{"IN of dates", "SELECT * FROM t_month WHERE at IN ('2025-02-03', '2025-10-04')", nil, months("202502", "202510")},
		{"range outside every node", "SELECT COUNT(*) FROM t_month WHERE at >= '2030-01-01'", nil, months("202501")},
		{"= outside every node", "SELECT * FROM t_month WHERE at = '2024-12-31 23:59:59'", nil, months("202501")},
		{"empty range", "SELECT * FROM t_month WHERE at > '2025-05-01' AND at < '2025-04-01'", nil, months("202501")},
		{"NOT BETWEEN goes everywhere", "SELECT * FROM t_month WHERE at NOT BETWEEN '2025-02-01' AND '2025-11-30'", nil, months("202501", "202502", "202503", "202504", "202505", "202506", "202507", "202508", "202509", "202510", "202511", "202512")},
		{"!= goes everywhere", "SELECT id FROM t_month WHERE at != '2025-02-01' AND at < '2025-02-01'", nil, months("202501")},
		{"function around the column goes everywhere", "SELECT COUNT(*) FROM t_month WHERE DATE(at) = '2025-02-01'", nil, months("202501", "202502", "202503", "202504", "202505", "202506", "202507", "202508", "202509", "202510", "202511", "202512")},
		// day, leap day
		{"leap day", "SELECT * FROM t_day WHERE at = '2024-02-29 12:00:00'", nil, []string{"ds0.t_day_20240229"}},
		{"day range over the leap day", "SELECT * FROM t_day WHERE at >= '2024-02-28 23:00:00' AND at < '2024-03-01'", nil, []string{"ds0.t_day_20240228", "ds0.t_day_20240229"}},
		// ISO week across the year end
		{"week containing new year", "SELECT * FROM t_week WHERE at = '2026-01-01'", nil, []string{"ds0.t_week_20251229"}},
		{"week range", "SELECT * FROM t_week WHERE at BETWEEN '2025-12-28' AND '2026-01-05'", nil, []string{"ds0.t_week_20251222", "ds0.t_week_20251229", "ds0.t_week_20260105"}},
		// year
		{"year boundary", "SELECT * FROM t_year WHERE at >= '2023-12-31 23:59:59' AND at <= '2024-01-01'", nil, []string{"ds0.t_year_2023", "ds0.t_year_2024"}},
		// Range algorithm
		{"range =", "SELECT * FROM t_range WHERE k = 150", nil, []string{"ds0.t_range_1"}},
		{"range bound inclusive low", "SELECT * FROM t_range WHERE k >= 200 AND k < 300", nil, []string{"ds1.t_range_0"}},
		{"range below the first bound", "SELECT * FROM t_range WHERE k < 100", nil, []string{"ds0.t_range_0"}},
		{"range <= bound", "SELECT * FROM t_range WHERE k <= 100", nil, []string{"ds0.t_range_0", "ds0.t_range_1"}},
		{"range open high", "SELECT * FROM t_range WHERE k > ?", []any{int64(250)}, []string{"ds1.t_range_0", "ds1.t_range_1"}},
		{"range OR", "SELECT * FROM t_range WHERE k < 0 OR k BETWEEN 300 AND 301", nil, []string{"ds0.t_range_0", "ds1.t_range_1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := r.Route(tc.sql, tc.args)
			require.NoError(t, err)
			var got []string
			for _, u := range p.Units {
				got = append(got, u.Node.String())
			}
			assert.Equal(t, tc.nodes, got)
		})
	}
}

func TestTimeRoutingErrors(t *testing.T) {
	r := timeRouter(t)
	_, err := r.Route("INSERT INTO t_month (id, at) VALUES (1, '2026-01-05')", nil)
	require.ErrorIs(t, err, shard.ErrNoNode)
	assert.Contains(t, err.Error(), "t_month_202601")
	_, err = r.Route("SELECT * FROM t_month WHERE at = 5", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "YYYY-MM-DD")

	p, err := r.Route("INSERT INTO t_month (id, at) VALUES (1, '2025-01-31 23:59:59'), (2, '2025-02-01'), (3, ?)", []any{time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.Len(t, p.Units, 3)
	assert.Equal(t, "insert into t_month_202501(id, at) values (1, '2025-01-31 23:59:59')", p.Units[0].SQL)
	assert.Equal(t, "ds1.t_month_202512", p.Units[2].Node.String())
}
