package driver_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// diff21Steps runs lines on a fresh diff21 env in configuration c, each
// expected "exact" (or "both failed" where allowed), then compares the
// contents.
func diff21Steps(t *testing.T, name string, c diff21Config, bothFail bool, lines ...diff21Line) {
	t.Helper()
	e := newDiff21Env(t, name, c)
	defer e.closeConns()
	for _, l := range lines {
		out := diff21Step(e, l)
		if out != "exact" && !(bothFail && strings.HasPrefix(out, "both failed")) {
			t.Errorf("%s => %s", l, out)
		}
	}
	if d := diff21Dump(e); d != "" {
		t.Errorf("contents: %s", d)
	}
}

// q is a diff21Line of SQL alone.
func q(sql string) diff21Line { return diff21Line{q: sql} }

// TestDiff21InListConverts: an IN list on an INT sharding column holding
// strings that convert with a warning ('A ', '2x', the empty string) was trimmed to
// each node's own values and sent only to their owners: under
// TRADITIONAL one database fails the UPDATE (1292) while shardsql's nodes
// never converted 'A ' and updated rows, and reads lost or changed the
// warning (seed 2 of TestDiff21Generated). A read now sends such a list
// whole to every node; an UPDATE or DELETE is refused (whether strict
// mode fails it depends on the rows each server's plan compares).
func TestDiff21InListConverts(t *testing.T) {
	for _, c := range []diff21Config{{}, {interpolate: true}} {
		t.Run(c.String(), func(t *testing.T) { diff21InListConverts(t, c) })
	}
}

func diff21InListConverts(t *testing.T, c diff21Config) {
	e := newDiff21Env(t, "diff21_fixed_in", c)
	defer e.closeConns()
	for _, l := range []diff21Line{
		q("Q SELECT id, n FROM h21 WHERE id IN (NULL, 'x') ORDER BY id"),
		q("Q SELECT id, n FROM h21 WHERE id IN (1, '2x') ORDER BY id"),
		q("Q SELECT id, n FROM h21 WHERE id IN ('3x', 4, '  5') ORDER BY id"),
		q("Q SELECT id FROM h21 WHERE id IN (1, '4 ', '  5', '6.0', '1e1', '-0') ORDER BY id"),
		q("Q SELECT id FROM h21 WHERE id IN (1, '4.5') ORDER BY id"),
		q("Q SELECT COUNT(*), SUM(n) FROM h21 WHERE id IN ('', 2)"),
		diff21Line{q: "Q SELECT id, vb FROM h21 WHERE id IN (?, ?) ORDER BY id", args: []any{int64(2), "2x"}},
		q("UPDATE h21 SET n = n + 1 WHERE id IN (7, 8)"),
		q("UPDATE h21 SET n = n + 1 WHERE id IN (7, '08', ' 9')"),
	} {
		if out := diff21Step(e, l); out != "exact" {
			t.Errorf("%s => %s", l, out)
		}
	}
	for _, mode := range []string{"''", "'TRADITIONAL'"} {
		if out := diff21Step(e, q("SET sql_mode = "+mode)); out != "exact" {
			t.Fatalf("SET sql_mode: %s", out)
		}
		for _, l := range []diff21Line{
			q("DELETE FROM h21 WHERE id IN ('', NULL)"),
			q("UPDATE h21 SET n = n + 1 WHERE id IN (7, '7x')"),
			q("UPDATE h21 SET n = 1 WHERE id IN (2, 'A ', 3)"),
			q("DELETE FROM h21 WHERE id IN (4, '9x', 10) ORDER BY id LIMIT 1"),
			diff21Line{q: "UPDATE h21 SET vb = ? WHERE id IN (?, ?, ?)", args: []any{"a", int64(2), "A ", int64(3)}},
			diff21Line{q: "UPDATE h21 SET vb = ?, bl = ? WHERE id IN (?, ?, ?)", args: []any{"a", true, uint64(7), int64(-1), []byte("ab")}},
			diff21Line{q: "UPDATE h21 SET vb = ? WHERE id IN (?, ?, ?)", args: []any{"a", time.Date(2025, 2, 1, 0, 0, 0, 500000000, time.UTC), int64(7), nil}},
		} {
			out := diff21Step(e, l)
			if !strings.HasPrefix(out, "refused: ") || !strings.Contains(out, "in an IN list, a string that is not a number") {
				t.Errorf("%s => %s, want the IN list refused", l, out)
			}
		}
	}
	if d := diff21Dump(e); d != "" {
		t.Errorf("contents: %s", d)
	}
}

