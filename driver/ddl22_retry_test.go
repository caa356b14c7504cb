package driver_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDDL22CutDDLRetries: each DDL of a sharded table cut on one node
// table (its session killed while it waited there) reports the failure,
// and its retry — the same statement or its IF [NOT] EXISTS spelling —
// converges: every node table ends with one definition and the rows one
// database would hold.
func TestDDL22CutDDLRetries(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "ddl22_retry", "t_d22r", "user_id")
	n1 := openPlain(t, dsns[1])
	defs := func() []string {
		var out []string
		for _, dsn := range dsns {
			node := openPlain(t, dsn)
			for _, tb := range []string{"t_d22r_0", "t_d22r_1"} {
				var name, def string
				if err := node.QueryRowContext(ctx, "SHOW CREATE TABLE "+tb).Scan(&name, &def); err != nil {
					out = append(out, "missing")
					continue
				}
				def = strings.Replace(def, tb, "t", 1)
				def = regexp.MustCompile(` AUTO_INCREMENT=[0-9]+`).ReplaceAllString(def, "")
				out = append(out, def)
			}
		}
		return out
	}
	for _, c := range []struct {
		name, ddl, retry string
		rows             int // after the retry; -1: the table is gone
	}{
		{"ADD COLUMN", "ALTER TABLE t_d22r ADD COLUMN c INT NOT NULL DEFAULT 5", "", 16},
		{"ADD COLUMN, retried IF NOT EXISTS", "ALTER TABLE t_d22r ADD COLUMN c INT NOT NULL DEFAULT 5", "ALTER TABLE t_d22r ADD COLUMN IF NOT EXISTS c INT NOT NULL DEFAULT 5", 16},
		{"CREATE INDEX", "CREATE INDEX ix ON t_d22r (name)", "", 16},
		{"CREATE INDEX, retried IF NOT EXISTS", "CREATE INDEX ix ON t_d22r (name)", "CREATE INDEX IF NOT EXISTS ix ON t_d22r (name)", 16},
		{"DROP INDEX", "DROP INDEX un ON t_d22r", "", 16},
		{"DROP INDEX, retried IF EXISTS", "DROP INDEX un ON t_d22r", "DROP INDEX IF EXISTS un ON t_d22r", 16},
		{"DROP COLUMN", "ALTER TABLE t_d22r DROP INDEX un, DROP COLUMN name", "", 16},
		{"DROP COLUMN, retried IF EXISTS", "ALTER TABLE t_d22r DROP INDEX un, DROP COLUMN name", "ALTER TABLE t_d22r DROP INDEX IF EXISTS un, DROP COLUMN IF EXISTS name", 16},
		{"TRUNCATE", "TRUNCATE TABLE t_d22r", "", 0},
		{"DROP TABLE", "DROP TABLE t_d22r", "", -1},
		{"DROP TABLE, retried IF EXISTS", "DROP TABLE t_d22r", "DROP TABLE IF EXISTS t_d22r", -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ddl22Fill(t, db, "t_d22r")
			err := ddl22CutDDL(t, db, n1, "t_d22r_1", c.ddl)
			require.Error(t, err, "cut on one node table: never success")
			t.Logf("cut: %v", err)
			retry := c.retry
			if retry == "" {
				retry = c.ddl
			}
			_, err = db.ExecContext(ctx, retry)
			require.NoError(t, err, "the retry completes it: %s", retry)
			d := defs()
			for i := range d {
				assert.Equal(t, d[0], d[i], "node table %d's definition", i)
			}
			if c.rows < 0 {
				assert.Equal(t, "missing", d[0])
				return
			}
			var n int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_d22r").Scan(&n))
			assert.Equal(t, c.rows, n)
		})
	}
}
