package driver_test

import (
	"fmt"
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
// each node's own values: under TRADITIONAL one database fails the
// UPDATE (1292) while shardsql's nodes never converted 'A ' and updated
// rows; reads lost or changed the warning (seed 2 of TestDiff21Generated).
// Such a list now goes whole to each node it touches.
func TestDiff21InListConverts(t *testing.T) {
	for _, c := range []diff21Config{{}, {interpolate: true}} {
		t.Run(c.String(), func(t *testing.T) { diff21InListConverts(t, c) })
	}
}

func diff21InListConverts(t *testing.T, c diff21Config) {
	lines := []diff21Line{
		q("Q SELECT id, n FROM h21 WHERE id IN (NULL, 'x') ORDER BY id"),
		q("Q SELECT id, n FROM h21 WHERE id IN (1, '2x') ORDER BY id"),
		q("Q SELECT id, n FROM h21 WHERE id IN ('3x', 4, '  5') ORDER BY id"),
		q("DELETE FROM h21 WHERE id IN ('', NULL)"),
		q("Q SELECT id FROM h21 WHERE id IN (1, '4 ', '  5', '6.0', '1e1', '-0') ORDER BY id"),
		q("Q SELECT id FROM h21 WHERE id IN (1, '4.5') ORDER BY id"),
		q("UPDATE h21 SET n = n + 1 WHERE id IN (7, '7x')"),
		q("SET sql_mode = 'TRADITIONAL'"),
		q("UPDATE h21 SET n = 1 WHERE id IN (2, 'A ', 3)"),
		q("UPDATE h21 SET n = 1 WHERE id IN (2, '2x')"),
		q("DELETE FROM h21 WHERE id IN (4, '9x', 10)"),
		diff21Line{q: "UPDATE h21 SET vb = ? WHERE id IN (?, ?, ?)", args: []any{"a", int64(2), "A ", int64(3)}},
		diff21Line{q: "UPDATE h21 SET vb = ?, bl = ? WHERE id IN (?, ?, ?)", args: []any{"a", true, uint64(7), int64(-1), []byte("ab")}},
		q("BEGIN"),
		q("UPDATE h21 SET n = 2 WHERE id IN (5, 'x')"),
		q("UPDATE h21 SET n = 3 WHERE id IN (5, 6)"),
		q("COMMIT TX"),
	}
	// one row left at a time: on some nodes that own none of the list's
	// values
	for keep := 1; keep <= 12; keep++ {
		lines = append(lines, q("BEGIN"), q(fmt.Sprintf("DELETE FROM h21 WHERE id <> %d", keep)),
			q("UPDATE h21 SET n = 1 WHERE id IN (7, -1, 'ab')"),
			diff21Line{q: "UPDATE h21 SET vb = ?, bl = ? WHERE id IN (?, ?, ?)", args: []any{"a", true, uint64(7), int64(-1), []byte("ab")}},
			q("ROLLBACK TX"))
	}
	diff21Steps(t, "diff21_fixed_in", c, true, lines...)
}
