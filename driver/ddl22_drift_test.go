package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// ddl22Rows reads a query's rows as text lines ("v1,v2").
func ddl22Rows(t *testing.T, db *sql.DB, q string, args ...any) ([]string, error) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		out = append(out, strings.Join(parts, ","))
	}
	return out, rows.Err()
}

// ddl22Fill creates table (id, user_id, name VARCHAR(20) COLLATE
// utf8mb4_general_ci, UNIQUE (name, user_id)) with 16 rows whose names
// differ in case only, on all four node tables.
func ddl22Fill(t *testing.T, db *sql.DB, table string) {
	t.Helper()
	ctx := context.Background()
	_, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+table)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "CREATE TABLE "+table+" (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, name VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL, UNIQUE KEY un (name, user_id))")
	require.NoError(t, err)
	names := []string{"a", "A", "b", "B", "c", "C", "a", "b"}
	for i := 1; i <= 16; i++ {
		_, err := db.ExecContext(ctx, "INSERT INTO "+table+" (id, user_id, name) VALUES (?, ?, ?)", i, i, names[i%8])
		require.NoError(t, err)
	}
}

// ddl22MergingReads are reads that merge rows of every node table.
var ddl22MergingReads = []string{
	"SELECT COUNT(*) FROM %s WHERE name = 'b'", // first: a read that needs no facts of the catalog
	"SELECT id, name FROM %s ORDER BY id",
	"SELECT * FROM %s ORDER BY id LIMIT 3",
	"SELECT name FROM %s ORDER BY name, id",
	"SELECT name, COUNT(*) FROM %s GROUP BY name ORDER BY name",
	"SELECT DISTINCT name FROM %s ORDER BY name",
	"SELECT name, id FROM %s ORDER BY name, id LIMIT 10, 2",
	"SELECT COUNT(*) FROM %s WHERE name = 'a'",
}

// ddl22RequireRefused checks that every merging read of table is refused
// naming the difference.
func ddl22RequireRefused(t *testing.T, db *sql.DB, table string) {
	t.Helper()
	for _, q := range ddl22MergingReads {
		q = fmt.Sprintf(q, table)
		got, err := ddl22Rows(t, db, q)
		require.Error(t, err, "%s answered %v over node tables that differ", q, got)
		assert.ErrorIs(t, err, driver.ErrUnsupported, q)
		assert.Contains(t, err.Error(), "node tables differ", q)
	}
}

