package driver_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// metaEnv is a sharded topology (t_meta with its first node on the home
// data source, t_meta2 with its first node on the other one, t_plain not
// in the topology) and an unsharded oracle database holding the same
// tables, created by the same statements.
type metaEnv struct {
	sharded, oracle *sql.DB
}

func newMetaEnv(t *testing.T) *metaEnv {
	t.Helper()
	name := strings.ToLower(t.Name())
	dsns := sharedDSNs(t, name)
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_meta", Column: "user_id", Nodes: "ds${0..1}.t_meta_${0..1}"}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_meta2", Column: "k", Nodes: "ds1.t_m2_${0..1},ds0.t_m2_${2..3}"}))
	e := &metaEnv{sharded: openDB(t, topo), oracle: oracleDB(t, shared.servers[0], name+"_oracle")}
	ddl := []string{
		"DROP TABLE IF EXISTS t_meta", "DROP TABLE IF EXISTS t_meta2", "DROP TABLE IF EXISTS t_plain",
		"CREATE TABLE t_meta (id BIGINT NOT NULL, user_id BIGINT NOT NULL, note VARCHAR(20) COMMENT 'a note', PRIMARY KEY (id, user_id), KEY idx_user (user_id)) ENGINE=InnoDB COMMENT='orders'",
		"CREATE TABLE t_meta2 (k VARCHAR(10) NOT NULL PRIMARY KEY, v DECIMAL(10,2))",
		"CREATE TABLE t_plain (id INT PRIMARY KEY)",
	}
	for _, q := range ddl {
		_, err := e.sharded.Exec(q)
		require.NoError(t, err, q)
		_, err = e.oracle.Exec(q)
		require.NoError(t, err, q)
	}
	return e
}

// both runs q on the oracle and through shardsql and returns the rows of
// each, as text.
func (e *metaEnv) both(t *testing.T, q string, args ...any) (want, got *diffResult) {
	t.Helper()
	want, err := runDiffQuery(e.oracle, q, args...)
	require.NoError(t, err, "oracle: %s", q)
	got, err = runDiffQuery(e.sharded, q, args...)
	require.NoError(t, err, "shardsql: %s", q)
	return want, got
}

// TestMetadataShow compares SHOW and DESCRIBE of logical tables with the
// same statements on one unsharded database.
func TestMetadataShow(t *testing.T) {
	e := newMetaEnv(t)
	for _, q := range []string{
		"SHOW TABLES",
		"SHOW FULL TABLES",
		"SHOW TABLES LIKE 't_meta%'",
		"SHOW TABLES LIKE 't_meta'",
		"SHOW TABLES LIKE 't_m2%'",
		"SHOW TABLES LIKE 't_plain'",
		"SHOW CREATE TABLE t_meta",
		"SHOW CREATE TABLE t_meta2",
		"SHOW COLUMNS FROM t_meta",
		"SHOW FULL COLUMNS FROM t_meta",
		"SHOW COLUMNS FROM t_meta LIKE 'us%'",
		"SHOW FIELDS FROM t_meta2",
		"DESCRIBE t_meta",
		"DESC t_meta2",
		"SHOW INDEX FROM t_meta",
		"SHOW KEYS FROM t_meta2",
	} {
		t.Run(q, func(t *testing.T) {
			want, got := e.both(t, q)
			assert.Equal(t, want.rows, got.rows, q)
			if !strings.HasPrefix(q, "SHOW TABLES") && !strings.HasPrefix(q, "SHOW FULL TABLES") {
				assert.Equal(t, want.cols, got.cols, q)
			}
		})
	}
	t.Run("TABLE STATUS", func(t *testing.T) {
		for _, q := range []string{"SHOW TABLE STATUS LIKE 't_meta'", "SHOW TABLE STATUS", "SHOW TABLE STATUS LIKE 't%'"} {
			want, got := e.both(t, q)
			require.Equal(t, want.cols, got.cols)
			// Name, Engine, Row_format, Collation, Comment: what one table says
			// whatever its rows and storage.
			pick := func(r *diffResult) (out [][]string) {
				idx := map[string]int{}
				for i, c := range r.cols {
					idx[c] = i
				}
				for _, row := range r.rows {
					out = append(out, []string{row[idx["Name"]], row[idx["Engine"]], row[idx["Row_format"]], row[idx["Collation"]], row[idx["Comment"]]})
				}
				return out
			}
			assert.Equal(t, pick(want), pick(got), q)
		}
	})
}

