package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview14ShardingColumnCollation: MODIFY/CHANGE of a text sharding
// column without COLLATE gives it the table's (or the named character
// set's) default collation, not its own: a utf8mb4_bin column widened by
// MODIFY name VARCHAR(80) became utf8mb4_general_ci on every node while
// its rows stayed where the _bin values placed them. Refused unless the
// definition repeats the column's collation.
func TestReview14ShardingColumnCollation(t *testing.T) {
	r, cat := catalogRouter(t)
	cat.Tables["t_name"].Columns[0].Collation = "utf8mb4_bin"
	for _, sql := range []string{
		"ALTER TABLE t_name MODIFY name varchar(80)",
		"ALTER TABLE t_name MODIFY COLUMN name varchar(80) NOT NULL",
		"ALTER TABLE t_name CHANGE name name varchar(80)",
		"ALTER TABLE t_name MODIFY name varchar(80) CHARACTER SET utf8mb4",
		"ALTER TABLE t_name MODIFY name varchar(80) COLLATE utf8mb4_general_ci",
	} {
		_, err := r.RouteWith(sql, nil, Options{Catalog: cat})
		require.Error(t, err, sql)
		assert.Contains(t, err.Error(), "shardsql: unsupported:", sql)
		assert.Contains(t, err.Error(), "the collation", sql)
	}
	for _, sql := range []string{
		"ALTER TABLE t_name MODIFY name varchar(80) COLLATE utf8mb4_bin",
		"ALTER TABLE t_name MODIFY name varchar(80) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",
		"ALTER TABLE t_name CHANGE name name varchar(80) COLLATE utf8mb4_bin",
	} {
		_, err := r.RouteWith(sql, nil, Options{Catalog: cat})
		assert.NoError(t, err, sql)
	}
}
