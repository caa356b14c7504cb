package route

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/merge"
)

// TestDeepPageHintPlan: a hint's windows become each node's own LIMIT,
// joined per data source as the cold phase 1; the key leaves out the
// offset and count (literals or arguments) and keeps the filter's
// argument values; a plan whose keys are read for bytes alone (the order
// starts with the primary key) reads full rows when hinted.
func TestDeepPageHintPlan(t *testing.T) {
	r := testRouter(t)
	cat := testCatalog()
	tbl := cat.Tables["t_order"]
	tbl.Columns = append(tbl.Columns, schema.Column{Name: "amount", DataType: "decimal", ColumnType: "decimal(10,2)"})
	opts := Options{Catalog: cat, WeightStrings: true}
	route := func(sql string, args ...any) *Plan {
		t.Helper()
		p, err := r.RouteWith(sql, args, opts)
		require.NoError(t, err)
		require.NotNil(t, p.DeepPage, sql)
		return p
	}
	const q = "SELECT order_id, amount FROM t_order WHERE user_id > ? ORDER BY order_id DESC LIMIT ?, ?"
	p := route(q, int64(5), int64(1000), int64(10))
	key := p.DeepPage.HintKey()
	assert.Equal(t, key, route(q, int64(5), int64(4000), int64(20)).DeepPage.HintKey(), "offset and count are not in the key")
	assert.Equal(t, key, route(strings.Replace(q, "LIMIT ?, ?", "LIMIT 3000, 7", 1), int64(5)).DeepPage.HintKey(), "nor their spelling")
	assert.NotEqual(t, key, route(q, int64(6), int64(1000), int64(10)).DeepPage.HintKey(), "the filter's values are")
	assert.NotEqual(t, key, route(strings.Replace(q, "DESC", "ASC", 1), int64(5), int64(1000), int64(10)).DeepPage.HintKey(), "the order is")

	windows := make([]merge.DeepWindow, 8)
	for i := range windows {
		windows[i] = merge.DeepWindow{Offset: int64(120 + i), Rows: int64(3 + i)}
	}
	windows[3] = merge.DeepWindow{Offset: 0, Rows: 1}
	hp := p.WithDeepHint(key, windows)
	require.Len(t, hp.Units, 2, "one statement per data source")
	scan := hp.Root.(*merge.DeepPageScan)
	assert.Equal(t, [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}}, scan.Phase1Union)
	assert.Equal(t, windows, scan.Page.Windows)
	assert.Equal(t, key, scan.HintKey)
	require.NotNil(t, scan.Cold)
	assert.Same(t, p.Root.(*merge.DeepPageScan).Phase1, scan.Cold.Phase1, "the cold read is the plan's own phase 1")
	for i, w := range windows {
		u, tb := hp.Units[i/4].SQL, strconv.Itoa(i%4) // ds1's tables are t_order_0..3 too
		assert.Contains(t, u, "from t_order_"+tb+" where user_id > ? order by order_id desc, t_order_"+tb+".user_id asc limit "+strconv.Itoa(int(w.Offset))+", "+strconv.Itoa(int(w.Rows))+")")
	}
	// t_order's primary key starts with order_id: the cold phase reads the
	// keys (a union), the hinted one the full rows
	assert.True(t, p.DeepPage.KeyOnly())
	assert.NotContains(t, p.Units[0].SQL, "amount")
	assert.Contains(t, hp.Units[0].SQL, "amount")
	assert.Nil(t, scan.Keys)
	assert.NotNil(t, scan.Cold.Keys)
	assert.Equal(t, []any{int64(5), int64(5), int64(5), int64(5)}, hp.Units[0].Args)
	// the plan itself is unchanged
	assert.Nil(t, p.Root.(*merge.DeepPageScan).Page.Windows)
	assert.Contains(t, p.Units[0].SQL, "limit 102, 56")
}

// TestDeepHintKeyArgs: the key tells arguments of different types or
// values apart (written with strconv, text with its length first).
func TestDeepHintKeyArgs(t *testing.T) {
	vals := []any{int64(5), uint64(5), float64(5), "5", []byte("5"), true, nil, int64(-5), float64(0.5), "", []byte{}, "5\x00i5", uint64(1 << 63)}
	seen := map[string]int{}
	for i, v := range vals {
		var b strings.Builder
		writeHintArg(&b, v)
		if j, ok := seen[b.String()]; ok {
			t.Errorf("%#v and %#v share the key part %q", vals[j], v, b.String())
		}
		seen[b.String()] = i
	}
}