// TestMetadataInformationSchema sends the lookups gorm, ent and the
// migrators send and compares them with one unsharded database.
func TestMetadataInformationSchema(t *testing.T) {
	e := newMetaEnv(t)
	var wantDB, gotDB string
	require.NoError(t, e.oracle.QueryRow("SELECT DATABASE()").Scan(&wantDB))
	require.NoError(t, e.sharded.QueryRow("SELECT DATABASE()").Scan(&gotDB))
	type lookup struct {
		sql    string
		args   []any // "DB" is replaced by each side's current database
		sorted bool  // no total order: compare sorted rows
	}
	for _, l := range []lookup{
		// gorm Migrator.HasTable
		{"SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ? AND table_type = ?", []any{"DB", "t_meta", "BASE TABLE"}, false},
		{"SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ? AND table_type = ?", []any{"DB", "t_meta2", "BASE TABLE"}, false},
		{"SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ? AND table_type = ?", []any{"DB", "t_nope", "BASE TABLE"}, false},
		// gorm Migrator.HasColumn, HasIndex
		{"SELECT count(*) FROM INFORMATION_SCHEMA.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?", []any{"DB", "t_meta", "note"}, false},
		{"SELECT count(*) FROM INFORMATION_SCHEMA.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?", []any{"DB", "t_meta2", "nope"}, false},
		{"SELECT count(*) FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? AND index_name = ?", []any{"DB", "t_meta", "idx_user"}, false},
		// gorm mysql Migrator.ColumnTypes
		{"SELECT column_name, column_default, is_nullable = 'YES', data_type, character_maximum_length, column_type, column_key, extra, column_comment, numeric_precision, numeric_scale , datetime_precision FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ORDINAL_POSITION", []any{"DB", "t_meta"}, false},
		// gorm mysql Migrator.GetIndexes
		{"SELECT TABLE_NAME, COLUMN_NAME, INDEX_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX", []any{"DB", "t_meta"}, false},
		// gorm mysql Migrator.TableType (without the schema column)
		{"SELECT table_name, table_type, table_comment FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", []any{"DB", "t_meta"}, false},
		// ent: the schema by subquery, literal names
		{"SELECT COUNT(*) FROM `INFORMATION_SCHEMA`.`TABLES` WHERE `TABLE_SCHEMA` = (SELECT DATABASE()) AND `TABLE_NAME` = ?", []any{"t_meta2"}, false},
		{"SELECT `column_name`, `column_type`, `is_nullable`, `column_key` FROM `INFORMATION_SCHEMA`.`COLUMNS` WHERE `TABLE_SCHEMA` = (SELECT DATABASE()) AND `TABLE_NAME` = 't_meta2' ORDER BY `ordinal_position`", nil, false},
		{"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 't_meta'", nil, false},
		// listings of the database's tables (gorm's GetTables) and columns
		{"SELECT TABLE_NAME FROM information_schema.tables where TABLE_SCHEMA=?", []any{"DB"}, true},
		{"SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = DATABASE()", nil, true},
		{"SELECT * FROM information_schema.columns WHERE table_schema = (SELECT DATABASE())", nil, true},
		{"SELECT table_name, column_name, ordinal_position FROM information_schema.columns WHERE table_schema = ? AND data_type = 'bigint'", []any{"DB"}, true},
		// a table the topology does not know: unchanged
		{"SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", []any{"DB", "t_plain"}, false},
	} {
		t.Run(l.sql, func(t *testing.T) {
			args := func(db string) []any {
				out := append([]any(nil), l.args...)
				for i, a := range out {
					if a == "DB" {
						out[i] = db
					}
				}
				return out
			}
			want, err := runDiffQuery(e.oracle, l.sql, args(wantDB)...)
			require.NoError(t, err)
			got, err := runDiffQuery(e.sharded, l.sql, args(gotDB)...)
			require.NoError(t, err)
			assert.Equal(t, want.cols, got.cols)
			if l.sorted {
				sortRows(want.rows)
				sortRows(got.rows)
			}
			if strings.Contains(l.sql, "SELECT *") {
				// TABLE_SCHEMA differs (each side's database); compare the rest.
				for _, r := range [][][]string{want.rows, got.rows} {
					for _, row := range r {
						row[1] = "DB"
					}
				}
				sortRows(want.rows)
				sortRows(got.rows)
			}
			assert.Equal(t, want.rows, got.rows)
		})
	}
}
