package driver_test

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// r16Cols is the round-16 read table: one column of each type and
// collation a reviewer tries first above the nodes, sharded by id over
// four nodes on two servers.
const r16Cols = `id INT NOT NULL PRIMARY KEY, g INT NULL,
	e ENUM('b','a','c') NULL, s SET('x','y','z') NULL, bt BIT(4) NULL, yr YEAR NULL,
	tm TIME NULL, t6 TIME(6) NULL, dt3 DATETIME(3) NULL, dt6 DATETIME(6) NULL, ts TIMESTAMP(2) NULL DEFAULT NULL,
	d2 DECIMAL(10,2) NULL, d5 DECIMAL(12,5) NULL, f FLOAT NULL, db DOUBLE NULL, u BIGINT UNSIGNED NULL,
	bn BINARY(4) NULL, vb VARBINARY(8) NULL,
	cp CHAR(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
	vnp VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
	v520 VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NULL,
	vuca VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci NULL,
	vl1 VARCHAR(10) CHARACTER SET latin1 COLLATE latin1_swedish_ci NULL,
	vbin VARCHAR(10) CHARACTER SET binary NULL,
	j JSON NULL, gc INT AS (g * 2) VIRTUAL, gs VARCHAR(20) AS (CONCAT(vnp, '!')) STORED`

// r16Env is the oracle and shardsql over the r16 table (and r16b, a
// second sharded table for joins).
type r16Env struct{ oracle, sharded *sql.DB }

func newR16Env(t *testing.T, name string) *r16Env {
	dsns := sharedDSNs(t, name)
	oracle, err := sql.Open("mysql", sharedDSNs(t, name+"_oracle")[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	for _, tb := range []string{"r16", "r16b"} {
		require.NoError(t, topo.AddTable(shard.Table{Name: tb, Column: "id", Nodes: "ds${0..1}." + tb + "_${0..1}", Algorithm: shard.Hash()}))
	}
	sharded := openDB(t, topo)
	for _, db := range []*sql.DB{oracle, sharded} {
		for _, tb := range []string{"r16", "r16b"} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + tb)
			require.NoError(t, err)
			_, err = db.Exec("CREATE TABLE " + tb + " (" + r16Cols + ")")
			require.NoError(t, err, tb)
		}
		for _, ins := range r16Rows {
			for _, tb := range []string{"r16", "r16b"} {
				_, err := db.Exec(strings.Replace(ins, "INTO r16 ", "INTO "+tb+" ", 1))
				require.NoError(t, err, ins)
			}
		}
	}
	return &r16Env{oracle: oracle, sharded: sharded}
}

