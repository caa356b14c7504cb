package driver_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestMultiStatement runs a migration-file-like string through shardsql
// and through go-sql-driver with multiStatements=true on one database, and
// compares the result and the tables.
func TestMultiStatement(t *testing.T) {
	name := strings.ToLower(t.Name())
	dsns := sharedDSNs(t, name)
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ms", Column: "user_id", Nodes: "ds${0..1}.t_ms_${0..1}"}))
	sharded := openDB(t, topo)
	oracleDB(t, shared.servers[0], name+"_oracle").Close()
	cfg, err := mysql.ParseDSN(shared.servers[0].DSN())
	require.NoError(t, err)
	cfg.DBName, cfg.MultiStatements, cfg.InterpolateParams = name+"_oracle", true, true
	oracle, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })

	migration := `-- 0001_init.up.sql
CREATE TABLE t_ms (id BIGINT NOT NULL, user_id BIGINT NOT NULL, note VARCHAR(40), PRIMARY KEY (id, user_id));
CREATE TABLE t_ms_log (id INT PRIMARY KEY, msg VARCHAR(40)); /* not sharded; here is a ; */
INSERT INTO t_ms (id, user_id, note) VALUES (1, 1, 'a;b'), (2, 2, 'c'), (3, 3, "d;"), (4, 4, 'it''s');
INSERT INTO t_ms_log VALUES (1, 'created; seeded');
UPDATE t_ms SET note = CONCAT(note, '!') WHERE user_id IN (1, 2, 3);
`
	for _, db := range []*sql.DB{oracle, sharded} {
		res, err := db.Exec(migration)
		require.NoError(t, err)
		n, err := res.RowsAffected()
		require.NoError(t, err)
		assert.EqualValues(t, 3, n, "the last statement's rows affected, as go-sql-driver reports")
	}
	for _, q := range []string{"SELECT id, user_id, note FROM t_ms ORDER BY id", "SELECT id, msg FROM t_ms_log ORDER BY id", "SHOW TABLES"} {
		want, err := runDiffQuery(oracle, q)
		require.NoError(t, err)
		got, err := runDiffQuery(sharded, q)
		require.NoError(t, err)
		assert.Equal(t, want.rows, got.rows, q)
	}

	// Arguments go to the statements in order.
	_, err = sharded.Exec("UPDATE t_ms SET note = ? WHERE user_id = ?; DELETE FROM t_ms WHERE user_id = ?", "x", 1, 4)
	require.NoError(t, err)
	var note string
	require.NoError(t, sharded.QueryRow("SELECT note FROM t_ms WHERE user_id = 1").Scan(&note))
	assert.Equal(t, "x", note)
	require.ErrorIs(t, sharded.QueryRow("SELECT note FROM t_ms WHERE user_id = 4").Scan(&note), sql.ErrNoRows)

	// A refused piece stops the string there: the pieces before it ran, as
	// a failing statement stops go-sql-driver's.
	_, err = sharded.Exec("UPDATE t_ms SET note = 'y' WHERE user_id = 2; LOCK TABLES t_ms WRITE; UPDATE t_ms SET note = 'z' WHERE user_id = 3")
	require.ErrorIs(t, err, driver.ErrUnsupported)
	assert.Contains(t, err.Error(), "statement 2 of 3")
	require.NoError(t, sharded.QueryRow("SELECT note FROM t_ms WHERE user_id = 3").Scan(&note))
	assert.Equal(t, "d;!", note)

	_, err = sharded.Exec("DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //")
	require.ErrorIs(t, err, driver.ErrUnsupported)
}
