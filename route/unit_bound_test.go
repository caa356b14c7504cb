package route

import (
	"testing"

	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"
)

// TestLimitBound: only a constant row count from 1 to TopNBoundCap
// proves a node statement's bound, and only while the units' rows
// together stay within the memory cap.
func TestLimitBound(t *testing.T) {
	for _, c := range []struct {
		limit string
		want  int
	}{
		{"limit 10", 10}, {"limit 5, 10", 10}, {"limit 1024", 1024}, {"limit 1025", 0},
		{"limit 0", 0}, {"limit ?", 0}, {"", 0}, {"limit 99999999999999999999", 0},
	} {
		stmt, err := sqlparser.NewTestParser().Parse("select a from t " + c.limit)
		require.NoError(t, err, c.limit)
		require.Equal(t, c.want, limitBound(stmt.(*sqlparser.Select).Limit, 16, 0), c.limit)
	}
	stmt, err := sqlparser.NewTestParser().Parse("select a from t limit 100")
	require.NoError(t, err)
	require.Equal(t, 100, limitBound(stmt.(*sqlparser.Select).Limit, 10, 1000))
	require.Zero(t, limitBound(stmt.(*sqlparser.Select).Limit, 11, 1000), "past the memory cap together")
}
