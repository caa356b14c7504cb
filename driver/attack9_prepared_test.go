package driver_test

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/shardsql/shardsql/driver"
)

// a9PreparedArgs are the Go types a prepared statement is re-executed
// with, in turn, on one prepared statement: the server binds each
// execution's parameters with their own types (interpolateParams=false).
var a9PreparedArgs = []any{
	int64(3), int8(-1), uint64(math.MaxUint64), uint64(1) << 63, 2.5, float32(0.5), "3", " 3", "3abc", "", []byte("3"),
	time.Date(2025, 3, 1, 10, 0, 0, 500000000, time.UTC), true, false, nil, "a", "A ", "ß", "ss", "1993", 93, "93",
	"x", "b", 1, 2, "2025-03-01 10:00:00", 20250301, []byte{0xff}, "0x61", -0.0, 1e300,
}

// TestAttack9PreparedTypes prepares statements over every column kind on
// the oracle (server-side prepare) and through shardsql, and runs each
// prepared statement once per argument of a9PreparedArgs, so one
// statement meets every Go type in turn: sharding keys (point and IN),
// WHERE comparisons with each kind, LIMIT, HAVING, derived tables and
// scatter merges. Each run must match the oracle, fail where it fails, or
// be refused.
func TestAttack9PreparedTypes(t *testing.T) {
	env := newAttackEnv(t, "attack9_prepared")
	queries := []string{
		"SELECT id, n FROM t_kind WHERE user_id = ? ORDER BY id",
		"SELECT id FROM t_kind WHERE user_id IN (?, 7) ORDER BY id",
		"SELECT id FROM t_kind WHERE n = ? ORDER BY id",
		"SELECT id FROM t_kind WHERE gci = ? ORDER BY id",
		"SELECT id FROM t_kind WHERE bn < ? ORDER BY id LIMIT 20",
		"SELECT id FROM t_kind WHERE uca = ? ORDER BY id",
		"SELECT id FROM t_kind WHERE e = ? ORDER BY id LIMIT 30",
		"SELECT id FROM t_kind WHERE st = ? ORDER BY id LIMIT 30",
		"SELECT id FROM t_kind WHERE yr = ? ORDER BY id LIMIT 30",
		"SELECT id FROM t_kind WHERE dt > ? ORDER BY id LIMIT 30",
		"SELECT id FROM t_kind WHERE tm < ? ORDER BY id LIMIT 30",
		"SELECT id FROM t_kind WHERE u64 >= ? ORDER BY id LIMIT 30",
		"SELECT id FROM t_kind WHERE dc < ? ORDER BY id LIMIT 30",
		"SELECT id FROM t_kind WHERE bt = ? ORDER BY id LIMIT 30",
		"SELECT id FROM t_kind WHERE vb = ? ORDER BY id",
		"SELECT n, COUNT(*) FROM t_kind GROUP BY n HAVING n > ? ORDER BY n",
		"SELECT gci, COUNT(*) FROM t_kind GROUP BY gci HAVING gci < ? ORDER BY gci",
		"SELECT id FROM (SELECT id, n FROM t_kind ORDER BY id LIMIT 200) x WHERE n = ? ORDER BY id",
		"SELECT id FROM (SELECT id, gci FROM t_kind ORDER BY id LIMIT 200) x WHERE gci = ? ORDER BY id",
		"SELECT ? AS v, COUNT(*) FROM t_kind",
		"SELECT MAX(n) + ? FROM t_kind",
		"SELECT id FROM t_kind ORDER BY id LIMIT ?",
	}
	runs, refused := 0, 0
	for _, q := range queries {
		ostmt, err := env.oracle.Prepare(q)
		if err != nil {
			t.Fatalf("oracle prepare %s: %v", q, err)
		}
		sstmt, err := env.sharded.Prepare(q)
		if err != nil {
			t.Fatalf("shardsql prepare %s: %v", q, err)
		}
		for _, a := range a9PreparedArgs {
			runs++
			label := fmt.Sprintf("%s [%T %v]", q, a, a)
			want, oerr := queryStmt(ostmt, a)
			got, serr := queryStmt(sstmt, a)
			switch {
			case serr != nil && errors.Is(serr, driver.ErrUnsupported):
				refused++
			case oerr != nil:
				if serr == nil {
					t.Errorf("%s: oracle fails (%v), shardsql answers %v", label, oerr, head(got.rows))
				}
			case serr != nil:
				t.Errorf("%s: shardsql failed: %v", label, serr)
			default:
				if d := env.compare(ordered(q, a), want, got); d != "" {
					t.Errorf("%s:\n  %s", label, d)
				}
			}
		}
		_ = ostmt.Close()
		_ = sstmt.Close()
	}
	t.Logf("%d runs of %d prepared statements, %d refused", runs, len(queries), refused)
}

// queryStmt runs a prepared statement and reads its rows as text.
func queryStmt(st *sql.Stmt, args ...any) (*diffResult, error) {
	rows, err := st.Query(args...)
	if err != nil {
		return nil, err
	}
	return scanDiffRows(rows)
}