// TestDDL22DriftBehindBack: one data source's node tables altered behind
// shardsql's back (a collation changed, a column added; a unique key
// dropped is no difference, catalog_drift.go). Once the catalog is read again (ReloadCatalog), reads merging
// every node table's rows were answered under the first node table's
// definition: ORDER BY name came back in no collation's order (A, A, a,
// B, C, a, …) and GROUP BY name counted b 5 and B 1. Now refused naming
// the difference; a read one node table answers, and writes, still run;
// once the node tables agree again the reads run and are exact.
func TestDDL22DriftBehindBack(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "ddl22_drift", "t_d22", "user_id")
	n0, n1 := openPlain(t, dsns[0]), openPlain(t, dsns[1])
	behind := func(node *sql.DB, qs ...string) {
		t.Helper()
		for _, q := range qs {
			_, err := node.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	for _, c := range []struct {
		name      string
		node      *sql.DB
		drift, to []string
	}{
		{"collation on the first node's data source", n0,
			[]string{"ALTER TABLE t_d22_0 MODIFY name VARCHAR(20) COLLATE utf8mb4_bin NOT NULL", "ALTER TABLE t_d22_1 MODIFY name VARCHAR(20) COLLATE utf8mb4_bin NOT NULL"},
			[]string{"ALTER TABLE t_d22_0 MODIFY name VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL", "ALTER TABLE t_d22_1 MODIFY name VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL"}},
		{"collation on one other node table", n1,
			[]string{"ALTER TABLE t_d22_1 MODIFY name VARCHAR(20) COLLATE utf8mb4_bin NOT NULL"},
			[]string{"ALTER TABLE t_d22_1 MODIFY name VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL"}},
		{"column added", n1,
			[]string{"ALTER TABLE t_d22_0 ADD COLUMN extra INT NULL"},
			[]string{"ALTER TABLE t_d22_0 DROP COLUMN extra"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ddl22Fill(t, db, "t_d22")
			want := map[string][]string{}
			for _, q := range ddl22MergingReads {
				got, err := ddl22Rows(t, db, fmt.Sprintf(q, "t_d22"))
				require.NoError(t, err)
				want[q] = got
			}
			behind(c.node, c.drift...)
			require.NoError(t, driver.ReloadCatalog(ctx, db))
			ddl22RequireRefused(t, db, "t_d22")
			got, err := ddl22Rows(t, db, "SELECT name FROM t_d22 WHERE user_id = 3")
			require.NoError(t, err, "one node table answers whole")
			assert.Equal(t, []string{"B"}, got)
			_, err = db.ExecContext(ctx, "UPDATE t_d22 SET id = id WHERE name = 'zz'")
			require.NoError(t, err, "writes run on each node table")
			_, err = db.ExecContext(ctx, "DELETE FROM t_d22 ORDER BY name, id LIMIT 1")
			require.Error(t, err, "a write picking its rows by a merged order")
			assert.Contains(t, err.Error(), "node tables differ")
			_, err = db.ExecContext(ctx, "UPDATE t_d22 SET user_id = 100 WHERE user_id = 3")
			require.Error(t, err, "a key move copies a row into another node table")
			assert.Contains(t, err.Error(), "node tables differ")
			behind(c.node, c.to...)
			require.NoError(t, driver.ReloadCatalog(ctx, db))
			for _, q := range ddl22MergingReads {
				got, err := ddl22Rows(t, db, fmt.Sprintf(q, "t_d22"))
				require.NoError(t, err, q)
				assert.Equal(t, want[q], got, q)
			}
		})
	}
}

// ddl22CutDDL runs ddl through db while a transaction on node holds node
// table held's metadata lock, and kills the DDL's session waiting there:
// the DDL applies on the other node tables and is cut on held, as a data
// source lost in its middle leaves it. It returns the DDL's error.
func ddl22CutDDL(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, node *sql.DB, held, ddl string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hold, err := node.Conn(ctx)
	require.NoError(t, err)
	defer hold.Close()
	_, err = hold.ExecContext(ctx, "BEGIN")
	require.NoError(t, err)
	_, err = hold.ExecContext(ctx, "SELECT * FROM "+held)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { _, err := db.ExecContext(ctx, ddl); done <- err }()
	var id int64
	require.Eventually(t, func() bool {
		return node.QueryRowContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock' AND INFO LIKE ? LIMIT 1", "%"+held+"%").Scan(&id) == nil
	}, 10*time.Second, 5*time.Millisecond)
	_, err = node.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id))
	require.NoError(t, err)
	err = <-done
	_, rerr := hold.ExecContext(ctx, "ROLLBACK")
	require.NoError(t, rerr)
	return err
}

