package driver_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// distinctExact: several DISTINCT aggregates over different expressions in
// one statement, with and without GROUP BY, beside GROUP_CONCAT and the
// other aggregates, and over text whose spellings PAD SPACE, case and
// accents make equal. Each must match the oracle.
var distinctExact = []diffQuery{
	unordered("SELECT COUNT(DISTINCT v), COUNT(DISTINCT u) FROM t_kinds"),
	unordered("SELECT COUNT(DISTINCT v), COUNT(DISTINCT u), COUNT(DISTINCT grp), COUNT(*) FROM t_kinds"),
	unordered("SELECT COUNT(DISTINCT v), SUM(DISTINCT amount), AVG(DISTINCT grp), SUM(amount), MAX(u) FROM t_kinds"),
	unordered("SELECT COUNT(DISTINCT v), SUM(DISTINCT amount) FROM t_kinds WHERE id < 0"),
	unordered("SELECT grp, COUNT(DISTINCT v), COUNT(DISTINCT u), SUM(DISTINCT amount), COUNT(*) FROM t_kinds GROUP BY grp"),
	unordered("SELECT v, COUNT(DISTINCT u), COUNT(DISTINCT grp), AVG(DISTINCT amount) FROM t_kinds GROUP BY v"),
	unordered("SELECT DATE(d), COUNT(DISTINCT v), COUNT(DISTINCT b+0), MIN(f) FROM t_kinds GROUP BY DATE(d)"),
	unordered("SELECT grp, COUNT(DISTINCT LEFT(v, 1)), COUNT(DISTINCT u) * 10 + COUNT(*) FROM t_kinds GROUP BY grp"),
	unordered("SELECT grp, COUNT(DISTINCT v) FROM t_kinds GROUP BY grp HAVING COUNT(DISTINCT u) > 8"),
	ordered("SELECT grp, COUNT(DISTINCT v) AS a, COUNT(DISTINCT u) AS b FROM t_kinds GROUP BY grp ORDER BY b DESC, a, grp"),
	ordered("SELECT grp, COUNT(DISTINCT v), SUM(DISTINCT id) FROM t_kinds GROUP BY grp ORDER BY grp DESC LIMIT 5"),
	// a GROUP_CONCAT sorts the stream by its argument; the DISTINCT
	// aggregates over other expressions (before or after it) keep sets
	unordered("SELECT grp, COUNT(DISTINCT v), GROUP_CONCAT(id ORDER BY id), COUNT(DISTINCT u) FROM t_kinds GROUP BY grp"),
	unordered("SELECT grp, GROUP_CONCAT(DISTINCT b+0 ORDER BY b+0 DESC), COUNT(DISTINCT v), COUNT(DISTINCT b+0) FROM t_kinds GROUP BY grp"),
	unordered("SELECT COUNT(DISTINCT u), GROUP_CONCAT(DISTINCT grp ORDER BY grp SEPARATOR '|') FROM t_kinds"),
	// GROUP_CONCAT ordered in memory: by another expression (total with
	// id), of several expressions, with LIMIT, beside sorted ones
	unordered("SELECT grp, GROUP_CONCAT(id ORDER BY amount, id) FROM t_kinds WHERE amount IS NOT NULL GROUP BY grp"),
	unordered("SELECT grp, GROUP_CONCAT(id ORDER BY amount DESC, id SEPARATOR '') FROM t_kinds WHERE amount IS NOT NULL GROUP BY grp"),
	unordered("SELECT grp, GROUP_CONCAT(id, ':', amount ORDER BY id DESC) FROM t_kinds GROUP BY grp"),
	unordered("SELECT GROUP_CONCAT(id ORDER BY id LIMIT 2), GROUP_CONCAT(id ORDER BY d, id LIMIT 3, 4) FROM t_kinds WHERE d IS NOT NULL"),
	unordered("SELECT grp, GROUP_CONCAT(grp + 1 ORDER BY id LIMIT 100, 2), COUNT(*) FROM t_kinds GROUP BY grp"),
	unordered("SELECT grp, GROUP_CONCAT(id ORDER BY id), GROUP_CONCAT(b+0 ORDER BY f, id), COUNT(DISTINCT v) FROM t_kinds WHERE f IS NOT NULL GROUP BY grp"),
	unordered("SELECT grp, GROUP_CONCAT(id ORDER BY u, id) FROM t_kinds WHERE u IS NOT NULL GROUP BY grp HAVING COUNT(*) > 30"),
	unordered("SELECT GROUP_CONCAT(id ORDER BY id LIMIT 2) FROM t_kinds WHERE id < 0"),
	unordered("SELECT GROUP_CONCAT(id ORDER BY id), GROUP_CONCAT(grp ORDER BY grp DESC) FROM t_kinds"),
	unordered("SELECT grp, GROUP_CONCAT(DISTINCT b+0 ORDER BY b+0), GROUP_CONCAT(id ORDER BY id), GROUP_CONCAT(b+0 ORDER BY b+0 DESC, id) FROM t_kinds WHERE b IS NOT NULL GROUP BY grp"),
}

