package driver_test

import (
	"strings"
	"testing"
)

// TestJoins11SubqueryCollations: an uncorrelated subquery over tables
// that are not co-located is bound — its values written into the outer
// statement as literals, which compare by the outer column's collation.
// MariaDB compares a column with a column by the stronger collation
// (utf8mb4_bin over utf8mb4_general_ci), so text values are bound only
// when both collations are known and equal. Before round 11 the check
// read the schema catalog without asking for it: as a pool's first
// statement (the catalog not loaded yet), a.sk IN (SELECT b.bk …) was
// bound and matched 'a' with 'A'; and a subquery selecting from a derived
// table or an expression was bound whatever its collation. Each query
// runs on a fresh pool, its catalog cold.
func TestJoins11SubqueryCollations(t *testing.T) {
	env, topo := newJoins11Env(t, "joins11_subq")
	for _, c := range []struct{ q, want string }{
		{"SELECT a.id FROM j_a a WHERE a.sk IN (SELECT b.bk FROM j_b b)", "refused"},
		{"SELECT a.id FROM j_a a WHERE a.sk = (SELECT MAX(b.bk) FROM j_b b)", "refused"},
		{"SELECT a.id FROM j_a a WHERE a.sk NOT IN (SELECT b.bk FROM j_b b WHERE b.bk IS NOT NULL)", "refused"},
		{"SELECT a.id FROM j_a a WHERE a.sk IN (SELECT x.bk FROM (SELECT bk FROM j_c) x)", "refused"},
		{"SELECT a.id FROM j_a a WHERE a.sk IN (SELECT UPPER(b.bk) FROM j_b b)", "refused"},
		{"SELECT a.id FROM j_a a WHERE a.sk IN (SELECT CONCAT(b.bk, '') FROM j_b b)", "refused"},
		{"SELECT a.id FROM j_a a WHERE a.bk IN (SELECT b.sk FROM j_b b)", "refused"},
		{"SELECT a.id FROM j_a a WHERE a.lk IN (SELECT b.sk FROM j_b b)", "refused"},
		{"SELECT a.id FROM j_a a WHERE a.sk IN (SELECT b.sk FROM j_b b WHERE b.g = 1)", "exact"},
		{"SELECT a.id FROM j_a a WHERE a.bk IN (SELECT b.bk FROM j_b b)", "exact"},
		{"SELECT a.id FROM j_a a WHERE a.sk IN (SELECT b.ck FROM j_b b)", "exact"},
		{"SELECT a.id FROM j_a a WHERE a.sk = (SELECT 'A ')", "exact"},
		{"SELECT a.id FROM j_a a WHERE a.ik IN (SELECT x.sk FROM (SELECT sk FROM j_c) x)", "exact"},
		{"SELECT a.id FROM j_a a WHERE a.ik IN (SELECT b.sk FROM j_b b)", "exact"},
		{"SELECT a.id FROM j_a a WHERE a.ek IN (SELECT b.sk FROM j_b b)", ""},
		{"SELECT a.id FROM j_a a WHERE a.tx IN (SELECT b.sk FROM j_b b)", ""},
		{"SELECT a.id, b.id FROM j_a a JOIN j_b b ON a.ik = b.ik WHERE a.sk IN (SELECT b2.bk FROM j_b b2)", "refused"},
	} {
		fresh := &diffEnv{oracle: env.oracle, sharded: openDB(t, topo), mariadb: true}
		out := joins11Outcome(fresh, unordered(c.q))
		switch {
		case strings.HasPrefix(out, "WRONG"):
			t.Errorf("%s\n    %s", c.q, out)
		case c.want == "exact" && !strings.HasPrefix(out, "exact"), c.want == "refused" && !strings.HasPrefix(out, "refused"):
			t.Errorf("%s: want %s, got %s", c.q, c.want, out)
		}
		_ = fresh.sharded.Close()
	}
}
