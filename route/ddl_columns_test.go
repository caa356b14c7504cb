package route

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRouteShardingColumnDDL: ALTER TABLE that renames or drops a sharding
// or key column, changes the sharding column's type, or renames a
// broadcast table is refused before any node runs it (compat14); other
// column changes run on every node table.
func TestRouteShardingColumnDDL(t *testing.T) {
	topo := testTopology(t)
	require.NoError(t, topo.AddBroadcastTable("t_dict"))
	r, err := New(topo)
	require.NoError(t, err)
	for _, tc := range []errorCase{
		{name: "rename column", sql: "ALTER TABLE t_order RENAME COLUMN user_id TO uid", contains: []string{"renames user_id, the sharding column of sharded table t_order"}},
		{name: "change name", sql: "ALTER TABLE t_order CHANGE user_id uid bigint", contains: []string{"renames user_id"}},
		{name: "drop column", sql: "ALTER TABLE t_order ADD COLUMN a int, DROP COLUMN user_id", contains: []string{"drops user_id"}},
		{name: "drop without COLUMN", sql: "ALTER TABLE t_order DROP `USER_ID`", contains: []string{"drops user_id"}},
		{name: "modify type without catalog", sql: "ALTER TABLE t_order MODIFY user_id varchar(20)", contains: []string{"changes the type"}},
		{name: "partly read modify", sql: "ALTER TABLE t_order MODIFY COLUMN IF EXISTS user_id varchar(20)", contains: []string{"sharding column user_id"}},
		{name: "partly read drop", sql: "ALTER TABLE t_order DROP COLUMN IF EXISTS user_id", contains: []string{"sharding column user_id"}},
		{name: "broadcast alter rename", sql: "ALTER TABLE t_dict RENAME TO t_dict2", contains: []string{"renaming broadcast table t_dict"}},
		{name: "broadcast rename table", sql: "RENAME TABLE t_dict TO t_dict2", contains: []string{"renaming broadcast table t_dict"}},
		{name: "rename to broadcast", sql: "RENAME TABLE t_x TO t_dict", contains: []string{"renaming broadcast table t_dict"}},
	} {
		tc.unsupported = true
		t.Run(tc.name, func(t *testing.T) { checkRouteError(t, r, tc) })
	}
	for _, sql := range []string{
		"ALTER TABLE t_order RENAME COLUMN status TO st",
		"ALTER TABLE t_order DROP COLUMN status",
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS note int AFTER user_id",
		"ALTER TABLE t_dict RENAME COLUMN a TO b",
	} {
		_, err := r.Route(sql, nil)
		assert.NoError(t, err, sql)
	}
}

// TestRouteIndexIfExists: MariaDB's CREATE INDEX IF NOT EXISTS and DROP
// INDEX IF EXISTS, which the parser cannot read, run on every node table
// of a sharded table with only the name replaced, on every data source
// for a broadcast table, unchanged for others (compat14: bun sends the
// first on MariaDB).
func TestRouteIndexIfExists(t *testing.T) {
	topo := testTopology(t)
	require.NoError(t, topo.AddBroadcastTable("t_dict"))
	r, err := New(topo)
	require.NoError(t, err)

	p, err := r.Route("/* bun */ CREATE UNIQUE INDEX IF NOT EXISTS `ix` ON `t_order` (`user_id`, `id`)", nil)
	require.NoError(t, err)
	require.Len(t, p.Units, 8)
	assert.Equal(t, KindDDL, p.Kind)
	for _, u := range p.Units {
		assert.Equal(t, "/* bun */ CREATE UNIQUE INDEX IF NOT EXISTS `ix` ON `"+u.Node.Table+"` (`user_id`, `id`)", u.SQL)
	}
	p, err = r.Route("drop index if exists ix on t_order", nil)
	require.NoError(t, err)
	require.Len(t, p.Units, 8)
	assert.Equal(t, "drop index if exists ix on `t_order_3`", p.Units[3].SQL)

	p, err = r.Route("CREATE INDEX IF NOT EXISTS ix ON t_dict (a)", nil)
	require.NoError(t, err)
	require.Len(t, p.Units, 2)
	for _, u := range p.Units {
		assert.Equal(t, "CREATE INDEX IF NOT EXISTS ix ON t_dict (a)", u.SQL)
	}
	p, err = r.Route("CREATE INDEX IF NOT EXISTS ix ON t_plain (a)", nil)
	require.NoError(t, err)
	require.Len(t, p.Units, 1)
	assert.Equal(t, "CREATE INDEX IF NOT EXISTS ix ON t_plain (a)", p.Units[0].SQL)

	for _, sql := range []string{
		"CREATE INDEX IF NOT EXISTS ix ON app.t_order (a)",            // qualified
		"CREATE INDEX IF NOT EXISTS ix ON t_order (a) REFERENCES t_x", // not DDL the parser reads without the words
		"CREATE INDEX IF NOT EXISTS ix ON t_order_1 (a)",              // a node table
	} {
		_, err := r.Route(sql, nil)
		require.ErrorIs(t, err, ErrUnsupported, sql)
		assert.True(t, strings.HasPrefix(err.Error(), unsupportedPrefix), err.Error())
	}
}

// TestRouteBroadcastMetadata: SHOW CREATE TABLE, SHOW COLUMNS/INDEX and
// DESCRIBE of a broadcast table ask the default data source's copy, as
// written (compat14: they were refused as statements naming it); these and
// information_schema lookups naming it carry its name for the driver's
// check that the copies agree.
func TestRouteBroadcastMetadata(t *testing.T) {
	topo := testTopology(t)
	require.NoError(t, topo.AddBroadcastTable("t_dict"))
	r, err := New(topo)
	require.NoError(t, err)
	for _, sql := range []string{"SHOW CREATE TABLE t_dict", "SHOW COLUMNS FROM t_dict", "SHOW FULL COLUMNS FROM t_dict", "SHOW INDEX FROM t_dict", "DESCRIBE t_dict"} {
		p, err := r.Route(sql, nil)
		require.NoError(t, err, sql)
		require.Len(t, p.Units, 1, sql)
		assert.Equal(t, "ds0", p.Units[0].DataSource, sql)
		assert.Equal(t, sql, p.Units[0].SQL)
		require.NotNil(t, p.Metadata, sql)
		assert.Equal(t, []string{"t_dict"}, p.Metadata.Broadcast, sql)
	}
	// information_schema lookups naming it: the copies are checked too.
	for _, sql := range []string{
		"SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't_dict' AND column_name = 'a'",
		"SELECT column_name FROM information_schema.columns WHERE table_name IN ('t_dict', 't_user')",
	} {
		p, err := r.Route(sql, nil)
		require.NoError(t, err, sql)
		require.NotNil(t, p.Metadata, sql)
		assert.Equal(t, []string{"t_dict"}, p.Metadata.Broadcast, sql)
	}
}
