package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// Broadcast writes run on every copy separately: values that differ from
// server to server are refused, whatever their place in the statement.
func TestBroadcastWriteNonDeterministicRefused(t *testing.T) {
	r := joinRouter(t)
	for sql, want := range map[string]string{
		"INSERT INTO t_merchant (id, name) VALUES (1, RAND())":                                                               "RAND()",
		"INSERT INTO t_merchant (id, name) VALUES (1, UUID())":                                                               "UUID()",
		"INSERT INTO t_merchant (id, name) VALUES (UUID_SHORT(), 'a')":                                                       "UUID_SHORT()",
		"INSERT INTO t_merchant (id, created) VALUES (1, NOW(6))":                                                            "NOW",
		"INSERT INTO t_merchant (id, created) VALUES (1, CURRENT_TIMESTAMP)":                                                 "CURRENT_TIMESTAMP",
		"UPDATE t_merchant SET created = SYSDATE() WHERE id = 1":                                                             "SYSDATE",
		"UPDATE t_merchant SET created = CURDATE() WHERE id = 1":                                                             "CURDATE",
		"UPDATE t_merchant SET created = UTC_TIMESTAMP() WHERE id = 1":                                                       "UTC_TIMESTAMP",
		"UPDATE t_merchant SET n = UNIX_TIMESTAMP() WHERE id = 1":                                                            "UNIX_TIMESTAMP()",
		"UPDATE t_merchant SET n = CONNECTION_ID() WHERE id = 1":                                                             "CONNECTION_ID()",
		"UPDATE t_merchant SET n = LAST_INSERT_ID() WHERE id = 1":                                                            "LAST_INSERT_ID()",
		"UPDATE t_merchant SET name = @v WHERE id = 1":                                                                       "user variable @v",
		"UPDATE t_merchant SET name = @@hostname WHERE id = 1":                                                               "system variable",
		"DELETE FROM t_merchant WHERE id = (SELECT id FROM (SELECT id FROM t_merchant ORDER BY RAND() LIMIT 1) x)":           "RAND()",
		"DELETE FROM t_merchant ORDER BY RAND() LIMIT 1":                                                                     "RAND()",
		"DELETE FROM t_merchant LIMIT 1":                                                                                     "LIMIT without an ORDER BY on a unique NOT NULL key",
		"UPDATE t_merchant SET name = 'x' ORDER BY name LIMIT 2":                                                             "LIMIT without",
		"INSERT INTO t_merchant (id, name) SELECT id + 100, name FROM t_merchant LIMIT 3":                                    "LIMIT without",
		"UPDATE t_merchant SET name = 'x' WHERE id = 1 AND RELEASE_LOCK('l') = 1":                                            "RELEASE_LOCK",
		"UPDATE t_merchant SET n = LAST_INSERT_ID(RAND()) WHERE id = 1":                                                      "RAND()",
		"INSERT INTO t_merchant (id, n) VALUES (1, 2) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), n = LAST_INSERT_ID()": "LAST_INSERT_ID()",
	} {
		_, err := r.Route(sql, nil)
		require.ErrorIs(t, err, ErrUnsupported, sql)
		assert.Contains(t, err.Error(), want, sql)
		assert.Contains(t, err.Error(), "compute the value in the application and pass it as an argument", sql)
	}
}

func TestBroadcastWritePlans(t *testing.T) {
	r := joinRouter(t)
	for _, sql := range []string{
		"INSERT INTO t_merchant (id, name) VALUES (?, ?)",
		"UPDATE t_merchant SET created = ? WHERE id = 1",
		"UPDATE t_merchant SET n = UNIX_TIMESTAMP('2026-01-01') WHERE id = 1",
		"DELETE FROM t_merchant WHERE name = 'x'",
		// LAST_INSERT_ID(expr) is expr, the same on every copy (ent's
		// upsert; the counter idiom).
		"INSERT INTO t_merchant (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name), id = LAST_INSERT_ID(t_merchant.id)",
		"UPDATE t_merchant SET n = LAST_INSERT_ID(n + 1) WHERE id = 1",
	} {
		p, err := r.Route(sql, []any{int64(1), "a"}[:countArgs(sql)])
		require.NoError(t, err, sql)
		assert.True(t, p.Broadcast, sql)
		assert.Equal(t, []string{"ds0", "ds1"}, p.DataSources(), sql)
	}
	p, err := r.Route("CREATE INDEX i_name ON t_merchant (name)", nil)
	require.NoError(t, err)
	assert.False(t, p.Broadcast, "DDL commits implicitly: not one transaction")

	// LIMIT under an ORDER BY on a unique NOT NULL key is the same rows
	// on every copy; the catalog says which keys there are.
	cat := &schema.Catalog{Tables: map[string]*schema.Table{"t_merchant": {
		Name:    "t_merchant",
		Columns: []schema.Column{{Name: "id", DataType: "bigint"}, {Name: "code", DataType: "varchar", Nullable: true}, {Name: "name", DataType: "varchar"}},
		Indexes: []schema.Index{{Name: "PRIMARY", Primary: true, Columns: []string{"id"}}, {Name: "u_code", Columns: []string{"code"}}},
	}}}
	for sql, ok := range map[string]bool{
		"DELETE FROM t_merchant ORDER BY id LIMIT 1":                                                    true,
		"UPDATE t_merchant SET name = 'x' ORDER BY name, id LIMIT 2":                                    true,
		"DELETE FROM t_merchant ORDER BY code LIMIT 1":                                                  false, // NULLs tie
		"DELETE FROM t_merchant ORDER BY name LIMIT 1":                                                  false,
		"INSERT INTO t_merchant (id, name) SELECT id + 100, name FROM t_merchant ORDER BY id LIMIT 3":   true,
		"INSERT INTO t_merchant (id, name) SELECT name AS id, name FROM t_merchant ORDER BY id LIMIT 3": false, // the alias, not the column
	} {
		_, err := r.RouteWith(sql, nil, Options{Catalog: cat})
		if ok {
			assert.NoError(t, err, sql)
		} else {
			assert.ErrorIs(t, err, ErrUnsupported, sql)
		}
	}
}

func countArgs(sql string) int {
	n := 0
	for _, c := range sql {
		if c == '?' {
			n++
		}
	}
	return n
}

// LAST_INSERT_ID(expr) in a broadcast INSERT of several rows: the first
// copy would report the last met row's id, not a generated one, and the
// other copies would be run under it (compat15): refused.
func TestBroadcastInsertLastInsertIDRows(t *testing.T) {
	r := joinRouter(t)
	for _, sql := range []string{
		"INSERT INTO t_merchant (id, name) VALUES (1, 'a'), (2, 'b') ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)",
		"INSERT INTO t_merchant (id, name) SELECT id + 10, name FROM t_merchant ORDER BY id ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(t_merchant.id)",
	} {
		_, err := r.Route(sql, nil)
		require.ErrorIs(t, err, ErrUnsupported, sql)
		assert.Contains(t, err.Error(), "insert one row per statement", sql)
	}
	_, err := r.Route("INSERT INTO t_merchant (id, name) VALUES (1, 'a') ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)", nil)
	require.NoError(t, err)
}
