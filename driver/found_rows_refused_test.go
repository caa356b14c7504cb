package driver_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/route"
)

// TestFoundRowsAfterRefusal: FOUND_ROWS() after a SELECT SQL_CALC_FOUND_ROWS
// that shardsql refused answered for the SELECT before it (review20c's
// left item): no server ran the refused SELECT, so no session holds its
// count, and FOUND_ROWS() is refused until a SELECT runs; ROW_COUNT() too.
func TestFoundRowsAfterRefusal(t *testing.T) {
	ctx := context.Background()
	db, _ := parkEnv(t)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	var v string
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT SQL_CALC_FOUND_ROWS v FROM t_pk WHERE user_id = 1 ORDER BY id LIMIT 1").Scan(&v))
	var n int64
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT FOUND_ROWS()").Scan(&n))
	assert.EqualValues(t, 5, n, "user 1 has ids 1, 5, 9, 13, 17")

	_, err = conn.QueryContext(ctx, "SELECT SQL_CALC_FOUND_ROWS v, @refused_v := v FROM t_pk ORDER BY id LIMIT 1")
	require.ErrorIs(t, err, route.ErrUnsupported, "the refused SELECT")
	for _, q := range []string{"SELECT FOUND_ROWS()", "SELECT ROW_COUNT()"} {
		err = conn.QueryRowContext(ctx, q).Scan(&n)
		require.ErrorIs(t, err, route.ErrUnsupported, q)
		assert.Contains(t, err.Error(), "refused", q)
	}
	// A SELECT that runs makes FOUND_ROWS() answer again.
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT SQL_CALC_FOUND_ROWS v FROM t_pk WHERE user_id = 2 ORDER BY id LIMIT 1").Scan(&v))
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT FOUND_ROWS()").Scan(&n))
	assert.EqualValues(t, 5, n, "user 2 has ids 2, 6, 10, 14, 18")
}
