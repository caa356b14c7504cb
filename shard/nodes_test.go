package shard_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// names renders nodes as "ds.table" strings for compact comparisons.
func names(nodes []shard.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.String()
	}
	return out
}

func TestExpandNodes(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want []string
	}{
		{"plain", "ds0.t_order", []string{"ds0.t_order"}},
		{"range", "ds0.t_${1..3}", []string{"ds0.t_1", "ds0.t_2", "ds0.t_3"}},
		{"single-value range", "ds0.t_${5..5}", []string{"ds0.t_5"}},
		{"padded range", "ds0.t_${00..11}", []string{
			"ds0.t_00", "ds0.t_01", "ds0.t_02", "ds0.t_03", "ds0.t_04", "ds0.t_05",
			"ds0.t_06", "ds0.t_07", "ds0.t_08", "ds0.t_09", "ds0.t_10", "ds0.t_11",
		}},
		{"padding from the lower bound", "ds0.t_${08..10}", []string{"ds0.t_08", "ds0.t_09", "ds0.t_10"}},
		{"padding to the longer bound", "ds0.t_${01..100}", nil}, // checked below
		{"padding from the upper bound", "ds0.t_${1..03}", []string{"ds0.t_01", "ds0.t_02", "ds0.t_03"}},
		{"single zero is no padding", "ds0.t_${0..10}", []string{
			"ds0.t_0", "ds0.t_1", "ds0.t_2", "ds0.t_3", "ds0.t_4", "ds0.t_5",
			"ds0.t_6", "ds0.t_7", "ds0.t_8", "ds0.t_9", "ds0.t_10",
		}},
		{"date-like range", "ds0.t_log_${202501..202503}", []string{"ds0.t_log_202501", "ds0.t_log_202502", "ds0.t_log_202503"}},
		{"list", "ds0.t_${a,b,c}", []string{"ds0.t_a", "ds0.t_b", "ds0.t_c"}},
		{"list items trimmed", "ds0.t_${ a , b }", []string{"ds0.t_a", "ds0.t_b"}},
		{"range bounds trimmed", "ds0.t_${ 1 .. 2 }", []string{"ds0.t_1", "ds0.t_2"}},
		{"single-item list", "ds0.t_${x}", []string{"ds0.t_x"}},
		{"placeholder in data source", "ds${0..1}.t", []string{"ds0.t", "ds1.t"}},
		{"product, leftmost slowest", "ds${0..1}.t_order_${0..3}", []string{
			"ds0.t_order_0", "ds0.t_order_1", "ds0.t_order_2", "ds0.t_order_3",
			"ds1.t_order_0", "ds1.t_order_1", "ds1.t_order_2", "ds1.t_order_3",
		}},
		{"product within the table part", "ds0.t_${a,b}_${1..2}", []string{"ds0.t_a_1", "ds0.t_a_2", "ds0.t_b_1", "ds0.t_b_2"}},
		{"three placeholders", "ds${0..1}.t_${a,b}_${1..2}", []string{
			"ds0.t_a_1", "ds0.t_a_2", "ds0.t_b_1", "ds0.t_b_2",
			"ds1.t_a_1", "ds1.t_a_2", "ds1.t_b_1", "ds1.t_b_2",
		}},
		{"whole data source is a list", "${ds0,ds1}.t", []string{"ds0.t", "ds1.t"}},
		{"two groups", "ds0.t_log_${1..2}, ds1.t_log_${3..4}", []string{"ds0.t_log_1", "ds0.t_log_2", "ds1.t_log_3", "ds1.t_log_4"}},
		{"groups with whitespace", "  ds0.a ,\tds1.b\n,ds2.c  ", []string{"ds0.a", "ds1.b", "ds2.c"}},
		{"list commas are not group commas", "ds0.t_${a,b},ds1.t_${c,d}", []string{"ds0.t_a", "ds0.t_b", "ds1.t_c", "ds1.t_d"}},
		{"dollar and dash allowed", "my-ds_1.t$x_${1..2}", []string{"my-ds_1.t$x_1", "my-ds_1.t$x_2"}},
		{"same table on two data sources", "ds0.t, ds1.t", []string{"ds0.t", "ds1.t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, err := shard.ExpandNodes(tt.expr)
			require.NoError(t, err)
			if tt.want != nil {
				assert.Equal(t, tt.want, names(nodes))
			}
		})
	}
}

func TestExpandNodesPaddingToLongerBound(t *testing.T) {
	nodes, err := shard.ExpandNodes("ds0.t_${01..100}")
	require.NoError(t, err)
	require.Len(t, nodes, 100)
	assert.Equal(t, "t_001", nodes[0].Table)
	assert.Equal(t, "t_099", nodes[98].Table)
	assert.Equal(t, "t_100", nodes[99].Table)
}

