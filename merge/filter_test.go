package merge

import (
	"database/sql/driver"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// cond parses a HAVING condition whose columns are named c0, c1, … (the
// offsets of the folded row) into placeholders, as the router writes it.
func cond(t *testing.T, sql string) sqlparser.Expr {
	t.Helper()
	e, err := evalenv.Env().Parser().ParseExpr(sql)
	require.NoError(t, err)
	return sqlparser.Rewrite(e, func(c *sqlparser.Cursor) bool {
		if n, ok := c.Node().(*sqlparser.ColName); ok {
			i, err := strconv.Atoi(strings.TrimPrefix(n.Name.String(), "c"))
			require.NoError(t, err)
			c.Replace(evalenv.Column(i))
		}
		return true
	}, nil).(sqlparser.Expr)
}

func TestHaving(t *testing.T) {
	// merged rows: name, COUNT (BIGINT), SUM (DECIMAL), AVG (DOUBLE), COLLATION(name)
	types := []string{"VARCHAR", "BIGINT", "DECIMAL", "DOUBLE", "VARCHAR"}
	rows := [][]driver.Value{
		{bs("a"), int64(5), bs("10.50"), float64(2.5), gci},
		{bs("B "), int64(1), bs("-0.10"), float64(0.1), gci},
		{bs("c"), int64(3), nil, nil, gci},
	}
	cases := []struct {
		cond string
		want string // names of the rows kept, trailing spaces dropped
	}{
		{"c1 > 2", "ac"},
		{"c1 >= '3'", "ac"},
		{"c1 = 5e0", "a"},
		{"c1 = '5e0'", "a"},
		{"c1 != 5", "Bc"},
		{"c1 < 2.5", "B"},
		{"2 < c1", "ac"},
		{"c2 = 10.5", "a"},
		{"c2 > 10.5", ""},
		{"c2 > 10.4999999999999999999999", "a"},
		{"c2 < 0", "B"},
		{"c3 <= 0.1e0", "B"},
		{"c3 > '0.25'", "a"},
		{"c1 > c2", "B"},
		{"c0 >= 'b'", "Bc"},
		{"c0 = 'b'", "B"},
		{"c0 = 'A'", "a"},
		{"c0 IN ('b', 'x')", "B"},
		{"c0 = 'b '", "B"},
		{"c1 BETWEEN 2 AND 5", "ac"},
		{"c1 IN (1, 3)", "Bc"},
		{"c0 = 'C' OR c2 IS NULL", "c"},
		{"c1 = NULL", ""},
		{"NOT (c1 = NULL)", ""},
		{"NOT (c2 > 0)", "B"},
		{"c2 IS NULL", "c"},
		{"c2 IS NOT NULL", "aB"},
		{"c2 > 0 OR c1 = 3", "ac"},
		{"NOT (c2 > 100 OR c1 > 100)", "aB"},
		{"NOT (c1 > 0 AND c2 > -1)", ""},
		{"c2 IS NULL AND c1 = 3", "c"},
		{"IF(c1 > 2, 1, 0)", "ac"},
	}
	for _, c := range cases {
		t.Run(c.cond, func(t *testing.T) {
			spec := Spec{Hidden: 1, Having: cond(t, c.cond), Collations: []Collated{{Col: At(0), From: At(4)}}}
			got := mustRun(t, spec, types, rows)
			var names string
			for _, r := range got {
				names += strings.TrimSpace(string(r[0].([]byte)))
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
	got := mustRun(t, Spec{Having: cond(t, "c0 > 9")}, types, rows)
	assert.Equal(t, rows[:1], got, "numeric, not byte order")
	got = mustRun(t, Spec{Having: cond(t, "c1 > '10'")}, types, rows)
	assert.Equal(t, rows[1:], got)
	got = mustRun(t, Spec{Having: cond(t, "c2 < 0")}, types, rows)
	assert.Equal(t, rows[1:], got)
	got = mustRun(t, Spec{Having: cond(t, "c3 > 9223372036854775807")}, types, rows)
	assert.Equal(t, rows[:1], got)
	got = mustRun(t, Spec{Having: cond(t, "c2 = '-1e2'")}, types, rows)
	assert.Equal(t, rows[1:], got)
}

func TestHavingAfterGroup(t *testing.T) {
	// SELECT k, COUNT(*), SUM(d) … GROUP BY k HAVING COUNT(*) > 2 AND SUM(d) >= 1.5
	types := []string{"BIGINT", "BIGINT", "DECIMAL"}
	keys := []SortKey{{Col: At(0)}}
	spec := Spec{
		Sort: keys,
		Group: &Group{Keys: keys, Aggs: []Agg{
			{Kind: AggCount, Col: At(1)},
			{Kind: AggSum, Col: At(2)},
		}},
		Having: cond(t, "c1 > 2 AND c2 >= 1.5"),
	}
	got := mustRun(t, spec, types,
		[][]driver.Value{{int64(1), int64(2), bs("1.00")}, {int64(2), int64(1), bs("0.50")}, {int64(3), int64(5), nil}},
		[][]driver.Value{{int64(1), int64(1), bs("0.50")}, {int64(2), int64(2), bs("0.99")}, {int64(3), int64(1), nil}},
	)
	assert.Equal(t, [][]driver.Value{{int64(1), int64(3), bs("1.50")}}, got)

	// and a HAVING on a hidden aggregate column, dropped afterwards
	spec.Hidden = 1
	spec.Having = cond(t, "c2 < 1.5e0")
	got = mustRun(t, spec, types,
		[][]driver.Value{{int64(1), int64(2), bs("1.00")}, {int64(2), int64(1), bs("0.50")}},
		[][]driver.Value{{int64(1), int64(1), bs("0.50")}, {int64(2), int64(2), bs("0.99")}},
	)
	assert.Equal(t, [][]driver.Value{{int64(2), int64(3)}}, got)
}

// TestHavingDatetime: DATETIME against a number and a string; with
// parseTime the driver hands DATETIME over as time.Time.
func TestHavingDatetime(t *testing.T) {
	types := []string{"DATETIME"}
	rows := [][]driver.Value{
		{time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)},
		{bs("2025-12-02 00:00:00")},
	}
	got, err := run(t, Spec{Having: cond(t, "c0 > '2024-01-01 00:00:00'")}, types, rows)
	require.NoError(t, err)
	assert.Equal(t, rows[1:], got)
	got, err = run(t, Spec{Having: cond(t, "c0 > 20251201000000")}, types, rows)
	require.NoError(t, err)
	assert.Equal(t, rows[1:], got)
	// an 8-digit number is a date, as MySQL converts it
	for _, c := range []string{"c0 > 20240101", "20240101 < c0", "c0 BETWEEN 20240101 AND 20260101", "c0 IN (20251202, 20230602)"} {
		got, err = run(t, Spec{Having: cond(t, c)}, types, rows)
		require.NoError(t, err)
		assert.Len(t, got, 1, c)
	}
}

// TestBitMinMaxRefused: MIN/MAX of BIT arrive as text or bytes.
func TestBitMinMaxRefused(t *testing.T) {
	_, err := newMerge(Spec{Group: &Group{Aggs: []Agg{{Kind: AggMax, Col: At(0)}}}}, []string{"BIT"}, nil)
	assert.ErrorIs(t, err, ErrUnsupported)
}

// TestHavingFunctionOverPaddedText: the evaluator compares NO PAD, so a
// function over text with trailing spaces is refused, not guessed.
func TestHavingFunctionOverPaddedText(t *testing.T) {
	types := []string{"VARCHAR", "VARCHAR"}
	spec := Spec{Hidden: 1, Having: cond(t, "c0 LIKE 'b%'"), Collations: []Collated{{Col: At(0), From: At(1)}}}
	got := mustRun(t, spec, types, [][]driver.Value{{bs("bx"), gci}, {bs("ax"), gci}})
	assert.Equal(t, [][]driver.Value{{bs("bx")}}, got)
	_, err := run(t, spec, types, [][]driver.Value{{bs("b "), gci}})
	assert.ErrorIs(t, err, ErrUnsupported)
}

// TestHavingCollations: a literal compares by the column's collation,
// whichever it is, and PAD SPACE ignores trailing spaces.
func TestHavingCollations(t *testing.T) {
	uci := bs("utf8mb4_unicode_ci")
	types := []string{"VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"}
	rows := [][]driver.Value{{bs("X "), uci, bs("x"), gci}, {bs("Zoë"), uci, bs("b"), gci}, {bs("a"), uci, bs("B "), gci}}
	for _, c := range []struct{ cond, want string }{
		{"c0 <= 'b'", "a"},
		{"c0 = 'x'", "X"},
		{"c0 = 'ZOE '", "Zoë"},
		{"c0 > 'b' AND c2 = 'B'", "Zoë"},
		{"c0 IN ('zoe', 'A') OR c2 = 'X'", "XZoëa"},
	} {
		spec := Spec{Hidden: 2, Having: cond(t, c.cond), Collations: []Collated{{Col: At(0), From: At(1)}, {Col: At(2), From: At(3)}}}
		got, err := run(t, spec, types, rows)
		require.NoError(t, err, c.cond)
		var names string
		for _, r := range got {
			names += strings.TrimSpace(string(r[0].([]byte)))
		}
		assert.Equal(t, c.want, names, c.cond)
	}
	for _, c := range []struct{ cond, want string }{
		{"CONCAT(c2, '!') = 'X!'", "X"},
		{"LENGTH(c2) = 1", "XZoë"},
	} {
		spec := Spec{Hidden: 2, Having: cond(t, c.cond), Collations: []Collated{{Col: At(0), From: At(1)}, {Col: At(2), From: At(3)}}}
		got, err := run(t, spec, types, rows[:2])
		require.NoError(t, err, c.cond)
		var names string
		for _, r := range got {
			names += strings.TrimSpace(string(r[0].([]byte)))
		}
		assert.Equal(t, c.want, names, c.cond)
	}
	// Vitess has no UPPER for utf8mb4_general_ci: refused, not guessed
	spec := Spec{Hidden: 2, Having: cond(t, "UPPER(c2) = 'X'"), Collations: []Collated{{Col: At(0), From: At(1)}, {Col: At(2), From: At(3)}}}
	_, err := run(t, spec, types, rows[:1])
	assert.ErrorIs(t, err, ErrUnsupported)
	// a function over text of two collations is refused
	spec = Spec{Hidden: 2, Having: cond(t, "CONCAT(c0, c2) = 'x'"), Collations: []Collated{{Col: At(0), From: At(1)}, {Col: At(2), From: At(3)}}}
	_, err = run(t, spec, types, rows[1:])
	assert.ErrorIs(t, err, ErrUnsupported)
}

// TestHavingCoalesceDecimal: evalengine's compiler specializes
// COALESCE(decimal, 0) > 20 for decimals and panics on the integer.
func TestHavingCoalesceDecimal(t *testing.T) {
	spec := Spec{Having: cond(t, "COALESCE(c0, 0) > 20")}
	got, err := run(t, spec, []string{"DECIMAL"}, [][]driver.Value{{nil}, {bs("20.50")}, {bs("3.00")}})
	require.NoError(t, err)
	assert.Equal(t, [][]driver.Value{{bs("20.50")}}, got)
}
