package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
)

// Deep pages while the table changes (round 15). The position hints
// (docs/deep-pages.md "Round 9") remember where each node's share of a
// page of one shape started; a hint is only a prediction, and a stale one
// must cost reads, never rows. The other generators page a table that
// never changes, so a hint there is always right. This one pages a few
// fixed shapes at offsets near the last one (the same page, the next,
// back, far, past the end), and between pages writes the table on the
// oracle and through shardsql alike: rows inserted on one node (one
// user_id) or scattered, rows deleted by node, range or key, sort keys
// updated (rows move between pages and nodes' shares). Some pages run
// inside a transaction after its own writes (both sides in one), which is
// then committed or rolled back, so a hint recorded on the transaction's
// rows is used on rows without them.

// deepWriteShape is a paged SELECT over t_kind without its LIMIT: 1–3
// keys of attackPageKeys in random directions, then id.
func deepWriteShape(r *rand.Rand) string {
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
	where := []string{"", "", " WHERE n > 2", " WHERE gci >= 'b'", " WHERE n IS NULL OR gci IS NULL", " WHERE user_id <> 7"}[r.Intn(6)]
	return fmt.Sprintf("SELECT id, %s FROM t_kind%s ORDER BY %s", strings.Join(sel, ", "), where, strings.Join(keys, ", "))
}

// deepWriteStmt is one write over t_kind, run alike on the oracle and
// through shardsql. next gives fresh ids.
func deepWriteStmt(r *rand.Rand, next func() int) (string, []any) {
	text := func() any {
		if r.Intn(6) == 0 {
			return nil
		}
		return attackTexts[r.Intn(len(attackTexts))]
	}
	num := func(n int) any {
		if r.Intn(6) == 0 {
			return nil
		}
		return r.Intn(n)
	}
	row := func(user int) []any {
		return []any{next(), user, num(256), text(), text(), text(),
			[]uint64{0, 1, 1 << 63, 1<<64 - 1, 42}[r.Intn(5)], num(10),
			time.Date(2025, 3, 1+r.Intn(60), r.Intn(24), 0, 0, 0, time.UTC),
			fmt.Sprintf("%d.%03d", r.Intn(200)-100, r.Intn(1000)), 1990 + r.Intn(8)}
	}
	insert := func(rows [][]any) (string, []any) {
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO t_kind (id, user_id, `select`, gci, bn, uca, u64, n, dt, dc, yr) VALUES ")
		for i, rw := range rows {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, rw...)
		}
		return sb.String(), args
	}
	switch r.Intn(7) {
	case 0: // many rows on one node: its share of every page moves
		user := 1 + r.Intn(40)
		var rows [][]any
		for i := 0; i < 20+r.Intn(200); i++ {
			rows = append(rows, row(user))
		}
		return insert(rows)
	case 1: // a few rows anywhere
		var rows [][]any
		for i := 0; i < 1+r.Intn(8); i++ {
			rows = append(rows, row(1+r.Intn(40)))
		}
		return insert(rows)
	case 2: // one user's rows: one node's share shrinks
		return "DELETE FROM t_kind WHERE user_id = ?", []any{1 + r.Intn(40)}
	case 3:
		lo := r.Intn(1600)
		return "DELETE FROM t_kind WHERE id BETWEEN ? AND ?", []any{lo, lo + r.Intn(60)}
	case 4:
		return "DELETE FROM t_kind WHERE n = ? AND user_id % 3 = ?", []any{r.Intn(10), r.Intn(3)}
	case 5: // sort keys move
		return "UPDATE t_kind SET n = ?, gci = ?, dc = ? WHERE id % 11 = ?", []any{num(10), text(), fmt.Sprintf("%d.5", r.Intn(100)), r.Intn(11)}
	default:
		return "UPDATE t_kind SET `select` = `select` + ?, bn = ?, yr = ? WHERE user_id = ?", []any{r.Intn(5) - 2, text(), 1990 + r.Intn(8), 1 + r.Intn(40)}
	}
}