func TestExpandNodesFields(t *testing.T) {
	nodes, err := shard.ExpandNodes("ds${0..1}.t_order_${0..1}")
	require.NoError(t, err)
	assert.Equal(t, []shard.Node{
		{DataSource: "ds0", Table: "t_order_0"},
		{DataSource: "ds0", Table: "t_order_1"},
		{DataSource: "ds1", Table: "t_order_0"},
		{DataSource: "ds1", Table: "t_order_1"},
	}, nodes)
	assert.Equal(t, "ds0.t_order_1", nodes[1].String())
}

func TestExpandNodesLimit(t *testing.T) {
	nodes, err := shard.ExpandNodes(fmt.Sprintf("ds0.t_${1..%d}", shard.MaxNodes))
	require.NoError(t, err)
	assert.Len(t, nodes, shard.MaxNodes)

	nodes, err = shard.ExpandNodes("ds${0..9}.t_${0..9999}")
	require.NoError(t, err)
	assert.Len(t, nodes, shard.MaxNodes)
}

func TestExpandNodesErrors(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want string
	}{
		{"empty", "", "is empty"},
		{"blank", "   ", "is empty"},
		{"unclosed placeholder", "ds0.t_${0..3", `unclosed "${"`},
		{"unclosed in data source", "ds${0..1.t", `unclosed "${"`},
		{"unclosed before next group", "ds0.t_${0..3, ds1.t", `unclosed "${"`},
		{"empty placeholder", "ds0.t_${}", `empty placeholder "${}"`},
		{"blank placeholder", "ds0.t_${ }", `empty placeholder "${}"`},
		{"range missing end", "ds0.t_${1..}", "needs both bounds"},
		{"range missing start", "ds0.t_${..3}", "needs both bounds"},
		{"non-integer start", "ds0.t_${a..3}", `bound "a", which is not a non-negative integer`},
		{"non-integer end", "ds0.t_${1..b}", `bound "b", which is not a non-negative integer`},
		{"negative bound", "ds0.t_${-1..3}", `bound "-1", which is not a non-negative integer`},
		{"three dots", "ds0.t_${1...3}", `bound ".3", which is not a non-negative integer`},
		{"two ranges in one placeholder", "ds0.t_${1..2..3}", `bound "2..3"`},
		{"huge bound", "ds0.t_${0..99999999999999999999}", "too large"},
		{"range backwards", "ds0.t_${3..1}", "starts after it ends"},
		{"range too long", "ds0.t_${0..100000}", "expands to more than 100000 nodes"},
		{"product too large", "ds${0..9}.t_${0..10000}", "expands to more than 100000 nodes"},
		{"groups too large together", "ds0.t_${1..60000}, ds1.t_${1..60000}", "expands to more than 100000 nodes"},
		{"nested placeholder", "ds0.t_${a${1..2}}", `nested "${"`},
		{"stray closing brace", "ds0.t_1}", `'}' without a matching "${"`},
		{"empty list item", "ds0.t_${a,,b}", "has an empty item"},
		{"trailing empty list item", "ds0.t_${a,}", "has an empty item"},
		{"missing dot", "t_order_${0..3}", "has no '.'"},
		{"two dots", "ds0.db.t_order", "more than one '.'"},
		{"empty data source part", ".t_order", "empty data source part"},
		{"empty table part", "ds0.", "empty table part"},
		{"empty group in the middle", "ds0.a,,ds1.b", "group 2 is empty"},
		{"trailing comma", "ds0.a,", "group 2 is empty"},
		{"leading comma", ",ds0.a", "group 1 is empty"},
		{"table with dash", "ds0.t-order", `table name "t-order"`},
		{"table with space", "ds0.t order", `table name "t order"`},
		{"table from list with dash", "ds0.t_${a,b-c}", `table name "t_b-c"`},
		{"table with dot from list", "ds0.${t.x}", `table name "t.x"`},
		{"table non-ASCII", "ds0.tä", `table name "tä"`},
		{"table with lone brace", "ds0.t{1", `table name "t{1"`},
		{"data source with dollar", "d$s.t", `data source name "d$s"`},
		{"data source with space", "ds 0.t", `data source name "ds 0"`},
		{"duplicate node in group", "ds0.t_${1,1}", "node ds0.t_1 appears more than once"},
		{"duplicate node across groups", "ds0.t_${0..2}, ds0.t_${2..3}", "node ds0.t_2 appears more than once"},
		{"duplicate via padding-free range and list", "ds0.t_${1..2},ds0.t_${2,3}", "node ds0.t_2 appears more than once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, err := shard.ExpandNodes(tt.expr)
			require.Error(t, err)
			assert.Nil(t, nodes)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "shardsql: "), msg)
			assert.Contains(t, msg, fmt.Sprintf("%q", tt.expr), "error must quote the expression")
			assert.Contains(t, msg, tt.want)
		})
	}
}
