package route

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRoutePartialAlter: MariaDB's ALTER TABLE … ADD COLUMN IF NOT EXISTS
// (read by the parser only up to the table name) runs on every node table
// with the text copied and only the name replaced; a rest that could name
// another table stays refused. Before compat11 every such statement on a
// sharded table was refused.
func TestRoutePartialAlter(t *testing.T) {
	r := testRouter(t)
	for q, want := range map[string]string{
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS z INT":                               "ALTER TABLE `t_order_2` ADD COLUMN IF NOT EXISTS z INT",
		"alter table `t_order`  add column if not exists `z` int, drop index if exists iz": "alter table `t_order_2`  add column if not exists `z` int, drop index if exists iz",
		"ALTER TABLE\nt_order DROP COLUMN IF EXISTS z":                                     "ALTER TABLE\n`t_order_2` DROP COLUMN IF EXISTS z",
	} {
		p, err := r.Route(q, nil)
		require.NoError(t, err, q)
		require.Len(t, p.Units, 8, q)
		require.Equal(t, KindDDL, p.Kind, q)
		require.Equal(t, want, p.Units[2].SQL, q)
		require.Equal(t, "t_order_2", p.Units[2].Node.Table, q)
	}
	for _, q := range []string{
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS z INT REFERENCES t_plain (id)",
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS t_user INT",
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS z INT, EXCHANGE PARTITION p WITH TABLE t_plain",
		"ALTER TABLE app.t_order ADD COLUMN IF NOT EXISTS z INT",
		"ALTER TABLE /* c */ t_order ADD COLUMN IF NOT EXISTS z INT",
		"ALTER TABLE t_order ADD COLUMN IF NOT EXISTS z INT, RENAME TO t_x",
	} {
		_, err := r.Route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
	}
}
