package driver_test

import (
	"strings"
	"testing"
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
// strings that convert with a warning ('A ', '2x', ”) was trimmed to
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
