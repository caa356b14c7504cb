package route

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview20bAddIfNotExistsColumns: the columns a partly read ALTER
// TABLE adds with IF NOT EXISTS, in every spelling MariaDB takes, for the
// driver's check of node tables that already have them.
func TestReview20bAddIfNotExistsColumns(t *testing.T) {
	r := testRouter(t)
	for q, want := range map[string][]string{
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS c INT":                                           {"c"},
		"ALTER TABLE t_order ADD IF NOT EXISTS `c d` INT":                                              {"c d"},
		"alter table t_order add column if not exists (c int default 7, d decimal(10, 2), `e` int)":    {"c", "d", "e"},
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS ( c ENUM('x', 'y') DEFAULT 'x' )":                {"c"},
		"ALTER TABLE t_order ADD /* x */ COLUMN /* y */ IF NOT EXISTS c INT":                           {"c"},
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS -- x\n c INT, ADD COLUMN IF NOT EXISTS d INT":    {"c", "d"},
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS status INT, ADD INDEX IF NOT EXISTS ix (status)": {"status"},
		"ALTER TABLE t_order ADD INDEX IF NOT EXISTS ix (c), ADD KEY IF NOT EXISTS iy (d)":             nil,
		"ALTER TABLE t_order DROP COLUMN IF EXISTS c, ADD CONSTRAINT IF NOT EXISTS ck CHECK (id > 0)":  nil,
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS c VARCHAR(9) DEFAULT 'add if not exists d'":      {"c"},
	} {
		p, err := r.Route(q, nil)
		require.NoError(t, err, q)
		assert.Equal(t, want, p.AddIfNotExists, q)
	}
}

// TestReview20bIndexIfRefusalQuotes: a refused CREATE/DROP INDEX … IF
// [NOT] EXISTS quotes the statement as the caller wrote it, not the text
// routed without its IF [NOT] EXISTS words.
func TestReview20bIndexIfRefusalQuotes(t *testing.T) {
	r := testRouter(t)
	for _, q := range []string{
		"CREATE INDEX IF NOT EXISTS ix ON t_order (user_id) WAIT 3",
		"CREATE INDEX IF NOT EXISTS ix ON t_order (a) REFERENCES t_x",
		"DROP INDEX IF EXISTS ix ON t_order_1",
	} {
		_, err := r.Route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
		assert.True(t, strings.HasSuffix(err.Error(), " in \""+q+"\""), "%s: %v", q, err)
	}
}

// TestReview20bPartialOtherRoutes: the unread rest of a partly read DDL
// on a broadcast or unsharded table is checked (ddl_partial_other.go).
func TestReview20bPartialOtherRoutes(t *testing.T) {
	topo := testTopology(t)
	require.NoError(t, topo.AddBroadcastTable("t_dict"))
	r, err := New(topo)
	require.NoError(t, err)
	for _, q := range []string{
		"ALTER TABLE t_dict ADD COLUMN IF NOT EXISTS c INT, RENAME TO t_dict2",
		"ALTER TABLE t_dict DROP COLUMN IF EXISTS c, RENAME t_dict2",
		"ALTER TABLE t_dict ADD COLUMN IF NOT EXISTS c INT REFERENCES t_plain (id)",
		"ALTER TABLE t_dict ADD COLUMN IF NOT EXISTS c INT, ADD FOREIGN KEY (c) REFERENCES t_dict (id)",
		"ALTER TABLE t_dict ADD COLUMN IF NOT EXISTS c INT /*! , RENAME TO t_dict2 */",
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT, RENAME TO t_order",
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT, RENAME TO t_order_3",
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT, RENAME TO t_dict",
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT REFERENCES t_user_1 (id)",
		"ALTER TABLE `t_plain` DROP COLUMN IF EXISTS c, ADD COLUMN IF NOT EXISTS t_order INT",
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT /*M! , RENAME TO t_order */",
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT /*M!100000 , RENAME TO t_order */",
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT /*! , RENAME TO t_order */",
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT, RENAME TO `t_order_0`",
	} {
		_, err := r.Route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
	}
	for q, units := range map[string]int{
		"ALTER TABLE t_dict ADD COLUMN IF NOT EXISTS c INT, ADD INDEX IF NOT EXISTS ic (c)": 2,
		"ALTER TABLE t_dict DROP COLUMN IF EXISTS c":                                        2,
		"ALTER TABLE t_dict ADD COLUMN IF NOT EXISTS c VARCHAR(9) DEFAULT 'rename'":         2,
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT, RENAME TO t_plain2":            1,
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT REFERENCES t_plain3 (id)":       1,
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS c INT COMMENT 'copied from t_order'":  1,
		"ALTER TABLE t_plain ADD COLUMN IF NOT EXISTS t_order_count INT /* t_order */":      1,
	} {
		p, err := r.Route(q, nil)
		require.NoError(t, err, q)
		assert.Len(t, p.Units, units, q)
		for _, u := range p.Units {
			assert.Equal(t, q, u.SQL, q)
		}
	}
}

