package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestStaleReadRetried kills the server connection of a parked pin between
// statements (one connection per data source, so the next statement takes
// exactly that one) and runs one read of each kind. A bounded read that
// only reads is sent without the liveness check, finds the connection dead
// by its own failure and runs again on a fresh one (StaleReads counts it);
// a read the plan marks as using the session (a user variable) or as one
// only a primary may run (FOR UPDATE) keeps the check; each succeeds with
// its row and the dead connection is discarded. An error of the
// statement's own on a live connection (a bad regular expression) is
// returned, never retried. Fails when the check is skipped without the
// retry (the point select fails with go-sql-driver's invalid connection),
// or when a read that may not run twice skips the check.
func TestStaleReadRetried(t *testing.T) {
	for _, interp := range []bool{true, false} {
		t.Run(fmt.Sprintf("interpolateParams=%v", interp), func(t *testing.T) {
			staleReadRetried(t, fmt.Sprintf("&interpolateParams=%v", interp))
		})
	}
}

// staleReadRetried is TestStaleReadRetried on data sources whose DSNs end
// in suffix: with interpolateParams=false the read is a prepared
// statement, and the dead connection fails its prepare.
func staleReadRetried(t *testing.T, suffix string) {
	ctx := context.Background()
	db, plains := parkEnvDSN(t, suffix, driver.WithMaxOpenConns(1))
	require.NoError(t, driver.SetParkTick(ctx, db, time.Hour))
	steps := []struct {
		name    string
		query   string
		retried bool // sent unchecked and run again
	}{
		{"point select", "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", true},
		{"point select with a comment", "/* c */ SELECT v FROM t_pk WHERE user_id = ? AND id = ? -- x", true},
		{"user variable", "SELECT CONCAT(v, COALESCE(@unset_v, '')) FROM t_pk WHERE id = ? AND user_id = ?", false},
		{"for update", "SELECT v FROM t_pk WHERE id = ? AND user_id = ? FOR UPDATE", false},
	}
	for _, st := range steps {
		before := connID(t, db)
		parked, discards, err := driver.ParkState(ctx, db, "ds1")
		require.NoError(t, err)
		require.Equal(t, 1, parked, "%s: the connection is parked between statements", st.name)
		stale, err := driver.StaleReads(ctx, db)
		require.NoError(t, err)
		kill(t, plains[1], before)
		a, b := any(5), any(1)
		if st.name == "point select with a comment" {
			a, b = 1, 5
		}
		var v string
		require.NoError(t, db.QueryRowContext(ctx, st.query, a, b).Scan(&v), st.name)
		assert.Equal(t, "v5", v, st.name)
		_, after, err := driver.ParkState(ctx, db, "ds1")
		require.NoError(t, err)
		assert.Equal(t, discards+1, after, "%s: the dead parked connection was discarded", st.name)
		staleAfter, err := driver.StaleReads(ctx, db)
		require.NoError(t, err)
		if st.retried {
			assert.Equal(t, stale+1, staleAfter, "%s: found dead by its own failure and run again", st.name)
		} else {
			assert.Equal(t, stale, staleAfter, "%s: checked before it was sent", st.name)
		}
		assert.NotEqual(t, before, connID(t, db), st.name)
	}

	// A live parked connection and a statement that fails on the server:
	// its own error, not run again.
	connID(t, db) // parks ds1's connection
	stale, err := driver.StaleReads(ctx, db)
	require.NoError(t, err)
	var v string
	err = db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ? AND v REGEXP '('", 5, 1).Scan(&v)
	require.Error(t, err)
	assert.NotErrorIs(t, err, sql.ErrNoRows)
	staleAfter, err := driver.StaleReads(ctx, db)
	require.NoError(t, err)
	assert.Equal(t, stale, staleAfter, "a statement's own error is not retried: %v", err)
}
