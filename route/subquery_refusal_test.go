package route

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSubqueryScopeRefusals: a subquery shardsql can neither bind (run
// first) nor send whole to one node is refused naming the construct and
// what to write instead (the quantifiers that are not bound among them).
func TestSubqueryScopeRefusals(t *testing.T) {
	r, err := New(planTopology(t))
	require.NoError(t, err)
	opts := Options{WeightStrings: true, Catalog: planCatalog()}
	for _, sql := range []string{
		"SELECT order_id FROM t_order WHERE qty > ALL (SELECT id FROM t_user)",
		"SELECT order_id FROM t_order WHERE qty < ANY (SELECT id FROM t_user WHERE id > 3)",
		"SELECT order_id FROM t_order WHERE user_id = 1 AND qty >= ALL (SELECT id FROM t_user)",
	} {
		_, err := r.RouteWith(sql, nil, opts)
		require.Error(t, err, sql)
		require.True(t, errors.Is(err, ErrUnsupported), sql)
		require.ErrorContains(t, err, "shardsql: unsupported: subquery", sql)
		require.ErrorContains(t, err, "as a comparison with a MIN or MAX subquery", sql)
	}
}
