package driver_test

import (
	"os"
	"testing"
)

func TestAttack18eProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18E_PROBE") == "" {
		t.Skip("SHARDSQL_A18E_PROBE not set")
	}
	e := newR18eEnv(t, "attack18e_probe")
	type c struct {
		q    string
		det  bool
		args []any
	}
	for _, tc := range []c{
		{"DELETE FROM w WHERE k < 2 LIMIT ?", false, []any{int8(3)}},
		{"DELETE FROM w WHERE k < 2 LIMIT ?", false, []any{uint8(3)}},
		{"DELETE FROM w WHERE k < 2 LIMIT ?", false, []any{int16(3)}},
		{"DELETE FROM w WHERE k < 2 LIMIT ?", false, []any{uint64(1<<64 - 1)}},
		{"DELETE FROM w WHERE k < 2 LIMIT ?", false, []any{"3"}},
		{"DELETE FROM w WHERE k < 2 LIMIT ?", false, []any{2.0}},
		{"DELETE FROM w WHERE k < 2 LIMIT ?", false, []any{true}},
		{"DELETE FROM w WHERE k < 2 LIMIT ?", false, []any{nil}},
		{"DELETE FROM w WHERE k < 2 LIMIT ?", false, []any{[]byte("3")}},
		{"DELETE FROM w WHERE k < 2 LIMIT 18446744073709551616", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 9223372036854775808", false, nil},
		{"DELETE FROM w WHERE id IN (SELECT id FROM o WHERE k = 1) LIMIT 3", false, nil},
		{"DELETE FROM w WHERE id IN (SELECT id FROM o WHERE k = 1) LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k IN (SELECT k FROM b WHERE id < 3) LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k IN (SELECT k FROM b WHERE id < 3) LIMIT 5", false, nil},
		{"DELETE FROM w WHERE EXISTS (SELECT 1 FROM o WHERE o.id = w.id + 1 AND o.k = 0) LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k = (SELECT MAX(k) FROM o) LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k = (SELECT MAX(k) FROM o) LIMIT 3", false, nil},
		{"DELETE FROM w WHERE k = @nope LIMIT 3", false, nil},
		{"DELETE FROM w WHERE (@c := 1) = 1 LIMIT 3", false, nil},
		{"DELETE FROM w WHERE RAND() < 2 LIMIT 3", false, nil},
		{"DELETE FROM w WHERE k < 2 AND RAND() < 0.5 LIMIT 100", false, nil},
		{"DELETE FROM w WHERE id % 4 = 0 LIMIT 3", false, nil},
		{"DELETE FROM w WHERE id % 4 = 0 LIMIT 100", true, nil},
		{"DELETE FROM wc WHERE wid < 20 LIMIT 3", false, nil},
		{"DELETE FROM tl WHERE created < '2025-03-01' LIMIT 5", false, nil},
		{"DELETE FROM tl WHERE created < '2025-03-01' LIMIT 100", true, nil},
		{"DELETE FROM tl WHERE created < ? LIMIT ?", true, []any{"2025-05-01", 1000}},
		{"DELETE FROM b WHERE k < 2 LIMIT 2", false, nil},
		{"UPDATE b SET k = 9 WHERE k < 2 LIMIT 2", false, nil},
		{"DELETE /* c */ FROM w WHERE k < 2 /* x */ LIMIT 3 -- tail", false, nil},
		{"DELETE /*+ MAX_EXECUTION_TIME(1000) */ FROM w WHERE k < 2 LIMIT 3", false, nil},
		{"DELETE LOW_PRIORITY QUICK FROM w WHERE k < 2 LIMIT 3", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 3 /* end */", false, nil},
		{"DELETE FROM w PARTITION (p0) WHERE k < 2 LIMIT 3", false, nil},
		// writes with subqueries and joins
		{"UPDATE w SET v = 'x' WHERE id IN (SELECT id FROM o WHERE k = 1)", true, nil},
		{"UPDATE w SET v = 'x' WHERE k IN (SELECT k FROM o WHERE id = 7)", true, nil},
		{"DELETE FROM w WHERE k IN (SELECT k FROM o WHERE id = 7)", true, nil},
		{"DELETE FROM w WHERE id NOT IN (SELECT id FROM o WHERE k > 0)", true, nil},
		{"UPDATE w SET k = (SELECT MAX(k) FROM o WHERE o.id = w.id + 1)", true, nil},
		{"UPDATE w SET k = (SELECT COUNT(*) FROM o)", true, nil},
		{"UPDATE w, o SET w.v = 'j' WHERE w.id = o.id AND o.k = 2", true, nil},
		{"UPDATE w JOIN o ON o.id = w.id + 1 SET w.v = 'j' WHERE o.k = 2", true, nil},
		{"UPDATE w JOIN b ON b.k = w.k SET w.v = 'b' WHERE b.id = 3", true, nil},
		{"DELETE w FROM w JOIN o ON o.id = w.id WHERE o.k = 3", true, nil},
		{"DELETE w FROM w JOIN o ON o.id = w.id + 1 WHERE o.k = 3", true, nil},
		{"DELETE w, o FROM w JOIN o ON o.id = w.id WHERE o.k = 3", true, nil},
		{"DELETE w FROM w JOIN b ON b.k = w.k WHERE b.id = 4", true, nil},
		{"DELETE w FROM w JOIN wc ON wc.wid = w.id WHERE wc.id > 1030", true, nil},
		{"INSERT INTO o (id, k) SELECT id + 100, k FROM w ORDER BY id LIMIT 5", true, nil},
		{"INSERT INTO o (id, k) SELECT id + 100, k FROM w ORDER BY id DESC LIMIT 5", true, nil},
		{"INSERT INTO o (id, k) SELECT id + 100, k FROM w WHERE k = 1", true, nil},
		{"INSERT INTO o (id, k) SELECT id + 100, k FROM w LIMIT 5", false, nil},
		{"REPLACE INTO o (id, k) SELECT id, k + 10 FROM w ORDER BY id LIMIT 7", true, nil},
		{"REPLACE INTO o (id, k) SELECT id, k + 10 FROM w WHERE k = 2", true, nil},
		{"INSERT INTO o (id, k) SELECT id + 100, COUNT(*) FROM w GROUP BY id % 3, id ORDER BY id LIMIT 3", true, nil},
		{"INSERT INTO b (id, k) SELECT id + 100, k FROM w ORDER BY id LIMIT 3", true, nil},
		{"INSERT INTO w (id, k) SELECT id + 100, k FROM b ORDER BY id LIMIT 3", true, nil},
		{"INSERT INTO o (id, k) SELECT id + 100, k FROM w ORDER BY k, id LIMIT 2, 5", true, nil},
		{"INSERT INTO o (id, k) SELECT w.id + 100, o.k FROM w JOIN o ON o.id = w.id WHERE w.k = 4", true, nil},
		{"INSERT INTO o (id, k) VALUES (200, (SELECT COUNT(*) FROM w))", true, nil},
		{"INSERT INTO o (id, k) SELECT 300, COUNT(*) FROM w", true, nil},
		{"UPDATE w SET k = k + 1 WHERE k < 2 LIMIT 3", false, nil},
		{"DELETE FROM w WHERE k < 2 ORDER BY id LIMIT 3", true, nil},
		{"DELETE FROM w WHERE k < ROW_COUNT() + 2 LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k < LAST_INSERT_ID() + 2 LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k < FOUND_ROWS() + 2 LIMIT 30", true, nil},
		{"DELETE FROM w WHERE id > CONNECTION_ID() LIMIT 3", false, nil},
		{"DELETE FROM w WHERE k < 2 AND v = DATABASE() LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k < (SELECT 2) LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k < (SELECT COUNT(*) FROM DUAL) + 1 LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k IN (SELECT 1 UNION SELECT 0) LIMIT 30", true, nil},
		{"DELETE FROM w WHERE id IN (SELECT id FROM w WHERE k = 1) LIMIT 30", true, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 3 RETURNING id", false, nil},
		{"WITH x AS (SELECT 1) DELETE FROM w WHERE k < 2 LIMIT 3", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 3; DELETE FROM w WHERE k < 2 LIMIT 3", false, nil},
		{"DELETE w FROM w WHERE k < 2 LIMIT 3", false, nil},
		{"DELETE FROM w USING w WHERE k < 2 LIMIT 3", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 3 FOR UPDATE", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 1 + 1", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 0x03", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 3e0", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 003", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 0x7FFFFFFFFFFFFFFFF", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT b'11'", false, nil},
		{"delete from w where k < 2 limit 3", false, nil},
		{"DELETE FROM `w` WHERE `k` < 2 LIMIT 3", false, nil},
		{"DELETE FROM w WHERE k < 2 LIMIT 3 ", false, nil},
	} {
		t.Logf("%s %v\n    => %s", tc.q, tc.args, e.outcome(t, tc.q, tc.det, tc.args...))
	}
}
