package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGroupConcatMaxLen: a merged GROUP_CONCAT is cut where one server
// cuts it, at the session's group_concat_max_len, in bytes and not inside
// a character.
func TestGroupConcatMaxLen(t *testing.T) {
	env := newKindsEnv(t)
	ctx := context.Background()
	queries := []string{
		"SELECT grp, GROUP_CONCAT(id ORDER BY id), COUNT(*) FROM t_kinds GROUP BY grp ORDER BY grp",
		"SELECT GROUP_CONCAT(DISTINCT CONCAT(grp, 'é') ORDER BY CONCAT(grp, 'é') DESC SEPARATOR 'ü') FROM t_kinds",
		"SELECT grp, GROUP_CONCAT(DISTINCT CONCAT('€', id) ORDER BY CONCAT('€', id)) FROM t_kinds GROUP BY grp ORDER BY grp",
	}
	for _, n := range []int{1, 4, 7, 25, 26, 27} {
		run := func(db *sql.DB) [][][]string {
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			defer conn.Close()
			_, err = conn.ExecContext(ctx, "SET SESSION group_concat_max_len = ?", n)
			require.NoError(t, err)
			var out [][][]string
			for _, q := range queries {
				rows, err := conn.QueryContext(ctx, q)
				require.NoError(t, err, q)
				res, err := scanDiffRows(rows)
				require.NoError(t, err, q)
				out = append(out, res.rows)
			}
			return out
		}
		require.Equal(t, run(env.oracle), run(env.sharded), "group_concat_max_len = %d", n)
	}
}
