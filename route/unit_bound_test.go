package route

import (
	"testing"

	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"
)

// TestLimitBound: only a constant row count from 1 to TopNBoundCap
// proves a node statement's bound.
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
		require.Equal(t, c.want, limitBound(stmt.(*sqlparser.Select).Limit), c.limit)
	}
}
