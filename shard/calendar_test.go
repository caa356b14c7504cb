package shard_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

func TestExpandNodesCalendar(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want []string
	}{
		{"months across a year end", "ds0.t_log_${2025-11..2026-02|month|200601}", []string{
			"ds0.t_log_202511", "ds0.t_log_202512", "ds0.t_log_202601", "ds0.t_log_202602",
		}},
		{"one month", "ds0.t_log_${2025-03..2025-03|month|200601}", []string{"ds0.t_log_202503"}},
		{"months from days inside them", "ds0.t_log_${2025-01-15..2025-03-01|month|200601}", []string{
			"ds0.t_log_202501", "ds0.t_log_202502", "ds0.t_log_202503",
		}},
		{"months split over data sources", "ds0.t_log_${2025-01..2025-02|month|200601}, ds1.t_log_${2025-03..2025-04|month|200601}", []string{
			"ds0.t_log_202501", "ds0.t_log_202502", "ds1.t_log_202503", "ds1.t_log_202504",
		}},
		{"weeks across a year end", "ds0.t_log_${2025-12-29..2026-01-11|week|20060102}", []string{
			"ds0.t_log_20251229", "ds0.t_log_20260105",
		}},
		{"weeks from mid-week dates", "ds0.t_log_${2020-12-31..2021-01-04|week|20060102}", []string{
			"ds0.t_log_20201228", "ds0.t_log_20210104",
		}},
		{"days in a leap February", "ds0.t_log_${2024-02-27..2024-03-01|day|20060102}", []string{
			"ds0.t_log_20240227", "ds0.t_log_20240228", "ds0.t_log_20240229", "ds0.t_log_20240301",
		}},
		{"days in a common February", "ds0.t_log_${2025-02-27..2025-03-01|day|20060102}", []string{
			"ds0.t_log_20250227", "ds0.t_log_20250228", "ds0.t_log_20250301",
		}},
		{"years", "ds0.t_log_${2023..2026|year|2006}", []string{
			"ds0.t_log_2023", "ds0.t_log_2024", "ds0.t_log_2025", "ds0.t_log_2026",
		}},
		{"years from finer dates", "ds0.t_log_${2023-06-15..2025-01|year|2006}", []string{
			"ds0.t_log_2023", "ds0.t_log_2024", "ds0.t_log_2025",
		}},
		{"layout with an underscore", "ds0.t_log_${2025-12..2026-01|month|2006_01}", []string{
			"ds0.t_log_2025_12", "ds0.t_log_2026_01",
		}},
		{"spaces and unit case", "ds0.t_log_${ 2025-01 .. 2025-02 | Month | 200601 }", []string{
			"ds0.t_log_202501", "ds0.t_log_202502",
		}},
		{"product with a data source range", "ds${0..1}.t_log_${2025-01..2025-02|month|200601}", []string{
			"ds0.t_log_202501", "ds0.t_log_202502", "ds1.t_log_202501", "ds1.t_log_202502",
		}},
		{"product with a list", "ds0.t_${a,b}_${2025..2026|year|2006}", []string{
			"ds0.t_a_2025", "ds0.t_a_2026", "ds0.t_b_2025", "ds0.t_b_2026",
		}},
		{"integer ranges still work", "ds0.t_log_${202501..202503}", []string{
			"ds0.t_log_202501", "ds0.t_log_202502", "ds0.t_log_202503",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, err := shard.ExpandNodes(tt.expr)
			require.NoError(t, err)
			assert.Equal(t, tt.want, names(nodes))
		})
	}
}

func TestExpandNodesCalendarErrors(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want string
	}{
		{"month 13", "ds0.t_${2025-13..2026-01|month|200601}", `calendar placeholder ${2025-13..2026-01|month|200601} has date "2025-13", which is not a valid YYYY, YYYY-MM or YYYY-MM-DD date`},
		{"February 30", "ds0.t_${2025-02-30..2025-03-01|day|20060102}", `has date "2025-02-30", which is not a valid`},
		{"February 29 in a common year", "ds0.t_${2025-02-01..2025-02-29|day|20060102}", `has date "2025-02-29", which is not a valid`},
		{"unpadded month", "ds0.t_${2025-1..2025-02|month|200601}", `has date "2025-1", which is not a valid`},
		{"two-digit year", "ds0.t_${25..26|year|2006}", `has date "25", which is not a valid`},
		{"not a date", "ds0.t_${jan..feb|month|200601}", `has date "jan", which is not a valid`},
		{"empty date", "ds0.t_${..2025-02|month|200601}", `has date "", which is not a valid`},
		{"from after to", "ds0.t_${2025-06..2025-01|month|200601}", `calendar placeholder ${2025-06..2025-01|month|200601} starts after it ends`},
		{"from after to in one week", "ds0.t_${2025-12-31..2025-12-29|week|20060102}", `starts after it ends`},
		{"unknown unit", "ds0.t_${2025-01..2025-02|fortnight|200601}", `has unit "fortnight"; use day, week, month or year`},
		{"empty unit", "ds0.t_${2025-01..2025-02||200601}", `has unit ""; use day, week, month or year`},
		{"month layout without a month", "ds0.t_${2025-01..2025-02|month|2006}", `time layout "2006" cannot name every month`},
		{"week layout without a day", "ds0.t_${2025-12-29..2026-01-05|week|200601}", `time layout "200601" cannot name every week`},
		{"day layout without a year", "ds0.t_${2025-01-01..2025-01-02|day|0102}", `time layout "0102" cannot name every day`},
		{"variable-width layout", "ds0.t_${2025-01..2025-02|month|20061}", `time layout "20061" is not fixed-width`},
		{"empty layout", "ds0.t_${2025-01..2025-02|month|}", `time layout is empty`},
		{"layout with a dash", "ds0.t_${2025-01..2025-02|month|2006-01}", `table name "t_2025-01" (from group "ds0.t_${2025-01..2025-02|month|2006-01}") has characters outside [A-Za-z0-9_$]`},
		{"missing layout", "ds0.t_${2025-01..2025-02|month}", `calendar placeholder ${2025-01..2025-02|month} needs FROM..TO|UNIT|LAYOUT`},
		{"extra part", "ds0.t_${2025-01..2025-02|month|200601|x}", `needs FROM..TO|UNIT|LAYOUT`},
		{"no range", "ds0.t_${2025-01|month|200601}", `has range "2025-01"; write it FROM..TO`},
		{"year for months", "ds0.t_${2025..2026|month|200601}", `has date "2025", which does not name one month; write FROM and TO as YYYY-MM`},
		{"month for weeks", "ds0.t_${2025-01..2025-02|week|20060102}", `has date "2025-01", which does not name one week; write FROM and TO as YYYY-MM-DD`},
		{"month for days", "ds0.t_${2025-01..2025-01-05|day|20060102}", `has date "2025-01", which does not name one day; write FROM and TO as YYYY-MM-DD`},
		{"too many nodes", "ds0.t_${1000-01-01..9999-12-31|day|20060102}", "expands to more than 100000 nodes"},
		{"same node from two groups", "ds0.t_${2025-01..2025-02|month|200601}, ds0.t_${2025-02..2025-03|month|200601}", "node ds0.t_202502 appears more than once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shard.ExpandNodes(tt.expr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "shardsql: node expression ")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
