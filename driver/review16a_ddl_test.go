package driver_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestReview16aDDLSerial: SERIAL is AUTO_INCREMENT by another name
// (BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE; the attribute SERIAL
// DEFAULT VALUE is NOT NULL AUTO_INCREMENT UNIQUE). The parser reads
// neither, so the ALTER took the partly-read path, whose check looked for
// the word AUTO_INCREMENT only: `ADD COLUMN s SERIAL` ran on every node
// table and each numbered its rows from 1 (1, 1, 2, 2, 3 where one
// database has 1 … 5). Now refused before any node table runs it; a
// column named `serial`, quoted, and a comment saying serial still run.
func TestReview16aDDLSerial(t *testing.T) {
	ctx := context.Background()
	db, _ := twoByTwo(t, "review16a_ddl_serial", "t_r16s", "user_id")
	run := func(q string) error {
		_, err := db.ExecContext(ctx, q)
		return err
	}
	require.NoError(t, run("DROP TABLE IF EXISTS t_r16s"))
	require.NoError(t, run("CREATE TABLE t_r16s (id BIGINT NOT NULL, user_id BIGINT NOT NULL, PRIMARY KEY (id, user_id))"))
	require.NoError(t, run("INSERT INTO t_r16s (id, user_id) VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)"))
	for _, q := range []string{
		"ALTER TABLE t_r16s ADD COLUMN s SERIAL",
		"ALTER TABLE t_r16s ADD COLUMN s INT SERIAL DEFAULT VALUE",
		"ALTER TABLE t_r16s ADD COLUMN IF NOT EXISTS s serial",
	} {
		err := run(q)
		if err == nil {
			var n int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(DISTINCT s) FROM t_r16s").Scan(&n))
			t.Errorf("%s ran: %d distinct values over 5 rows", q, n)
			require.NoError(t, run("ALTER TABLE t_r16s DROP COLUMN s"))
			continue
		}
		assert.ErrorIs(t, err, driver.ErrUnsupported, q)
		assert.Contains(t, err.Error(), "SERIAL", q)
	}
	require.NoError(t, run("ALTER TABLE t_r16s ADD COLUMN IF NOT EXISTS `serial` INT NULL COMMENT 'serial'"), "a column named serial")
	var cols int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't_r16s'").Scan(&cols))
	assert.Equal(t, 3, cols, "only the column named serial was added")
	require.NoError(t, run("DROP TABLE IF EXISTS t_r16s"))
}

// TestReview16aDDLZerofillKey: ZEROFILL makes an integer column UNSIGNED
// too. `MODIFY k INT ZEROFILL` of a signed sharding column passed the
// round-16 range check (INT to INT, "signed") and, under a non-strict
// sql_mode, every node table clamped its negative keys to 0, which then
// route elsewhere: a point read by the clamped key misses them. Now
// refused; ZEROFILL of a column that is unsigned already runs.
func TestReview16aDDLZerofillKey(t *testing.T) {
	ctx := context.Background()
	db, _ := twoByTwo(t, "review16a_ddl_zf", "t_r16z", "k")
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	run := func(q string) error {
		_, err := conn.ExecContext(ctx, q)
		return err
	}
	require.NoError(t, run("SET SESSION sql_mode = ''"))
	require.NoError(t, run("DROP TABLE IF EXISTS t_r16z"))
	require.NoError(t, run("CREATE TABLE t_r16z (k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))"))
	require.NoError(t, run("INSERT INTO t_r16z (k, id) VALUES (300, 1), (-5, 2), (-1000, 3), (-7, 4)"))
	for _, q := range []string{"ALTER TABLE t_r16z MODIFY k INT ZEROFILL NOT NULL", "ALTER TABLE t_r16z MODIFY k BIGINT ZEROFILL NOT NULL"} {
		if err := run(q); err == nil {
			var n int
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_r16z WHERE k = 0").Scan(&n))
			t.Errorf("%s ran: a point read by the clamped key 0 finds %d of its 3 rows", q, n)
			break
		} else {
			assert.ErrorIs(t, err, driver.ErrUnsupported, q)
			assert.Contains(t, err.Error(), "unsigned", q)
		}
	}
	require.NoError(t, run("DROP TABLE IF EXISTS t_r16z"))
	require.NoError(t, run("CREATE TABLE t_r16z (k INT UNSIGNED NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))"))
	require.NoError(t, run("ALTER TABLE t_r16z MODIFY k INT ZEROFILL NOT NULL"), "unsigned already: runs")
	require.NoError(t, run("DROP TABLE IF EXISTS t_r16z"))
}
