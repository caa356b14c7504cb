package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestSessionStateOfKeys: SET statements that would change how the server
// reads sharding values are refused (character sets; the time zone while
// a table is sharded by a TIMESTAMP column), and a hint cannot stand in
// for a sharding column the table has.
func TestSessionStateOfKeys(t *testing.T) {
	r, cat := catalogRouter(t)
	route := func(sql string, hints map[string][]any) error {
		_, err := r.RouteWith(sql, nil, Options{Catalog: cat, ShardingValues: hints})
		return err
	}
	for _, q := range []string{"SET NAMES latin1", "SET NAMES 'utf8'", "SET NAMES DEFAULT", "SET CHARACTER SET latin1", "SET character_set_client = 'latin1'", "SET character_set_connection = 'binary'", "SET collation_connection = 'latin1_swedish_ci'"} {
		err := route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
		assert.ErrorContains(t, err, "character set other than utf8mb4", q)
	}
	// review20a: the merges read text as utf8mb4
	for _, q := range []string{"SET character_set_results = 'latin1'", "SET character_set_results = NULL", "SET @@session.character_set_results = 'binary'"} {
		err := route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
		assert.ErrorContains(t, err, "SET character_set_results to a character set other than utf8mb4", q)
	}
	// t_day's sharding column is not in the catalog: it could be a
	// TIMESTAMP, so a zone is refused until the catalog says otherwise.
	err := route("SET time_zone = '+09:00'", nil)
	require.ErrorIs(t, err, ErrUnsupported)
	assert.ErrorContains(t, err, "the type of t_day.at")
	for _, tr := range r.topo.Tables() {
		if _, ok := cat.Table(tr.Name); !ok {
			cat.Tables[tr.Name] = &schema.Table{Name: tr.Name, Columns: []schema.Column{{Name: tr.Column, DataType: "datetime", ColumnType: "datetime"}}}
		}
	}
	for _, q := range []string{"SET NAMES utf8mb4", "SET NAMES 'UTF8MB4' COLLATE utf8mb4_bin", "SET character_set_results = 'utf8mb4'", "SET time_zone = '+09:00'", "SET collation_connection = 'utf8mb4_bin'"} {
		assert.NoError(t, route(q, nil), q)
	}
	// t_month sharded by a TIMESTAMP column: only the sources' own zone.
	month, _ := cat.Table("t_month")
	month.Columns[0] = schema.Column{Name: "at", DataType: "timestamp", ColumnType: "timestamp"}
	cat.Sources["ds0"] = schema.Source{Database: "app", TimeZone: "SYSTEM"}
	cat.Sources["ds1"] = schema.Source{Database: "app", TimeZone: "SYSTEM"}
	for _, q := range []string{"SET time_zone = '+09:00'", "SET @@session.time_zone = 'UTC'", "SET time_zone = DEFAULT"} {
		err := route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
		assert.ErrorContains(t, err, "TIMESTAMP column at", q)
	}
	assert.NoError(t, route("SET time_zone = 'system'", nil))

	err = route("INSERT INTO t_order (order_id) VALUES (1)", map[string][]any{"t_order": {int64(7)}})
	require.ErrorIs(t, err, ErrUnsupported)
	assert.ErrorContains(t, err, "without its sharding column user_id under a sharding value hint")
	assert.NoError(t, route("INSERT INTO t_order (order_id, user_id) VALUES (1, 7)", map[string][]any{"t_order": {int64(7)}}))
}
