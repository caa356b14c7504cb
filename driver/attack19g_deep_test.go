package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestAttack19gDeepWalk walks deep pages of p19 (LIMIT ?, ? with a ?
// filter) over shapes with ties, NULLs, mixed directions and collated
// text, inserting and deleting rows on both sides between the pages, and
// again inside a transaction whose own writes move the positions: every
// page against the oracle's for the same data.
func TestAttack19gDeepWalk(t *testing.T) {
	e := newR19gEnv(t, "attack19g_deep")
	shapes := []string{
		"SELECT id, k, n FROM p19 WHERE k <> ? ORDER BY k, id LIMIT ?, ?",
		"SELECT id, n FROM p19 WHERE k <> ? ORDER BY n DESC, id LIMIT ?, ?",
		"SELECT id, s FROM p19 WHERE k <> ? ORDER BY s, id DESC LIMIT ?, ?",
		"SELECT id, l1 FROM p19 WHERE k <> ? ORDER BY l1 DESC, id LIMIT ?, ?",
		"SELECT id, uc, k FROM p19 WHERE k <> ? ORDER BY uc, k DESC, id LIMIT ?, ?",
		"SELECT id, dt FROM p19 WHERE k <> ? ORDER BY dt DESC, id LIMIT ?, ?",
		"SELECT id, d, dd FROM p19 WHERE k <> ? ORDER BY d, dd DESC, id LIMIT ?, ?",
		"SELECT id, u FROM p19 WHERE k <> ? ORDER BY u DESC, id LIMIT ?, ?",
	}
	// write inserts row 1000+i (ties with existing keys) and deletes
	// row 3i+1
	write := func(run func(q string, args ...any) error, i int) {
		require.NoError(t, run("INSERT INTO p19 (id, k, n, s, sb, l1, uc, dt, dd, d, tm, u) VALUES (?, ?, ?, 'a ', 'a ', 'A', 'ss', '2025-01-05 00:00:01', '2025-02-03', 0.5, '1:00:00', 5)", 1000+i, i%10, i%13))
		require.NoError(t, run("DELETE FROM p19 WHERE id = ?", 3*i+1))
	}
	for _, q := range shapes {
		p, err := driver.Explain(context.Background(), e.sharded, q, 1, 300, 10)
		require.NoError(t, err)
		require.Contains(t, p.String(), "DeepPage offset 300", q)
	}
	for si, q := range shapes {
		for off := 64; off < 640; off += 53 {
			args := []any{si % 10, off, 10}
			want, werr := runDiffQuery(e.oracle, q, args...)
			got, gerr := runDiffQuery(e.sharded, q, args...)
			if out := diffOutcome(want, werr, got, gerr, true); out != "exact" {
				t.Errorf("%s %v\n    => %s", q, args, out)
			}
			i := si*20 + off/53
			for _, db := range []*sql.DB{e.oracle, e.sharded} {
				write(func(q string, a ...any) error { _, err := db.Exec(q, a...); return err }, i)
			}
		}
	}
	// inside a transaction on both sides: its own inserts and deletes
	ctx := context.Background()
	otx, err := e.oracle.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer otx.Rollback()
	stx, err := e.sharded.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer stx.Rollback()
	for si, q := range shapes {
		for off := 64; off < 640; off += 97 {
			args := []any{si % 10, off, 7}
			want, werr := txQuery(otx, q, args...)
			got, gerr := txQuery(stx, q, args...)
			if out := diffOutcome(want, werr, got, gerr, true); out != "exact" {
				t.Errorf("in a transaction: %s %v\n    => %s", q, args, out)
			}
			i := 200 + si*20 + off/97
			write(func(q string, a ...any) error { _, err := otx.Exec(q, a...); return err }, i)
			write(func(q string, a ...any) error { _, err := stx.Exec(q, a...); return err }, i)
		}
	}
}

// txQuery is runDiffQuery on a transaction.
func txQuery(tx *sql.Tx, q string, args ...any) (*diffResult, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	return scanDiffRows(rows)
}
