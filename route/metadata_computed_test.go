package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestRouteMetadataTableNameComputed: the driver shows a node table's
// rows under the logical name by rewriting the TABLE_NAME column of the
// result, so a lookup that computes with table_name (or renames the
// column) would carry the node table's name: refused.
func TestRouteMetadataTableNameComputed(t *testing.T) {
	r := testRouter(t)
	cat := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Database: "app"}, "ds1": {Database: "app"}}}
	for _, sql := range []string{
		"SELECT CONCAT_WS(':', table_name, column_name) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN ('t_user', 't_order')",
		"SELECT table_name AS t, column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't_order'",
		"SELECT table_name, UPPER(table_name) FROM information_schema.tables WHERE table_schema = DATABASE()",
	} {
		_, err := r.RouteWith(sql, nil, Options{Catalog: cat})
		require.ErrorIs(t, err, ErrUnsupported, sql)
		assert.Contains(t, err.Error(), "computes with TABLE_NAME", sql)
	}
	for _, sql := range []string{
		"SELECT table_name, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't_order'",
		"SELECT TABLE_NAME AS TABLE_NAME, CONCAT(column_name, '!') FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN ('t_user', 't_order')",
	} {
		_, err := r.RouteWith(sql, nil, Options{Catalog: cat})
		require.NoError(t, err, sql)
	}
}
