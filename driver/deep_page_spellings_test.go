package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// checkSpellings runs deep pages spelled with aliases, positions,
// qualifiers and comments, and in a transaction that
// wrote, against the oracle: each pair is the sharded statement and the
// oracle's, whose ORDER BY ends with the primary key.
func (e *pageEnv) checkSpellings(t *testing.T) {
	ctx := context.Background()
	for _, q := range [][2]string{
		{"SELECT grp AS name, name AS grp, id FROM t_page ORDER BY name LIMIT 1000, 10", "SELECT grp AS name, name AS grp, id FROM t_page ORDER BY name, id LIMIT 1000, 10"},
		{"SELECT p.id, p.name FROM t_page AS p ORDER BY p.name DESC LIMIT 1200, 9", "SELECT p.id, p.name FROM t_page AS p ORDER BY p.name DESC, p.id LIMIT 1200, 9"},
		{"SELECT id, name FROM t_page ORDER BY 2 LIMIT 900, 8", "SELECT id, name FROM t_page ORDER BY 2, id LIMIT 900, 8"},
		{"SELECT /* c */ id, `grp` FROM `t_page` WHERE name IN ('abc', 'b') OR grp IS NULL ORDER BY `grp` LIMIT 300, 5", "SELECT id, grp FROM t_page WHERE name IN ('abc', 'b') OR grp IS NULL ORDER BY grp, id LIMIT 300, 5"},
		{"SELECT id, name AS id2 FROM t_page ORDER BY id2 DESC LIMIT 1000, 10", "SELECT id, name AS id2 FROM t_page ORDER BY id2 DESC, id LIMIT 1000, 10"},
		{"SELECT id AS amount, amount AS id FROM t_page ORDER BY amount DESC LIMIT 700, 6", "SELECT id AS amount, amount AS id FROM t_page ORDER BY amount DESC LIMIT 700, 6"},
	} {
		want, err := runDiffQuery(e.oracle, q[1])
		require.NoError(t, err, q[1])
		got, err := runDiffQuery(e.sharded, q[0])
		require.NoError(t, err, q[0])
		assert.Equal(t, fmt.Sprint(want.rows), fmt.Sprint(got.rows), q[0])
	}

	// SQL_CALC_FOUND_ROWS across nodes is refused, deep or not.
	_, err := runDiffQuery(e.sharded, "SELECT SQL_CALC_FOUND_ROWS id FROM t_page WHERE grp > 3 ORDER BY grp LIMIT 1000, 10")
	require.ErrorIs(t, err, driver.ErrUnsupported)

	// In a transaction that wrote: both phases see its rows.
	var pages []string
	for i, db := range []*sql.DB{e.oracle, e.sharded} {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		for id := 90001; id <= 90040; id++ {
			_, err := tx.ExecContext(ctx, "INSERT INTO t_page (id, user_id, grp, name, amount, created) VALUES (?, ?, 5, 'tx', '1.00', '2025-01-02')", id, id%200+1)
			require.NoError(t, err)
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM t_page WHERE grp = 6")
		require.NoError(t, err)
		q := []string{"SELECT id, grp FROM t_page ORDER BY grp DESC, id LIMIT 1500, 30", "SELECT id, grp FROM t_page ORDER BY grp DESC LIMIT 1500, 30"}[i]
		rows, err := tx.QueryContext(ctx, q)
		require.NoError(t, err)
		res, err := scanDiffRows(rows)
		require.NoError(t, err)
		require.NoError(t, tx.Rollback())
		pages = append(pages, fmt.Sprint(res.rows))
	}
	assert.Equal(t, pages[0], pages[1], "deep page in a transaction that wrote")
}
