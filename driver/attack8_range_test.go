package driver_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/shardsql/shardsql/shard"
)

// a8RangeTables are split by integer ranges: r8 by INT k at 0, 100 and 200
// over 4 nodes (negative keys, the bounds themselves), r8u by BIGINT
// UNSIGNED k at 2^63.
var a8RangeTables = []dmlTable{
	{name: "r8", key: "k", intKey: true, alg: shard.Range(0, 100, 200), nodes: "ds0.r8_0, ds0.r8_1, ds1.r8_2, ds1.r8_3",
		cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "r8u", key: "k", intKey: true, alg: shard.Range(uint64(1) << 63), nodes: "ds0.r8u_0, ds1.r8u_1",
		cols: "k BIGINT UNSIGNED NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
}

// TestAttack8RangeKeys attacks integer-range sharding at its bounds: keys
// spelled as strings, fractions that round onto or off a bound, negative
// zero, exponents, out-of-range values, NULL; BETWEEN, IN, <, <=, >, >=
// and NOT at each bound, with literals and Go arguments; key moves across
// bounds; unsigned keys at 2^63.
func TestAttack8RangeKeys(t *testing.T) {
	e := newDMLEnvOf(t, "a8_range", nil, a8RangeTables)
	var sts []dmlStmt
	for i, k := range []string{"-1", "0", "-0", "'-0'", "99", "100", "'100'", "' 100 '", "'1e2'", "1e2", "99.5", "'99.5'", "99.4", "-0.5", "-0.4",
		"199.9999", "'200'", "200", "2147483647", "-2147483648", "2147483648", "'abc'", "NULL", "0x64", "100.0", "'0100'"} {
		sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO r8 (k, id) VALUES (%s, %d)", k, i+1)})
	}
	for i, a := range []any{int64(-1), 0, 99, 100, int8(100), uint8(200), "100", "99.5", 99.5, float32(100), []byte("200"), uint64(199), int64(math.MaxInt32) + 1, nil, true} {
		sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO r8 (k, id) VALUES (?, %d)", 100+i), args: []any{a}},
			dmlStmt{sql: fmt.Sprintf("INSERT INTO r8 (k, id) VALUES (?, %d)", 200+i), args: []any{a}, prepared: true})
	}
	for _, w := range []string{"k = 100", "k = '100'", "k = 99.5", "k = '99.5'", "k = 100.4", "k < 100", "k <= 100", "k < 99.5", "k <= 99.9",
		"k > 99", "k > 99.5", "k >= 99.5", "k >= '100'", "k BETWEEN 99.5 AND 100.5", "k BETWEEN 100 AND 99", "k BETWEEN -0.5 AND 0", "k IN (99.5, 200, '0')",
		"NOT (k < 100)", "k < 0", "k <= -1", "k > 199.5", "k >= 200", "k <=> 100", "k + 0 = 100", "k DIV 1 = 100", "k > 2147483647", "k < -2147483648",
		"k >= 100 AND k < 200", "k < 100 OR k >= 200", "k = '1e2'", "k = 0x64"} {
		sts = append(sts,
			dmlStmt{sql: "SELECT k, id FROM r8 WHERE " + w, query: true},
			dmlStmt{sql: "UPDATE r8 SET n = n + 1 WHERE " + w},
		)
	}
	for _, a := range []any{99, 100, "100", 99.5, "99.5", int64(199), []byte("100")} {
		sts = append(sts,
			dmlStmt{sql: "SELECT k, id FROM r8 WHERE k < ?", args: []any{a}, query: true},
			dmlStmt{sql: "SELECT k, id FROM r8 WHERE k >= ?", args: []any{a}, query: true},
			dmlStmt{sql: "SELECT k, id FROM r8 WHERE k BETWEEN ? AND 150", args: []any{a}, query: true, prepared: true},
		)
	}
	sts = append(sts,
		dmlStmt{sql: "UPDATE r8 SET k = 150 WHERE k = 99 AND id = 5"},
		dmlStmt{sql: "UPDATE r8 SET k = '99' WHERE k = 150"},
		dmlStmt{sql: "UPDATE r8 SET k = k + 1 WHERE k = 99"},
		dmlStmt{sql: "UPDATE r8 SET k = 99.5 WHERE k = 0"},
		dmlStmt{sql: "DELETE FROM r8 WHERE k >= 99.5 AND k < 100.5"},
		dmlStmt{sql: "INSERT INTO r8u (k, id) VALUES (9223372036854775807, 1), (9223372036854775808, 2), ('9223372036854775808', 3), (?, 4), (?, 5), (18446744073709551615, 6)", args: []any{uint64(1) << 63, int64(math.MaxInt64)}},
		dmlStmt{sql: "INSERT INTO r8u (k, id) VALUES (-1, 7)"},
		dmlStmt{sql: "INSERT INTO r8u (k, id) VALUES (9223372036854775807.5, 8)"},
		dmlStmt{sql: "SELECT k, id FROM r8u WHERE k >= 9223372036854775808", query: true},
		dmlStmt{sql: "SELECT k, id FROM r8u WHERE k < 9223372036854775807.5", query: true},
		dmlStmt{sql: "SELECT k, id FROM r8u WHERE k < ?", args: []any{uint64(1) << 63}, query: true},
		dmlStmt{sql: "SELECT k, id FROM r8u WHERE k > -1", query: true},
		dmlStmt{sql: "SELECT k, id FROM r8u WHERE k = '9223372036854775808'", query: true},
		dmlStmt{sql: "UPDATE r8u SET k = 5 WHERE k = 9223372036854775808"},
	)
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "range", sts))
}
