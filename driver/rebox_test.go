package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReboxAllocs: a bounded point select read inside Raw copies its
// []byte values out of go-sql-driver's buffer into one allocation and
// writes each copy into the box go-sql-driver made for the value
// (rebox.go), so six []byte columns cost shardsql no more allocations
// over one column than they cost the plain driver; boxing each copy anew
// was one more per value. The values stay intact across later reads of
// the same connections (TestPooledRowsWide checks what callers keep).
func TestReboxAllocs(t *testing.T) {
	ctx := context.Background()
	db, dsns := pooledEnv(t)
	db.SetMaxOpenConns(1)
	const id, user = 1003, 1
	const one = "SELECT id, vc FROM t_pool WHERE user_id = 1 AND id = 1003"
	const six = "SELECT id, vc, bl, dc, vc, bl, dc FROM t_pool WHERE user_id = 1 AND id = 1003"
	want := [][]string{{"1003", pooledVC(id)}, {"1003", pooledVC(id), string(pooledBL(id)), pooledDC(id), pooledVC(id), string(pooledBL(id)), pooledDC(id)}}
	// The plain driver on the node that holds the row.
	var plain *sql.DB
	for _, dsn := range dsns {
		p := openPlain(t, dsn)
		var n int
		require.NoError(t, p.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_pool WHERE user_id = ?", user).Scan(&n))
		if n > 0 {
			plain = p
		}
	}
	require.NotNil(t, plain)
	plain.SetMaxOpenConns(1)
	read := func(db *sql.DB, q string, want []string) {
		rows, err := db.QueryContext(ctx, q)
		require.NoError(t, err)
		raws := make([]sql.RawBytes, len(want))
		ptrs := make([]any, len(want))
		for i := range raws {
			ptrs[i] = &raws[i]
		}
		require.True(t, rows.Next())
		require.NoError(t, rows.Scan(ptrs...))
		for i := range want {
			require.Equal(t, want[i], string(raws[i]), "%s column %d", q, i)
		}
		require.False(t, rows.Next())
		require.NoError(t, rows.Close())
	}
	allocs := func(db *sql.DB, q string, want []string) float64 {
		return testing.AllocsPerRun(100, func() { read(db, q, want) })
	}
	// The minimum of a few measurements: a pool's background work may
	// allocate during one.
	least := func(db *sql.DB, q string, want []string) float64 {
		m := allocs(db, q, want)
		for range 3 {
			m = min(m, allocs(db, q, want))
		}
		return m
	}
	plainMore := least(plain, six, want[1]) - least(plain, one, want[0])
	shardMore := least(db, six, want[1]) - least(db, one, want[0])
	t.Logf("allocations for five more []byte columns: plain %.1f, shardsql %.1f", plainMore, shardMore)
	require.LessOrEqual(t, shardMore, plainMore+0.5, "shardsql allocates per []byte value")
}
