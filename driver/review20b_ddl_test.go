package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestReview20bAddIfNotExistsForms: the check before `ADD COLUMN IF NOT
// EXISTS` (review17a: refused when some node tables hold the column with
// values and others lack it, as a DROP COLUMN left half done) found the
// column in one spelling only. MariaDB also takes the parenthesized list
// `ADD COLUMN IF NOT EXISTS (c INT …, d INT …)` and comments between the
// words; each spelling must be refused before any node table runs it.
func TestReview20bAddIfNotExistsForms(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "review20b_addif", "t_r20a", "user_id")
	node := []*sql.DB{openPlain(t, dsns[0]), openPlain(t, dsns[1])}
	exec := func(x *sql.DB, q string) error {
		_, err := x.ExecContext(ctx, q)
		return err
	}
	for _, add := range []string{
		"ALTER TABLE t_r20a ADD COLUMN IF NOT EXISTS (c INT NULL DEFAULT 7)",
		"ALTER TABLE t_r20a ADD IF NOT EXISTS (c INT NULL DEFAULT 7, d INT)",
		"ALTER TABLE t_r20a ADD COLUMN IF NOT EXISTS ( `c` INT NULL DEFAULT 7 )",
		"ALTER TABLE t_r20a ADD COLUMN IF NOT EXISTS d INT, ADD COLUMN IF NOT EXISTS (e INT, c INT NULL DEFAULT 7)",
		"ALTER TABLE t_r20a ADD /* c */ COLUMN IF NOT EXISTS c INT NULL DEFAULT 7",
		"ALTER TABLE t_r20a ADD COLUMN /* c */ IF NOT EXISTS c INT NULL DEFAULT 7",
		"ALTER TABLE t_r20a ADD COLUMN IF NOT EXISTS -- c\n c INT NULL DEFAULT 7",
	} {
		t.Run(add, func(t *testing.T) {
			require.NoError(t, exec(db, "DROP TABLE IF EXISTS t_r20a"))
			require.NoError(t, exec(db, "CREATE TABLE t_r20a (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, c INT NULL DEFAULT 7)"))
			for i := 1; i <= 8; i++ {
				require.NoError(t, exec(db, fmt.Sprintf("INSERT INTO t_r20a (id, user_id, c) VALUES (%d, %d, %d)", i, i, 100+i)))
			}
			// A DROP COLUMN that applied on ds1's node tables only.
			require.NoError(t, exec(node[1], "ALTER TABLE t_r20a_0 DROP COLUMN c"))
			require.NoError(t, exec(node[1], "ALTER TABLE t_r20a_1 DROP COLUMN c"))
			err := exec(db, add)
			require.ErrorIs(t, err, driver.ErrUnsupported, "ds0's c holds old values, ds1's would get 7")
			var cols int
			require.NoError(t, node[1].QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name LIKE 't_r20a%' AND column_name IN ('c', 'd', 'e')").Scan(&cols))
			assert.Equal(t, 0, cols, "refused before any node table ran it")
		})
	}
	require.NoError(t, exec(db, "DROP TABLE IF EXISTS t_r20a"))
}

// TestReview20bPartialConvert: an ALTER TABLE the parser reads only up to
// the table name (MariaDB's IF [NOT] EXISTS forms) that also converts the
// table's character set converts a text sharding column: its keys then
// compare and hash under another collation, so rows are looked for on
// other nodes (`WHERE sk = 'b'` found 'B' only, 'A' found nothing). The
// fully read ALTER was refused; the partly read one ran on every node
// table. Now refused the same way before any node table runs it; an
// integer sharding column's table still converts.
func TestReview20bPartialConvert(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "review20b_convert", "t_r20c", "sk")
	node := []*sql.DB{openPlain(t, dsns[0]), openPlain(t, dsns[1])}
	autoInc := regexp.MustCompile(" AUTO_INCREMENT=[0-9]+")
	defs := func() []string {
		var out []string
		for _, n := range node {
			for _, tn := range []string{"t_r20c_0", "t_r20c_1"} {
				var name, ddl string
				require.NoError(t, n.QueryRowContext(ctx, "SHOW CREATE TABLE "+tn).Scan(&name, &ddl))
				out = append(out, autoInc.ReplaceAllString(ddl, ""))
			}
		}
		return out
	}
	exec := func(q string) error {
		_, err := db.ExecContext(ctx, q)
		return err
	}
	require.NoError(t, exec("DROP TABLE IF EXISTS t_r20c"))
	require.NoError(t, exec("CREATE TABLE t_r20c (sk VARCHAR(20) COLLATE utf8mb4_bin NOT NULL, id INT NOT NULL, v VARCHAR(10), PRIMARY KEY (sk, id))"))
	require.NoError(t, exec("INSERT INTO t_r20c (sk, id) VALUES ('a', 1), ('é', 2), ('B', 3), ('b', 4)"))
	before := defs()
	for _, q := range []string{
		"ALTER TABLE t_r20c ADD COLUMN IF NOT EXISTS c INT, CONVERT TO CHARACTER SET latin1",
		"ALTER TABLE t_r20c DROP COLUMN IF EXISTS nosuch, CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
		"alter table t_r20c drop index if exists nosuch,\n convert to charset utf8mb4",
		"ALTER TABLE t_r20c MODIFY COLUMN IF EXISTS v VARCHAR(10), CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
		"ALTER TABLE `t_r20c` ADD COLUMN IF NOT EXISTS c INT /* x */, CONVERT TO CHARACTER SET latin1 COLLATE latin1_general_ci",
	} {
		err := exec(q)
		require.ErrorIs(t, err, driver.ErrUnsupported, q)
		assert.Contains(t, err.Error(), "converts the character set of sk", q)
		assert.Equal(t, before, defs(), "refused before any node table ran it: %s", q)
	}
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_r20c WHERE sk = 'b'").Scan(&n))
	assert.Equal(t, 1, n, "utf8mb4_bin: 'b' only")
	// A string or a quoted name saying convert converts nothing.
	require.NoError(t, exec("ALTER TABLE t_r20c ADD COLUMN IF NOT EXISTS `convert` VARCHAR(9) DEFAULT 'convert'"))

	// Integer sharding column: the conversion keeps every key's node.
	require.NoError(t, exec("DROP TABLE t_r20c"))
	require.NoError(t, exec("CREATE TABLE t_r20c (sk INT NOT NULL, id INT NOT NULL, v VARCHAR(10), PRIMARY KEY (sk, id))"))
	require.NoError(t, exec("ALTER TABLE t_r20c ADD COLUMN IF NOT EXISTS c INT, CONVERT TO CHARACTER SET latin1"))
	d := defs()
	for _, x := range d {
		assert.Contains(t, x, "CHARSET=latin1")
	}
	require.NoError(t, exec("DROP TABLE t_r20c"))
}

