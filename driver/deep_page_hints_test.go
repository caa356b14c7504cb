package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
)

// TestDeepPageHints checks deep pages read with position hints
// (merge/deep_hints.go, docs/deep-pages.md "Round 9") against one
// unsharded table on MariaDB: pages walked forward, backward, at random
// and repeated, with ties, NULLs, DESC and mixed directions, text under a
// case- and pad-insensitive collation, filters with ? arguments whose
// values change between pages; hints on, off, and key-only or full-row
// phases; then hints made stale by thousands of rows inserted on one node
// and deleted again between pages; and goroutines paging one shape over
// a pool of one connection per data source.
func TestDeepPageHints(t *testing.T) {
	e := newPageEnv(t, backends[1])
	ctx := context.Background()
	dbs := []struct {
		name string
		db   *sql.DB
	}{
		{"hints", e.sharded},
		{"hints, keys only", e.keys},
		{"hints, full rows", e.full},
		{"no hints", openDB(t, e.topo, driver.WithDeepPageHints(false))},
	}
	shapes := []pageQuery{
		{sel: "id, grp", order: "grp", count: 10},                 // ties, NULLs first
		{sel: "id, grp, name", order: "grp DESC, name", count: 7}, // NULLs last, mixed
		{sel: "id, name", order: "name DESC", count: 13},          // PAD SPACE, case ties
		{sel: "*", where: "WHERE grp > ?", order: "amount DESC", count: 20},
		{sel: "id, created", where: "WHERE name >= ? AND grp IS NOT NULL", order: "created, grp DESC", count: 9},
		// the primary key first: key-only cold phases, full rows when hinted
		{sel: "id, user_id, amount, created", order: "id DESC", count: 10},
	}
	argsFor := func(q pageQuery, r *rand.Rand) []any {
		switch {
		case strings.Contains(q.where, "grp > ?"):
			return []any{r.Intn(20)}
		case strings.Contains(q.where, "name >= ?"):
			return []any{pageNames[r.Intn(len(pageNames))]}
		}
		return nil
	}
	check := func(t *testing.T, q pageQuery, what string) {
		t.Helper()
		want, err := runDiffQuery(e.oracle, q.sql(true), q.allArgs()...)
		require.NoError(t, err)
		for _, db := range dbs {
			got, err := runDiffQuery(db.db, q.sql(false), q.allArgs()...)
			require.NoError(t, err, q.sql(false))
			if fmt.Sprint(want.rows) != fmt.Sprint(got.rows) {
				t.Fatalf("%s, %s: %s %v: %d rows, want %d\n got %v\nwant %v", what, db.name, q.sql(false), q.allArgs(), len(got.rows), len(want.rows), got.rows, want.rows)
			}
		}
	}
	walk := func(t *testing.T, r *rand.Rand, label string) {
		for _, q := range shapes {
			q.args = argsFor(q, r)
			// forward from an offset above the threshold, as a reader pages
			for q.offset = 100; q.offset < 700; q.offset += q.count {
				check(t, q, label+" forward")
			}
			// backward
			for q.offset = 2990; q.offset > 2600; q.offset -= q.count {
				check(t, q, label+" backward")
			}
			// at random, each repeated, and with other argument values
			for range 12 {
				q.offset = 64 + r.Intn(pageRows)
				check(t, q, label+" random")
				check(t, q, label+" repeated")
				if q.args != nil {
					q.args = argsFor(q, r)
					check(t, q, label+" other arguments")
				}
			}
		}
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	t.Run("walks", func(t *testing.T) {
		walk(t, r, "walk")
		st, err := driver.Stats(ctx, e.sharded)
		require.NoError(t, err)
		t.Logf("hinted pages %d, misses %d", st.DeepHinted, st.DeepHintMisses)
		require.Greater(t, st.DeepHinted, uint64(100), "pages read with a hint")
		cold, err := driver.Stats(ctx, dbs[3].db)
		require.NoError(t, err)
		require.Zero(t, cold.DeepHinted, "hints off")
	})
	t.Run("explain", func(t *testing.T) {
		const q = "SELECT id, grp FROM t_page ORDER BY grp LIMIT 1500, 10"
		fresh := openDB(t, e.topo)
		plan, err := driver.Explain(ctx, fresh, q)
		require.NoError(t, err)
		require.Contains(t, plan.String(), "no position hint of this shape yet")
		_, err = runDiffQuery(fresh, q)
		require.NoError(t, err)
		plan, err = driver.Explain(ctx, fresh, strings.Replace(q, "1500", "1510", 1))
		require.NoError(t, err)
		require.Contains(t, plan.String(), "a position hint of this shape is kept")
		plan, err = driver.Explain(ctx, dbs[3].db, q)
		require.NoError(t, err)
		require.Contains(t, plan.String(), "position hints off")
	})
	t.Run("stale hints", func(t *testing.T) {
		// Thousands of rows on one node (one user_id: one node of the
		// hash) that sort before, among and after the pages, inserted and
		// deleted between pages: every hint is far off, every page exact.
		before, err := driver.Stats(ctx, e.sharded)
		require.NoError(t, err)
		next := int64(100_000)
		skew := func(n int, grp func(int) any) {
			var sb strings.Builder
			var args []any
			for i := 0; i < n; i++ {
				next++
				sb.WriteString("(?, 7, ?, 'abc', 1.00, '2025-01-02'),")
				args = append(args, next, grp(i))
			}
			q := "INSERT INTO t_page (id, user_id, grp, name, amount, created) VALUES " + strings.TrimSuffix(sb.String(), ",")
			for _, db := range []*sql.DB{e.oracle, e.sharded} {
				_, err := db.Exec(q, args...)
				require.NoError(t, err)
			}
		}
		unskew := func() {
			for _, db := range []*sql.DB{e.oracle, e.sharded} {
				_, err := db.Exec("DELETE FROM t_page WHERE id > 100000 AND user_id = 7")
				require.NoError(t, err)
			}
		}
		q := pageQuery{sel: "id, grp, name", order: "grp, name", count: 10}
		for round := 0; round < 6; round++ {
			for q.offset = 500; q.offset < 600; q.offset += q.count {
				check(t, q, fmt.Sprintf("round %d", round))
			}
			switch round % 3 {
			case 0:
				skew(2000, func(int) any { return 0 }) // before every page
			case 1:
				skew(2500, func(i int) any { return i % 30 }) // among them
			case 2:
				unskew()
			}
			q.offset = 500
			check(t, q, fmt.Sprintf("round %d after the writes", round))
		}
		unskew()
		after, err := driver.Stats(ctx, e.sharded)
		require.NoError(t, err)
		t.Logf("hinted pages %d, misses %d", after.DeepHinted-before.DeepHinted, after.DeepHintMisses-before.DeepHintMisses)
		require.Greater(t, after.DeepHintMisses, before.DeepHintMisses, "stale hints missed")
	})
	t.Run("concurrent", func(t *testing.T) {
		small := openDB(t, e.topo, driver.WithMaxOpenConns(1))
		smallKeys := openDB(t, e.topo, driver.WithMaxOpenConns(1), driver.WithDeepPageKeys(route.DeepPageKeysOnly))
		q := pageQuery{sel: "id, name, amount", order: "name DESC, grp", count: 11}
		want := map[int]string{}
		for off := 300; off < 300+20*11; off += 11 {
			q.offset = off
			w, err := runDiffQuery(e.oracle, q.sql(true), q.allArgs()...)
			require.NoError(t, err)
			want[off] = fmt.Sprint(w.rows)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			db := small
			if g%2 == 1 {
				db = smallKeys
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewSource(int64(g)))
				for range 15 {
					q := q
					q.offset = 300 + 11*r.Intn(20)
					got, err := runDiffQuery(db, q.sql(false), q.allArgs()...)
					if err == nil && fmt.Sprint(got.rows) != want[q.offset] {
						err = fmt.Errorf("offset %d: got %v, want %s", q.offset, got.rows, want[q.offset])
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	})
	t.Run("inside a transaction", func(t *testing.T) {
		// the transaction's own uncommitted rows move the positions; the
		// hinted windows run on its participants and see them
		tx, err := e.sharded.Begin()
		require.NoError(t, err)
		defer tx.Rollback()
		otx, err := e.oracle.Begin()
		require.NoError(t, err)
		defer otx.Rollback()
		const ins = "INSERT INTO t_page (id, user_id, grp, name, amount, created) VALUES (200001, 7, 1, 'a', 1.00, '2025-01-01'), (200002, 7, 1, 'a', 1.00, '2025-01-01'), (200003, 7, 1, 'a', 1.00, '2025-01-01')"
		for off := 800; off < 900; off += 10 {
			const q = "SELECT id, grp FROM t_page ORDER BY grp LIMIT ?, 10"
			oq := "SELECT id, grp FROM t_page ORDER BY grp, id LIMIT ?, 10"
			if off == 850 {
				_, err = tx.Exec(ins)
				require.NoError(t, err)
				_, err = otx.Exec(ins)
				require.NoError(t, err)
			}
			rows, err := tx.Query(q, off)
			require.NoError(t, err)
			got, err := scanDiffRows(rows)
			require.NoError(t, err)
			rows, err = otx.Query(oq, off)
			require.NoError(t, err)
			want, err := scanDiffRows(rows)
			require.NoError(t, err)
			require.Equal(t, want.rows, got.rows, "offset %d", off)
		}
	})
}
