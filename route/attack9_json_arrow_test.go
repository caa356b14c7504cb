package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestAttack9JSONArrow: MySQL's -> and ->> are refused when the catalog
// says the servers are MariaDB (which fails with error 1064), kept for
// MySQL and unknown servers, and not seen inside strings or comments.
func TestAttack9JSONArrow(t *testing.T) {
	r := testRouter(t)
	maria := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Version: "10.11.19-MariaDB-0+deb12u1"}}}
	mysql8 := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Version: "8.0.36"}}}
	for _, q := range []string{
		"SELECT note->'$.a' FROM t_plain",
		"SELECT note->>'$.a' FROM t_order WHERE user_id = 1",
		"SELECT id FROM t_order WHERE note -> '$.a' = 1",
		"UPDATE t_order SET status = 1 WHERE note->>'$.b' = 'x' AND user_id = 2",
	} {
		_, err := r.RouteWith(q, nil, Options{Catalog: maria})
		assert.ErrorIs(t, err, ErrUnsupported, q)
		_, err = r.RouteWith(q, nil, Options{Catalog: maria}) // the cached parse too
		assert.ErrorIs(t, err, ErrUnsupported, q)
		_, err = r.RouteWith(q, nil, Options{Catalog: mysql8})
		assert.NoError(t, err, q)
	}
	for _, q := range []string{
		"SELECT '->' FROM t_plain",
		"SELECT 1 - -1 FROM t_plain /* a->b */",
		"SELECT `a->b` FROM t_plain",
		"SELECT id FROM t_order WHERE user_id = 1 AND status > -1",
	} {
		_, err := r.RouteWith(q, nil, Options{Catalog: maria})
		require.NoError(t, err, q)
	}
}
