package driver_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/route"
)

// Atlas' inspection statements (ariga.io/atlas sql/mysql inspect_oss.go,
// the version ent v0.14.5 uses), as ent's migration sends them; %s is the
// IN list of table names.
const (
	atlasTablesQuery = `
SELECT
	t1.TABLE_SCHEMA,
	t1.TABLE_NAME,
	t2.CHARACTER_SET_NAME,
	t1.TABLE_COLLATION,
	t1.AUTO_INCREMENT,
	t1.TABLE_COMMENT,
	t1.CREATE_OPTIONS,
	t1.ENGINE,
	t3.SUPPORT = 'DEFAULT' AS DEFAULT_ENGINE,
	t1.TABLE_TYPE
FROM
	INFORMATION_SCHEMA.TABLES AS t1
	JOIN INFORMATION_SCHEMA.COLLATIONS AS t2
	ON t1.TABLE_COLLATION = t2.COLLATION_NAME
	LEFT JOIN INFORMATION_SCHEMA.ENGINES AS t3
	ON t1.ENGINE = t3.ENGINE
WHERE
	TABLE_SCHEMA IN (?)
	AND TABLE_NAME IN (%s)
	AND TABLE_TYPE = 'BASE TABLE'
ORDER BY
	TABLE_SCHEMA, TABLE_NAME`
	atlasColumnsQuery = "SELECT `TABLE_NAME`, `COLUMN_NAME`, `COLUMN_TYPE`, `COLUMN_COMMENT`, `IS_NULLABLE`, `COLUMN_KEY`, `COLUMN_DEFAULT`, `EXTRA`, `CHARACTER_SET_NAME`, `COLLATION_NAME`, `GENERATION_EXPRESSION` FROM `INFORMATION_SCHEMA`.`COLUMNS` WHERE `TABLE_SCHEMA` = ? AND `TABLE_NAME` IN (%s) ORDER BY `ORDINAL_POSITION`"
	atlasIndexesQuery = "SELECT `TABLE_NAME`, `INDEX_NAME`, `COLUMN_NAME`, `NON_UNIQUE`, `SEQ_IN_INDEX`, `INDEX_TYPE`, UPPER(`COLLATION`) = 'D' AS `DESC`, `INDEX_COMMENT`, `SUB_PART`, NULL AS `EXPRESSION` FROM `INFORMATION_SCHEMA`.`STATISTICS` WHERE `TABLE_SCHEMA` = ? AND `TABLE_NAME` IN (%s) ORDER BY `index_name`, `seq_in_index`"
	atlasChecksQuery  = `
SELECT
	TABLE_NAME,
	CONSTRAINT_NAME,
	CHECK_CLAUSE,
	"YES" AS ENFORCED
FROM
	INFORMATION_SCHEMA.CHECK_CONSTRAINTS
WHERE
	CONSTRAINT_SCHEMA = ?
	AND TABLE_NAME IN (%s)
ORDER BY
	TABLE_NAME, CONSTRAINT_NAME
`
	atlasFKsQuery = `
SELECT
	t1.CONSTRAINT_NAME,
	t1.TABLE_NAME,
	t1.COLUMN_NAME,
	t1.TABLE_SCHEMA,
	t1.REFERENCED_TABLE_NAME,
	t1.REFERENCED_COLUMN_NAME,
	t1.REFERENCED_TABLE_SCHEMA,
	t2.UPDATE_RULE,
	t2.DELETE_RULE
FROM
	INFORMATION_SCHEMA.KEY_COLUMN_USAGE AS t1
	JOIN INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS AS t2
	ON t1.CONSTRAINT_NAME = t2.CONSTRAINT_NAME
WHERE
	t1.REFERENCED_COLUMN_NAME IS NOT NULL
	AND BINARY t1.TABLE_SCHEMA = ?
	AND BINARY t2.CONSTRAINT_SCHEMA = ?
	AND t1.TABLE_NAME IN (%s)
ORDER BY
	BINARY t1.TABLE_NAME,
	BINARY t1.CONSTRAINT_NAME,
	t1.ORDINAL_POSITION`
)

