package merge

import (
	"database/sql/driver"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func col(c int) Operand                { return Operand{Col: c} }
func lit(v driver.Value) Operand       { return Operand{Literal: true, Value: v} }
func cmpOp(op CmpOp, l, r Operand) Cmp { return Cmp{Op: op, Left: l, Right: r} }

func TestHaving(t *testing.T) {
	// merged rows: name, COUNT (BIGINT), SUM (DECIMAL), AVG (DOUBLE)
	types := []string{"VARCHAR", "BIGINT", "DECIMAL", "DOUBLE"}
	rows := [][]driver.Value{
		{bs("a"), int64(5), bs("10.50"), float64(2.5)},
		{bs("b"), int64(1), bs("-0.10"), float64(0.1)},
		{bs("c"), int64(3), nil, nil},
	}
	const cnt, sum, avg = 1, 2, 3
	cases := []struct {
		name string
		cond Expr
		want string // names of the rows kept
	}{
		{"count > int", cmpOp(OpGT, col(cnt), lit(int64(2))), "ac"},
		{"count >= text", cmpOp(OpGE, col(cnt), lit(bs("3"))), "ac"},
		{"count = float", cmpOp(OpEQ, col(cnt), lit(float64(5))), "a"},
		{"count != int", cmpOp(OpNE, col(cnt), lit(int64(5))), "bc"},
		{"count < decimal", cmpOp(OpLT, col(cnt), lit(bs("2.5"))), "b"},
		{"count <= int", cmpOp(OpLE, col(cnt), lit(int64(3))), "bc"},
		{"literal on the left", cmpOp(OpLT, lit(int64(2)), col(cnt)), "ac"},
		{"sum = equal decimal of another scale", cmpOp(OpEQ, col(sum), lit(bs("10.5"))), "a"},
		{"sum > equal decimal", cmpOp(OpGT, col(sum), lit(bs("10.5"))), ""},
		{"sum >= decimal", cmpOp(OpGE, col(sum), lit(bs("10.5"))), "a"},
		{"sum < int", cmpOp(OpLT, col(sum), lit(int64(0))), "b"},
		{"sum > float", cmpOp(OpGT, col(sum), lit(float64(0))), "a"},
		{"sum > float, close", cmpOp(OpGT, col(sum), lit(float64(10.49))), "a"},
		{"sum > long decimal", cmpOp(OpGT, col(sum), lit(bs("10.4999999999999999999999"))), "a"},
		{"avg <= float", cmpOp(OpLE, col(avg), lit(float64(0.1))), "b"},
		{"avg > decimal text", cmpOp(OpGT, col(avg), lit(bs("0.25"))), "a"},
		{"avg = int", cmpOp(OpEQ, col(avg), lit(int64(0))), ""},
		{"column vs column", cmpOp(OpGT, col(cnt), col(sum)), "b"},
		{"text", cmpOp(OpGE, col(0), lit(bs("b"))), "bc"},
		{"NULL literal is unknown", cmpOp(OpEQ, col(cnt), lit(nil)), ""},
		{"NOT of a NULL comparison is unknown", Not{cmpOp(OpEQ, col(cnt), lit(nil))}, ""},
		{"NOT", Not{cmpOp(OpGT, col(sum), lit(int64(0)))}, "b"},
		{"NOT NOT", Not{Not{cmpOp(OpGT, col(sum), lit(int64(0)))}}, "a"},
		{"IS NULL", IsNull{Operand: col(sum)}, "c"},
		{"IS NOT NULL", IsNull{Operand: col(sum), Negate: true}, "ab"},
		{"NOT IS NULL", Not{IsNull{Operand: col(avg)}}, "ab"},
		{"OR: unknown OR true", Or{cmpOp(OpGT, col(sum), lit(int64(0))), cmpOp(OpEQ, col(cnt), lit(int64(3)))}, "ac"},
		{"OR: unknown OR false", Or{cmpOp(OpGT, col(sum), lit(int64(100))), cmpOp(OpGT, col(cnt), lit(int64(100)))}, ""},
		{"NOT (unknown OR false)", Not{Or{cmpOp(OpGT, col(sum), lit(int64(100))), cmpOp(OpGT, col(cnt), lit(int64(100)))}}, "ab"},
		{"AND: true AND unknown", And{cmpOp(OpGT, col(cnt), lit(int64(0))), cmpOp(OpGT, col(sum), lit(int64(-1)))}, "ab"},
		{"NOT (true AND unknown)", Not{And{cmpOp(OpGT, col(cnt), lit(int64(0))), cmpOp(OpGT, col(sum), lit(int64(-1)))}}, ""},
		{"NOT (false AND unknown)", Not{And{cmpOp(OpGT, col(cnt), lit(int64(4))), cmpOp(OpGT, col(sum), lit(int64(-1)))}}, "bc"},
		{"AND with IS NULL", And{IsNull{Operand: col(sum)}, cmpOp(OpEQ, col(cnt), lit(int64(3)))}, "c"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mustRun(t, Spec{Having: c.cond}, types, rows)
			var names string
			for _, r := range got {
				names += string(r[0].([]byte))
			}
			assert.Equal(t, c.want, names)
		})
	}
}