// deepWriteOffset is the next offset for a shape last paged at last with
// count: the same page, the next, a part of it, back, far, or past the end.
func deepWriteOffset(r *rand.Rand, last, count int) int {
	off := last
	switch r.Intn(8) {
	case 0:
	case 1, 2:
		off = last + count
	case 3:
		off = last + r.Intn(count+1)
	case 4:
		off = last - r.Intn(80)
	case 5:
		off = last + r.Intn(400)
	case 6:
		off = attackRows - 20 + r.Intn(200)
	default:
		off = r.Intn(attackRows + 100)
	}
	return max(off, 0)
}

// TestDeepPageWritesGenerated pages fixed shapes while the table changes,
// on connectors with hints (the router's choice, keys only, full rows)
// and compares every page with the oracle's.
func TestDeepPageWritesGenerated(t *testing.T) {
	env := newAttackEnv(t, "deep_page_writes")
	seed, n := attackRun(t, 120)
	r := rand.New(rand.NewSource(seed))
	dbs := []*sql.DB{env.sharded,
		openDB(t, env.topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly)),
		openDB(t, env.topo, driver.WithDeepPageKeys(route.DeepPageKeysFull))}
	shapes := []string{deepWriteShape(r), deepWriteShape(r), deepWriteShape(r)}
	lastOff := []int{600, 900, 300}
	nextID := 100000
	next := func() int { nextID++; return nextID }
	ctx := context.Background()
	page := func(i int) (string, []any) {
		s := r.Intn(len(shapes))
		count := 1 + r.Intn(40)
		off := deepWriteOffset(r, lastOff[s], count)
		lastOff[s] = off
		return shapes[s] + " LIMIT ?, ?", []any{off, count}
	}
	check := func(label, q string, args []any, oracle, sharded interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}) {
		t.Helper()
		wr, err := oracle.QueryContext(ctx, q, args...)
		require.NoError(t, err, "%s: oracle: %s", label, q)
		want, err := scanDiffRows(wr)
		require.NoError(t, err)
		gr, err := sharded.QueryContext(ctx, q, args...)
		if err != nil {
			t.Errorf("%s: shardsql failed on %s %v: %v", label, q, args, err)
			return
		}
		got, err := scanDiffRows(gr)
		require.NoError(t, err)
		if diff := env.compare(ordered(q), want, got); diff != "" {
			t.Errorf("%s: %s %v\n  %s", label, q, args, diff)
		}
	}
	write := func(label string, oracle, sharded interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}) {
		q, args := deepWriteStmt(r, next)
		wr, err := oracle.ExecContext(ctx, q, args...)
		require.NoError(t, err, "%s: oracle: %s", label, q)
		gr, err := sharded.ExecContext(ctx, q, args...)
		require.NoError(t, err, "%s: %s", label, q)
		wn, _ := wr.RowsAffected()
		gn, _ := gr.RowsAffected()
		require.Equal(t, wn, gn, "%s: rows affected by %s %v", label, q, args)
	}
	for i := 0; i < n; i++ {
		label := fmt.Sprintf("seed %d step %d", seed, i)
		switch k := r.Intn(10); {
		case k < 5:
			q, args := page(i)
			for _, db := range dbs {
				check(label, q, args, env.oracle, db)
			}
		case k < 8:
			write(label, env.oracle, env.sharded)
		default: // a transaction that writes, pages its own rows, and ends
			otx, err := env.oracle.BeginTx(ctx, nil)
			require.NoError(t, err)
			db := dbs[r.Intn(len(dbs))]
			stx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			for w := 0; w < 1+r.Intn(2); w++ {
				write(label+" in tx", otx, stx)
			}
			for p := 0; p < 1+r.Intn(3); p++ {
				q, args := page(i)
				check(label+" in tx", q, args, otx, stx)
			}
			if r.Intn(2) == 0 {
				require.NoError(t, otx.Commit())
				require.NoError(t, stx.Commit())
			} else {
				require.NoError(t, otx.Rollback())
				require.NoError(t, stx.Rollback())
			}
		}
		if t.Failed() {
			t.Fatalf("stopped at %s (shapes %q)", label, shapes)
		}
	}
	var hinted, misses uint64
	for _, db := range dbs {
		st, err := driver.Stats(ctx, db)
		require.NoError(t, err)
		hinted, misses = hinted+st.DeepHinted, misses+st.DeepHintMisses
	}
	t.Logf("seed %d: %d steps, shapes %q; hinted pages %d, misses %d", seed, n, shapes, hinted, misses)
}