// TestMetadataAtlasInspect sends Atlas' inspection of tables (what ent's
// migration reads to decide what to create) about logical tables and
// compares the answers with one unsharded database: t_meta's first node
// is on the home data source, t_meta2's on the other one, t_plain is not
// in the topology.
func TestMetadataAtlasInspect(t *testing.T) {
	e := newMetaEnv(t)
	for _, q := range []string{
		"ALTER TABLE t_meta ADD CONSTRAINT chk_note CHECK (note <> 'x')",
		"ALTER TABLE t_meta2 ADD CONSTRAINT chk_v CHECK (v >= 0)",
		"ALTER TABLE t_plain ADD CONSTRAINT chk_id CHECK (id > 0)",
	} {
		_, err := e.sharded.Exec(q)
		require.NoError(t, err, q)
		_, err = e.oracle.Exec(q)
		require.NoError(t, err, q)
	}
	var wantDB, gotDB string
	require.NoError(t, e.oracle.QueryRow("SELECT DATABASE()").Scan(&wantDB))
	require.NoError(t, e.sharded.QueryRow("SELECT DATABASE()").Scan(&gotDB))
	in := func(q string, n int) string { return strings.Replace(q, "%s", strings.Repeat("?, ", n-1)+"?", 1) }
	type lookup struct {
		name   string
		sql    string
		args   []any // "DB" is each side's current database
		byName bool  // ORDER BY leaves rows of different tables tied: compare each table's rows in order
	}
	for _, l := range []lookup{
		{"tables home", in(atlasTablesQuery, 2), []any{"DB", "t_meta", "t_plain"}, false},
		{"tables across data sources", in(atlasTablesQuery, 3), []any{"DB", "t_meta2", "t_plain", "t_meta"}, false},
		{"tables one", in(atlasTablesQuery, 1), []any{"DB", "t_meta2"}, false},
		{"columns", in(atlasColumnsQuery, 2), []any{"DB", "t_plain", "t_meta"}, true},
		{"columns other source", in(atlasColumnsQuery, 1), []any{"DB", "t_meta2"}, false},
		{"columns across data sources", in(atlasColumnsQuery, 3), []any{"DB", "t_meta2", "t_meta", "t_plain"}, true},
		{"indexes across data sources", in(atlasIndexesQuery, 2), []any{"DB", "t_meta2", "t_meta"}, true},
		{"indexes", in(atlasIndexesQuery, 2), []any{"DB", "t_meta", "t_plain"}, true},
		{"indexes other source", in(atlasIndexesQuery, 1), []any{"DB", "t_meta2"}, false},
		{"checks", in(atlasChecksQuery, 3), []any{"DB", "t_meta", "t_meta2", "t_plain"}, false},
		{"foreign keys", in(atlasFKsQuery, 2), []any{"DB", "DB", "t_meta", "t_plain"}, false},
		{"literal names", "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('t_meta2', 't_meta', 't_nope') ORDER BY TABLE_NAME", nil, false},
		{"descending", "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?, ?, ?) ORDER BY 1 DESC", []any{"DB", "t_meta", "t_plain", "t_meta2"}, false},
	} {
		t.Run(l.name, func(t *testing.T) {
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
			require.Equal(t, want.cols, got.cols)
			if !strings.Contains(l.sql, "REFERENTIAL_CONSTRAINTS") { // no foreign keys: sharded tables have none across nodes
				require.NotEmpty(t, want.rows, "the lookup must find something to compare")
			}
			for i, c := range want.cols {
				if strings.HasSuffix(strings.ToUpper(c), "_SCHEMA") {
					for _, r := range [][][]string{want.rows, got.rows} {
						for _, row := range r {
							if row[i] == wantDB || row[i] == gotDB {
								row[i] = "DB"
							}
						}
					}
				}
			}
			if l.byName {
				assert.Equal(t, rowsByTable(want), rowsByTable(got))
				return
			}
			assert.Equal(t, want.rows, got.rows)
		})
	}
	t.Run("refused across data sources", func(t *testing.T) {
		// SELECT * with ORDER BY: the rows of two data sources cannot be put
		// in one server's order by keys the driver cannot find.
		_, err := runDiffQuery(e.sharded, "SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?, ?) ORDER BY ORDINAL_POSITION", gotDB, "t_meta", "t_meta2")
		require.Error(t, err)
		assert.True(t, errors.Is(err, route.ErrUnsupported), "%v", err)
		assert.Contains(t, err.Error(), "shardsql: unsupported: ")
	})
}

// rowsByTable groups a lookup's rows by their TABLE_NAME column, each
// table's rows in the order received.
func rowsByTable(r *diffResult) map[string][][]string {
	col := -1
	for i, c := range r.cols {
		if strings.EqualFold(c, "TABLE_NAME") {
			col = i
		}
	}
	out := make(map[string][][]string)
	for _, row := range r.rows {
		out[row[col]] = append(out[row[col]], row)
	}
	return out
}
