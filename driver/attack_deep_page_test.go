package driver_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
)

// attackPageKeys are t_kind's columns a deep page may order by: integers,
// unsigned 64-bit integers, DECIMAL, DATETIME(6), YEAR, and text under
// three collations with trailing spaces, case and accents; most nullable.
var attackPageKeys = []string{"n", "`select`", "user_id", "u64", "dc", "dt", "yr", "gci", "bn", "uca"}

// randomAttackPage draws a paged SELECT over t_kind: 1–3 keys in random
// directions, then id (so the order is total and the rows compare in
// order), a filter or none, offsets at the edges (0, 1, the table's size
// ± 1, beyond it) or anywhere, counts 0–40, literal or `?`.
func randomAttackPage(r *rand.Rand) diffQuery {
	perm := r.Perm(len(attackPageKeys))
	var keys, sel []string
	for _, i := range perm[:1+r.Intn(3)] {
		dir := ""
		if r.Intn(2) == 0 {
			dir = " DESC"
		}
		keys = append(keys, attackPageKeys[i]+dir)
		sel = append(sel, attackPageKeys[i])
	}
	idDir := ""
	if r.Intn(3) == 0 {
		idDir = " DESC"
	}
	keys = append(keys, "id"+idDir)
	var args []any
	where := ""
	switch r.Intn(7) {
	case 0:
		where, args = " WHERE n > ?", []any{r.Intn(8)}
	case 1:
		where, args = " WHERE gci >= ?", []any{attackTexts[r.Intn(len(attackTexts))]}
	case 2:
		where = " WHERE user_id IN (1, 2, 3, 5, 8, 13, 21, 34)"
	case 3:
		where, args = " WHERE dt < ?", []any{time.Date(2025, 3, 20+r.Intn(30), 0, 0, 0, 0, time.UTC)}
	case 4:
		where = " WHERE n IS NULL OR gci IS NULL"
	}
	offsets := []int{0, 1, 255, 256, attackRows - 1, attackRows, attackRows + 1, attackRows + 500, r.Intn(attackRows)}
	offset := offsets[r.Intn(len(offsets))]
	count := r.Intn(41)
	q := fmt.Sprintf("SELECT id, %s FROM t_kind%s ORDER BY %s", strings.Join(sel, ", "), where, strings.Join(keys, ", "))
	switch r.Intn(3) {
	case 0:
		q += fmt.Sprintf(" LIMIT %d, %d", offset, count)
	case 1:
		q += " LIMIT ?, ?"
		args = append(args, offset, count)
	default:
		q += " LIMIT ? OFFSET ?"
		args = append(args, uint64(count), uint64(offset))
	}
	return ordered(q, args...)
}