// TestReview20bColumnReferencesRoutes: REFERENCES on a column definition
// is a foreign key (ddl_column_references.go).
func TestReview20bColumnReferencesRoutes(t *testing.T) {
	topo := testTopology(t)
	require.NoError(t, topo.AddBroadcastTable("t_dict"))
	require.NoError(t, topo.AddBroadcastTable("t_kind"))
	r, err := New(topo)
	require.NoError(t, err)
	for _, q := range []string{
		"ALTER TABLE t_order ADD COLUMN c INT REFERENCES t_plain (id)",
		"ALTER TABLE t_order ADD c INT REFERENCES t_dict (id) ON DELETE CASCADE",
		"ALTER TABLE t_order MODIFY COLUMN id BIGINT REFERENCES t_order (id)",
		"ALTER TABLE t_order CHANGE id id BIGINT REFERENCES t_plain (id)",
		"CREATE TABLE t_order (id BIGINT, user_id BIGINT REFERENCES t_user (id))",
		"ALTER TABLE t_dict ADD COLUMN c INT REFERENCES t_plain (id)",
		"ALTER TABLE t_dict ADD COLUMN c INT REFERENCES t_order (id)",
		"CREATE TABLE t_plain (id INT, c INT REFERENCES t_order (id))",
		"CREATE TABLE t_plain (id INT, c INT REFERENCES t_order_1 (id))",
		"ALTER TABLE t_plain ADD COLUMN c INT REFERENCES t_user_0 (id)",
	} {
		_, err := r.Route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
	}
	for _, q := range []string{
		"ALTER TABLE t_dict ADD COLUMN c INT REFERENCES t_kind (id)",
		"ALTER TABLE t_plain ADD COLUMN c INT REFERENCES t_plain2 (id)",
		"CREATE TABLE t_plain (id INT, c INT REFERENCES t_plain2 (id))",
	} {
		_, err := r.Route(q, nil)
		require.NoError(t, err, q)
	}
}

// TestReview20bDropIndexOptions: MariaDB's DROP INDEX takes no ALGORITHM
// or LOCK; the ALTER TABLE the parser reads it as does.
func TestReview20bDropIndexOptions(t *testing.T) {
	r := testRouter(t)
	for _, q := range []string{
		"DROP INDEX ix ON t_order ALGORITHM=INPLACE",
		"DROP INDEX ix ON t_order LOCK=NONE",
		"/* x */ drop index ix on t_order algorithm = inplace lock = none",
	} {
		_, err := r.Route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
	}
	for _, q := range []string{
		"DROP INDEX ix ON t_order",
		"ALTER TABLE t_order DROP INDEX ix, ALGORITHM=INPLACE, LOCK=NONE",
		"CREATE INDEX ix ON t_order (id) ALGORITHM=INPLACE LOCK=NONE",
	} {
		p, err := r.Route(q, nil)
		require.NoError(t, err, q)
		assert.Len(t, p.Units, 8, q)
	}
}

// TestReview20bMergeUnion: a MERGE table's UNION = (…) names tables the
// parse walker does not reach (ddl_column_references.go).
func TestReview20bMergeUnion(t *testing.T) {
	r := testRouter(t)
	for _, q := range []string{
		"CREATE TABLE t_all (id INT) ENGINE=MERGE UNION=(t_order_0, t_order_1)",
		"CREATE TABLE t_all (id INT) ENGINE=MERGE UNION=(t_order)",
		"ALTER TABLE t_all UNION = (t_user_1)",
		"ALTER TABLE t_order ENGINE=MERGE UNION=(t_plain)",
	} {
		_, err := r.Route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
	}
	p, err := r.Route("CREATE TABLE t_all (id INT) ENGINE=MERGE UNION=(t_plain1, t_plain2)", nil)
	require.NoError(t, err)
	assert.Len(t, p.Units, 1)
}
