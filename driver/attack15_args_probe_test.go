package driver_test

import (
	"os"
	"testing"
	"time"
)

// TestAttack15ArgsProbe logs the outcome of statements with ? arguments
// over the round's tables (SHARDSQL_A15_ARGS=1).
func TestAttack15ArgsProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A15_ARGS") == "" {
		t.Skip("SHARDSQL_A15_ARGS not set")
	}
	e := newDMLEnvOf(t, "attack15_args", nil, attack15Tables)
	seed := []string{
		"INSERT INTO d_int (k, id, v, n) VALUES (1, 1, 'a', 5), (2, 2, 'b', 4), (3, 3, 'c', 3), (4, 4, 'd', 2), (5, 5, NULL, 1), (6, 6, 'a', 0), (7, 7, 'b', 5), (8, 8, 'c', 4)",
		"INSERT INTO d_uns (k, id) VALUES (1, 1), (2, 2), (9223372036854775808, 3), (18446744073709551615, 4)",
		"INSERT INTO d_rng (k, id) VALUES (-5, 1), (0, 2), (999, 3), (1000, 4), (1999, 5), (2000, 6)",
	}
	for _, s := range seed {
		if r := e.check(dmlStmt{sql: s}); r.diff != "" {
			t.Fatal(r.diff)
		}
	}
	u := uint64(1) << 63
	tm := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	cases := []dmlStmt{
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{2, 3}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{"2", "3"}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{[]byte("2"), []byte("3")}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{2.0, 3.0}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{2.5, 3.5}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{"2.5", "3.5"}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{uint64(2), uint64(3)}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{true, true}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{nil, 3}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{-1, 3}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{"-1", "3"}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{" 2", "3 "}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{"2abc", "3"}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?, ?", args: []any{u, u}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ? OFFSET ?", args: []any{3, 2}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ? OFFSET ?", args: []any{"3", "2"}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ? OFFSET ?", args: []any{int8(3), int16(2)}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?", args: []any{0}},
		{sql: "SELECT k FROM d_int ORDER BY k LIMIT ?", args: []any{"0"}},
		{sql: "SELECT v, COUNT(*) AS c FROM d_int GROUP BY v ORDER BY c DESC, v LIMIT ?", args: []any{"2"}},
		{sql: "SELECT k FROM d_int WHERE k IN (?, ?, ?)", args: []any{1, "2", nil}},
		{sql: "SELECT k FROM d_int WHERE k IN (?, ?, ?)", args: []any{true, []byte("3"), 4.0}},
		{sql: "SELECT k FROM d_int WHERE k IN (?, ?, ?)", args: []any{false, []byte(" 3"), float32(4)}},
		{sql: "SELECT k FROM d_int WHERE k IN (?, ?, ?)", args: []any{tm, "5", 6}},
		{sql: "SELECT k FROM d_int WHERE k IN (?, ?, ?)", args: []any{"7.0", "8e0", uint8(1)}},
		{sql: "SELECT k FROM d_int WHERE k IN (?, ?, ?)", args: []any{"0x07", "7abc", " 8"}},
		{sql: "SELECT k FROM d_int WHERE k NOT IN (?, ?)", args: []any{1, nil}},
		{sql: "SELECT k FROM d_int WHERE k NOT IN (?, ?)", args: []any{1, "2"}},
		{sql: "SELECT k FROM d_int WHERE (k, id) IN ((?, ?), (?, ?))", args: []any{1, 1, "2", "2"}},
		{sql: "SELECT k FROM d_int WHERE (k, id) IN ((?, ?), (?, ?))", args: []any{1, nil, nil, 2}},
		{sql: "SELECT k FROM d_int WHERE k = ? OR k = ?", args: []any{"3", 4.0}},
		{sql: "SELECT k FROM d_int WHERE k = ? OR k = ?", args: []any{nil, 4}},
		{sql: "SELECT k FROM d_int WHERE k BETWEEN ? AND ?", args: []any{"3", "5"}},
		{sql: "SELECT k FROM d_int WHERE k BETWEEN ? AND ?", args: []any{3.5, 5.5}},
		{sql: "SELECT k FROM d_int WHERE k BETWEEN ? AND ?", args: []any{nil, 5}},
		{sql: "SELECT k FROM d_int WHERE k = ?", args: []any{[]byte{7}}},
		{sql: "SELECT k FROM d_int WHERE k = ?", args: []any{true}},
		{sql: "SELECT k FROM d_uns WHERE k IN (?, ?)", args: []any{u, "18446744073709551615"}},
		{sql: "SELECT k FROM d_uns WHERE k = ?", args: []any{-1}},
		{sql: "SELECT k FROM d_uns WHERE k = ?", args: []any{float64(u)}},
		{sql: "SELECT k FROM d_uns WHERE k > ?", args: []any{int64(-1)}},
		{sql: "SELECT k FROM d_rng WHERE k > ?", args: []any{999.5}},
		{sql: "SELECT k FROM d_rng WHERE k >= ?", args: []any{"999.5"}},
		{sql: "SELECT k FROM d_rng WHERE k < ?", args: []any{float32(1000.5)}},
		{sql: "SELECT k FROM d_rng WHERE k < ?", args: []any{[]byte("1000.5")}},
		{sql: "SELECT k FROM d_rng WHERE k < ?", args: []any{true}},
		{sql: "SELECT k FROM d_rng WHERE k >= ?", args: []any{tm}},
		{sql: "SELECT k FROM d_rng WHERE k BETWEEN ? AND ?", args: []any{"-0.5", 999.9}},
		{sql: "INSERT INTO d_int (k, id) VALUES (?, 10), (?, 11), (?, 12)", args: []any{true, []byte("12"), uint64(13)}},
		{sql: "INSERT INTO d_int (k, id) VALUES (?, 13)", args: []any{float32(14)}},
		{sql: "INSERT INTO d_int (k, id) VALUES (?, 14)", args: []any{tm}},
		{sql: "INSERT INTO d_int (k, id) VALUES (?, 15)", args: []any{[]byte{0x0c}}},
		{sql: "INSERT INTO d_rng (k, id) VALUES (?, 15)", args: []any{"999.5"}},
		{sql: "INSERT INTO d_rng (k, id) VALUES (?, 16)", args: []any{999.0}},
		{sql: "INSERT INTO d_vb (k, id) VALUES (?, 1)", args: []any{12.0}},
		{sql: "INSERT INTO d_vb (k, id) VALUES (?, 2)", args: []any{true}},
		{sql: "INSERT INTO d_vb (k, id) VALUES (?, 3)", args: []any{tm}},
		{sql: "INSERT INTO d_vb (k, id) VALUES (?, 4)", args: []any{uint8(7)}},
		{sql: "INSERT INTO d_ci (k, id) VALUES (?, 1)", args: []any{12.5}},
		{sql: "INSERT INTO d_ci (k, id) VALUES (?, 2)", args: []any{true}},
		{sql: "INSERT INTO d_ci (k, id) VALUES (?, 3)", args: []any{tm}},
		{sql: "INSERT INTO d_ci (k, id) VALUES (?, 4)", args: []any{int64(-7)}},
		{sql: "INSERT INTO d_ci (k, id) VALUES (?, 5)", args: []any{[]byte("Ab ")}},
		{sql: "SELECT k FROM d_ci WHERE k = ?", args: []any{-7}},
		{sql: "SELECT k FROM d_ci WHERE k = ?", args: []any{"ab"}},
		{sql: "SELECT k FROM d_ci WHERE k IN (?, ?)", args: []any{[]byte("AB"), -7}},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES (?, 1)", args: []any{"2025-07-01"}},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES (?, 2)", args: []any{20250701}},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES (?, 3)", args: []any{20250630235959.5}},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES (?, 4)", args: []any{tm.Add(-time.Nanosecond)}},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES (?, 5)", args: []any{tm.Add(-500 * time.Nanosecond)}},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES (?, 6)", args: []any{tm.Add(-499 * time.Nanosecond)}},
		{sql: "INSERT INTO d_dt (at, id) VALUES (?, 7)", args: []any{tm.Add(-time.Millisecond)}},
		{sql: "INSERT INTO d_dt (at, id) VALUES (?, 8)", args: []any{tm.Add(-500 * time.Millisecond)}},
		{sql: "INSERT INTO d_date (at, id) VALUES (?, 9)", args: []any{tm.Add(-time.Millisecond)}},
		{sql: "INSERT INTO d_date (at, id) VALUES (?, 10)", args: []any{tm.In(time.FixedZone("X", -3600))}},
		{sql: "INSERT INTO d_ts (at, id) VALUES (?, 11)", args: []any{tm.In(time.FixedZone("X", -3600))}},
		{sql: "INSERT INTO d_ts (at, id) VALUES (?, 12)", args: []any{tm.Add(-time.Nanosecond)}},
		{sql: "INSERT INTO d_wk (at, id) VALUES (?, 13)", args: []any{time.Date(2025, 6, 29, 23, 59, 59, 999600000, time.UTC)}},
		{sql: "SELECT at FROM d_dt6 WHERE at < ?", args: []any{tm}},
		{sql: "SELECT at FROM d_dt6 WHERE at >= ?", args: []any{tm}},
		{sql: "SELECT at FROM d_dt6 WHERE at >= ?", args: []any{"20250701"}},
		{sql: "SELECT at FROM d_dt6 WHERE at >= ?", args: []any{20250701}},
		{sql: "SELECT at FROM d_dt6 WHERE at >= ?", args: []any{[]byte("2025-07-01")}},
		{sql: "SELECT at FROM d_dt WHERE at = ?", args: []any{tm.Add(-500 * time.Millisecond)}},
		{sql: "SELECT at FROM d_date WHERE at = ?", args: []any{tm.Add(-time.Millisecond)}},
		{sql: "SELECT at FROM d_date WHERE at = ?", args: []any{"2025-06-30 23:59:59"}},
		{sql: "SELECT at FROM d_date WHERE at IN (?, ?)", args: []any{"2025-06-30 12:00:00", tm}},
	}
	for _, st := range cases {
		st.query = st.sql[0] == 'S'
		for _, prep := range []bool{false, true} {
			st.prepared = prep
			r := e.check(st)
			out := "ok"
			if r.refused {
				out = "refused: " + runDML(e.sharded, st).err.Error()
			}
			if r.diff != "" {
				out = "WRONG " + r.diff
				e.reset(t)
				for _, s := range seed {
					e.check(dmlStmt{sql: s})
				}
			}
			if len(out) > 300 {
				out = out[:300]
			}
			t.Logf("%s %v prepared %v\n    => %s", st.sql, st.args, prep, out)
		}
	}
}
