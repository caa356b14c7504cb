package driver_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAttack13NotInRange: MariaDB answers `x NOT IN (SELECT c …)` TRUE,
// though the set holds a NULL, for an x outside the range of c's type;
// bound literals answer NULL. Found by the round-13 attack on MariaDB
// 10.11 for DECIMAL: j_a's d3 (DECIMAL(8,3)) 99999.999 against j_b's dk
// (DECIMAL(6,2)) values with NULLs kept row 102 on the oracle and none
// through shardsql. Now refused (route/subquery_literal.go
// nullInNarrowerSet); the same set without its NULLs still binds.
func TestAttack13NotInRange(t *testing.T) {
	env, _ := newJoins11Env(t, "a13_notin_range")
	const ins = "INSERT INTO j_a (id, g, d3, dk) VALUES (101, 1, 1.235, 1234.5), (102, 1, 99999.999, -9999.99)"
	_, err := env.oracle.Exec(ins)
	require.NoError(t, err)
	_, err = env.sharded.Exec(ins)
	require.NoError(t, err)
	for _, c := range []joins11Case{
		{`SELECT a.id FROM j_a a WHERE a.d3 NOT IN (SELECT b.dk FROM j_b b WHERE b.g <> 1)`, "refused"},
		{`SELECT a.id, a.d3 IN (SELECT b.dk FROM j_b b WHERE b.g <> 1) FROM j_a a`, "refused"},
		{`SELECT a.id FROM j_a a WHERE a.d3 IN (SELECT b.dk FROM j_b b WHERE b.g <> 1)`, "exact"},
		{`SELECT a.id FROM j_a a WHERE a.d3 NOT IN (SELECT b.dk FROM j_b b WHERE b.g <> 1 AND b.dk IS NOT NULL)`, "exact"},
	} {
		out := joins11Outcome(env, unordered(c.q))
		switch {
		case strings.HasPrefix(out, "WRONG"):
			t.Errorf("%s: %s", c.q, out)
		case c.want == "exact" && out != "exact":
			t.Errorf("%s: want exact, got %s", c.q, out)
		}
	}
}
