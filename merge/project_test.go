package merge

import (
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestProjection evaluates expressions over folded aggregates: the node
// value of the projected column is discarded, its scale kept.
func TestProjection(t *testing.T) {
	// visible: grp, SUM(x)/COUNT(*) (DECIMAL), COUNT(*)*2+1 (BIGINT),
	// COALESCE(MAX(u), -1.5) (DECIMAL), CONCAT(grp, ':', COUNT(*)) (VARCHAR);
	// hidden: SUM(x), COUNT(*), MAX(u), the scales
	types := []string{"INT", "DECIMAL", "BIGINT", "DECIMAL", "VARCHAR", "DECIMAL", "BIGINT", "UNSIGNED BIGINT",
		"DECIMAL", "BIGINT", "DECIMAL", "VARCHAR"}
	spec := Spec{
		Hidden: 7,
		Sort:   []SortKey{{Col: At(0)}},
		Group: &Group{Keys: []SortKey{{Col: At(0)}}, Aggs: []Agg{
			{Kind: AggSum, Col: HiddenCol(0)}, {Kind: AggCount, Col: HiddenCol(1)}, {Kind: AggMax, Col: HiddenCol(2)},
		}},
		Project: []Projection{
			{Col: At(1), Expr: cond(t, "c5 / c6"), ScaleCol: At(8)},
			{Col: At(2), Expr: cond(t, "c6 * 2 + 1"), ScaleCol: At(9)},
			{Col: At(3), Expr: cond(t, "COALESCE(c7, -1.5)"), ScaleCol: At(10)},
			{Col: At(4), Expr: cond(t, "CONCAT(c0, ':', c6)"), ScaleCol: At(11)},
		},
	}
	row := func(grp int64, q string, sum string, n int64, mx any) []driver.Value {
		var qv, sv driver.Value
		if q != "" {
			qv = bs(q)
		}
		if sum != "" {
			sv = bs(sum)
		}
		return []driver.Value{grp, qv, n*2 + 1, bs("0.0"), bs("x"), sv, n, mx, bs("0.000000"), int64(0), bs("0.0"), bs("0")}
	}
	got := mustRun(t, spec, types,
		[][]driver.Value{row(1, "1.000000", "1.00", 1, uint64(7)), row(2, "", "", 2, nil)},
		[][]driver.Value{row(1, "2.500000", "5.00", 2, uint64(9)), row(3, "", "", 0, nil)},
	)
	assert.Equal(t, [][]driver.Value{
		{int64(1), bs("2.000000"), int64(7), bs("9.0"), bs("1:3")},
		{int64(2), nil, int64(5), bs("-1.5"), bs("2:2")},
		{int64(3), nil, int64(1), bs("-1.5"), bs("3:0")},
	}, got)
}

// TestDecimalAppendText: the allocation-free text of a decimal is the
// text bytes gives.
func TestDecimalAppendText(t *testing.T) {
	for _, s := range []string{"0", "-0.50", "12.345", "-12345678901234567.8", "0.0001", "-0.0000001", "123", "99999999999999999999.99", "-9223372036854775808"} {
		d, err := parseDecimal([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		for _, scale := range []int{d.scale, d.scale + 2, 0, 1} {
			r := d.round(scale)
			assert.Equal(t, string(r.bytes()), string(r.appendText(nil)), "%s at scale %d", s, scale)
		}
	}
	var sl slab
	a := sl.copyOf([]byte("12.50"))
	b := sl.copyOf([]byte("7"))
	assert.Equal(t, "12.50", string(a))
	assert.Equal(t, "7", string(b))
	assert.Equal(t, 5, cap(a), "a value cannot grow into the next")
}