func TestDifferentialDistinctAggregates(t *testing.T) {
	env := newKindsEnv(t)
	for i, q := range distinctExact {
		diff, err := env.check(q)
		if err != nil || diff != "" {
			t.Errorf("query %d: %s %v\n  %v%s", i, q.sql, q.args, err, diff)
		}
	}
	t.Run("memory cap", func(t *testing.T) {
		// the second DISTINCT argument's values of one group are held in
		// memory: beyond WithMaxMemoryRows the statement fails clearly
		small := openDB(t, env.topo, driver.WithMaxMemoryRows(50))
		_, err := runDiffQuery(small, "SELECT COUNT(DISTINCT v), COUNT(DISTINCT id) FROM t_kinds")
		require.ErrorIs(t, err, driver.ErrTooLarge)
		require.ErrorContains(t, err, "WithMaxMemoryRows")
		got, err := runDiffQuery(small, "SELECT grp, COUNT(DISTINCT v), COUNT(DISTINCT u) FROM t_kinds WHERE grp = 3 GROUP BY grp")
		require.NoError(t, err)
		want, err := runDiffQuery(env.oracle, "SELECT grp, COUNT(DISTINCT v), COUNT(DISTINCT u) FROM t_kinds WHERE grp = 3 GROUP BY grp")
		require.NoError(t, err)
		require.Equal(t, want.rows, got.rows)
	})
}

// TestGroupConcatSpellings: GROUP_CONCAT of text concatenates each row's
// own spelling, also of values its collation makes equal ('a', 'A', 'á',
// 'a '), in the order of the argument (ties in any order, as on one
// server): compared as multisets of the values' bytes, per group.
func TestGroupConcatSpellings(t *testing.T) {
	env := newKindsEnv(t)
	bag := func(rows [][]string) []string {
		var out []string
		for _, r := range rows {
			parts := strings.Split(r[1], "|")
			sort.Strings(parts)
			out = append(out, r[0]+" => "+strings.Join(parts, "|"))
		}
		sort.Strings(out)
		return out
	}
	for _, q := range []string{
		"SELECT grp, GROUP_CONCAT(v ORDER BY v SEPARATOR '|') FROM t_kinds GROUP BY grp",
		"SELECT grp, GROUP_CONCAT(u SEPARATOR '|') FROM t_kinds GROUP BY grp",
		"SELECT 1, GROUP_CONCAT(v ORDER BY v DESC SEPARATOR '|') FROM t_kinds",
		"SELECT grp, GROUP_CONCAT(u ORDER BY u SEPARATOR '|') FROM t_kinds WHERE v IN ('a', 'A', 'á', 'a ') GROUP BY grp",
		// in memory: several arguments, ordered by another expression
		"SELECT grp, GROUP_CONCAT(v, '/', u SEPARATOR '|') FROM t_kinds GROUP BY grp",
		"SELECT grp, GROUP_CONCAT(v ORDER BY grp SEPARATOR '|') FROM t_kinds GROUP BY grp",
	} {
		want, err := runDiffQuery(env.oracle, q)
		require.NoError(t, err, q)
		got, err := runDiffQuery(env.sharded, q)
		require.NoError(t, err, q)
		require.Equal(t, bag(want.rows), bag(got.rows), q)
	}
}