// TestDiff21EmptyBytes: an empty VARBINARY/BLOB/VARCHAR value copied
// with append([]byte(nil), b...) became a nil []byte, which go-sql-driver
// sends as NULL and a caller scanning into []byte reads as NULL: an
// UPDATE/DELETE … ORDER BY … LIMIT across nodes whose first row's key is
// the empty string restricted the nodes' statements to `k IN (NULL)` and changed
// nothing (seed 14 of TestDiff21Generated, sequence 58); GROUP_CONCAT of
// empty values and the ROLLUP rows' MIN answered NULL for the empty string.
func TestDiff21EmptyBytes(t *testing.T) {
	for _, c := range []diff21Config{{}, {pool1: true, interpolate: true}} {
		t.Run(c.String(), func(t *testing.T) {
			diff21Steps(t, "diff21_fixed_empty", c, false,
				q("INSERT INTO g21 (k, n, vb) VALUES ('', 7, ''), ('zz', 7, x'')"),
				q("UPDATE g21 SET n = n + 1 ORDER BY k LIMIT 1"),
				q("UPDATE g21 SET vb = 'q' ORDER BY vb, k LIMIT 2"),
				q("DELETE FROM g21 ORDER BY k LIMIT 1"),
				q("INSERT INTO g21 (k, n, vb) VALUES ('', 7, '')"),
				q("BEGIN"),
				q("UPDATE g21 SET n = n + 1 ORDER BY k LIMIT 1"),
				q("DELETE FROM g21 WHERE n > 0 ORDER BY k LIMIT 1"),
				q("COMMIT TX"),
				q("Q SELECT GROUP_CONCAT(vb) FROM h21 WHERE vb = ''"),
				q("Q SELECT GROUP_CONCAT(vb ORDER BY vb) FROM h21 WHERE vb = ''"),
				q("Q SELECT e, GROUP_CONCAT(vb) FROM h21 WHERE vb = '' GROUP BY e ORDER BY e"),
				q("Q SELECT GROUP_CONCAT(DISTINCT vb) FROM h21 WHERE vb = ''"),
				q("Q SELECT e, MIN(vb) FROM h21 GROUP BY e WITH ROLLUP"),
				q("Q SELECT vb, bl, id FROM h21 ORDER BY vb, bl, id"),
				q("Q SELECT MIN(vb), MAX(bl) FROM h21 WHERE vb = '' OR bl = ''"),
				q("Q SELECT CONCAT(vb, '') AS c, id FROM h21 ORDER BY c, id"),
				q("Q SELECT k, vb FROM g21 ORDER BY vb, BINARY k LIMIT 3"),
			)
		})
	}
}

