package driver_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// joins11SubqueryGen draws uncorrelated subqueries compared with a column
// of j_a, for the bound-subquery collation class of round 11: the outer
// column and the subquery's selected value each of another type or
// collation (INT, utf8mb4_general_ci, utf8mb4_bin, latin1, CHAR, TEXT,
// ENUM; and since round 13 DOUBLE, DECIMAL, BIGINT signed and unsigned,
// YEAR, TIME and DATETIME), the value a column, MIN/MAX, an expression, a literal or a
// derived table's column, under IN, NOT IN and scalar comparisons.
func joins11SubqueryGen(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.Intn(len(xs))] }
	outer := "a." + pick("sk", "bk", "lk", "ck", "tx", "ik", "ek", "sk", "bk")
	col := pick("sk", "bk", "lk", "ck", "tx", "ik")
	if r.Intn(3) == 0 {
		// round 13: numbers of other kinds on both sides (DOUBLE,
		// DECIMAL, signed and unsigned BIGINT up to 2⁶⁴−1, YEAR, TIME,
		// DATETIME, and ENUM against them)
		outer = "a." + pick("fk", "dk", "d3", "nk", "uk", "yk", "tk", "dt", "ek", "ik")
		col = pick("uk", "nk", "dk", "d3", "ik", "yk")
	}
	var sub string
	switch r.Intn(6) {
	case 0, 1:
		sub = fmt.Sprintf("SELECT b.%s FROM j_b b WHERE b.g %s %d", col, pick("=", "<>", "<", ">="), r.Intn(4))
	case 2:
		sub = fmt.Sprintf("SELECT x.%s FROM (SELECT %s FROM %s) x", col, col, pick("j_b", "j_c"))
	case 3:
		sub = fmt.Sprintf("SELECT %s FROM j_b b", pick("UPPER(b."+col+")", "CONCAT(b."+col+", '')", "TRIM(b."+col+")", "b."+col+" COLLATE utf8mb4_bin"))
	case 4:
		sub = fmt.Sprintf("SELECT %s(b.%s) FROM j_b b WHERE b.g = %d", pick("MIN", "MAX"), col, r.Intn(4))
	default:
		sub = "SELECT " + pick("'a'", "'A '", "'7'", "7", "NULL") + " FROM j_b b WHERE b.id = 1"
	}
	where := ""
	switch {
	case strings.Contains(sub, "MIN(") || strings.Contains(sub, "MAX(") || strings.Contains(sub, "b.id = 1"):
		where = fmt.Sprintf("%s %s (%s)", outer, pick("=", "<", ">=", "<>"), sub)
	default:
		op := pick("IN", "NOT IN")
		if op == "NOT IN" {
			sub += pick(" AND 1 = 1", "") // NULLs in the subquery make NOT IN empty, as on one server
		}
		where = fmt.Sprintf("%s %s (%s)", outer, op, sub)
	}
	return "SELECT a.id FROM j_a a WHERE " + where
}

// TestJoins11SubqueryGenerated: random bound subqueries, each exact or
// refused; every fifth on a fresh pool, its catalog cold.
func TestJoins11SubqueryGenerated(t *testing.T) {
	seed, n := crossGenRun(11, 60)
	env, topo := newJoins11Env(t, "joins11_subq_gen")
	r := rand.New(rand.NewSource(seed))
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		q := joins11SubqueryGen(r)
		e := env
		if i%5 == 0 {
			e = &diffEnv{oracle: env.oracle, sharded: openDB(t, topo), mariadb: true}
		}
		out := joins11Outcome(e, unordered(q))
		if e != env {
			_ = e.sharded.Close()
		}
		if strings.HasPrefix(out, "WRONG") {
			t.Errorf("seed %d query %d: %s\n    %s", seed, i, q, out)
		}
		counts[strings.SplitN(out, ":", 2)[0]]++
	}
	t.Logf("seed %d: %v", seed, counts)
}
