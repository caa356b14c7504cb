package driver_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
)

// TestReview7DeepPageKeys attacks the spliced fetch statements of
// key-only deep pages (route/deep_fetch.go) and the pooled scratch
// (merge/deep_scratch.go): text keys holding quotes, backslashes and NUL
// bytes, a caller's SQL holding a NUL, '\0' escapes, and the table's name
// inside its literals and comments, each forced to key-only phases and as
// the router plans it; then 16 goroutines run deep pages at once on one
// pool, each compared with the oracle's page (run it with -race).
func TestReview7DeepPageKeys(t *testing.T) {
	env := newAttackEnv(t, "review7_deep")
	keysOnly := openDB(t, env.topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly))
	for _, w := range []string{
		`UPDATE t_kind SET bn = CONCAT('q''', id % 7, '\\', CHAR(0)) WHERE id % 3 = 0`,
		`UPDATE t_kind SET gci = CONCAT('\0', id % 5, '"') WHERE id % 4 = 0`,
	} {
		_, err := env.oracle.Exec(w)
		require.NoError(t, err)
		_, err = env.sharded.Exec(w)
		require.NoError(t, err)
	}
	require.Empty(t, env.sameContents())
	qs := []diffQuery{
		ordered("SELECT id, bn FROM t_kind ORDER BY bn, id LIMIT 5 OFFSET 700"),
		ordered("SELECT id, gci FROM t_kind ORDER BY gci DESC, id LIMIT 7 OFFSET 900"),
		ordered("SELECT id, bn FROM t_kind ORDER BY bn DESC, id DESC LIMIT 9 OFFSET 300"),
		ordered("SELECT id, vb FROM t_kind ORDER BY vb, id LIMIT 9 OFFSET 1000"),
		ordered("SELECT id, dt, dc, u64 FROM t_kind ORDER BY dt, dc DESC, u64, id LIMIT 9 OFFSET 1000"),
		ordered("SELECT id, 't_kind' AS t FROM t_kind WHERE gci <> 't_kind /* t_kind */' ORDER BY dt, id LIMIT 5 OFFSET 900"),
		ordered(`SELECT id FROM t_kind /* t_kind_0 */ WHERE bn <> '\0' ORDER BY u64, id LIMIT 5 OFFSET 800`),
		ordered("SELECT id FROM t_kind WHERE bn <> 'a\x00b' ORDER BY u64, id LIMIT 5 OFFSET 800"),
		ordered("SELECT id, bn FROM t_kind WHERE bn <> ? ORDER BY bn, id LIMIT ? OFFSET ?", "q'1\\\x00", int64(6), int64(650)),
	}
	keyed := &attackEnv{diffEnv: &diffEnv{oracle: env.oracle, sharded: keysOnly, mariadb: true}}
	for _, q := range qs {
		env.exact(t, q, "deep page")
		keyed.exact(t, q, "deep page, keys only")
	}

	// 16 pages at once on one pool: each its own scratch, none another's.
	want := make([]*diffResult, len(qs))
	for i, q := range qs {
		r, err := runDiffQuery(env.oracle, q.sql, q.args...)
		require.NoError(t, err)
		want[i] = r
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for n := 0; n < 6; n++ {
				i := (g + n) % len(qs)
				if n%3 == 2 {
					// a page cancelled mid-way: its scratch goes back too
					cctx, cancel := context.WithCancel(ctx)
					rows, err := keysOnly.QueryContext(cctx, qs[i].sql, qs[i].args...)
					cancel()
					if err == nil {
						_ = rows.Close()
					}
					continue
				}
				got, err := runDiffQuery(keysOnly, qs[i].sql, qs[i].args...)
				if err != nil {
					errs <- fmt.Errorf("%s: %w", qs[i].sql, err)
					return
				}
				if fmt.Sprint(got.rows) != fmt.Sprint(want[i].rows) {
					errs <- fmt.Errorf("%s: got %v, want %v", qs[i].sql, got.rows, want[i].rows)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