// TestReview20bPartialOther: a DDL statement the parser reads only up to
// its table's name, on a broadcast or unsharded table, went out as
// written with its unread rest unchecked. `ALTER TABLE b ADD COLUMN IF
// NOT EXISTS c INT, RENAME TO b_x` renamed every broadcast copy (the
// topology kept b: every later statement failed); `… REFERENCES plain
// (id)` applied on the default data source's copy and failed on the other
// (copies with different definitions); on an unsharded table `…, RENAME
// TO t_order` made a table under a sharded table's logical name, and
// `REFERENCES t_order_0` tied it to one node table. Each is refused before
// any server runs it; the same forms without those names still run.
func TestReview20bPartialOther(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "review20b_other")
	topo := shard.NewTopology()
	var node []*sql.DB
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		node = append(node, openPlain(t, dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_r20o", Column: "k", Nodes: "ds${0..1}.t_r20o_${0..1}"}))
	require.NoError(t, topo.AddBroadcastTable("b_r20o"))
	db := openDB(t, topo)
	exec := func(q string) error {
		_, err := db.ExecContext(ctx, q)
		return err
	}
	state := func() string {
		var out []string
		for _, n := range node {
			rows, err := n.QueryContext(ctx, "SELECT table_name, GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = DATABASE() GROUP BY table_name ORDER BY table_name")
			require.NoError(t, err)
			for rows.Next() {
				var tn, cols string
				require.NoError(t, rows.Scan(&tn, &cols))
				out = append(out, tn+"("+cols+")")
			}
			require.NoError(t, rows.Err())
			_ = rows.Close()
			out = append(out, "|")
		}
		return fmt.Sprint(out)
	}
	for _, q := range []string{"DROP TABLE IF EXISTS b_r20o", "DROP TABLE IF EXISTS p_r20o", "DROP TABLE IF EXISTS b_r20o_x", "DROP TABLE IF EXISTS t_r20o",
		"CREATE TABLE t_r20o (k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))",
		"CREATE TABLE b_r20o (id INT PRIMARY KEY, v INT)",
		"CREATE TABLE p_r20o (id INT PRIMARY KEY, v INT)"} {
		require.NoError(t, exec(q), q)
	}
	before := state()
	for _, q := range []string{
		"ALTER TABLE b_r20o ADD COLUMN IF NOT EXISTS c INT, RENAME TO b_r20o_x",
		"ALTER TABLE b_r20o DROP COLUMN IF EXISTS nosuch, RENAME b_r20o_x",
		"alter table `b_r20o` add column if not exists c int,\n rename as b_r20o_x",
		"ALTER TABLE b_r20o ADD COLUMN IF NOT EXISTS c INT REFERENCES p_r20o (id)",
		"ALTER TABLE b_r20o ADD COLUMN IF NOT EXISTS c INT, ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES p_r20o (id)",
		"ALTER TABLE b_r20o ADD COLUMN IF NOT EXISTS c INT REFERENCES t_r20o_0 (k)",
		"ALTER TABLE p_r20o ADD COLUMN IF NOT EXISTS c INT, RENAME TO t_r20o",
		"ALTER TABLE p_r20o DROP COLUMN IF EXISTS nosuch, RENAME TO t_r20o_1",
		"ALTER TABLE p_r20o ADD COLUMN IF NOT EXISTS c INT, RENAME TO b_r20o",
		"ALTER TABLE p_r20o ADD COLUMN IF NOT EXISTS c INT REFERENCES t_r20o_0 (k)",
	} {
		err := exec(q)
		require.ErrorIs(t, err, driver.ErrUnsupported, q)
		require.Equal(t, before, state(), "refused before any server ran it: %s", q)
	}
	// The same forms naming no other table run, on every copy.
	require.NoError(t, exec("ALTER TABLE b_r20o ADD COLUMN IF NOT EXISTS c INT, ADD INDEX IF NOT EXISTS ic (c)"))
	require.NoError(t, exec("ALTER TABLE b_r20o DROP COLUMN IF EXISTS v"))
	require.NoError(t, exec("ALTER TABLE p_r20o ADD COLUMN IF NOT EXISTS c INT, RENAME TO p_r20o_x"))
	after := state()
	assert.Contains(t, after, "b_r20o(id,c) p_r20o_x(id,v,c)")
	assert.Contains(t, after, "| b_r20o(id,c) t_r20o_0")
	for _, q := range []string{"DROP TABLE IF EXISTS b_r20o", "DROP TABLE IF EXISTS p_r20o_x", "DROP TABLE IF EXISTS t_r20o"} {
		require.NoError(t, exec(q), q)
	}
}

// TestReview20bColumnReferences: a foreign key declared on the column
// (`ADD COLUMN c INT REFERENCES p (id)`, which MariaDB makes a FOREIGN
// KEY) was not seen by the checks of DDL, which walk the parse, where a
// column's type is a leaf: on a sharded table the ALTER added the foreign
// key on the node tables of the data source holding p and failed on the
// others; on a broadcast table likewise for its copies. Now refused like
// a FOREIGN KEY clause, before any server runs it; unsharded and
// broadcast tables referencing tables on their own data sources still
// run.
func TestReview20bColumnReferences(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "review20b_colref")
	topo := shard.NewTopology()
	var node []*sql.DB
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		node = append(node, openPlain(t, dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_r20r", Column: "k", Nodes: "ds${0..1}.t_r20r_${0..1}"}))
	require.NoError(t, topo.AddBroadcastTable("b_r20r"))
	require.NoError(t, topo.AddBroadcastTable("b2_r20r"))
	db := openDB(t, topo)
	exec := func(q string) error {
		_, err := db.ExecContext(ctx, q)
		return err
	}
	state := func() string {
		var out []string
		for _, n := range node {
			rows, err := n.QueryContext(ctx, "SELECT table_name, GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = DATABASE() GROUP BY table_name ORDER BY table_name")
			require.NoError(t, err)
			for rows.Next() {
				var tn, cols string
				require.NoError(t, rows.Scan(&tn, &cols))
				out = append(out, tn+"("+cols+")")
			}
			require.NoError(t, rows.Err())
			_ = rows.Close()
			var fks int
			require.NoError(t, n.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE()").Scan(&fks))
			out = append(out, fmt.Sprintf("fks %d |", fks))
		}
		return fmt.Sprint(out)
	}
	for _, q := range []string{"DROP TABLE IF EXISTS q_r20r", "DROP TABLE IF EXISTS b_r20r", "DROP TABLE IF EXISTS p_r20r", "DROP TABLE IF EXISTS t_r20r", "DROP TABLE IF EXISTS b2_r20r",
		"CREATE TABLE t_r20r (k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id), KEY (id))",
		"CREATE TABLE b_r20r (id INT PRIMARY KEY, v INT)",
		"CREATE TABLE b2_r20r (id INT PRIMARY KEY)",
		"CREATE TABLE p_r20r (id INT PRIMARY KEY, v INT)"} {
		require.NoError(t, exec(q), q)
	}
	before := state()
	for _, q := range []string{
		"ALTER TABLE t_r20r ADD COLUMN c INT REFERENCES p_r20r (id)",
		"ALTER TABLE t_r20r ADD COLUMN c INT NULL REFERENCES b_r20r (id) ON DELETE CASCADE",
		"ALTER TABLE t_r20r ADD COLUMN c INT REFERENCES t_r20r (id)",
		"ALTER TABLE t_r20r MODIFY id INT NOT NULL REFERENCES p_r20r (id)",
		"CREATE TABLE IF NOT EXISTS t_r20r (k INT NOT NULL, id INT NOT NULL, c INT REFERENCES p_r20r (id), PRIMARY KEY (k, id))",
		"ALTER TABLE b_r20r ADD COLUMN c INT REFERENCES p_r20r (id)",
		"ALTER TABLE b_r20r ADD COLUMN c INT REFERENCES t_r20r_0 (id)",
		"ALTER TABLE p_r20r ADD COLUMN c INT REFERENCES t_r20r (id)",
		"ALTER TABLE p_r20r ADD COLUMN c INT REFERENCES t_r20r_1 (id)",
		"CREATE TABLE q_r20r (id INT PRIMARY KEY, c INT REFERENCES t_r20r_0 (id))",
	} {
		err := exec(q)
		require.ErrorIs(t, err, driver.ErrUnsupported, q)
		require.Equal(t, before, state(), "refused before any server ran it: %s", q)
	}
	// References on the table's own data sources run.
	require.NoError(t, exec("ALTER TABLE b_r20r ADD COLUMN c INT REFERENCES b2_r20r (id)"))
	require.NoError(t, exec("CREATE TABLE q_r20r (id INT PRIMARY KEY, c INT REFERENCES p_r20r (id))"))
	after := state()
	assert.Equal(t, "[b2_r20r(id) b_r20r(id,v,c) p_r20r(id,v) q_r20r(id,c) t_r20r_0(k,id) t_r20r_1(k,id) fks 2 | b2_r20r(id) b_r20r(id,v,c) t_r20r_0(k,id) t_r20r_1(k,id) fks 1 |]", after)
	for _, q := range []string{"DROP TABLE IF EXISTS q_r20r", "DROP TABLE IF EXISTS b_r20r", "DROP TABLE IF EXISTS p_r20r", "DROP TABLE IF EXISTS t_r20r", "DROP TABLE IF EXISTS b2_r20r"} {
		require.NoError(t, exec(q), q)
	}
}