// r16Rows fill r16: equal-by-collation spellings, trailing spaces and
// zero bytes, NULLs, values near the types' edges, spread over the nodes.
var r16Rows = []string{
	`INSERT INTO r16 (id, g, e, s, bt, yr, tm, t6, dt3, dt6, ts, d2, d5, f, db, u, bn, vb, cp, vnp, v520, vuca, vl1, vbin, j) VALUES
	(1, 1, 'a', 'x,y', b'0001', 2001, '-01:00:00', '838:59:59', '2025-01-01 00:00:00.001', '2025-01-01 00:00:00.000001', '2025-01-01 00:00:00.50', 1.50, 1.50000, 0.1, 0.1, 18446744073709551615, 'ab', 'ab', 'a', 'a', 'a', 'a', 'a', 'a', '{"k": 1}'),
	(2, 1, 'b', 'y', b'1111', 1999, '25:00:00', '-838:59:59', '2025-01-01 00:00:00.010', '2025-01-01 00:00:00.100000', '2025-01-01 00:00:01.00', 2.25, 2.25001, 1.1, 1.1, 18446744073709551614, 'ab\0\0', 'ab\0', 'A', 'A', 'A', 'A', 'A', 'A', '{"k": 2}'),
	(3, 2, 'c', 'x,z', b'0000', 2069, '00:00:00', '00:00:00.5', '2024-12-31 23:59:59.999', '2024-12-31 23:59:59.999999', NULL, -0.01, 0.00001, 3.4e38, 1.7976931348623157e308, 9223372036854775808, 'b', 'b ', 'a ', 'a ', 'á', 'á', 'å', 'a ', '[1, 2]'),
	(4, 2, NULL, '', b'1010', 1970, '100:00:00', NULL, NULL, NULL, '1970-01-01 00:00:01.00', 99999999.99, -1.00000, -0.5, -0.5, 0, 'B', 'B', 'á', 'á', 'Á', 'Á', 'ä', 'á', 'null'),
	(5, 3, 'a', NULL, NULL, 0, NULL, '-00:00:01', '2025-06-30 12:00:00.000', '2025-06-30 12:00:00.000000', '2038-01-19 03:14:07.99', NULL, NULL, NULL, NULL, NULL, NULL, '', '', '', '', '', '', '', NULL),
	(6, 3, 'b', 'x,y,z', b'0101', 2155, '-838:59:59', '12:00:00.000001', '2025-06-30 12:00:00.500', '2025-06-30 12:00:00.500000', '2025-06-30 12:00:00.01', 0.10, 0.10000, 1e-10, 1e-10, 1, 'a', 'a', 'ß', 'ß', 'ss', 'ss', 'z', 'ß', '{"a": [1, {"b": null}]}'),
	(7, NULL, 'c', 'z', b'0110', 2000, '838:59:59', '01:02:03.4', '2025-01-01 00:00:00.000', '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.00', 2.25, 2.25000, 123456.7, 123456.789, 42, 'a\0', 'a\0', 'SS', 'SS', 'ß', 'ß', 'Z', 'SS', '"str"'),
	(8, 4, 'a', 'y,z', b'1000', 1901, '12:34:56', '12:34:56.789', '2025-03-03 03:03:03.333', '2025-03-03 03:03:03.333333', '2025-03-03 03:03:03.33', -99999999.99, -0.00001, 16777217, 16777217, 18446744073709551615, 'ZZ', 'zz', 'b', 'b', 'b', 'b', 'b', 'b', '{"k": 1}'),
	(9, 4, 'b', 'x', b'0011', 2024, '-00:00:01', '00:00:00', '2025-03-03 03:03:03.300', '2025-03-03 03:03:03.300000', NULL, 0.00, 0.00000, 0, -0.0, 5, 'a', 'A', 'B', 'B', 'B', 'B', 'B', 'B', '{"k": 10}'),
	(10, 5, 'c', 'x,y', b'1111', NULL, '00:59:59', '00:59:59.999999', '2025-12-31 23:59:59.999', '2025-12-31 23:59:59.999999', '2025-12-31 23:59:59.99', 5.00, 5.00000, 2.5, 2.5, 7, 'c', 'c\0\0', 'c ', 'c ', 'c', 'c', 'Ö', 'c', '3.0'),
	(11, 5, 'a', 'y', b'0001', 2010, '10:00:00', '10:00:00', '2025-01-01 00:00:00.001', '2025-01-01 00:00:00.001000', '2025-01-01 00:00:00.01', 5.00, 5.00000, 2.5, 2.5, 8, 'c', 'C', 'C', 'C', 'C', 'C', 'o', 'C', '3'),
	(12, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
	// FLOATs whose text (six digits) is alike: 1.0000001 and 1.0000002
	`INSERT INTO r16 (id, g, f, db) VALUES (13, 7, 1.0000001, 1.0000001), (14, 7, 1.0000002, 1.0000002), (15, 8, 16777216, 16777216), (16, 9, 0.30000001, 0.3)`,
}

// TestAttack16Probe runs the statements of SHARDSQL_A16_READ_PROBE ("O " an
// ordered read, "U " an unordered one) over r16 and logs each outcome,
// comparing column names, type names and the values' text exactly.
func TestAttack16ReadProbe(t *testing.T) {
	lines := probeFileFrom(t, "SHARDSQL_A16_READ_PROBE")
	e := newR16Env(t, "attack16_probe")
	probeFile{oracle: e.oracle, sharded: e.sharded, outcome: e.outcome}.run(t, lines)
}

// outcome runs q on both sides and says how shardsql's answer compares.
func (e *r16Env) outcome(q string, ordered bool) string {
	want, werr := runDiffQuery(e.oracle, q)
	got, gerr := runDiffQuery(e.sharded, q)
	return diffOutcome(want, werr, got, gerr, ordered)
}

// diffOutcome says how shardsql's answer (got, gerr) compares with the
// oracle's (want, werr).
func diffOutcome(want *diffResult, werr error, got *diffResult, gerr error, ordered bool) string {
	if out, failed := errorOutcome(werr, got, gerr); failed {
		return out
	}
	return r16Compare(want, got, ordered)
}

// errorOutcome is the outcome when either side failed (failed false:
// both answered, and the caller compares the results).
func errorOutcome(werr error, got *diffResult, gerr error) (out string, failed bool) {
	switch {
	case gerr != nil && errors.Is(gerr, driver.ErrUnsupported):
		if !strings.HasPrefix(gerr.Error(), "shardsql: unsupported: ") {
			return "WRONG refusal text: " + gerr.Error(), true
		}
		return "refused: " + gerr.Error(), true
	case werr != nil && gerr != nil:
		return "both failed: " + werr.Error() + " | " + gerr.Error(), true
	case werr != nil:
		return fmt.Sprintf("WRONG: oracle fails (%v), shardsql answers %d rows", werr, len(got.rows)), true
	case gerr != nil:
		return "WRONG: shardsql fails: " + gerr.Error(), true
	}
	return "", false
}

// r16Compare compares two results exactly: names, type names, text.
func r16Compare(want, got *diffResult, ordered bool) string {
	if strings.Join(want.cols, ",") != strings.Join(got.cols, ",") {
		return fmt.Sprintf("WRONG: columns want %v got %v", want.cols, got.cols)
	}
	types := ""
	if strings.Join(want.types, ",") != strings.Join(got.types, ",") {
		types = fmt.Sprintf("TYPES: want %v got %v; ", want.types, got.types)
	}
	rows := func(r [][]string) []string {
		out := make([]string, len(r))
		for i, row := range r {
			out[i] = fmt.Sprintf("%q", row)
		}
		if !ordered {
			sort.Strings(out)
		}
		return out
	}
	w, g := rows(want.rows), rows(got.rows)
	if strings.Join(w, "\n") != strings.Join(g, "\n") {
		return fmt.Sprintf("%sWRONG: rows\n      want %v\n      got  %v", types, w, g)
	}
	if types != "" {
		return types + "rows alike"
	}
	return "exact"
}
