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

// TestRouteMetadataTableNameFiltered: every node evaluates the lookup's
// WHERE, HAVING, GROUP BY and ORDER BY with its node table's name, and
// only the table_name = … / IN (…) conditions are rewritten: any other
// reading of TABLE_NAME there (`table_name LIKE '%\_0'` matched d_int's
// node tables where one database matches none), and a table_name
// condition computing the name (sent home as written, where only node
// tables live), are refused. A join's equality of two TABLE_NAME columns
// and a BINARY sort key stay planned.
func TestRouteMetadataTableNameFiltered(t *testing.T) {
	r := testRouter(t)
	cat := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Database: "app"}, "ds1": {Database: "app"}}}
	for _, sql := range []string{
		"SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't_order' AND table_name LIKE '%\\_0'",
		"SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't_order' AND LENGTH(table_name) = 7",
		"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 't_order' HAVING table_name = 't_order'",
		"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('t_user', 't_order') ORDER BY RIGHT(table_name, 1)",
		"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND LOWER(table_name) = 't_order'",
		"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND (table_name = 't_order' OR table_name = 't_user')",
		"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name BETWEEN 't_order' AND 't_order'",
		"SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = CONCAT('t_', 'order')",
	} {
		_, err := r.RouteWith(sql, nil, Options{Catalog: cat})
		require.ErrorIs(t, err, ErrUnsupported, sql)
		assert.Contains(t, err.Error(), "TABLE_NAME", sql)
	}
	for _, sql := range []string{
		"SELECT c.column_name FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema WHERE t.table_name = c.table_name AND c.table_schema = DATABASE() AND c.table_name = 't_order'",
		"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('t_user', 't_order') ORDER BY BINARY table_name",
	} {
		_, err := r.RouteWith(sql, nil, Options{Catalog: cat})
		require.NoError(t, err, sql)
	}
}