// TestDDL22CutDDLThenRead: an ALTER of a sharded table whose session on
// one node table was killed in its middle. It reported the failure (and
// where it stays applied), but the reads that followed merged rows under
// the first node table's new collation with the cut node table's old
// one, silently wrong, although no ReloadCatalog was called: the DDL
// dropped the table's facts and no statement needed them again. Now the
// next merging read loads them with the comparison and is refused until
// the same ALTER (or its IF EXISTS spelling) is run again, which
// completes it; the reads then answer as one database under the new
// definition.
func TestDDL22CutDDLThenRead(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "ddl22_cut", "t_d22c", "user_id")
	n1 := openPlain(t, dsns[1])
	// The oracle: one table holding every row under the new definition.
	oracle := openPlain(t, dsns[0])
	_, err := oracle.ExecContext(ctx, "DROP TABLE IF EXISTS o_d22c")
	require.NoError(t, err)
	_, err = oracle.ExecContext(ctx, "CREATE TABLE o_d22c (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, name VARCHAR(20) COLLATE utf8mb4_bin NOT NULL)")
	require.NoError(t, err)
	names := []string{"a", "A", "b", "B", "c", "C", "a", "b"}
	for i := 1; i <= 16; i++ {
		_, err := oracle.ExecContext(ctx, "INSERT INTO o_d22c (id, user_id, name) VALUES (?, ?, ?)", i, i, names[i%8])
		require.NoError(t, err)
	}
	for _, c := range []struct{ name, ddl, retry string }{
		{"MODIFY COLLATE", "ALTER TABLE t_d22c MODIFY name VARCHAR(20) COLLATE utf8mb4_bin NOT NULL", ""},
		{"MODIFY COLUMN IF EXISTS", "ALTER TABLE t_d22c MODIFY COLUMN IF EXISTS name VARCHAR(20) COLLATE utf8mb4_bin NOT NULL", ""},
		{"DROP INDEX, retried with IF EXISTS", "ALTER TABLE t_d22c DROP INDEX un, MODIFY name VARCHAR(20) COLLATE utf8mb4_bin NOT NULL",
			"ALTER TABLE t_d22c DROP INDEX IF EXISTS un, MODIFY name VARCHAR(20) COLLATE utf8mb4_bin NOT NULL"},
		{"DROP INDEX, retried", "ALTER TABLE t_d22c DROP INDEX un, MODIFY name VARCHAR(20) COLLATE utf8mb4_bin NOT NULL", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ddl22Fill(t, db, "t_d22c")
			err := ddl22CutDDL(t, db, n1, "t_d22c_1", c.ddl)
			require.Error(t, err, "cut on one node table: never success")
			assert.Contains(t, err.Error(), "stays applied on the others")
			ddl22RequireRefused(t, db, "t_d22c")
			got, err := ddl22Rows(t, db, "SELECT name FROM t_d22c WHERE user_id = 3")
			require.NoError(t, err, "one node table answers whole")
			assert.Equal(t, []string{"B"}, got)
			retry := c.retry
			if retry == "" {
				retry = c.ddl
			}
			_, err = db.ExecContext(ctx, retry)
			require.NoError(t, err, "the retry completes it")
			for _, q := range ddl22MergingReads {
				got, err := ddl22Rows(t, db, fmt.Sprintf(q, "t_d22c"))
				require.NoError(t, err, q)
				want, err := ddl22Rows(t, oracle, fmt.Sprintf(q, "o_d22c"))
				require.NoError(t, err, q)
				assert.Equal(t, want, got, q)
			}
		})
	}
}

// TestDDL22CutDDLPinnedCount: a DDL run on a Conn's pins (the session set
// a variable) whose session on ds1.t_0 was killed. The units run one after
// another and stopped there, so ds1.t_1 never ran it, but the error said
// it "failed on 1 of its 4 node tables and stays applied on the others".
// Now every unit not run is named and counted; the retry on another
// connection completes the DDL on every node table.
func TestDDL22CutDDLPinnedCount(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "ddl22_pin", "t_d22p", "user_id")
	n1 := openPlain(t, dsns[1])
	ddl22Fill(t, db, "t_d22p")
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	// A session variable set: the Conn's DDL runs on its pins, one node
	// table after another (a user variable alone does not pin DDL).
	_, err = conn.ExecContext(ctx, "SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
	require.NoError(t, err)
	err = ddl22CutDDL(t, conn, n1, "t_d22p_0", "ALTER TABLE t_d22p ADD COLUMN c INT")
	require.Error(t, err)
	t.Logf("cut: %v", err)
	assert.Contains(t, err.Error(), "ds1.t_d22p_1: not run")
	assert.Contains(t, err.Error(), "failed on 2 of its 4 node tables")
	has := func() []string {
		var out []string
		for i, dsn := range dsns {
			rows, err := openPlain(t, dsn).QueryContext(ctx, "SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'c' ORDER BY TABLE_NAME")
			require.NoError(t, err)
			for rows.Next() {
				var tb string
				require.NoError(t, rows.Scan(&tb))
				out = append(out, fmt.Sprintf("ds%d.%s", i, tb))
			}
			require.NoError(t, rows.Err())
			rows.Close()
		}
		return out
	}
	assert.Equal(t, []string{"ds0.t_d22p_0", "ds0.t_d22p_1"}, has(), "the two node tables the error says it stays applied on")
	_, err = db.ExecContext(ctx, "ALTER TABLE t_d22p ADD COLUMN c INT")
	require.NoError(t, err, "the retry completes it")
	assert.Equal(t, []string{"ds0.t_d22p_0", "ds0.t_d22p_1", "ds1.t_d22p_0", "ds1.t_d22p_1"}, has())
}