// TestDiff21KeyMoveTraditional: a key move copies the row under the
// session's sql_mode without its strict modes (laxCopyMode); @@sql_mode
// under TRADITIONAL also lists the word TRADITIONAL, which, set again,
// turned strict mode back on, so moving a row holding a zero date (or
// ENUM's error value) stored under a lax mode failed with 1292 where one
// database's UPDATE keeps it (seed 32 of TestDiff21Generated).
func TestDiff21KeyMoveTraditional(t *testing.T) {
	lines := []diff21Line{
		q("SET sql_mode = ''"),
		q("INSERT INTO h21 (id, dt, e) VALUES (30, '0000-00-00', 'q'), (31, '2025-00-01', 'a'), (32, '2025-02-30', 'r')"),
		q("SET sql_mode = 'TRADITIONAL'"),
	}
	for _, from := range []int{30, 31, 32} {
		for i, to := range []int{41, 42, 43, 44, 45} {
			src := from
			if i > 0 {
				src = 40 + i
			}
			lines = append(lines, q(fmt.Sprintf("UPDATE h21 SET id = %d WHERE id = %d", to, src)))
		}
		lines = append(lines, q(fmt.Sprintf("UPDATE h21 SET id = %d, n = n + 1 WHERE id = 45", from)))
	}
	lines = append(lines, q("BEGIN"), q("UPDATE h21 SET id = 46 WHERE id = 30"), q("UPDATE h21 SET id = 47, dt = '0000-00-00' WHERE id = 46"), q("ROLLBACK TX"),
		q("SET sql_mode = 'STRICT_ALL_TABLES,TRADITIONAL'"), q("UPDATE h21 SET id = 48 WHERE id = 31"),
		q("Q SELECT @@sql_mode"), q("Q SELECT id, dt, e, e + 0 FROM h21 WHERE id >= 30 ORDER BY id"))
	for _, c := range []diff21Config{{}, {interpolate: true}} {
		t.Run(c.String(), func(t *testing.T) { diff21Steps(t, "diff21_fixed_trad", c, true, lines...) })
	}
}

// TestDiff21NilBytesArgument: a nil []byte argument is NULL to
// go-sql-driver, but the router read it as a (non-nil) value: a
// multi-row INSERT leaving one row for a node with such a NULL for a NOT
// NULL column was not refused (insert_lone_row.go), and under an empty sql_mode
// that node's one-row INSERT failed (1048) where one database's
// multi-row INSERT stores 0 (seed 31 of TestDiff21Generated).
func TestDiff21NilBytesArgument(t *testing.T) {
	for _, c := range []diff21Config{{}, {interpolate: true}} {
		t.Run(c.String(), func(t *testing.T) {
			e := newDiff21Env(t, "diff21_fixed_nilbytes", c)
			defer e.closeConns()
			for _, l := range []diff21Line{
				q("SET sql_mode = ''"),
				q("DELETE FROM h21 WHERE id = 1"),
				{q: "INSERT INTO h21 (id, n, vb, bl) VALUES (?, ?, ?, ?), (?, 1, ?, ?)", args: []any{int64(14), []byte(nil), int64(-1), "a", true, 2.5, []byte("ab")}},
			} {
				out := diff21Step(e, l)
				if out != "exact" && !strings.Contains(out, "unsupported: multi-row INSERT into sharded table h21 whose rows for one node are a single row with") {
					t.Errorf("%s => %s", l, out)
				}
			}
			for _, l := range []diff21Line{
				{q: "INSERT INTO h21 (id, n, vb) VALUES (?, ?, ?)", args: []any{int64(15), []byte(nil), []byte(nil)}},
				{q: "INSERT INTO h21 (id, n, vb) VALUES (16, 1, ?), (17, 2, ?)", args: []any{[]byte(nil), []byte{}}},
				{q: "Q SELECT id, vb FROM h21 WHERE id IN (?, 16, 17) ORDER BY id", args: []any{[]byte(nil)}},
				{q: "UPDATE h21 SET vb = ? WHERE id = ?", args: []any{[]byte(nil), []byte(nil)}},
				{q: "Q SELECT id, n, vb FROM h21 WHERE id >= 14 ORDER BY id"},
			} {
				if out := diff21Step(e, l); out != "exact" && !strings.HasPrefix(out, "both failed") {
					t.Errorf("%s => %s", l, out)
				}
			}
			if d := diff21Dump(e); d != "" {
				t.Errorf("contents: %s", d)
			}
		})
	}
}