func TestHavingTextProtocol(t *testing.T) {
	types := []string{"BIGINT", "DECIMAL", "DOUBLE", "UNSIGNED BIGINT"}
	rows := [][]driver.Value{
		{bs("10"), bs("9.99"), bs("1.5"), bs("18446744073709551615")},
		{bs("9"), bs("10.5"), bs("-1e2"), bs("1")},
	}
	got := mustRun(t, Spec{Having: cmpOp(OpGT, col(0), lit(int64(9)))}, types, rows)
	assert.Equal(t, rows[:1], got, "numeric, not byte order")
	got = mustRun(t, Spec{Having: cmpOp(OpGT, col(1), lit(bs("10")))}, types, rows)
	assert.Equal(t, rows[1:], got)
	got = mustRun(t, Spec{Having: cmpOp(OpLT, col(2), lit(int64(0)))}, types, rows)
	assert.Equal(t, rows[1:], got)
	got = mustRun(t, Spec{Having: cmpOp(OpGT, col(3), lit(int64(9223372036854775807)))}, types, rows)
	assert.Equal(t, rows[:1], got)
}

func TestHavingAfterGroup(t *testing.T) {
	// SELECT k, COUNT(*), SUM(d) … GROUP BY k HAVING COUNT(*) > 2 AND SUM(d) >= 1.5
	types := []string{"BIGINT", "BIGINT", "DECIMAL"}
	keys := []SortKey{{Col: 0, Weight: -1}}
	spec := Spec{
		Sort: keys,
		Group: &Group{Keys: keys, Aggs: []Agg{
			{Kind: AggCount, Col: 1, Weight: -1},
			{Kind: AggSum, Col: 2, Weight: -1},
		}},
		Having: And{cmpOp(OpGT, col(1), lit(int64(2))), cmpOp(OpGE, col(2), lit(bs("1.5")))},
	}
	got := mustRun(t, spec, types,
		[][]driver.Value{{int64(1), int64(2), bs("1.00")}, {int64(2), int64(1), bs("0.50")}, {int64(3), int64(5), nil}},
		[][]driver.Value{{int64(1), int64(1), bs("0.50")}, {int64(2), int64(2), bs("0.99")}, {int64(3), int64(1), nil}},
	)
	assert.Equal(t, [][]driver.Value{{int64(1), int64(3), bs("1.50")}}, got)

	// and a HAVING on a hidden aggregate column, dropped afterwards
	spec.Hidden = 1
	spec.Having = cmpOp(OpLT, col(2), lit(float64(1.5)))
	got = mustRun(t, spec, types,
		[][]driver.Value{{int64(1), int64(2), bs("1.00")}, {int64(2), int64(1), bs("0.50")}},
		[][]driver.Value{{int64(1), int64(1), bs("0.50")}, {int64(2), int64(2), bs("0.99")}},
	)
	assert.Equal(t, [][]driver.Value{{int64(2), int64(3)}}, got)
}

func TestHavingBadValue(t *testing.T) {
	_, err := run(t, Spec{Having: cmpOp(OpGT, col(0), lit(int64(1)))}, []string{"TIME"}, [][]driver.Value{{bs("xx")}})
	assert.Error(t, err)
}

// TestHavingDatetimeLiteral: with parseTime the driver hands DATETIME
// over as time.Time, while a literal from the SQL text is []byte.
func TestHavingDatetimeLiteral(t *testing.T) {
	types := []string{"DATETIME"}
	rows := [][]driver.Value{
		{time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)},
	}
	got, err := run(t, Spec{Having: cmpOp(OpGT, col(0), lit(bs("2024-01-01 00:00:00")))}, types, rows)
	require.NoError(t, err)
	assert.Equal(t, rows[1:], got)
}