// TestAttackDeepPage attacks deep and keyset pages over keys of each kind
// and collation, NULLs in both directions, ties on every key, offsets at
// and beyond the table's ends, `?` for offset and count, filters, and
// locking reads in a transaction; each statement with the phases' rows
// chosen by the router, forced to keys only and forced to full rows.
func TestAttackDeepPage(t *testing.T) {
	env := newAttackEnv(t, "attack_deep_page")
	dbs := map[string]*diffEnv{
		"router":    env.diffEnv,
		"keys only": {oracle: env.oracle, sharded: openDB(t, env.topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly)), mariadb: true},
		"full rows": {oracle: env.oracle, sharded: openDB(t, env.topo, driver.WithDeepPageKeys(route.DeepPageKeysFull)), mariadb: true},
	}
	check := func(t *testing.T, q diffQuery, label string) (deep bool) {
		t.Helper()
		for name, db := range dbs {
			(&attackEnv{diffEnv: db}).exact(t, q, label+" "+name)
		}
		plan, err := driver.Explain(context.Background(), env.sharded, q.sql, q.args...)
		require.NoError(t, err, q.sql)
		return strings.Contains(plan.String(), "DeepPage")
	}

	t.Run("hand-written", func(t *testing.T) {
		deep := 0
		for i, q := range []diffQuery{
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT 256, 10"),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT 1199, 10"),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT 1200, 10"),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT 1300, 10"),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT 1190, 10"),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT 600, 0"),
			ordered("SELECT id, n FROM t_kind ORDER BY n DESC, id LIMIT 600, 10"),
			ordered("SELECT id, n FROM t_kind ORDER BY n DESC, id DESC LIMIT 600, 10"),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id DESC LIMIT 600, 10"),
			ordered("SELECT n FROM t_kind ORDER BY n LIMIT 600, 20"),
			ordered("SELECT n FROM t_kind ORDER BY n DESC LIMIT 1180, 30"),
			ordered("SELECT id, gci FROM t_kind ORDER BY gci DESC, id LIMIT 600, 20"),
			ordered("SELECT id, bn FROM t_kind ORDER BY bn DESC, id LIMIT 900, 20"),
			ordered("SELECT id, uca FROM t_kind ORDER BY uca DESC, id DESC LIMIT 300, 20"),
			ordered("SELECT gci FROM t_kind ORDER BY gci LIMIT 600, 40"),
			ordered("SELECT bn FROM t_kind ORDER BY bn LIMIT 700, 40"),
			ordered("SELECT uca FROM t_kind ORDER BY uca DESC LIMIT 700, 40"),
			ordered("SELECT dt FROM t_kind ORDER BY dt LIMIT 800, 30"),
			ordered("SELECT id, tm FROM t_kind ORDER BY tm, id LIMIT 600, 20"),
			ordered("SELECT id, yr FROM t_kind ORDER BY yr, id LIMIT 600, 20"),
			ordered("SELECT dc FROM t_kind ORDER BY dc DESC LIMIT 600, 20"),
			ordered("SELECT id, u64 FROM t_kind ORDER BY u64 DESC, id LIMIT 600, 20"),
			ordered("SELECT u64 FROM t_kind ORDER BY u64 LIMIT 900, 30"),
			ordered("SELECT id, db FROM t_kind ORDER BY db, id LIMIT 600, 20"),
			ordered("SELECT id, vb FROM t_kind ORDER BY vb, id LIMIT 600, 20"),
			ordered("SELECT id, n, gci FROM t_kind ORDER BY n, gci DESC, dc, id LIMIT 500, 20"),
			ordered("SELECT id FROM t_kind ORDER BY id DESC LIMIT 1190, 20"),
			ordered("SELECT id FROM t_kind WHERE n = 3 ORDER BY id LIMIT 300, 20"),
			ordered("SELECT id FROM t_kind WHERE gci = 'a' ORDER BY gci, id LIMIT 300, 20"),
			ordered("SELECT id, n AS k FROM t_kind ORDER BY k, id LIMIT 600, 20"),
			ordered("SELECT id, n FROM t_kind ORDER BY 2, 1 LIMIT 600, 20"),
			ordered("SELECT id, n FROM t_kind ORDER BY n + 0, id LIMIT 600, 20"),
			ordered("SELECT k.id, k.n FROM t_kind AS k ORDER BY k.n, k.id LIMIT 600, 20"),
			ordered("SELECT * FROM t_kind ORDER BY dt DESC, id LIMIT 700, 20"),
			ordered("SELECT id, `select` FROM t_kind ORDER BY `select`, id LIMIT 600, 20"),
			ordered("SELECT id, n FROM t_kind ORDER BY n IS NULL, n, id LIMIT 600, 20"),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT 18446744073709551615 OFFSET 1190"),
			ordered("SELECT id, n, (SELECT MAX(k) FROM t_side) AS m FROM t_kind ORDER BY n, id LIMIT 600, 20"),
			ordered("SELECT id, n FROM t_kind WHERE n IN (SELECT k FROM t_side) ORDER BY n, id LIMIT 600, 20"),
			ordered("SELECT id, n FROM (SELECT id, n FROM t_kind) x ORDER BY n, id LIMIT 600, 20"),
			ordered("WITH c AS (SELECT id, n FROM t_kind WHERE n > 2) SELECT id, n FROM c ORDER BY n DESC, id LIMIT 400, 20"),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT ?, ?", 600, 20),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT ?, ?", uint64(1190), uint64(20)),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT ?, ?", "600", "20"),
			ordered("SELECT id, n FROM t_kind ORDER BY n, id LIMIT ? OFFSET ?", 20, 600),
			ordered("SELECT id, gci FROM t_kind WHERE gci > ? ORDER BY gci, id LIMIT 400, 20", []byte("a")),
			ordered("SELECT id, dt FROM t_kind WHERE dt > ? ORDER BY dt, id LIMIT 400, 20", time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)),
			// keyset pages
			ordered("SELECT id, n FROM t_kind WHERE (n, id) > (3, 500) ORDER BY n, id LIMIT 20"),
			ordered("SELECT id, n FROM t_kind WHERE (n, id) < (3, 500) ORDER BY n DESC, id DESC LIMIT 20"),
			ordered("SELECT id, gci FROM t_kind WHERE (gci, id) > ('a', 500) ORDER BY gci, id LIMIT 20"),
			ordered("SELECT id, gci FROM t_kind WHERE (gci, id) > ('a ', 500) ORDER BY gci, id LIMIT 20"),
			ordered("SELECT id, bn FROM t_kind WHERE (bn, id) > ('a', 500) ORDER BY bn, id LIMIT 20"),
			ordered("SELECT id, dt FROM t_kind WHERE (dt, id) > ('2025-03-10 00:00:00', 500) ORDER BY dt, id LIMIT 20"),
			ordered("SELECT id, n FROM t_kind WHERE n > 3 OR (n = 3 AND id > 500) ORDER BY n, id LIMIT 20"),
			ordered("SELECT id, dt FROM t_kind WHERE (dt, id) > (?, ?) ORDER BY dt, id LIMIT 20", time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), 10),
			ordered("SELECT id, u64 FROM t_kind WHERE (u64, id) > (?, ?) ORDER BY u64, id LIMIT 20", uint64(42), 10),
			ordered("SELECT id, gci FROM t_kind WHERE (gci, id) > (?, ?) ORDER BY gci, id LIMIT 20", "a ", 10),
			ordered("SELECT id, gci FROM t_kind WHERE (gci, id) > (?, ?) ORDER BY gci, id LIMIT 20", []byte("a"), 10),
		} {
			if check(t, q, fmt.Sprintf("page %d", i)) {
				deep++
			}
		}
		require.Greater(t, deep, 25, "statements planned as deep pages")
	})

	t.Run("generated", func(t *testing.T) {
		seed, n := attackRun(t, 60)
		r := rand.New(rand.NewSource(seed))
		deep := 0
		for i := 0; i < n; i++ {
			if check(t, randomAttackPage(r), fmt.Sprintf("seed %d page %d", seed, i)) {
				deep++
			}
		}
		t.Logf("%d of %d planned as deep pages", deep, n)
	})

	t.Run("locking read in a transaction", func(t *testing.T) {
		const q = "SELECT id, n FROM t_kind ORDER BY n, id LIMIT 600, 20"
		want, err := runDiffQuery(env.oracle, q)
		require.NoError(t, err)
		for _, lock := range []string{" FOR UPDATE", " LOCK IN SHARE MODE"} {
			tx, err := env.sharded.Begin()
			require.NoError(t, err)
			rows, err := tx.Query(q + lock)
			require.NoError(t, err, lock)
			got, err := scanDiffRows(rows)
			require.NoError(t, err)
			require.Empty(t, env.compare(ordered(q), want, got), lock)
			require.NoError(t, tx.Rollback())
		}
	})

	t.Run("refused", func(t *testing.T) {
		env.refused(t, ordered("SELECT SQL_CALC_FOUND_ROWS id, n FROM t_kind ORDER BY n, id LIMIT 600, 20"), "SQL_CALC_FOUND_ROWS")
	})
}
